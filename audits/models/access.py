"""Who read which child's case, when, what of it and through which door: the access log (docs/decisions.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audits.models.case import Case


class AccessWhat(models.TextChoices):
    """What was read: the case itself, or records about it."""

    CASE = "case", "Case"
    FINDINGS = "findings", "Findings"
    RETURNS = "returns", "Agency returns"
    VIEWS = "views", "Child and family views"


class AccessDoor(models.TextChoices):
    """How it was read."""

    PAGE = "page", "Page"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    EXPORT = "export", "Export"


class CaseAccess(models.Model):
    """One person reading one case (or its findings, returns or views) once. Written in bulk, never changed.

    Nothing points here and the case and person are protected: a child's record of who looked at it outlives
    neither the case nor the person, and nothing in the service deletes either.
    """

    # No index of their own: the (case, at) and (user, at) indexes below serve every lookup by either, and each index
    # is one more write on every read of a case (the log is written far more often than it is read).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accesses", db_index=False)
    what = models.CharField(max_length=10, choices=AccessWhat.choices)
    door = models.CharField(max_length=10, choices=AccessDoor.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(what__in=AccessWhat.values), name="case_access_what_valid"),
            models.CheckConstraint(condition=Q(door__in=AccessDoor.values), name="case_access_door_valid"),
        ]
        indexes = [
            # The report: a partnership's cases newest first, one case's readers, one person's reading.
            models.Index(fields=["case", "-at"]),
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.what} of case {self.case_id} by {self.door} at {self.at:%Y-%m-%d %H:%M}"
