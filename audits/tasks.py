from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from audits import notifications
from audits.summaries.export import summary_export
from audits.summaries.run import summary_compile


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
)
def compile_summary(summary_id: int) -> bool:
    """Compile a claimed learning summary; a redelivered or repeated message finds nothing to do."""
    return summary_compile(summary_id=summary_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def export_briefing(summary_id: int) -> bool:
    """Make the PDF, Word, CSV and JSON briefing of an approved summary; running it again replaces the files."""
    return summary_export(summary_id=summary_id)


@shared_task
def send_action_reminders() -> int:
    return notifications.send_action_reminders()


@shared_task
def escalate_concerns() -> int:
    return notifications.escalate_unacknowledged_concerns()


@shared_task
def send_weekly_digest() -> int:
    return notifications.send_weekly_digest()
