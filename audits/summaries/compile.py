"""Compile a learning summary's figures with database aggregation (DESIGN.md §4).

Each figure is one grouped query over the agreed findings (or actions, concerns, views) in scope; Python only
arranges the grouped rows. The result is deterministic, so compiling twice gives the same content, and it is
written in one statement at the end, so a failure or a killed worker leaves the previous version intact.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import Sector
from audits.calendar import acknowledgement_deadline
from audits.choices import (
    ActionStatus,
    AgeBand,
    FindingKind,
    Grade,
    LevelOfNeed,
    PlanType,
    Speaker,
)
from audits.models import Action, Audit, Case, ChildFamilyView, Finding, LearningSummary, SafeguardingConcern
from audits.models.action import overdue_condition
from audits.summaries.assurance import propose_assurance

CONTENT_VERSION = 1
GRADE_KEYS = {grade.value: grade.name.lower() for grade in Grade}
GOOD_OR_BETTER = (Grade.OUTSTANDING, Grade.GOOD)
# A change of share smaller than this (in percentage points) between audits counts as "the same".
TREND_TOLERANCE = 5.0
QUOTES_PER_KIND = 3
BENCHMARK_ACTIONS_LISTED = 10

Progress = Callable[[str, int], None]


def _no_progress(stage: str, percent: int) -> None:
    return None


def audits_in_scope(summary: LearningSummary) -> QuerySet[Audit]:
    """The summary's chosen audits, or the partnership's audits that started within its period."""
    chosen = summary.audits.all()
    if chosen.exists():
        return chosen
    return Audit.objects.filter(
        partnership_id=summary.partnership_id,
        start_date__gte=summary.period_start,
        start_date__lte=summary.period_end,
    )


def _zero_grades() -> dict[str, int]:
    return dict.fromkeys(GRADE_KEYS.values(), 0)


def _zero_kinds() -> dict[str, int]:
    return dict.fromkeys(FindingKind.values, 0)


def _blank_theme(theme: Any) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "grades": _zero_grades(),
        "kinds": _zero_kinds(),
        "by_agency": {},
        "by_sector": {},
        "self_vs_panel": {"with_self_grade": 0, "panel_agreed": 0, "panel_raised": 0, "panel_lowered": 0},
    }


def _share(good: int, total: int) -> float | None:
    return round(100 * good / total, 1) if total else None


def compile_content(summary: LearningSummary, progress: Progress = _no_progress) -> dict[str, Any]:
    today = timezone.localdate()
    # The chosen audits' ids in one query; only a summary by period needs a second.
    audit_ids = sorted(summary.audits.values_list("pk", flat=True)) or sorted(
        audits_in_scope(summary).values_list("pk", flat=True)
    )
    themes = list(summary.themes.order_by("name"))
    theme_ids = [theme.pk for theme in themes]
    findings = Finding.objects.filter(
        case__audit_id__in=audit_ids, theme_id__in=theme_ids, agreed_at__isnull=False, grade__isnull=False
    )
    cases = Case.objects.filter(audit_id__in=audit_ids)

    progress("grades, agencies and sectors", 10)
    by_theme: dict[int, dict[str, Any]] = {theme.pk: _blank_theme(theme) for theme in themes}
    sector_labels = dict(Sector.choices)
    # One scan: every grade, kind, agency, sector and self-grade figure is a sum over these grouped rows (and on
    # PostgreSQL the same scan gives the children's circumstances too).
    by_agency_rows, by_circumstance_rows = _grouped(findings, audit_ids, theme_ids)
    for row in by_agency_rows:
        entry, n = by_theme[row["theme_id"]], row["n"]
        grade = GRADE_KEYS[row["grade"]]
        entry["grades"][grade] += n
        entry["kinds"][row["kind"]] += n
        agency = row["agency__name"] or "Multi-agency response"
        sector = sector_labels.get(row["agency__sector"], "Multi-agency")
        for bucket, key, extra in ((entry["by_agency"], agency, {"sector": sector}), (entry["by_sector"], sector, {})):
            item = bucket.setdefault(key, {**extra, "grades": _zero_grades(), "kinds": _zero_kinds()})
            item["grades"][grade] += n
            item["kinds"][row["kind"]] += n
        if row["self_grade"] is not None:
            moved = entry["self_vs_panel"]
            moved["with_self_grade"] += n
            if row["grade"] == row["self_grade"]:
                moved["panel_agreed"] += n
            elif row["grade"] < row["self_grade"]:
                moved["panel_raised"] += n
            else:
                moved["panel_lowered"] += n
    for entry in by_theme.values():
        entry["by_agency"] = [{"agency": name, **entry["by_agency"][name]} for name in sorted(entry["by_agency"])]
        entry["by_sector"] = [{"sector": name, **entry["by_sector"][name]} for name in sorted(entry["by_sector"])]

    progress("children's circumstances", 40)
    circumstances: dict[str, dict[Any, str]] = {
        "age_band": dict(AgeBand.choices),
        "level_of_need": dict(LevelOfNeed.choices),
        "plan_type": dict(PlanType.choices),
    }
    tables: dict[tuple[int, str], dict[str, dict[str, int]]] = defaultdict(dict)
    for row in by_circumstance_rows:
        for field, labels in circumstances.items():
            if row[f"case__{field}"] is None:  # a row of another field's grouping set (the columns are never null)
                continue
            table = tables[(row["theme_id"], field)]
            label = str(labels[row[f"case__{field}"]])
            table.setdefault(label, _zero_grades())[GRADE_KEYS[row["grade"]]] += row["n"]
    for theme_id, entry in by_theme.items():
        for field, labels in circumstances.items():
            table = tables[(theme_id, field)]
            entry[f"by_{field}"] = {label: table[label] for label in map(str, labels.values()) if label in table}

    progress("evidence", 60)
    counted = _evidence(findings)
    for theme_id, entry in by_theme.items():
        of_cases = counted.get(theme_id, {}).get("of_cases", 0)
        evident_in = counted.get(theme_id, {}).get("evident_in", 0)
        subject = (
            "The child's voice"
            if entry["slug"] == "voice-of-the-child"
            else f"Good practice on {_in_sentence(entry['name'])}"
        )
        entry["evidence"] = {
            "evident_in": evident_in,
            "of_cases": of_cases,
            "statement": f"{subject} was evident in {evident_in} of the {of_cases} cases.",
        }

    progress("quotes", 65)
    quotes = _all_quotes(findings, theme_ids, audit_ids)
    for theme_id, entry in by_theme.items():
        entry["quotes"] = {kind: quotes.get((theme_id, kind), []) for kind in FindingKind.values}

    progress("trends against benchmark audits", 75)
    trends = _trends(audit_ids, theme_ids)
    for theme_id, entry in by_theme.items():
        entry["trend"] = trends.get(theme_id, [])

    progress("actions and concerns", 85)
    grades = [entry["grades"] for entry in by_theme.values()]
    totals = {
        "total": sum(sum(g.values()) for g in grades),
        "good_or_better": sum(g["outstanding"] + g["good"] for g in grades),
        "inadequate": sum(g["inadequate"] for g in grades),
    }
    views = _views(cases)
    content = {
        "version": CONTENT_VERSION,
        "scope": {
            "audits": list(
                Audit.objects.filter(pk__in=audit_ids)
                .order_by("start_date", "reference")
                .values("id", "reference", "title")
            ),
            "period": [summary.period_start.isoformat(), summary.period_end.isoformat()]
            if summary.period_start and summary.period_end
            else None,
            "themes": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in themes],
            "cases": views["of_cases"],  # the same count of the same cases
            "agreed_findings": totals["total"],
        },
        "themes": [by_theme[theme.pk] for theme in themes],
        "views": views,
        "actions": _actions(audit_ids, today),
        "benchmark_actions": _benchmark_actions(audit_ids),
        "concerns": _concerns(audit_ids),
        "assurance": {
            "level": propose_assurance(
                good_or_better=totals["good_or_better"], inadequate=totals["inadequate"], total=totals["total"]
            ),
            **totals,
        },
    }
    progress("saving", 95)
    return content


AGENCY_COLUMNS = ("theme_id", "agency__name", "agency__sector", "grade", "kind", "self_grade")
CIRCUMSTANCE_COLUMNS = ("theme_id", "case__age_band", "case__level_of_need", "case__plan_type", "grade")

# PostgreSQL: both groupings from one scan of the agreed findings. GROUPING(...) tells the sets apart: 7 for the
# agency set (none of the three circumstance columns grouped), otherwise the one circumstance column grouped.
_GROUPING_SETS = """
    SELECT f.theme_id, ag.name, ag.sector, f.grade, f.kind, f.self_grade, c.age_band, c.level_of_need, c.plan_type,
           GROUPING(c.age_band, c.level_of_need, c.plan_type), COUNT(*)
    FROM audits_finding f INNER JOIN audits_case c ON c.id = f.case_id
    LEFT OUTER JOIN agencies_agency ag ON ag.id = f.agency_id
    WHERE c.audit_id = ANY(%(audits)s) AND f.theme_id = ANY(%(themes)s) AND f.agreed_at IS NOT NULL
      AND f.grade IS NOT NULL
    GROUP BY GROUPING SETS ((f.theme_id, ag.name, ag.sector, f.grade, f.kind, f.self_grade),
                            (f.theme_id, c.age_band, f.grade), (f.theme_id, c.level_of_need, f.grade),
                            (f.theme_id, c.plan_type, f.grade))
"""


def _grouped(
    findings: QuerySet[Finding], audit_ids: list[int], theme_ids: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Agreed findings counted by theme, agency, sector, grade, kind and self-grade; and by theme, each of the
    children's circumstances and grade (a circumstance column is None in rows grouped by another one).

    One scan on PostgreSQL (GROUPING SETS); two grouped ORM queries elsewhere (the SQLite demo).
    """
    if connection.vendor != "postgresql":
        agency = findings.values(*AGENCY_COLUMNS).annotate(n=Count("pk")).order_by()
        circumstance = findings.values(*CIRCUMSTANCE_COLUMNS).annotate(n=Count("pk")).order_by()
        return list(agency), list(circumstance)
    agency_rows, circumstance_rows = [], []
    with connection.cursor() as cursor:
        cursor.execute(_GROUPING_SETS, {"audits": audit_ids, "themes": theme_ids})
        for theme_id, name, sector, grade, kind, self_grade, age, need, plan, grouping, n in cursor.fetchall():
            if grouping == 0b111:
                values = (theme_id, name, sector, grade, kind, self_grade)
                agency_rows.append({**dict(zip(AGENCY_COLUMNS, values, strict=True)), "n": n})
            else:
                circumstance_rows.append(
                    {**dict(zip(CIRCUMSTANCE_COLUMNS, (theme_id, age, need, plan, grade), strict=True)), "n": n}
                )
    return agency_rows, circumstance_rows


def _trends(audit_ids: list[int], theme_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each audit in scope that has benchmarks, compared theme by theme with each earlier audit."""
    pairs = list(
        Audit.benchmark_audits.through.objects.filter(from_audit_id__in=audit_ids)
        .values_list("from_audit_id", "to_audit_id")
        .order_by()
    )
    if not pairs:
        return {}
    involved = {a for pair in pairs for a in pair}
    shares = {
        (row["case__audit_id"], row["theme_id"]): row
        for row in Finding.objects.filter(
            case__audit_id__in=involved, theme_id__in=theme_ids, agreed_at__isnull=False, grade__isnull=False
        )
        .values("case__audit_id", "theme_id")
        .annotate(total=Count("pk"), good=Count("pk", filter=Q(grade__in=GOOD_OR_BETTER)))
        .order_by()
    }
    references = dict(Audit.objects.filter(pk__in=involved).values_list("pk", "reference"))
    trends: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for current in sorted({a for a, _ in pairs}, key=lambda pk: references[pk]):
        for theme_id in theme_ids:
            now = shares.get((current, theme_id))
            if now is None:
                continue
            now_share = _share(now["good"], now["total"])
            compared = []
            for earlier in sorted((b for a, b in pairs if a == current), key=lambda pk: references[pk]):
                then = shares.get((earlier, theme_id))
                if then is None:
                    continue
                then_share = _share(then["good"], then["total"])
                assert now_share is not None and then_share is not None
                change = round(now_share - then_share, 1)
                direction = "same" if abs(change) < TREND_TOLERANCE else ("better" if change > 0 else "worse")
                compared.append(
                    {
                        "audit": references[earlier],
                        "good_or_better": then["good"],
                        "findings": then["total"],
                        "good_share": then_share,
                        "change": change,
                        "direction": direction,
                    }
                )
            if compared:
                trends[theme_id].append(
                    {
                        "audit": references[current],
                        "good_or_better": now["good"],
                        "findings": now["total"],
                        "good_share": now_share,
                        "benchmarks": compared,
                    }
                )
    return trends


def _views(cases: QuerySet[Case]) -> dict[str, int]:
    def heard(*speakers: str) -> Exists:
        return Exists(ChildFamilyView.objects.filter(case=OuterRef("pk"), speaker__in=speakers))

    return cases.aggregate(
        of_cases=Count("pk"),
        child_heard=Count("pk", filter=Q(heard(Speaker.CHILD))),
        family_heard=Count("pk", filter=Q(heard(Speaker.PARENT, Speaker.WIDER_FAMILY))),
    )


def _actions(audit_ids: list[int], today: datetime.date) -> dict[str, Any]:
    done = (ActionStatus.COMPLETED, ActionStatus.VERIFIED)
    rows = list(
        Action.objects.filter(audit_id__in=audit_ids)
        .values(agency=F("owner_agency__name"))
        .annotate(
            raised=Count("pk"),
            completed=Count("pk", filter=Q(status__in=done)),
            verified=Count("pk", filter=Q(status=ActionStatus.VERIFIED)),
            overdue=Count("pk", filter=overdue_condition(today)),
        )
        .order_by("agency")
    )
    totals = {key: sum(row[key] for row in rows) for key in ("raised", "completed", "verified", "overdue")}
    return {"by_agency": rows, "totals": totals}


def _benchmark_actions(audit_ids: list[int]) -> list[dict[str, Any]]:
    """For each re-audit, the actions of the earlier audit, and how many were verified before it began.

    Four queries whatever the number of re-audits (it was three per pair): the pairs, the audits in the database's
    order of references, the actions raised per earlier audit, and the earlier audits' verified actions in the
    listed order, which are few (a handful an audit) and are split by each re-audit's start date here.
    """
    pairs = list(
        Audit.benchmark_audits.through.objects.filter(from_audit_id__in=audit_ids)
        .values_list("from_audit_id", "to_audit_id")
        .order_by()
    )
    if not pairs:
        return []
    earlier_ids = {earlier for _, earlier in pairs}
    audits = list(Audit.objects.filter(pk__in={a for pair in pairs for a in pair}).order_by("reference"))
    rank = {audit.pk: position for position, audit in enumerate(audits)}
    by_id = {audit.pk: audit for audit in audits}
    raised = dict(
        Action.objects.filter(audit_id__in=earlier_ids)
        .values("audit_id")
        .annotate(n=Count("pk"))
        .values_list("audit_id", "n")
    )
    verified: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Action.objects.filter(audit_id__in=earlier_ids, status=ActionStatus.VERIFIED)
        .order_by("due_date", "pk")
        .values("audit_id", "verified_at", "description", agency=F("owner_agency__name"))
    ):
        verified[row["audit_id"]].append(
            {"verified_at": row["verified_at"], "description": row["description"], "agency": row["agency"]}
        )
    result = []
    for current_id, earlier_id in sorted(pairs, key=lambda pair: (rank[pair[0]], rank[pair[1]])):
        current, earlier = by_id[current_id], by_id[earlier_id]
        before = [
            row
            for row in verified[earlier_id]
            if not current.start_date
            or (row["verified_at"] is not None and timezone.localtime(row["verified_at"]).date() < current.start_date)
        ]
        result.append(
            {
                "audit": earlier.reference,
                "reaudit": current.reference,
                "raised": raised.get(earlier_id, 0),
                "verified_before_reaudit": len(before),
                "verified": [
                    {"description": row["description"], "agency": row["agency"]}
                    for row in before[:BENCHMARK_ACTIONS_LISTED]
                ],
            }
        )
    return result


def _concerns(audit_ids: list[int]) -> dict[str, Any]:
    # Concerns are few (a handful an audit); the working-day rule needs the bank-holiday calendar, so each
    # acknowledged concern's deadline is worked out here rather than in SQL.
    rows = list(
        SafeguardingConcern.objects.filter(case__audit_id__in=audit_ids)
        .order_by("pk")
        .values_list("raised_at", "acknowledged_at")
    )
    acknowledged = [(raised, ack) for raised, ack in rows if ack is not None]
    hours = sorted(round((ack - raised).total_seconds() / 3600, 1) for raised, ack in acknowledged)
    return {
        "raised": len(rows),
        "acknowledged": len(acknowledged),
        "acknowledged_within_one_working_day": sum(ack <= acknowledgement_deadline(r) for r, ack in acknowledged),
        "awaiting_acknowledgement": len(rows) - len(acknowledged),
        "median_hours_to_acknowledge": hours[len(hours) // 2] if hours else None,
        "longest_hours_to_acknowledge": hours[-1] if hours else None,
    }


def _in_sentence(name: str) -> str:
    """A theme's name inside a sentence: "Neglect" → "neglect", but "SMART plans" keeps its capitals."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _all_quotes(
    findings: QuerySet[Finding], theme_ids: list[int], audit_ids: list[int]
) -> dict[tuple[int, str], list[str]]:
    """Every theme's and kind's quotes in one statement (it was two queries a theme).

    Each part is a top-N read in index order (no sort of every narrative); the parts are joined with UNION ALL, and each
    part's rows are put back in its order here, since a union keeps no order of its own.
    """
    if connection.vendor == "postgresql":
        return _all_quotes_lateral(theme_ids, audit_ids)
    parts: list[str] = []
    params: list[Any] = []
    for theme_id in theme_ids:
        for kind in FindingKind.values:
            sql, part_params = _top_quotes(findings.filter(theme_id=theme_id, kind=kind), kind).query.sql_with_params()
            parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")  # noqa: S608 - Django's own compiled SQL
            params.extend(part_params)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return _arrange_quotes(cursor.fetchall())


# PostgreSQL: per theme, the top rows of each kind through the quote index (LATERAL), in two parts, not forty:
# planning forty UNION ALL parts took longer than running them. Same conditions as compile_content's findings.
_LATERAL_QUOTES = """
    SELECT t.id, %(kind_{n})s, q.grade, q.id, q.narrative FROM unnest(%(themes)s::bigint[]) AS t(id)
    CROSS JOIN LATERAL (
        SELECT f.grade, f.id, f.narrative FROM audits_finding f INNER JOIN audits_case c ON c.id = f.case_id
        WHERE f.theme_id = t.id AND f.kind = %(kind_{n})s AND f.narrative <> '' AND f.agreed_at IS NOT NULL
          AND f.grade IS NOT NULL AND c.audit_id = ANY(%(audits)s)
        ORDER BY f.grade {order}, f.id {order} LIMIT %(limit)s
    ) AS q
"""


def _all_quotes_lateral(theme_ids: list[int], audit_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _LATERAL_QUOTES.format(n=0, order="ASC") + " UNION ALL " + _LATERAL_QUOTES.format(n=1, order="DESC"),
            {
                "themes": theme_ids,
                "audits": audit_ids,
                "kind_0": FindingKind.STRENGTH.value,
                "kind_1": FindingKind.AREA_FOR_IMPROVEMENT.value,
                "limit": QUOTES_PER_KIND * 10,
            },
        )
        return _arrange_quotes(cursor.fetchall())


def _arrange_quotes(found_rows: list[tuple[Any, ...]]) -> dict[tuple[int, str], list[str]]:
    """Each theme's and kind's rows back in its order (a union keeps none), repeats dropped, the first few kept."""
    rows: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for theme_id, kind, grade, pk, narrative in found_rows:
        rows[(theme_id, kind)].append((grade, pk, narrative))
    quotes = {}
    for (theme_id, kind), found in rows.items():
        best_first = kind == FindingKind.STRENGTH
        found.sort(key=lambda row: (row[0], row[1]) if best_first else (-row[0], -row[1]))
        quotes[(theme_id, kind)] = list(dict.fromkeys(narrative for _, _, narrative in found))[:QUOTES_PER_KIND]
    return quotes


def _top_quotes(findings: QuerySet[Finding], kind: str) -> QuerySet[Any]:
    """The best-graded strengths or the worst-graded areas for improvement, enough to drop repeats from."""
    order = ("grade", "pk") if kind == FindingKind.STRENGTH else ("-grade", "-pk")  # both follow the index
    return (
        findings.exclude(narrative="")
        .order_by(*order)
        .values_list("theme_id", "kind", "grade", "pk", "narrative")[: QUOTES_PER_KIND * 10]
    )


def _evidence(findings: QuerySet[Finding]) -> dict[int, dict[str, int]]:
    """Per theme: the cases with any agreed finding, and those with at least one strength.

    Grouped by theme and case first, then counted: two hash aggregates, cheaper than COUNT(DISTINCT), which sorts.
    """
    per_case = (
        findings.values("theme_id", "case_id")
        .annotate(strong=Count("pk", filter=Q(kind=FindingKind.STRENGTH)))
        .order_by()
    )
    sql, params = per_case.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # S608: {sql} is Django's own compiled query, its values passed separately as params.
            "SELECT theme_id, COUNT(*), SUM(CASE WHEN strong > 0 THEN 1 ELSE 0 END) "  # noqa: S608
            f"FROM ({sql}) AS per_case GROUP BY theme_id",
            params,
        )
        return {theme: {"of_cases": cases, "evident_in": int(strong)} for theme, cases, strong in cursor.fetchall()}
