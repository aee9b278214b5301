from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from audits.choices import (
    AgeBand,
    Factor,
    FindingKind,
    Grade,
    LevelOfNeed,
    PlanType,
    ReturnStatus,
    Speaker,
)
from audits.models.audit import Audit, Theme
from audits.validators import validate_pseudonymous_reference

GRADE_VALUES = [grade.value for grade in Grade]


class Case(models.Model):
    """One sampled child's file inside an audit, known only by a pseudonymous reference."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(
        max_length=30,
        validators=[validate_pseudonymous_reference],
        help_text="A pseudonymous code such as C1 or MACFA31-07: never a name, date of birth or NHS number.",
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    level_of_need = models.PositiveSmallIntegerField(choices=LevelOfNeed.choices)
    plan_type = models.CharField(max_length=20, choices=PlanType.choices, default=PlanType.NONE)
    agencies = models.ManyToManyField(Agency, related_name="cases", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=["agencies"])

    class Meta:
        ordering = ["audit", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "reference"],
                name="case_unique_reference_in_audit",
                violation_error_message="This audit already has a case with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(level_of_need__gte=1) & Q(level_of_need__lte=4),
                name="case_level_of_need_1_to_4",
                violation_error_message="The level of need is 1 to 4.",
            ),
            models.CheckConstraint(condition=Q(age_band__in=AgeBand.values), name="case_age_band_valid"),
            models.CheckConstraint(condition=Q(plan_type__in=PlanType.values), name="case_plan_type_valid"),
        ]
        indexes = [models.Index(fields=["audit", "age_band", "level_of_need"])]

    def __str__(self) -> str:
        return self.reference


class CaseFactor(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(max_length=30, choices=Factor.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "factor"]
        constraints = [
            models.UniqueConstraint(fields=["case", "factor"], name="case_factor_unique"),
            models.CheckConstraint(condition=Q(factor__in=Factor.values), name="case_factor_valid"),
        ]
        indexes = [models.Index(fields=["factor"])]

    def __str__(self) -> str:
        return self.get_factor_display()


class ChildFamilyView(models.Model):
    """What the child or family said when invited to contribute to the audit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="views")
    speaker = models.CharField(max_length=20, choices=Speaker.choices)
    summary = models.TextField(help_text="What they said, in a few sentences. Name no one.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "recorded_at"]
        verbose_name = "child and family view"

    def __str__(self) -> str:
        return f"{self.get_speaker_display()} on {self.case}"


class AgencyReturn(models.Model):
    """An agency's single-agency audit of its own record of a case, submitted before the panel."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    good_practice = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                name="return_unique_case_agency",
                violation_error_message="This agency has already made a return for this case.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="return_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} return on {self.case}"


class ReturnGrade(models.Model):
    """An agency's self-grade for one theme in its return: the agency's voice, which the panel moderates."""

    agency_return = models.ForeignKey(AgencyReturn, on_delete=models.CASCADE, related_name="self_grades")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency_return", "theme"]
        constraints = [
            models.UniqueConstraint(fields=["agency_return", "theme"], name="return_grade_one_per_theme"),
            models.CheckConstraint(
                condition=Q(grade__in=GRADE_VALUES),
                name="return_grade_on_scale",
                violation_error_message="The self-grade must be on the four-point scale.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.get_grade_display()}"


class Finding(models.Model):
    """A judgement on one case, for one agency (or the multi-agency response when empty), on one theme."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="Empty for the multi-agency response.",
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="findings")
    self_grade = models.PositiveSmallIntegerField(
        choices=Grade.choices,
        null=True,
        blank=True,
        help_text="The agency's own grade, copied from its return (ReturnGrade) by the services.",
    )
    grade = models.PositiveSmallIntegerField(
        choices=Grade.choices, null=True, blank=True, help_text="The panel's moderated grade."
    )
    change_reason = models.TextField(blank=True, help_text="Why the panel moved the agency's self-grade.")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    narrative = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True, help_text="When the panel agreed it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "theme", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency", "theme"],
                condition=Q(agency__isnull=False),
                name="finding_unique_case_agency_theme",
                violation_error_message="There is already a finding for this case, agency and theme.",
            ),
            models.UniqueConstraint(
                fields=["case", "theme"],
                condition=Q(agency__isnull=True),
                name="finding_unique_case_multiagency_theme",
                violation_error_message="There is already a multi-agency finding for this case and theme.",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__in=GRADE_VALUES),
                name="finding_grade_on_scale",
                violation_error_message="The grade must be on the four-point scale (1 outstanding to 4 inadequate).",
            ),
            models.CheckConstraint(
                condition=Q(self_grade__isnull=True) | Q(self_grade__in=GRADE_VALUES),
                name="finding_self_grade_on_scale",
                violation_error_message="The self-grade must be on the four-point scale.",
            ),
            models.CheckConstraint(
                condition=Q(self_grade__isnull=True)
                | Q(grade__isnull=True)
                | Q(grade=F("self_grade"))
                | ~Q(change_reason=""),
                name="finding_grade_change_has_reason",
                violation_error_message="Give the reason when the panel's grade differs from the self-grade.",
            ),
            models.CheckConstraint(
                condition=Q(agreed_at__isnull=True) | Q(grade__isnull=False),
                name="finding_agreed_has_grade",
                violation_error_message="A finding needs the panel's grade before it can be agreed.",
            ),
            models.CheckConstraint(condition=Q(kind__in=FindingKind.values), name="finding_kind_valid"),
        ]
        indexes = [
            # Covers a filtered list's scoping join: (theme, grade) picks the findings, case_id joins them to the
            # partnership's cases without reading the table (an index-only count; it was a heap scan).
            models.Index(fields=["theme", "grade", "case"], name="finding_theme_grade_case"),
            models.Index(fields=["agency", "theme"]),
            models.Index(fields=["kind"]),
            # Quotes for a summary: the best (or worst) graded findings of a theme and kind, read in index order.
            models.Index(fields=["theme", "kind", "grade", "id"], name="finding_quote_order"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.agency or 'multi-agency'} · {self.theme}"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None

    @property
    def grade_moved(self) -> bool:
        """The panel's grade differs from the agency's self-grade (a reason is then required)."""
        return self.self_grade is not None and self.grade is not None and self.self_grade != self.grade
