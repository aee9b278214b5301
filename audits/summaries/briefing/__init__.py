"""Learning and Improvement Briefings: PDF and Word for practitioners, an Excel workbook, CSV and JSON for data users.

Every format is made from one view-model, Briefing, built from the suppressed content: a briefing leaves the
service, so no count below the partnership's threshold appears in it, in a table, a chart or a sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from audits.summaries.briefing.content import Briefing, Table
from audits.summaries.briefing.data import render_csv, render_json
from audits.summaries.briefing.pdf import render_pdf
from audits.summaries.briefing.word import render_docx
from audits.summaries.briefing.workbook import render_xlsx

RENDERERS: dict[str, Callable[[Briefing], bytes]] = {
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "csv": render_csv,
    "json": render_json,
}

__all__ = ["RENDERERS", "Briefing", "Table", "render_csv", "render_docx", "render_json", "render_pdf", "render_xlsx"]
