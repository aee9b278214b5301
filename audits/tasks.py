from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError
from django.utils import timezone

from audits import notifications
from audits.outbox import outbox_drain
from audits.services.retention import retention_apply
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


@shared_task
def apply_retention() -> int:
    """Remove the case-level detail of closed audits past retention (daily); returns how many audits it reduced."""
    report = retention_apply(today=timezone.localdate(), dry_run=False)
    return sum(1 for entry in report.audits if not entry.error)


@shared_task
def drain_outbox() -> int:
    """Send the task messages that waited in the outbox while the broker was down (every minute, and at start-up)."""
    return outbox_drain()


@worker_ready.connect
def _drain_outbox_on_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that starts after an outage queues what waited, without waiting for beat's next minute."""
    drain_outbox.delay()
