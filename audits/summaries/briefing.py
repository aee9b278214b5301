"""Learning and Improvement Briefings: PDF and Word for practitioners, CSV and JSON for data users.

Everything here works from the suppressed content (suppression.suppress_content): a briefing leaves the service,
so no count below the partnership's threshold appears in it, in a table, a chart or a sentence.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers

import matplotlib.pyplot as plt
from docx import Document
from docx.shared import Cm, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from audits.choices import AssuranceLevel
from audits.models import LearningSummary
from audits.summaries.suppression import suppress_content

GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
# Colour-blind-safe, and distinguishable in greyscale print.
GRADE_COLOURS = ["#1b7837", "#7fbf7b", "#f1a340", "#b2182b"]


@dataclass
class Briefing:
    """What every format shows, prepared once."""

    title: str
    partnership: str
    assurance: str
    key_messages: list[str]
    content: dict[str, Any]
    threshold: int

    @classmethod
    def of(cls, summary: LearningSummary) -> Briefing:
        threshold = summary.partnership.suppression_threshold
        level = summary.assurance_level
        return cls(
            title=summary.title,
            partnership=summary.partnership.name,
            assurance=AssuranceLevel(level).label if level else "Not yet proposed",
            key_messages=[line.strip("-• ").strip() for line in summary.key_messages.splitlines() if line.strip()],
            content=suppress_content(summary.content, threshold),
            threshold=threshold,
        )

    def shown(self, value: Any) -> str:
        """A figure as printed: suppressed ones say so instead of a number."""
        return f"<{self.threshold}" if value is None else str(value)

    @property
    def note(self) -> str:
        return (
            f"Counts below {self.threshold} are shown as <{self.threshold}, and where one small count could be worked "
            "out from a total, a second count is hidden too, so that no child can be identified."
        )

    def themes(self) -> list[dict[str, Any]]:
        return self.content.get("themes", [])

    def quotes(self, kind: str) -> list[tuple[str, str]]:
        return [(t["name"], quote) for t in self.themes() for quote in t["quotes"].get(kind, [])]

    def grade_rows(self) -> list[list[str]]:
        rows = [["Theme", *GRADE_LABELS.values(), "Evidence"]]
        for theme in self.themes():
            rows.append(
                [theme["name"], *(self.shown(theme["grades"][k]) for k in GRADE_LABELS), theme["evidence"]["statement"]]
            )
        return rows

    def trend_rows(self) -> list[list[str]]:
        rows = [["Theme", "Audit", "Good or better", "Compared with", "Then", "Change"]]
        for theme in self.themes():
            for entry in theme["trend"]:
                for benchmark in entry["benchmarks"]:
                    rows.append(
                        [
                            theme["name"],
                            entry["audit"],
                            _share(entry["good_share"]),
                            benchmark["audit"],
                            _share(benchmark["good_share"]),
                            benchmark["direction"] if benchmark["change"] is not None else "not published",
                        ]
                    )
        return rows

    def action_rows(self) -> list[list[str]]:
        rows = [["Agency", "Raised", "Completed", "Verified", "Overdue"]]
        for row in self.content.get("actions", {}).get("by_agency", []):
            rows.append([row["agency"], *(self.shown(row[k]) for k in ("raised", "completed", "verified", "overdue"))])
        return rows

    def concern_lines(self) -> list[str]:
        concerns = self.content.get("concerns", {})
        if not concerns:
            return []
        return [
            f"Immediate safeguarding concerns raised: {self.shown(concerns.get('raised'))}.",
            f"Acknowledged within one working day: {self.shown(concerns.get('acknowledged_within_one_working_day'))}.",
        ]


def _share(value: float | None) -> str:
    return "not published" if value is None else f"{value:.0f}%"


def grade_chart(briefing: Briefing) -> bytes:
    """Horizontal stacked bars: how findings on each theme were graded."""
    themes = briefing.themes()
    figure, axes = plt.subplots(figsize=(8, 0.6 * max(len(themes), 2) + 1.2), dpi=150)
    left = [0.0] * len(themes)
    for key, colour in zip(GRADE_LABELS, GRADE_COLOURS, strict=True):
        values = [theme["grades"][key] or 0 for theme in themes]
        axes.barh([t["name"] for t in themes], values, left=left, color=colour, label=GRADE_LABELS[key])
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("Agreed findings")
    axes.set_title("Grades by theme")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, -0.45), ncol=4, frameon=False, fontsize=8)
    figure.text(0.01, 0.01, f"Counts below {briefing.threshold} are not drawn.", fontsize=7)
    return _png(figure)


def trend_chart(briefing: Briefing) -> bytes | None:
    """Share of findings graded good or better, audit by audit, for each theme with a benchmark."""
    series: dict[str, dict[str, float]] = {}
    for theme in briefing.themes():
        for entry in theme["trend"]:
            points = series.setdefault(theme["name"], {})
            if entry["good_share"] is not None:
                points[entry["audit"]] = entry["good_share"]
            for benchmark in entry["benchmarks"]:
                if benchmark["good_share"] is not None:
                    points[benchmark["audit"]] = benchmark["good_share"]
    series = {name: points for name, points in series.items() if len(points) >= 2}
    if not series:
        return None
    figure, axes = plt.subplots(figsize=(8, 4), dpi=150)
    audits = sorted(
        {audit for points in series.values() for audit in points},
        key=lambda a: int(a.split()[-1]) if a.split()[-1].isdigit() else 0,
    )
    for name, points in series.items():
        xs = [audit for audit in audits if audit in points]
        axes.plot(xs, [points[x] for x in xs], marker="o", label=name)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% good or better")
    axes.set_title("Trend across audits")
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def render_pdf(briefing: Briefing) -> bytes:
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph("Learning and Improvement Briefing", styles["Title"]),
        Paragraph(f"{briefing.title} — {briefing.partnership}", styles["Heading2"]),
        Paragraph(f"Proposed assurance: <b>{briefing.assurance}</b>", styles["Normal"]),
        Spacer(1, 0.4 * cm),
        Paragraph("Key messages", styles["Heading2"]),
        *[Paragraph(f"• {_escape(message)}", styles["Normal"]) for message in briefing.key_messages],
        Paragraph("What good looks like", styles["Heading2"]),
        *[
            Paragraph(f"<b>{_escape(theme)}:</b> {_escape(q)}", styles["Normal"])
            for theme, q in briefing.quotes("strength")
        ],
        Paragraph("What must improve", styles["Heading2"]),
        *[
            Paragraph(f"<b>{_escape(theme)}:</b> {_escape(q)}", styles["Normal"])
            for theme, q in briefing.quotes("area_for_improvement")
        ],
        Paragraph("The figures", styles["Heading2"]),
        _pdf_table(briefing.grade_rows(), styles),
        Spacer(1, 0.3 * cm),
        Image(io.BytesIO(grade_chart(briefing)), width=16 * cm, height=9 * cm, kind="proportional"),
    ]
    trend = trend_chart(briefing)
    if len(briefing.trend_rows()) > 1:
        story += [
            Paragraph("Compared with earlier audits", styles["Heading2"]),
            _pdf_table(briefing.trend_rows(), styles),
        ]
    if trend:
        story.append(Image(io.BytesIO(trend), width=16 * cm, height=8 * cm, kind="proportional"))
    story += [
        Paragraph("Actions", styles["Heading2"]),
        _pdf_table(briefing.action_rows(), styles),
        *[Paragraph(line, styles["Normal"]) for line in briefing.concern_lines()],
        Spacer(1, 0.4 * cm),
        Paragraph(briefing.note, styles["Italic"]),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Learning and Improvement Briefing: {briefing.title}",
        author=briefing.partnership,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
    )
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_table(rows: list[list[str]], styles: Any) -> Table:
    cells = [[Paragraph(_escape(cell), styles["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_docx(briefing: Briefing) -> bytes:
    document = Document()
    document.core_properties.title = f"Learning and Improvement Briefing: {briefing.title}"
    document.core_properties.author = briefing.partnership
    document.add_heading("Learning and Improvement Briefing", level=0)
    document.add_paragraph(f"{briefing.title} — {briefing.partnership}")
    document.add_paragraph().add_run(f"Proposed assurance: {briefing.assurance}").bold = True
    document.add_heading("Key messages", level=1)
    for message in briefing.key_messages:
        document.add_paragraph(message, style="List Bullet")
    for heading, kind in (("What good looks like", "strength"), ("What must improve", "area_for_improvement")):
        document.add_heading(heading, level=1)
        for theme, quote in briefing.quotes(kind):
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{theme}: ").bold = True
            paragraph.add_run(quote)
    document.add_heading("The figures", level=1)
    _docx_table(document, briefing.grade_rows())
    document.add_picture(io.BytesIO(grade_chart(briefing)), width=Cm(16))
    if len(briefing.trend_rows()) > 1:
        document.add_heading("Compared with earlier audits", level=1)
        _docx_table(document, briefing.trend_rows())
    trend = trend_chart(briefing)
    if trend:
        document.add_picture(io.BytesIO(trend), width=Cm(16))
    document.add_heading("Actions", level=1)
    _docx_table(document, briefing.action_rows())
    for line in briefing.concern_lines():
        document.add_paragraph(line)
    document.add_paragraph().add_run(briefing.note).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document: Any, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
                run.bold = r == 0


def data_rows(briefing: Briefing) -> Iterator[dict[str, Any]]:
    """One row per published figure, for the CSV: suppressed figures are present, empty, and flagged."""
    for theme in briefing.themes():
        breakdowns: list[tuple[str, str, dict[str, Any]]] = [("all", "all", theme["grades"])]
        breakdowns += [("agency", row["agency"], row["grades"]) for row in theme["by_agency"]]
        breakdowns += [("sector", row["sector"], row["grades"]) for row in theme["by_sector"]]
        for key, name in (
            ("by_age_band", "age band"),
            ("by_level_of_need", "level of need"),
            ("by_plan_type", "plan type"),
        ):
            breakdowns += [(name, label, grades) for label, grades in theme[key].items()]
        for breakdown, group, grades in breakdowns:
            for grade, value in grades.items():
                yield {
                    "theme": theme["name"],
                    "breakdown": breakdown,
                    "group": group,
                    "measure": f"grade: {grade}",
                    "value": value,
                    "suppressed": value is None,
                }
        evidence = theme["evidence"]
        for measure in ("evident_in", "of_cases"):
            yield {
                "theme": theme["name"],
                "breakdown": "evidence",
                "group": "all",
                "measure": measure,
                "value": evidence[measure],
                "suppressed": evidence[measure] is None,
            }


def render_csv(briefing: Briefing) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["theme", "breakdown", "group", "measure", "value", "suppressed"])
    writer.writeheader()
    for row in data_rows(briefing):
        writer.writerow(
            {
                **row,
                "value": "" if row["value"] is None else row["value"],
                "suppressed": "yes" if row["suppressed"] else "no",
            }
        )
    return buffer.getvalue().encode("utf-8")


def render_json(briefing: Briefing) -> bytes:
    document = {
        "title": briefing.title,
        "partnership": briefing.partnership,
        "assurance": briefing.assurance,
        "key_messages": briefing.key_messages,
        "suppression": {"threshold": briefing.threshold, "note": briefing.note},
        "figures": briefing.content,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


RENDERERS = {"pdf": render_pdf, "docx": render_docx, "csv": render_csv, "json": render_json}
