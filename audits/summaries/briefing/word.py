"""The briefing as a Word document: the same sections as the PDF, tables with header rows, [c] for hidden figures.

Charts are left out: each chart's data table is there, and converting SVG for Word would need a heavy dependency.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from audits.summaries.briefing.content import Briefing, Table


def render_docx(briefing: Briefing) -> bytes:
    document = Document()
    document.core_properties.title = f"Learning and Improvement Briefing: {briefing.title}"
    document.core_properties.author = briefing.partnership
    document.core_properties.language = "en-GB"
    document.add_paragraph(briefing.partnership)
    document.add_heading(f"Learning and Improvement Briefing: {briefing.title}", level=0)

    document.add_heading("Key messages", level=1)
    _bullets(document, briefing.key_messages or ["No key messages have been written yet."])
    document.add_paragraph(briefing.scope)
    if briefing.views:
        document.add_paragraph(briefing.views)

    document.add_heading("Assurance", level=1)
    document.add_paragraph().add_run(briefing.assurance).bold = True
    document.add_paragraph(briefing.assurance_reason)
    _table(document, briefing.assurance_rule, briefing)

    for theme in briefing.theme_sections:
        document.add_heading(theme.name, level=1)
        document.add_heading("How findings were graded", level=2)
        _table(document, theme.grade_table, briefing)
        document.add_paragraph(theme.kinds)
        document.add_paragraph(theme.evidence)
        if theme.trend_table:
            document.add_heading("Compared with earlier audits", level=2)
            _table(document, theme.trend_table, briefing)

    if briefing.benchmark_actions:
        document.add_heading("Were the earlier audits' actions done?", level=1)
        for entry in briefing.benchmark_actions:
            document.add_heading(f"{entry.audit} before {entry.reaudit}", level=2)
            document.add_paragraph(entry.sentence)
            _bullets(document, [f"{action['agency']}: {action['description']}" for action in entry.verified])

    document.add_heading("Actions by agency", level=1)
    if briefing.actions_table.rows:
        _table(document, briefing.actions_table, briefing)
    else:
        document.add_paragraph("No actions were raised in these audits.")

    document.add_heading("Immediate safeguarding concerns", level=1)
    for line in briefing.concern_lines or ["None were raised."]:
        document.add_paragraph(line)

    document.add_heading("What good looks like", level=1)
    _bullets(document, briefing.strengths or ["Not written yet."])
    document.add_heading("What must improve", level=1)
    _bullets(document, briefing.areas_for_improvement or ["Not written yet."])
    document.add_paragraph().add_run(briefing.note).italic = True

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _bullets(document: DocumentType, points: list[str]) -> None:
    for point in points:
        document.add_paragraph(point, style="List Bullet")


def _table(document: DocumentType, table: Table, briefing: Briefing) -> None:
    caption = document.add_paragraph(style="Caption")
    caption.add_run(table.caption)
    caption.paragraph_format.keep_with_next = True
    rows = [table.header, *table.text_rows]
    grid = document.add_table(rows=len(rows), cols=len(table.header))
    grid.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = value
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
                run.bold = r == 0 or c == 0
    _repeat_as_header(grid.rows[0])
    if table.can_hide:
        document.add_paragraph().add_run(briefing.note).italic = True


def _repeat_as_header(row: object) -> None:
    """Mark the first row as the table's header row, so screen readers announce it and it repeats across pages."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
