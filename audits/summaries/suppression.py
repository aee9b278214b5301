"""The partnership's disclosure rule (docs/disclosure.md) applied to a compiled summary.

Everything that leaves the service — the board's and agency leads' views in the API and pages, every briefing
format — is `suppress_content(content, threshold)` of the compiled content. It:

- hides every count that describes children (breakdowns by agency, sector, age band, level of need and plan type;
  immediate safeguarding concerns; whether the child and family were heard) from 1 to threshold - 1;
- publishes exactly the figures that describe practice over a whole sample (a theme's grades, kinds and self- vs
  panel grades, its "evident in N of M cases" where M >= threshold, trends, actions by agency, the assurance
  counts) — unless the sample itself is smaller than the threshold, when they are treated as counts of children;
- hides further non-zero cells (secondary suppression) until no hidden figure can be worked back from the
  published ones through any of the sums that tie the tables together (protection.CellSystem);
- drops each theme's verbatim quotes; and withholds any share, change or time worked out from a hidden count.

A hidden figure is None, printed as "[c]" by `shown` and explained by `suppression_note`. `any_hidden` (top level,
and on each theme) names the tables that hold one, so that a page or briefing prints the footnote under those.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, cast

from audits.summaries.protection import CellSystem, Key

# Where a figure is in the content: ("themes", 0, "by_agency", 2, "grades", "good").
Path = tuple[Any, ...]
CONCERN_COUNTS = ("raised", "acknowledged", "acknowledged_within_one_working_day", "awaiting_acknowledgement")
CONCERN_HOURS = ("median_hours_to_acknowledge", "longest_hours_to_acknowledge")
ACTION_COUNTS = ("raised", "completed", "verified", "overdue")
BREAKDOWNS = ("by_age_band", "by_level_of_need", "by_plan_type")
THEME_TABLES = ("grades", "kinds", "by_agency", "by_sector", *BREAKDOWNS, "self_vs_panel", "evidence", "trend")
TOP_TABLES = ("scope", "views", "actions", "benchmark_actions", "concerns", "assurance")
GOOD_OR_BETTER = ("outstanding", "good")
# How a hidden figure is printed, as UK official statistics mark confidential cells.
SUPPRESSED_MARK = "[c]"
# GOV.UK style, as the reference report writes it: "in four of the six cases".
NUMBER_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def shown(value: object) -> str:
    """A figure as printed in anything that leaves the service: a hidden one is marked, never a number or a bound."""
    return SUPPRESSED_MARK if value is None else str(value)


def suppression_note(threshold: int) -> str:
    """The footnote under every table that can hold a hidden figure."""
    return (
        f"{SUPPRESSED_MARK} marks a figure withheld to protect children's confidentiality: counts of children below "
        f"{threshold}, and any figure from which one could be worked out. See the partnership's disclosure rule."
    )


def in_words(value: int | None) -> str:
    if value is None:
        return SUPPRESSED_MARK
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else str(value)


_TOTAL = ("total",)


def suppress_cell(value: int, threshold: int) -> int | None:
    """A lone count of children: hidden from 1 to threshold - 1; zeros are kept."""
    return None if 0 < value < threshold else value


def suppress_row(row: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """Counts of children in a row whose total is published."""
    system = CellSystem()
    for key, value in row.items():
        system.add(key, value, sensitive=True)
    system.add(_TOTAL, sum(row.values()), sensitive=False)
    system.total(_TOTAL, row)
    hidden = system.protect(threshold)
    return {key: None if key in hidden else value for key, value in row.items()}


def suppress_table(
    table: Sequence[Sequence[int]],
    threshold: int,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    totals_describe_children: bool = False,
) -> dict[str, Any]:
    """A two-way table of counts of children with its published margins (and grand total, when any margin is).

    Margins that describe practice are hidden only when nothing else can shield a hidden cell.
    """
    system = CellSystem()
    rows, columns = len(table), len(table[0]) if table else 0
    for i in range(rows):
        for j in range(columns):
            system.add(("cell", i, j), table[i][j], sensitive=True)
    grand = sum(map(sum, table))
    if row_totals or column_totals:
        system.add(("total",), grand, sensitive=totals_describe_children)
    if row_totals:
        for i in range(rows):
            system.add(("row", i), sum(table[i]), sensitive=totals_describe_children)
            system.total(("row", i), [("cell", i, j) for j in range(columns)])
        system.total(("total",), [("row", i) for i in range(rows)])
    if column_totals:
        for j in range(columns):
            system.add(("column", j), sum(table[i][j] for i in range(rows)), sensitive=totals_describe_children)
            system.total(("column", j), [("cell", i, j) for i in range(rows)])
        system.total(("total",), [("column", j) for j in range(columns)])
    hidden = system.protect(threshold)

    def value(key: Key) -> int | None:
        return None if key in hidden else system.cells[key].value

    return {
        "cells": [[value(("cell", i, j)) for j in range(columns)] for i in range(rows)],
        "row_totals": [value(("row", i)) for i in range(rows)] if row_totals else None,
        "column_totals": [value(("column", j)) for j in range(columns)] if column_totals else None,
        "total": value(("total",)) if row_totals or column_totals else None,
    }


def suppress_content(content: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The compiled content as it may leave the service (see the module's docstring and docs/disclosure.md)."""
    if not content:
        return content
    system = _cell_system(content, threshold)
    hidden = {cast(Path, path) for path in system.protect(threshold)}
    published = copy.deepcopy(content)
    for path in hidden:
        _set(published, path, None)
    withheld: set[Path] = set()
    for theme in published.get("themes", []):
        theme.pop("quotes", None)
    for index, theme in enumerate(published.get("themes", [])):
        theme["evidence"]["statement"] = _statement(content["themes"][index]["evidence"], theme["evidence"])
        for entry in theme.get("trend", []):
            if _withhold_shares(entry):
                withheld.add(("themes", index, "trend"))
    concerns = published.get("concerns")
    if concerns is not None:
        enough = (concerns.get("acknowledged") or 0) >= threshold
        for key in CONCERN_HOURS:
            if key in concerns and not enough and concerns[key] is not None:
                concerns[key] = None
                withheld.add(("concerns",))
    for entry in published.get("benchmark_actions", []):
        if entry.get("verified_before_reaudit") is None and entry.get("verified"):
            # The list is as long as the count (up to the listed maximum), so it goes with it.
            entry["verified"] = []
    _mark_hidden_tables(published, hidden | withheld)
    published["suppression_threshold"] = threshold
    return published


# -- the cells and sums of a compiled summary ------------------------------------------------------------------


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Builder:
    """Adds the content's figures to a CellSystem, each at its path in the content."""

    def __init__(self, content: dict[str, Any]) -> None:
        self.content = content
        self.system = CellSystem()

    def count(self, path: Path, *, sensitive: bool) -> Path | None:
        """The figure at `path` as a cell (once: a figure in two sums is added by the first)."""
        if path in self.system.cells:
            return path
        value = _get(self.content, path)
        if not _is_count(value):
            return None
        self.system.add(path, value, sensitive=sensitive)
        return path

    def unprinted(self, path: Path, value: int, *, sensitive: bool) -> Path:
        self.system.add(path, value, sensitive=sensitive, printed=False)
        return path

    def counts(self, path: Path, *, sensitive: bool) -> list[Path]:
        mapping = _get(self.content, path) or {}
        return [key for key in (self.count((*path, name), sensitive=sensitive) for name in mapping) if key]

    def total(self, total: Path | None, parts: Sequence[Path | None]) -> None:
        """total = sum(parts), when every one of them is a figure of the content (a fixture may lack some)."""
        known = [part for part in parts if part is not None and part in self.system.cells]
        if total is not None and total in self.system.cells and parts and len(known) == len(parts):
            self.system.total(total, known)

    def equal(self, left: Sequence[Path], right: Sequence[Path]) -> None:
        if left and right:
            self.system.difference(left, right)

    def complement(self, path: Path, whole: Any, part: Any, *, sensitive: bool) -> None:
        """The unprinted rest of a whole (e.g. the cases where something was not evident), tied by their sum."""
        whole_key, part_key = (
            self.count((*path, whole), sensitive=sensitive),
            self.count((*path, part), sensitive=sensitive),
        )
        if whole_key is None or part_key is None:
            return
        rest = self.unprinted(
            (*path, f"~not_{part}"), self.value(whole_key) - self.value(part_key), sensitive=sensitive
        )
        self.system.total(whole_key, [part_key, rest])

    def value(self, key: Path) -> int:
        return self.system.cells[key].value


def _cell_system(content: dict[str, Any], threshold: int) -> CellSystem:
    build = _Builder(content)
    scope = content.get("scope", {})
    # Practice figures are published exactly only over a sample of at least `threshold` cases.
    whole_sample = (scope.get("cases") or 0) >= threshold
    cases = build.count(("scope", "cases"), sensitive=not whole_sample)
    findings = build.count(("scope", "agreed_findings"), sensitive=not whole_sample)
    audits_in_scope = {audit.get("reference") for audit in scope.get("audits", [])}

    theme_grades: list[list[Path]] = []
    theme_good: list[list[Path]] = []
    theme_inadequate: list[Path] = []
    for index, theme in enumerate(content.get("themes", [])):
        at = ("themes", index)
        judged = theme.get("evidence", {}).get("of_cases") or 0
        exact = whole_sample and judged >= threshold
        grades = build.counts((*at, "grades"), sensitive=not exact)
        kinds = build.counts((*at, "kinds"), sensitive=not exact)
        build.equal(grades, kinds)
        theme_grades.append(grades)
        theme_good.append([(*at, "grades", key) for key in GOOD_OR_BETTER if (*at, "grades", key) in grades])
        theme_inadequate += [key for key in grades if key[-1] == "inadequate"]
        _breakdowns(build, theme, at, grades, kinds)
        panel = build.counts((*at, "self_vs_panel"), sensitive=not exact)
        with_self = (*at, "self_vs_panel", "with_self_grade")
        if with_self in panel:
            build.total(with_self, [key for key in panel if key != with_self])
        build.complement((*at, "evidence"), "of_cases", "evident_in", sensitive=not exact)
        _trend(build, theme, at, grades, whole_sample, threshold, audits_in_scope)

    views = ("views",)
    build.count((*views, "of_cases"), sensitive=not whole_sample)
    build.complement(views, "of_cases", "child_heard", sensitive=True)
    build.complement(views, "of_cases", "family_heard", sensitive=True)
    # The views are counted over the same cases as the scope (a child is heard or not, case by case).
    build.total(cases, [build.count((*views, "of_cases"), sensitive=True)])

    _actions(build, content, whole_sample)
    for index, _entry in enumerate(content.get("benchmark_actions", [])):
        build.complement(("benchmark_actions", index), "raised", "verified_before_reaudit", sensitive=not whole_sample)

    concerns = ("concerns",)
    raised = build.count((*concerns, "raised"), sensitive=True)
    build.complement(concerns, "acknowledged", "acknowledged_within_one_working_day", sensitive=True)
    awaiting = build.count((*concerns, "awaiting_acknowledgement"), sensitive=True)
    build.total(raised, [build.count((*concerns, "acknowledged"), sensitive=True), awaiting])

    assurance = ("assurance",)
    total = build.count((*assurance, "total"), sensitive=not whole_sample)
    good = build.count((*assurance, "good_or_better"), sensitive=not whole_sample)
    inadequate = build.count((*assurance, "inadequate"), sensitive=not whole_sample)
    every_grade = [key for grades in theme_grades for key in grades]
    if total is not None and theme_grades:
        build.total(total, every_grade)
        if good is not None and inadequate is not None:
            rest = build.unprinted(
                (*assurance, "~not_graded_at_the_ends"),
                build.value(total) - build.value(good) - build.value(inadequate),
                sensitive=not whole_sample,
            )
            build.total(total, [good, inadequate, rest])
    build.total(good, [key for keys in theme_good for key in keys])
    build.total(inadequate, theme_inadequate)
    build.total(findings, every_grade)
    return build.system


def _breakdowns(build: _Builder, theme: dict[str, Any], at: Path, grades: list[Any], kinds: list[Any]) -> None:
    """Agencies, sectors and children's circumstances: counts of children, tied to the theme's totals."""
    for name in ("by_agency", "by_sector"):
        for row_index in range(len(theme.get(name, []))):
            row_at = (*at, name, row_index)
            # An agency's (or sector's) findings, counted by grade and by kind, are the same findings.
            build.equal(
                build.counts((*row_at, "grades"), sensitive=True), build.counts((*row_at, "kinds"), sensitive=True)
            )
        _columns(build, grades, kinds, [(*at, name, i) for i in range(len(theme.get(name, [])))])
    # A sector's figures are the sums of its agencies'.
    for sector_index, sector in enumerate(theme.get("by_sector", [])):
        members = [i for i, row in enumerate(theme.get("by_agency", [])) if row.get("sector") == sector.get("sector")]
        for part in ("grades", "kinds") if members else ():
            for key in sector.get(part, {}):
                build.total(
                    (*at, "by_sector", sector_index, part, key), [(*at, "by_agency", i, part, key) for i in members]
                )
    for name in BREAKDOWNS:
        table = theme.get(name, {})
        for label in table:
            build.counts((*at, name, label), sensitive=True)
        for key in grades:
            build.total(key, [(*at, name, label, key[-1]) for label in table])


def _columns(build: _Builder, grades: list[Any], kinds: list[Any], rows: list[Path]) -> None:
    if not rows:
        return
    for part, totals in (("grades", grades), ("kinds", kinds)):
        for key in totals:
            build.total(key, [(*row, part, key[-1]) for row in rows])


def _trend(
    build: _Builder,
    theme: dict[str, Any],
    at: Path,
    grades: list[Any],
    whole_sample: bool,
    threshold: int,
    audits_in_scope: set[Any],
) -> None:
    """Each audit's good-or-better of its findings: practice over that audit, once it has enough findings."""
    entries = theme.get("trend", [])
    for entry_index, entry in enumerate(entries):
        entry_at = (*at, "trend", entry_index)
        build.complement(
            entry_at, "findings", "good_or_better", sensitive=not (whole_sample and entry["findings"] >= threshold)
        )
        for benchmark_index, benchmark in enumerate(entry.get("benchmarks", [])):
            build.complement(
                (*entry_at, "benchmarks", benchmark_index),
                "findings",
                "good_or_better",
                sensitive=not (whole_sample and benchmark["findings"] >= threshold),
            )
    # When the trend covers every audit in scope, its counts add up to the theme's.
    if (
        entries
        and {entry.get("audit") for entry in entries} == audits_in_scope
        and len(entries) == len(audits_in_scope)
    ):
        build.equal([(*at, "trend", i, "findings") for i in range(len(entries))], grades)
        good = [key for key in grades if key[-1] in GOOD_OR_BETTER]
        build.equal([(*at, "trend", i, "good_or_better") for i in range(len(entries))], good)


def _actions(build: _Builder, content: dict[str, Any], whole_sample: bool) -> None:
    """Actions by agency describe the agencies' work: published exactly over a whole sample."""
    actions = content.get("actions", {})
    rows = actions.get("by_agency", [])
    for index in range(len(rows)):
        for measure in ACTION_COUNTS:
            build.count(("actions", "by_agency", index, measure), sensitive=not whole_sample)
    for measure in ACTION_COUNTS:
        total = build.count(("actions", "totals", measure), sensitive=not whole_sample)
        build.total(total, [("actions", "by_agency", index, measure) for index in range(len(rows))])


# -- paths into the content ---------------------------------------------------------------------------------


def _get(node: Any, path: Path) -> Any:
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    return node


def _set(node: Any, path: Path, value: Any) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _statement(exact: dict[str, Any], published: dict[str, Any]) -> str:
    """ "The child's voice was evident in four of the six cases", with [c] for a hidden part."""
    subject = exact["statement"].split(" was evident in ")[0]
    return (
        f"{subject} was evident in {in_words(published['evident_in'])} of the {in_words(published['of_cases'])} cases."
    )


def _withhold_shares(entry: dict[str, Any]) -> bool:
    """A share is published only with both its counts, and a change only with both its shares."""
    withheld = False
    if entry.get("good_or_better") is None or entry.get("findings") is None:
        withheld |= entry.get("good_share") is not None
        entry["good_share"] = None
    for benchmark in entry.get("benchmarks", []):
        if benchmark.get("good_or_better") is None or benchmark.get("findings") is None:
            withheld |= benchmark.get("good_share") is not None
            benchmark["good_share"] = None
        if benchmark.get("good_share") is None or entry.get("good_share") is None:
            withheld |= benchmark.get("change") is not None
            benchmark["change"] = None
            benchmark["direction"] = None
    return withheld


def _mark_hidden_tables(published: dict[str, Any], paths: set[Path]) -> None:
    """`any_hidden`: which tables hold a [c], so that each prints the footnote once.

    Content suppressed before (a summary retention reduced to its suppressed form) keeps the marks it had: its hidden
    figures are already None, so this pass finds them no longer to hide, but its tables still hold them."""
    for index, theme in enumerate(published.get("themes", [])):
        before = theme.get("any_hidden", {})
        theme["any_hidden"] = {
            table: bool(before.get(table)) or any(path[:3] == ("themes", index, table) for path in paths)
            for table in THEME_TABLES
        }
    before = published.get("any_hidden", {})
    published["any_hidden"] = {
        **{table: bool(before.get(table)) or any(path[0] == table for path in paths) for table in TOP_TABLES},
        "themes": bool(before.get("themes")) or any(path[0] == "themes" for path in paths),
    }
