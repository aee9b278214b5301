from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """A task to queue, written in the same transaction as the change that needs it (a transactional outbox).

    The change and its follow-up work commit together or not at all. After the commit the message is sent to the
    broker at once; if the broker is down it stays here, unsent, and the ``drain_outbox`` task sends it when the
    broker is back. Tasks are idempotent, so a message that happens to be sent twice does no harm.
    """

    task_name = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True, help_text="The task's positional arguments (ids only).")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the broker accepted it; empty: waiting.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent")]

    def __str__(self) -> str:
        state = f"sent {self.sent_at:%Y-%m-%d %H:%M}" if self.sent_at else f"waiting ({self.attempts} attempts)"
        return f"{self.task_name}{tuple(self.args)}: {state}"
