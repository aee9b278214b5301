from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Partnership
from audits.choices import AuditStatus


class Theme(models.Model):
    """A practice theme findings are judged against. National themes have no partnership."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="themes",
        help_text="Empty for the national taxonomy; set for a partnership's own theme.",
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(partnership__isnull=True),
                name="theme_unique_national_slug",
                violation_error_message="A national theme with this slug already exists.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "slug"],
                condition=Q(partnership__isnull=False),
                name="theme_unique_partnership_slug",
                violation_error_message="This partnership already has a theme with this slug.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Audit(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="audits")
    reference = models.CharField(max_length=40, help_text="For example MACFA 31; unique in the partnership.")
    title = models.CharField(max_length=200)
    focus_themes = models.ManyToManyField(Theme, related_name="audits", blank=True)
    terms_of_reference = models.TextField(blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_as_auditor",
    )
    agencies = models.ManyToManyField(Agency, related_name="audits", blank=True)
    start_date = models.DateField(null=True, blank=True)
    panel_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,  # set by audit_move alone
        help_text="When it was closed: retention of its case-level detail counts from here.",
    )
    benchmark_audits = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="benchmarked_by",
        help_text="Earlier audits on the same themes that this one is compared with.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=["focus_themes", "agencies", "benchmark_audits"])

    class Meta:
        ordering = ["-start_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="audit_unique_reference_in_partnership",
                violation_error_message="This partnership already has an audit with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="audit_end_not_before_start",
                violation_error_message="The audit cannot end before it starts.",
            ),
            models.CheckConstraint(condition=Q(status__in=AuditStatus.values), name="audit_status_valid"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status=AuditStatus.CLOSED), name="audit_closed_at_only_closed"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def clean(self) -> None:
        if (
            self.auditor is not None
            and self.partnership_id
            and not self.auditor.memberships.filter(partnership_id=self.partnership_id, role="auditor").exists()
        ):
            raise ValidationError({"auditor": "This person is not an auditor in this partnership."})
