from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from audits.choices import ACTION_OUTSTANDING_STATUSES, ActionStatus, ConcernStatus
from audits.models.audit import Audit
from audits.models.case import Case, Finding


class ActionQuerySet(models.QuerySet["Action"]):
    """The action plan's vocabulary, defined once (docs/decisions.md: the boundaries of overdue and due soon)."""

    def outstanding(self) -> ActionQuerySet:
        """Not yet completed: open, in progress or reopened."""
        return self.filter(status__in=ACTION_OUTSTANDING_STATUSES)

    def overdue(self, *, today: datetime.date | None = None) -> ActionQuerySet:
        """Outstanding with a due date before today: an action due today is not overdue until tomorrow."""
        return self.filter(overdue_condition(today))

    def not_overdue(self, *, today: datetime.date | None = None) -> ActionQuerySet:
        return self.exclude(overdue_condition(today))

    def due_within(self, *, days: int, today: datetime.date | None = None) -> ActionQuerySet:
        """Outstanding and due from today up to and including ``days`` days from today."""
        today = today or timezone.localdate()
        return self.outstanding().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def with_overdue(self, *, today: datetime.date | None = None) -> ActionQuerySet:
        """Annotate each action with ``overdue`` for lists that show the flag."""
        return self.annotate(overdue=ExpressionWrapper(overdue_condition(today), output_field=models.BooleanField()))


def overdue_condition(today: datetime.date | None = None) -> Q:
    return Q(status__in=ACTION_OUTSTANDING_STATUSES, due_date__lt=today or timezone.localdate())


class Action(models.Model):
    """What an agency must do, raised from findings or from the audit as a whole."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    finding = models.ForeignKey(Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    raised_on = models.DateField(default=datetime.date.today)
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("raised_on")),
                name="action_due_not_before_raised",
                violation_error_message="The due date cannot be before the date the action was raised.",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
        ]
        indexes = [
            models.Index(fields=["owner_agency", "status", "due_date"]),
            models.Index(fields=["audit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.owner_agency}: {self.description[:60]}"


def evidence_path(instance: ActionUpdate, filename: str) -> str:
    """A random name under the private media root: the uploaded name is kept in evidence_name, never in the path."""
    return f"evidence/{uuid.uuid4().hex}"


class ActionUpdate(models.Model):
    """One entry in an action's trail: a note, evidence, or a status change, with who and when."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    evidence = models.FileField(upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True, help_text="The file's name as it was uploaded.")
    evidence_size = models.PositiveIntegerField(null=True, blank=True, help_text="In bytes.")
    status_from = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(note="") | ~Q(evidence="") | ~Q(status_to=""),
                name="action_update_not_empty",
                violation_error_message="An update needs a note, evidence or a status change.",
            ),
        ]

    def __str__(self) -> str:
        return f"Update on action {self.action_id} at {self.created_at:%Y-%m-%d %H:%M}"


class SafeguardingConcern(models.Model):
    """A live child-protection issue found during the audit, passed to the agency that must act at once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="concerns")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="concerns", help_text="The agency that must act."
    )
    description = models.TextField(help_text="What must be acted on. Name no one.")
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.RAISED)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("raised_at")),
                name="concern_acknowledged_after_raised",
                violation_error_message="A concern cannot be acknowledged before it was raised.",
            ),
            models.CheckConstraint(
                condition=Q(status="raised") | Q(acknowledged_at__isnull=False),
                name="concern_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="concern_closed_has_outcome",
                violation_error_message="A closed concern needs its outcome.",
            ),
            models.CheckConstraint(condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"),
        ]
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["status", "raised_at"])]

    def __str__(self) -> str:
        return f"Concern on {self.case} for {self.agency}"
