from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# Seven years from closing (docs/decisions.md, retention): the six-year limitation period for most civil claims plus
# a year, and long enough for a re-audit of the same theme to be read against it. Never under a year, so an action
# plan can be verified and a slip of the keyboard cannot wipe last month's audit.
DEFAULT_CASE_DETAIL_RETENTION_MONTHS = 84
MIN_RETENTION_MONTHS = 12
MAX_RETENTION_MONTHS = 1200


def default_suppression_threshold() -> int:
    return settings.MACFA_SUPPRESSION_THRESHOLD


class Partnership(models.Model):
    """A local safeguarding children partnership: the tenant every query is scoped to."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        default=default_suppression_threshold,
        help_text="Counts below this are suppressed in anything published or exported.",
    )
    case_detail_retention_months = models.PositiveSmallIntegerField(
        default=DEFAULT_CASE_DETAIL_RETENTION_MONTHS,
        help_text=(
            "How long a closed audit keeps its case-level detail (narratives, views' words, evidence files, case "
            f"factors), in months from its closing, {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS}. The suppressed "
            "figures, grades and actions are kept."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(suppression_threshold__gte=1), name="partnership_suppression_threshold_positive"
            ),
            models.CheckConstraint(
                condition=Q(case_detail_retention_months__gte=MIN_RETENTION_MONTHS)
                & Q(case_detail_retention_months__lte=MAX_RETENTION_MONTHS),
                name="partnership_retention_months_in_range",
                violation_error_message=(
                    f"Case-level detail is kept for {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS} months."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    CAFCASS = "cafcass", "CAFCASS"
    FIRE = "fire", "Fire and rescue"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


class Agency(models.Model):
    """A partner organisation. One agency (a police force, say) may serve several partnerships."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    partnerships = models.ManyToManyField(Partnership, related_name="agencies")
    history = HistoricalRecords(m2m_fields=["partnerships"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    BUSINESS_UNIT = "business_unit", "Partnership business unit"
    AUDITOR = "auditor", "Independent auditor"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    BOARD_MEMBER = "board_member", "Board sub-group member"


class Membership(models.Model):
    """A person's role in one partnership; an agency lead's membership names their agency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="agency_lead") & Q(agency__isnull=False))
                | (~Q(role="agency_lead") & Q(agency__isnull=True)),
                name="membership_agency_only_for_agency_lead",
                violation_error_message="An agency lead needs an agency; other roles have none.",
            ),
            models.UniqueConstraint(
                fields=["user", "partnership", "role"],
                condition=Q(agency__isnull=True),
                name="membership_unique_role",
                violation_error_message="This person already holds this role in this partnership.",
            ),
            models.UniqueConstraint(
                fields=["user", "partnership", "role", "agency"],
                condition=Q(agency__isnull=False),
                name="membership_unique_agency_role",
                violation_error_message="This person is already a lead for this agency in this partnership.",
            ),
        ]

    def __str__(self) -> str:
        agency = f" ({self.agency})" if self.agency_id else ""
        return f"{self.user} — {self.get_role_display()}{agency}, {self.partnership}"

    def clean(self) -> None:
        if (
            self.agency is not None
            and self.partnership_id
            and not self.agency.partnerships.filter(pk=self.partnership_id).exists()
        ):
            raise ValidationError({"agency": "This agency is not a partner of this partnership."})
