from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audits.services.retention import RetentionCounts, RetentionReport, retention_apply

LABELS = {
    "finding_narratives": "finding narratives",
    "return_texts": "agency returns' texts",
    "view_texts": "child and family views' words",
    "concern_texts": "safeguarding concerns' texts",
    "evidence_files": "evidence files",
    "case_factors": "case factors",
    "summaries": "summaries cut to their suppressed figures or without quotes",
    "history_rows": "history rows",
}


class Command(BaseCommand):
    help = (
        "Remove the case-level detail of closed audits past their partnership's retention (narratives, views' words, "
        "evidence files, case factors), keeping grades, actions and suppressed summaries. --dry-run lists what would "
        "go and changes nothing. Prints counts only, never the detail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; change nothing.")
        parser.add_argument("--today", type=_date, help="Apply the rule as on this day (YYYY-MM-DD); default today.")

    def handle(self, *args: Any, dry_run: bool, today: datetime.date | None, **options: Any) -> None:
        report = retention_apply(today=today or timezone.localdate(), dry_run=dry_run)
        self.stdout.write(_render(report))
        if report.failed:
            raise CommandError(f"Retention failed for {len(report.failed)} audit(s); each was left unchanged.")


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from None


def _render(report: RetentionReport) -> str:
    verb = "Would remove" if report.dry_run else "Removed"
    lines = [f"Retention as on {report.today.isoformat()}{' (dry run: nothing changed)' if report.dry_run else ''}."]
    for entry in report.audits:
        rule = (
            f"closed {entry.closed_on.isoformat()}, kept {entry.retention_months} months, "
            f"past retention from {entry.due_on.isoformat()}"
        )
        lines.append(f"{entry.reference} ({entry.partnership}; {rule}):")
        if entry.error:
            lines.append(f"  failed: {entry.error}")
        else:
            lines.append(f"  {verb} (how many): {_counts(entry.counts)}.")
    if not report.audits:
        lines.append("Nothing to remove: no closed audit past retention holds case-level detail.")
    for name in report.undated:
        lines.append(f"{name} is closed with no closing or end date: retention cannot be counted; give it an end date.")
    return "\n".join(lines)


def _counts(counts: RetentionCounts) -> str:
    return ", ".join(f"{LABELS[name]} {n}" for name, n in counts.as_dict().items() if n)
