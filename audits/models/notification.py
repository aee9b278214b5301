from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    ACTION_REMINDER = "action_reminder", "Actions due or overdue"
    CONCERN_ESCALATION = "concern_escalation", "Concern not acknowledged in time"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest"


class Notification(models.Model):
    """Every email the service sends, keyed by the event it is about, so no event is ever mailed twice."""

    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=120, help_text="What the email is about, e.g. the day or the concern.")
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "event_key"], name="notification_once_per_event"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.event_key})"
