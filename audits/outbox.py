"""The transactional outbox: queue a task in the same transaction as the change that needs it.

A service calls ``outbox_enqueue`` inside its ``transaction.atomic()``. The message row commits with the change, so
the two can never part: no task queued for a change that rolled back, and no change whose task was lost because the
broker was down at the moment of the commit. After the commit the message is sent at once; when the broker refuses
it, it waits in the table and ``outbox_drain`` (the ``drain_outbox`` task, every minute, and once when a worker
starts) sends it when the broker is back. Tasks are idempotent (status guards), so sending one twice is harmless.
"""

from __future__ import annotations

import datetime
import logging
from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from audits.models import OutboxMessage

logger = logging.getLogger(__name__)

# Sent messages are kept this long for anyone investigating a delay, then removed by the drain.
KEEP_SENT_FOR = datetime.timedelta(days=7)
DRAIN_BATCH = 200


def outbox_enqueue(*, task: str, args: list[Any]) -> OutboxMessage:
    """Record that ``task(*args)`` must run once the current transaction commits, and try to send it then."""
    message = OutboxMessage.objects.create(task_name=task, args=args)
    transaction.on_commit(lambda: outbox_send(message_id=message.pk))
    return message


def outbox_send(*, message_id: int) -> bool:
    """Send one waiting message now; False when the broker refused it (it stays waiting) or it was already sent.

    Runs after the commit of the change, so it must never raise for a broker fault: the change is stored and the
    person is told it is queued, and the drain sends the message later.
    """
    waiting = OutboxMessage.objects.filter(pk=message_id, sent_at=None)
    if _runs_here():
        return _run_here(waiting)
    with transaction.atomic():
        message = waiting.select_for_update(skip_locked=True).first()
        return message is not None and _send(message)


def outbox_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Send the waiting messages, oldest first, and return how many were sent; stop at the first broker refusal.

    ``skip_locked`` lets two drains (or a drain and an ``outbox_send``) run at once without sending a row twice or
    waiting on each other.
    """
    sent = 0
    if _runs_here():
        pks = list(OutboxMessage.objects.filter(sent_at=None).values_list("pk", flat=True)[:limit])
        sent = sum(_run_here(OutboxMessage.objects.filter(pk=pk, sent_at=None)) for pk in pks)
    else:
        with transaction.atomic():
            for message in OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at=None)[:limit]:
                if not _send(message):
                    break  # the broker is down: the rest would fail the same way; the next drain tries again
                sent += 1
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT_FOR).delete()
    if sent:
        logger.info("Outbox: sent %d waiting task message(s)", sent)
    return sent


def _runs_here() -> bool:
    """Celery's eager mode (the embedded default): tasks run in this process as they are queued."""
    return bool(current_app.conf.task_always_eager)


def _run_here(waiting: QuerySet[OutboxMessage]) -> bool:
    """Mark the message sent, then run its task outside any transaction, as a worker would.

    Holding the row lock while the task ran would put the task's own writes (a failed compile's error, say) inside
    this transaction, and a task that raises would roll them back.
    """
    message = waiting.first()
    if message is None or not waiting.update(sent_at=timezone.now(), attempts=F("attempts") + 1):
        return False
    _task(message).delay(*message.args)
    return True


def _task(message: OutboxMessage) -> Any:
    """The registered task, importing its module first (a web process has not necessarily imported it yet)."""
    import_module(message.task_name.rpartition(".")[0])
    return current_app.tasks[message.task_name]


def _send(message: OutboxMessage) -> bool:
    message.attempts += 1
    try:
        _task(message).delay(*message.args)
    except (BrokerError, OSError) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.save(update_fields=["attempts", "last_error"])
        logger.warning(
            "Outbox: the broker refused %s%s (attempt %d); it waits for the next drain: %s",
            message.task_name,
            tuple(message.args),
            message.attempts,
            exc,
        )
        return False
    message.sent_at = timezone.now()
    message.save(update_fields=["attempts", "sent_at"])
    return True
