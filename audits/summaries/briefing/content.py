"""The Learning and Improvement Briefing's view-model: what every format and the summary page show, prepared once.

Everything comes from the suppressed content (suppression.suppress_content) unless ``exact`` is asked for, which only
the business unit's and auditors' working view does: nothing exported is ever made with exact figures. A hidden figure
is ``None`` in the tables here and is printed as ``[c]`` (suppression.shown) with the note under the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.safestring import SafeString

from audits.choices import AssuranceLevel
from audits.models import LearningSummary
from audits.summaries import charts
from audits.summaries.assurance import BANDS, MINIMUM_FINDINGS
from audits.summaries.published import published_content
from audits.summaries.suppression import SUPPRESSED_MARK, shown, suppression_note

Cell = int | str | None  # a count (None when hidden) or text already printed


@dataclass(frozen=True)
class Table:
    """A table as every format prints it: the first column names the row; counts stay numbers for the workbook."""

    caption: str
    header: list[str]
    rows: list[list[Cell]]
    can_hide: bool = True  # whether it can hold a hidden figure, so needs the note under it

    @property
    def text_rows(self) -> list[list[str]]:
        return [[shown(cell) for cell in row] for row in self.rows]

    @property
    def has_hidden(self) -> bool:
        return any(cell is None for row in self.rows for cell in row)


@dataclass(frozen=True)
class ThemeSection:
    name: str
    slug: str
    grade_chart: SafeString | None
    grade_table: Table
    kinds: str
    evidence: str
    trend_chart: SafeString | None
    trend_table: Table | None


@dataclass(frozen=True)
class BenchmarkActions:
    audit: str
    reaudit: str
    sentence: str
    verified: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Briefing:
    """What the summary page and every briefing format show."""

    title: str
    partnership: str
    assurance: str
    key_messages: list[str]
    strengths: list[str]
    areas_for_improvement: list[str]
    content: dict[str, Any]
    threshold: int
    exact: bool = False
    partnership_id: int = 0
    audit_ids: list[int] = field(default_factory=list)  # the audits the content was compiled over

    @classmethod
    def of(cls, summary: LearningSummary, exact: bool = False) -> Briefing:
        threshold = summary.partnership.suppression_threshold
        level = summary.assurance_level or (summary.content or {}).get("assurance", {}).get("level")
        content = summary.content if exact else published_content(summary)
        return cls(
            title=summary.title,
            partnership=summary.partnership.name,
            assurance=AssuranceLevel(level).label if level else "Not yet proposed",
            key_messages=_points(summary.key_messages),
            strengths=_points(summary.strengths),
            areas_for_improvement=_points(summary.areas_for_improvement),
            content=_without_narratives(content),
            threshold=threshold,
            exact=exact,
            partnership_id=summary.partnership_id,
            audit_ids=[audit["id"] for audit in (summary.content or {}).get("scope", {}).get("audits", [])],
        )

    @property
    def note(self) -> str:
        """The footnote under each table that can hold a hidden figure."""
        return suppression_note(self.threshold)

    @property
    def mark(self) -> str:
        return SUPPRESSED_MARK

    def themes(self) -> list[dict[str, Any]]:
        return self.content.get("themes", [])

    # --- scope and assurance -------------------------------------------------------------------------------------

    @property
    def scope(self) -> str:
        scope = self.content.get("scope", {})
        audits = ", ".join(audit["reference"] for audit in scope.get("audits", [])) or "the period's audits"
        return (
            f"This summary covers {audits}: {shown(scope.get('cases'))} children's case files and "
            f"{shown(scope.get('agreed_findings'))} findings agreed at panel."
        )

    @property
    def views(self) -> str | None:
        views = self.content.get("views") or {}
        if not views:
            return None
        return (
            f"The child's own views were heard in {shown(views.get('child_heard'))} of the "
            f"{shown(views.get('of_cases'))} cases, and the family's in {shown(views.get('family_heard'))}."
        )

    @property
    def assurance_reason(self) -> str:
        """Why the rule proposed its level, in the rule's own terms (docs/assurance.md)."""
        counts = self.content.get("assurance", {})
        total, good, inadequate = counts.get("total"), counts.get("good_or_better"), counts.get("inadequate")
        proposed = counts.get("level")
        proposed_label = AssuranceLevel(proposed).label.lower() if proposed else "no level"
        if total is None or good is None or inadequate is None or not total:
            figures = f"of {shown(total)} agreed findings, {shown(good)} were graded good or better and " + (
                f"{shown(inadequate)} inadequate"
            )
        else:
            figures = (
                f"of {total} agreed findings, {good} ({100 * good / total:.1f}%) were graded good or better and "
                f"{inadequate} ({100 * inadequate / total:.1f}%) inadequate"
            )
        return f"The partnership's rule proposed {proposed_label}: {figures}."

    @property
    def assurance_rule(self) -> Table:
        rows: list[list[Cell]] = [
            [AssuranceLevel(level).label, f"{least:.0%}", f"{most:.0%}"] for level, least, most in BANDS
        ]
        rows.append([AssuranceLevel.NONE.label, "otherwise", ""])
        return Table(
            caption=f"How the level is proposed: the first band whose conditions both hold (with fewer than "
            f"{MINIMUM_FINDINGS} agreed findings, no assurance)",
            header=["Level", "Good or better, at least", "Inadequate, at most"],
            rows=rows,
            can_hide=False,
        )

    # --- themes ----------------------------------------------------------------------------------------------------

    @cached_property
    def theme_sections(self) -> list[ThemeSection]:
        return [self._theme_section(theme) for theme in self.themes()]

    def _theme_section(self, theme: dict[str, Any]) -> ThemeSection:
        kinds = theme["kinds"]
        trend = trend_table(theme)
        return ThemeSection(
            name=theme["name"],
            slug=theme["slug"],
            grade_chart=charts.grade_chart([theme], chart_id=f"grades-{theme['slug']}"),
            grade_table=grade_table(theme),
            kinds=(
                f"{shown(kinds.get('strength'))} findings were strengths and "
                f"{shown(kinds.get('area_for_improvement'))} areas for improvement."
            ),
            evidence=theme["evidence"]["statement"],
            trend_chart=charts.trend_chart([theme], chart_id=f"trend-{theme['slug']}"),
            trend_table=trend,
        )

    @cached_property
    def benchmark_actions(self) -> list[BenchmarkActions]:
        result = []
        for entry in self.content.get("benchmark_actions", []):
            sentence = (
                f"Of the {shown(entry.get('raised'))} actions agreed after {entry['audit']}, "
                f"{shown(entry.get('verified_before_reaudit'))} were verified as done before {entry['reaudit']} began."
            )
            result.append(BenchmarkActions(entry["audit"], entry["reaudit"], sentence, list(entry.get("verified", []))))
        return result

    # --- actions and concerns --------------------------------------------------------------------------------------

    def action_rows(self) -> list[dict[str, Any]]:
        return self.content.get("actions", {}).get("by_agency", [])

    @cached_property
    def actions_chart(self) -> SafeString | None:
        return charts.actions_chart(self.action_rows(), chart_id="actions")

    @cached_property
    def actions_table(self) -> Table:
        measures = [key for key, _ in charts.ACTION_MEASURES]
        rows: list[list[Cell]] = [[row["agency"], *(row[key] for key in measures)] for row in self.action_rows()]
        totals = self.content.get("actions", {}).get("totals") or {}
        if rows and totals:
            rows.append(["All agencies", *(totals.get(key) for key in measures)])
        return Table(
            caption="Actions by agency",
            header=["Agency", *(label for _, label in charts.ACTION_MEASURES)],
            rows=rows,
        )

    @property
    def concern_lines(self) -> list[str]:
        concerns = self.content.get("concerns", {})
        if not concerns:
            return []
        lines = [
            f"Immediate safeguarding concerns raised during the audits: {shown(concerns.get('raised'))}.",
            "Acknowledged by the agency within one working day: "
            f"{shown(concerns.get('acknowledged_within_one_working_day'))} "
            f"(awaiting acknowledgement: {shown(concerns.get('awaiting_acknowledgement'))}).",
        ]
        median, longest = concerns.get("median_hours_to_acknowledge"), concerns.get("longest_hours_to_acknowledge")
        if median is not None and longest is not None:
            lines.append(f"Time to acknowledge: {median:g} hours at the median, {longest:g} hours at the longest.")
        elif concerns.get("raised") != 0:
            lines.append(f"Time to acknowledge: {SUPPRESSED_MARK} (too few concerns to publish it).")
        return lines

    # --- the workbook's and data files' tables ---------------------------------------------------------------------

    def data_tables(self) -> list[tuple[str, Table]]:
        """Every table of the summary across the themes, for the workbook: (sheet name, table)."""
        sections = self.theme_sections
        grades = _combined("Agreed findings by grade, for each theme", [(s.name, s.grade_table) for s in sections])
        trend = _combined(
            "Good or better, compared with earlier audits",
            [(s.name, s.trend_table) for s in sections if s.trend_table],
        )
        evidence = Table(
            caption="Evidence, for each theme",
            header=["Theme", "Evident in", "Of cases", "Statement"],
            rows=[
                [t["name"], t["evidence"]["evident_in"], t["evidence"]["of_cases"], t["evidence"]["statement"]]
                for t in self.themes()
            ],
        )
        return [
            ("Grades by theme", grades),
            ("Trend", trend),
            ("Actions by agency", self.actions_table),
            ("Evidence", evidence),
        ]


GRADE_ORDER = [key for key, _ in charts.GRADES]


def grade_table(theme: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = [["All agencies", *(theme["grades"][key] for key in GRADE_ORDER)]]
    rows += [[row["agency"], *(row["grades"][key] for key in GRADE_ORDER)] for row in theme.get("by_agency", [])]
    return Table(
        caption=f"{theme['name']}: agreed findings by grade",
        header=["Agency", *(label for _, label in charts.GRADES)],
        rows=rows,
    )


def trend_table(theme: dict[str, Any]) -> Table | None:
    rows: list[list[Cell]] = []
    for entry in theme["trend"]:
        for benchmark in entry["benchmarks"]:
            change = benchmark["change"]
            rows.append(
                [
                    f"{entry['audit']} against {benchmark['audit']}",
                    _share(benchmark),
                    _share(entry),
                    SUPPRESSED_MARK if change is None else f"{change:+.1f} points",
                    SUPPRESSED_MARK if change is None else benchmark["direction"],
                ]
            )
    if not rows:
        return None
    return Table(
        caption=f"{theme['name']}: findings graded good or better, compared with earlier audits",
        header=["Compared", "Earlier audit", "Later audit", "Change", "Result"],
        rows=rows,
    )


def _share(entry: dict[str, Any]) -> str:
    """ "57.9% (11 of 19)", or [c] when the share would give a hidden count back."""
    if entry["good_share"] is None:
        return SUPPRESSED_MARK
    return f"{entry['good_share']:.1f}% ({shown(entry['good_or_better'])} of {shown(entry['findings'])})"


def _combined(caption: str, tables: list[tuple[str, Table]]) -> Table:
    header = ["Theme", *tables[0][1].header] if tables else ["Theme"]
    rows = [[name, *row] for name, table in tables for row in table.rows]
    return Table(caption=caption, header=header, rows=rows)


def _points(text: str) -> list[str]:
    """One point a line, without the bullets people type."""
    return [line.strip().lstrip("-•*").strip() for line in (text or "").splitlines() if line.strip().lstrip("-•*")]


def _without_narratives(content: dict[str, Any]) -> dict[str, Any]:
    """Verbatim case narratives never leave the service or reach the page through the briefing."""
    if not content or "themes" not in content:
        return content
    return {
        **content,
        "themes": [{key: value for key, value in theme.items() if key != "quotes"} for theme in content["themes"]],
    }
