"""Drawing an audit's case sample: reading a CSV of cases, checking every row, and the reproducible random draw.

Plain Python over plain data, so it is tested without pages. The writes are in ``audits/services/sampling.py``.

A row's problems never repeat a reference that looks like a name, a date of birth or an NHS number: the message is
the validator's, which says why without the value, and pages show such a reference as hidden.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from audits.choices import AgeBand, Factor, LevelOfNeed, PlanType
from audits.models import Audit, Case
from audits.validators import validate_pseudonymous_reference

COLUMNS = ("reference", "age_band", "level_of_need", "plan_type", "factors", "agencies")
LIST_SEPARATOR = ";"
MAX_BYTES = 1_000_000
MAX_ROWS = 500
MAX_SEED = 999_999_999
EXAMPLE_ROW = {
    "reference": "S31-01",
    "age_band": AgeBand.AGE_5_11.value,
    "level_of_need": "3",
    "plan_type": PlanType.CHILD_IN_NEED.value,
    "factors": f"{Factor.NEGLECT.value};{Factor.DOMESTIC_ABUSE.value}",
}
QUOTA_DIMENSIONS = {"level_of_need": "level of need", "age_band": "age band"}
RECENT_DAYS = 365


class FileProblem(Exception):
    """The file as a whole cannot be read: nothing in it is used."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DrawProblem(Exception):
    """The settings cannot be met by the candidates (too few, quotas larger than the sample …)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CaseRow:
    """One row of a case file, checked. ``line`` is the row's line in the file (the header is line 1)."""

    line: int
    reference: str
    age_band: str = ""
    level_of_need: int | None = None
    plan_type: str = ""
    factors: list[str] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    agency_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reference_hidden: bool = False  # the reference itself is a problem: never show it

    @property
    def shown_reference(self) -> str:
        return "(hidden)" if self.reference_hidden else self.reference

    def age_band_label(self) -> str:
        return AgeBand(self.age_band).label if self.age_band in AgeBand.values else ""

    def plan_type_label(self) -> str:
        return PlanType(self.plan_type).label if self.plan_type in PlanType.values else ""

    def factor_labels(self) -> list[str]:
        return [Factor(value).label for value in self.factors]


# Reading the file


def read_csv(content: bytes) -> list[dict[str, str]]:
    """The rows of a case CSV as dicts keyed by the template's columns, or ``FileProblem`` saying what is wrong."""
    if not content or not content.strip():
        raise FileProblem("The file is empty. Download the template, add one row per case and upload it again.")
    if len(content) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // 1_000_000} MB. Split it into smaller files.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not a CSV file saved as UTF-8. In your spreadsheet choose Save as, then "
            "'CSV UTF-8 (comma delimited)'."
        ) from None
    if "\x00" in text:
        raise FileProblem("The file is not a CSV file. Save the spreadsheet as 'CSV UTF-8 (comma delimited)'.")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        table = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        raise FileProblem(
            "The file could not be read as CSV (a quotation mark may be out of place). "
            "Save the spreadsheet as 'CSV UTF-8 (comma delimited)'."
        ) from None
    if not table:
        raise FileProblem("The file is empty. Download the template, add one row per case and upload it again.")
    header = [cell.strip().lower().replace(" ", "_") for cell in table[0]]
    missing = [column for column in COLUMNS if column not in header]
    if missing and len(table[0]) == 1 and ";" in table[0][0]:
        raise FileProblem(
            "The file uses semicolons between columns. In your spreadsheet choose Save as, then "
            "'CSV UTF-8 (comma delimited)'."
        )
    unknown = [column for column in header if column and column not in COLUMNS]
    unused = (
        f"It has column{'s' if len(unknown) > 1 else ''} this service does not use: {', '.join(unknown)}. "
        if unknown
        else ""
    )
    if missing:
        raise FileProblem(
            f"The file is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. {unused}"
            f"The first row must name the columns: {', '.join(COLUMNS)}."
        )
    if unknown:
        raise FileProblem(
            f"{unused}Remove {'them' if len(unknown) > 1 else 'it'}: the columns are {', '.join(COLUMNS)}."
        )
    rows = table[1:]
    if not rows:
        raise FileProblem("The file has column names but no cases. Add one row per case below the column names.")
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"The file has {len(rows)} cases; the most one file may hold is {MAX_ROWS}.")
    position = {column: header.index(column) for column in COLUMNS}
    return [
        {column: (row[index].strip() if index < len(row) else "") for column, index in position.items()} for row in rows
    ]


# Checking every row


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _key(value: str) -> str:
    return " ".join(value.replace("–", "-").replace("—", "-").replace("_", " ").lower().split())


def _lookup(choices: Any) -> dict[str, str]:
    """A choice by its stored value or its label, ignoring case, dashes and underscores."""
    table = {}
    for value, label in choices:
        table[_key(str(value))] = str(value)
        table[_key(str(label))] = str(value)
    return table


AGE_BANDS = _lookup(AgeBand.choices)
PLAN_TYPES = _lookup(PlanType.choices)
FACTORS = _lookup(Factor.choices)
LEVELS = {**_lookup(LevelOfNeed.choices), **{f"level {value}": str(value) for value in LevelOfNeed.values}}


def agency_lookup(audit: Audit) -> tuple[dict[str, Agency], set[int]]:
    """The partnership's agencies by lower-cased name and short name, and the ids of those taking part."""
    known: dict[str, Agency] = {}
    for agency in Agency.objects.filter(partnerships=audit.partnership_id).order_by("pk"):
        known[_key(agency.name)] = agency
        if agency.short_name:
            known.setdefault(_key(agency.short_name), agency)
    return known, set(audit.agencies.values_list("pk", flat=True))


def check_rows(
    raw_rows: Sequence[Mapping[str, str]],
    *,
    audit: Audit,
    existing_references: Iterable[str] | None = None,
) -> list[CaseRow]:
    """Every row with every one of its problems (an empty list when it may be saved as it is)."""
    if existing_references is None:
        existing_references = Case.objects.filter(audit=audit).values_list("reference", flat=True)
    existing = {reference.lower() for reference in existing_references}
    known, taking_part = agency_lookup(audit)
    seen: dict[str, int] = {}
    rows = []
    for number, raw in enumerate(raw_rows, start=2):
        row = CaseRow(line=number, reference=raw.get("reference", "").strip())
        _check_reference(row, existing, seen)
        _check_choices(row, raw)
        _check_agencies(row, raw.get("agencies", ""), known, taking_part)
        rows.append(row)
    return rows


def _check_reference(row: CaseRow, existing: set[str], seen: dict[str, int]) -> None:
    try:
        validate_pseudonymous_reference(row.reference)
    except ValidationError as error:
        row.problems.append(f"Reference: {error.messages[0]}")
        row.reference_hidden = bool(row.reference)
        return
    if len(row.reference) > Case._meta.get_field("reference").max_length:  # type: ignore[operator]
        row.problems.append("Reference: a case reference may be at most 30 characters long.")
        return
    key = row.reference.lower()
    if key in seen:
        row.problems.append(f"Reference: the same reference is on line {seen[key]} of this file.")
    else:
        seen[key] = row.line
    if key in existing:
        row.problems.append("Reference: this audit already has a case with this reference.")


def _check_choices(row: CaseRow, raw: Mapping[str, str]) -> None:
    age_band = raw.get("age_band", "")
    row.age_band = AGE_BANDS.get(_key(age_band), "")
    if not row.age_band:
        row.problems.append(
            "Age band: "
            + ("give the age band" if not age_band else "not an age band we know")
            + f". Use one of {', '.join(AgeBand.values)}."
        )
    level = raw.get("level_of_need", "")
    row.level_of_need = int(LEVELS[_key(level)]) if _key(level) in LEVELS else None
    if row.level_of_need is None:
        row.problems.append("Level of need: " + ("give" if not level else "use") + " a number from 1 to 4.")
    plan_type = raw.get("plan_type", "")
    row.plan_type = PLAN_TYPES.get(_key(plan_type), "") if plan_type else PlanType.NONE.value
    if not row.plan_type:
        row.problems.append(f"Plan type: not a plan type we know. Use one of {', '.join(PlanType.values)}.")
    unknown = []
    for name in _split(raw.get("factors", "")):
        value = FACTORS.get(_key(name))
        if value is None:
            unknown.append(name)
        elif value not in row.factors:
            row.factors.append(value)
    for name in unknown:
        row.problems.append(f"Factors: “{name}” is not a factor we know. Use the names in the template.")


def _check_agencies(row: CaseRow, value: str, known: dict[str, Agency], taking_part: set[int]) -> None:
    for name in _split(value):
        agency = known.get(_key(name))
        if agency is None:
            row.problems.append(f"Agencies: “{name}” is not an agency of this partnership.")
        elif agency.pk not in taking_part:
            row.problems.append(f"Agencies: {agency} is not taking part in this audit.")
        elif agency.pk not in row.agency_ids:
            row.agency_ids.append(agency.pk)
            row.agency_names.append(str(agency))


def problem_count(rows: Iterable[CaseRow]) -> int:
    return sum(len(row.problems) for row in rows)


def template_rows(audit: Audit) -> list[list[str]]:
    """The CSV template: the column names and one invented example row naming up to two of the audit's agencies."""
    agencies = [agency.short_name or agency.name for agency in audit.agencies.order_by("name")[:2]]
    example = {**EXAMPLE_ROW, "agencies": LIST_SEPARATOR.join(agencies)}
    return [list(COLUMNS), [example[column] for column in COLUMNS]]


# The draw


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


def recent_references(audit: Audit, *, today: datetime.date | None = None) -> set[str]:
    """References (lower-cased) of cases in the partnership's other audits from the last 12 months.

    An audit counts when it started within the 12 months before this audit's start, or its case was added within
    the last 12 months.
    """
    now = timezone.now()
    start = audit.start_date or today or now.date()
    recent = Q(created_at__gte=now - datetime.timedelta(days=RECENT_DAYS)) | Q(
        audit__start_date__gte=start - datetime.timedelta(days=RECENT_DAYS), audit__start_date__lte=start
    )
    cases = Case.objects.filter(audit__partnership_id=audit.partnership_id).exclude(audit=audit).filter(recent)
    return {reference.lower() for reference in cases.values_list("reference", flat=True)}


@dataclass
class Draw:
    seed: int
    size: int
    quota_by: str
    quotas: dict[str, int]
    candidates: int
    excluded: list[str]
    drawn: list[CaseRow]

    @property
    def method(self) -> str:
        text = f"Simple random sample of {self.size} from {self.candidates} candidate references"
        if self.quotas:
            prefix = "level " if self.quota_by == "level_of_need" else ""
            parts = ", ".join(f"{prefix}{key}: {number}" for key, number in self.quotas.items())
            text += f", with quotas by {QUOTA_DIMENSIONS[self.quota_by]} ({parts})"
        if self.excluded:
            text += f", excluding {len(self.excluded)} audited in the last 12 months"
        return text + f" (seed {self.seed})."

    @property
    def drawn_references(self) -> list[str]:
        return [row.reference for row in self.drawn]


def draw_sample(
    candidates: Sequence[CaseRow],
    *,
    size: int,
    seed: int,
    quota_by: str = "",
    quotas: Mapping[str, int] | None = None,
    exclude: Iterable[str] = (),
) -> Draw:
    """Draw ``size`` candidates at random, reproducibly.

    The same candidates (in any order), seed and settings give the same cases: candidates are sorted by reference,
    ``random.Random(seed)`` fills each quota in the order of its key, then the rest of the sample from the
    candidates left.
    """
    quotas = {key: number for key, number in sorted((quotas or {}).items()) if number}
    if quotas and quota_by not in QUOTA_DIMENSIONS:
        raise DrawProblem("Choose whether the quotas are by level of need or by age band.")
    if sum(quotas.values()) > size:
        raise DrawProblem(
            f"The quotas add up to {sum(quotas.values())}, more than the sample size of {size}.", field="size"
        )
    excluded_keys = {reference.lower() for reference in exclude}
    ordered = sorted(candidates, key=lambda row: (row.reference.lower(), row.reference))
    excluded = [row.reference for row in ordered if row.reference.lower() in excluded_keys]
    pool = [row for row in ordered if row.reference.lower() not in excluded_keys]
    if len(pool) < size:
        left = f", {len(excluded)} of them excluded" if excluded else ""
        raise DrawProblem(
            f"The file has {len(pool)} candidates that can be drawn{left}: too few for a sample of {size}.",
            field="size",
        )
    rng = random.Random(seed)  # noqa: S311 - a recorded seed, so a draw can be repeated and checked; not a secret
    drawn: list[CaseRow] = []
    for key, number in quotas.items():
        group = [row for row in pool if str(getattr(row, quota_by)) == key]
        if len(group) < number:
            raise DrawProblem(
                f"The quota asks for {number} at {QUOTA_DIMENSIONS[quota_by]} {key}, "
                f"but the file has only {len(group)} such candidates that can be drawn."
            )
        drawn.extend(rng.sample(group, number))
    chosen = {id(row) for row in drawn}
    rest = [row for row in pool if id(row) not in chosen]
    drawn.extend(rng.sample(rest, size - len(drawn)))
    drawn.sort(key=lambda row: (row.reference.lower(), row.reference))
    return Draw(
        seed=seed,
        size=size,
        quota_by=quota_by if quotas else "",
        quotas=quotas,
        candidates=len(candidates),
        excluded=excluded,
        drawn=drawn,
    )
