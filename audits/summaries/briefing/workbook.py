"""The briefing as an Excel workbook: the action plan by agency, then a sheet for each of the summary's tables.

Partnerships keep their action plans in spreadsheets, so the first sheet is one row per action in the summary's
audits: what each agency must do, by when, and where it stands. It is about agencies' work, never about a child: no
case reference, no case narrative, only the action's own text and when and what its latest update was (never
its note). The other sheets are the
summary's tables as the PDF prints them, counts as numbers and hidden ones as [c], with the note under each.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audits.choices import ActionStatus
from audits.models import Action, ActionUpdate
from audits.summaries.briefing.content import Briefing, Table
from audits.summaries.suppression import SUPPRESSED_MARK

ACTION_PLAN_HEADER = [
    "Audit",
    "Agency (owner)",
    "Action",
    "Due",
    "Status",
    "Overdue",
    "Latest update",
    "What it was",
]
ACTION_PLAN_WIDTHS = [12, 30, 60, 12, 14, 10, 14, 60]
DATE_FORMAT = "dd/mm/yyyy"


def action_plan(briefing: Briefing) -> QuerySet[Action]:
    """The actions of the summary's audits, by agency, each with its overdue flag and latest update."""
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Action.objects.filter(audit_id__in=briefing.audit_ids, audit__partnership_id=briefing.partnership_id)
        .with_overdue(today=timezone.localdate())
        .annotate(
            latest_at=Subquery(latest.values("created_at")[:1]),
            latest_status=Subquery(latest.values("status_to")[:1]),
            latest_evidence=Subquery(latest.values("evidence")[:1]),
        )
        .select_related("audit", "owner_agency")
        .order_by("owner_agency__name", "due_date", "audit__reference", "pk")
    )


def _what_it_was(action: Action) -> str:
    """The latest update in words, never its note: notes are the agency's working record and may name a child's
    circumstances, so they stay on the action's page and do not leave the service."""
    if action.latest_at is None:  # type: ignore[attr-defined]
        return ""
    if action.latest_status:  # type: ignore[attr-defined]
        return f"Marked {ActionStatus(action.latest_status).label.lower()}"  # type: ignore[attr-defined]
    return "Evidence added" if action.latest_evidence else "Note added"  # type: ignore[attr-defined]


def render_xlsx(briefing: Briefing) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Action plan"
    rows: list[list[Any]] = [
        [
            action.audit.reference,
            action.owner_agency.name,
            action.description,
            action.due_date,
            action.get_status_display(),
            "yes" if action.overdue else "no",  # type: ignore[attr-defined]
            _local_date(action.latest_at),  # type: ignore[attr-defined]
            _what_it_was(action),
        ]
        for action in action_plan(briefing)
    ]
    _write(sheet, ACTION_PLAN_HEADER, rows, widths=ACTION_PLAN_WIDTHS)
    for row in sheet.iter_rows(min_row=2):
        for cell in (row[3], row[6]):  # due, latest update
            cell.number_format = DATE_FORMAT
    for name, table in briefing.data_tables():
        _write_table(workbook.create_sheet(name), table, briefing)
    workbook.properties.title = f"Learning and Improvement Briefing: {briefing.title}"
    workbook.properties.creator = briefing.partnership
    workbook.properties.language = "en-GB"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(value).date() if value else None


def _write_table(sheet: Worksheet, table: Table, briefing: Briefing) -> None:
    rows: list[list[Any]] = [[SUPPRESSED_MARK if cell is None else cell for cell in row] for row in table.rows]
    lines: list[list[Any]] = [list(table.header), *rows]
    widths = [max(14, min(60, max(len(str(line[i])) for line in lines) + 2)) for i in range(len(table.header))]
    _write(sheet, table.header, rows, widths=widths)
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            cell.alignment = Alignment(horizontal="right")
    sheet.append([])
    sheet.append([table.caption])
    if table.can_hide:
        sheet.append([briefing.note])


def _write(sheet: Worksheet, header: list[str], rows: Sequence[Sequence[Any]], *, widths: Sequence[int]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
