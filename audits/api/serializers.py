"""Shapes of the API's records. Related ids are checked against what the requesting user may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from agencies.api import PersonSerializer
from agencies.models import Agency, Partnership
from agencies.selectors import agencies_for, partnerships_for, people_for
from audits.choices import ActionStatus, AssuranceLevel, AuditStatus, ConcernStatus, Factor, Grade, ReviewDecision
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    ChildFamilyView,
    Finding,
    LearningSummary,
    ReturnGrade,
    SafeguardingConcern,
    SummaryReview,
    Theme,
)
from audits.permissions import sees_exact_figures
from audits.selectors import audits_for, cases_for, findings_for, managed_audits_for, themes_for
from audits.workflow import AUDIT_MACHINE
from macfa.fields import BoundedDateField, ScopedRelatedField


class BoundedModelSerializer(serializers.ModelSerializer):
    """Every record's serializer: a date a client sends is bounded (BoundedDateField)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
    }


_DATETIME = serializers.DateTimeField()


def _when(value: Any, zone: Any) -> Any:
    """A date-time as DRF's DateTimeField writes it (ISO 8601 in the current time zone, Z for UTC), or None.

    ``zone`` is the current time zone, looked up once per serializer: DRF looks it up for every date-time, and those
    lookups were a tenth of a 100-row list.
    """
    if value is None:
        return None
    if value.tzinfo is None or zone is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _zone_of(serializer: serializers.Serializer) -> Any:
    """The current time zone, looked up once for all the rows one serializer writes (a thread-local read each time)."""
    if "zone" not in serializer.__dict__:
        serializer.__dict__["zone"] = timezone.get_current_timezone() if settings.USE_TZ else None
    return serializer.__dict__["zone"]


def direct_read(
    serializer: serializers.ModelSerializer | type[serializers.ModelSerializer], fields: tuple[str, ...]
) -> bool:
    """Whether a serializer's hand-written read path still covers exactly its declared fields (checked once)."""
    cls: Any = serializer if isinstance(serializer, type) else type(serializer)
    known = cls.__dict__.get("_direct_read")
    if known is None:
        known = tuple(cls.Meta.fields) == fields and set(cls._declared_fields) <= set(fields)
        cls._direct_read = known
    return bool(known)


class ThemeSerializer(BoundedModelSerializer):
    partnership = ScopedRelatedField(
        selector=partnerships_for,
        queryset=Partnership.objects.all(),
        allow_null=True,
        help_text="The partnership that owns this theme; empty for the national taxonomy, which cannot be changed.",
    )

    class Meta:
        model = Theme
        fields = ["id", "partnership", "slug", "name", "description", "is_active"]

    def validate_partnership(self, value: Partnership | None) -> Partnership:
        if value is None:
            raise serializers.ValidationError("Choose your partnership: the national themes are fixed.")
        return value


class AuditSerializer(BoundedModelSerializer):
    partnership = ScopedRelatedField(selector=partnerships_for, queryset=Partnership.objects.all())
    auditor = ScopedRelatedField(
        selector=people_for, queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    focus_themes = ScopedRelatedField(selector=themes_for, queryset=Theme.objects.all(), many=True, required=False)
    agencies = ScopedRelatedField(selector=agencies_for, queryset=Agency.objects.all(), many=True, required=False)
    benchmark_audits = ScopedRelatedField(selector=audits_for, queryset=Audit.objects.all(), many=True, required=False)
    allowed_moves = serializers.SerializerMethodField(help_text="Stages this audit may move to next.")

    class Meta:
        model = Audit
        fields = [
            "id",
            "partnership",
            "reference",
            "title",
            "status",
            "allowed_moves",
            "focus_themes",
            "terms_of_reference",
            "auditor",
            "agencies",
            "start_date",
            "panel_date",
            "end_date",
            "benchmark_audits",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        validators: list[Any] = []  # uniqueness is checked by the service, with a message on "reference"

    def get_allowed_moves(self, audit: Audit) -> list[str]:
        return AUDIT_MACHINE.allowed_from(audit.status)


class StatusMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AuditStatus.choices, help_text="The stage to move to; see allowed_moves.")


class FactorsField(serializers.ListField):
    """The case's factors as a list of codes (stored one row each)."""

    def get_attribute(self, instance: Case) -> list[str]:
        return sorted(factor.factor for factor in instance.factors.all())


class CaseSerializer(BoundedModelSerializer):
    audit = ScopedRelatedField(selector=managed_audits_for, queryset=Audit.objects.all())
    agencies = ScopedRelatedField(selector=agencies_for, queryset=Agency.objects.all(), many=True, required=False)
    factors = FactorsField(
        child=serializers.ChoiceField(choices=Factor.choices), required=False, max_length=len(Factor.choices)
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "audit",
            "reference",
            "age_band",
            "level_of_need",
            "plan_type",
            "factors",
            "agencies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []

    def validate_reference(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        from audits.validators import validate_pseudonymous_reference

        try:
            validate_pseudonymous_reference(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages[0]) from None
        return value


class ChildFamilyViewSerializer(BoundedModelSerializer):
    case = ScopedRelatedField(selector=cases_for, queryset=Case.objects.all())
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ChildFamilyView
        fields = ["id", "case", "speaker", "summary", "recorded_by", "recorded_at", "updated_at"]
        read_only_fields = ["recorded_at", "updated_at"]


class ReturnGradeSerializer(serializers.Serializer):
    theme = ScopedRelatedField(selector=themes_for, queryset=Theme.objects.all())
    grade = serializers.ChoiceField(
        choices=Grade.choices, allow_null=True, help_text="1 outstanding to 4 inadequate; null removes the self-grade."
    )


class SelfGradesField(serializers.ListField):
    """The return's self-grades as a list of {theme, grade}; written as a mapping of theme to grade."""

    child = ReturnGradeSerializer()

    def get_attribute(self, instance: AgencyReturn) -> list[ReturnGrade]:
        return sorted(instance.self_grades.all(), key=lambda row: row.theme_id)

    def to_representation(self, data: list[ReturnGrade]) -> list[dict[str, int]]:
        return [{"theme": row.theme_id, "grade": row.grade} for row in data]

    def to_internal_value(self, data: Any) -> dict[Theme, int | None]:
        rows = super().to_internal_value(data)
        if any("theme" not in row or "grade" not in row for row in rows):
            raise serializers.ValidationError('Give each self-grade as {"theme": id, "grade": 1 to 4 or null}.')
        themes = [row["theme"] for row in rows]
        if len(set(themes)) != len(themes):
            raise serializers.ValidationError("Give each theme once.")
        return {row["theme"]: row["grade"] for row in rows}


class AgencyReturnSerializer(BoundedModelSerializer):
    case = ScopedRelatedField(selector=cases_for, queryset=Case.objects.all())
    agency = ScopedRelatedField(selector=agencies_for, queryset=Agency.objects.all())
    self_grades = SelfGradesField(
        required=False,
        max_length=100,
        help_text="The agency's self-grade per theme. Themes you leave out keep their self-grade.",
    )

    class Meta:
        model = AgencyReturn
        fields = [
            "id",
            "case",
            "agency",
            "status",
            "self_grades",
            "good_practice",
            "areas_for_development",
            "recommendations",
            "submitted_at",
            "submitted_by",
            "updated_at",
        ]
        read_only_fields = ["status", "submitted_at", "submitted_by", "updated_at"]
        validators: list[Any] = []


class FindingSerializer(BoundedModelSerializer):
    case = ScopedRelatedField(selector=cases_for, queryset=Case.objects.all())
    agency = ScopedRelatedField(
        selector=agencies_for,
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Empty for the multi-agency response.",
    )
    theme = ScopedRelatedField(selector=themes_for, queryset=Theme.objects.all())
    agreed = serializers.BooleanField(source="is_agreed", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "case",
            "agency",
            "theme",
            "self_grade",
            "grade",
            "change_reason",
            "kind",
            "narrative",
            "agreed",
            "agreed_at",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["self_grade", "agreed_at", "recorded_by", "created_at", "updated_at"]
        extra_kwargs = {"self_grade": {"help_text": "The agency's self-grade, from its return (read only here)."}}
        validators: list[Any] = []

    @classmethod
    def reads_columns(cls) -> bool:
        """Whether a list may hand this serializer light rows of columns instead of findings (audits.api.compiled)."""
        return direct_read(cls, FINDING_READ_FIELDS)

    def to_representation(self, instance: Finding) -> dict[str, Any]:
        """Straight from the row's columns: the same body as the fields would give, at a fraction of the cost.

        A list page serialises up to 100 findings, and DRF's field-by-field path was ~40% of the request. The fields
        are checked once (``direct_read``), so a field added to Meta.fields falls back to DRF's own path until it
        is added here too (tests/bench/test_same_output.py compares both).
        """
        if not direct_read(self, FINDING_READ_FIELDS):
            return super().to_representation(instance)
        zone = _zone_of(self)
        return {
            "id": instance.pk,
            "case": instance.case_id,
            "agency": instance.agency_id,
            "theme": instance.theme_id,
            "self_grade": instance.self_grade,
            "grade": instance.grade,
            "change_reason": instance.change_reason,
            "kind": instance.kind,
            "narrative": instance.narrative,
            "agreed": instance.agreed_at is not None,
            "agreed_at": _when(instance.agreed_at, zone),
            "recorded_by": instance.recorded_by_id,
            "created_at": _when(instance.created_at, zone),
            "updated_at": _when(instance.updated_at, zone),
        }


FINDING_READ_FIELDS = (
    "id",
    "case",
    "agency",
    "theme",
    "self_grade",
    "grade",
    "change_reason",
    "kind",
    "narrative",
    "agreed",
    "agreed_at",
    "recorded_by",
    "created_at",
    "updated_at",
)


class ModerateSerializer(BoundedModelSerializer):
    class Meta:
        model = Finding
        fields = ["grade", "change_reason", "kind", "narrative"]
        extra_kwargs = {"grade": {"required": True, "allow_null": False}, "kind": {"required": False}}


class ActionUpdateSerializer(BoundedModelSerializer):
    author = PersonSerializer(read_only=True)
    status_from = serializers.ChoiceField(choices=ActionStatus.choices, allow_blank=True, read_only=True)
    status_to = serializers.ChoiceField(
        choices=ActionStatus.choices, allow_blank=True, read_only=True, help_text="Empty for a note without a move."
    )
    evidence = serializers.SerializerMethodField(
        help_text="Where to download the evidence file (as an attachment), or null when none is attached."
    )

    class Meta:
        model = ActionUpdate
        fields = [
            "id",
            "action",
            "author",
            "created_at",
            "note",
            "evidence",
            "evidence_name",
            "evidence_size",
            "status_from",
            "status_to",
        ]
        read_only_fields = fields

    def get_evidence(self, update: ActionUpdate) -> str | None:
        if not update.evidence:
            return None
        url = reverse("api:action-update-evidence", args=[update.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ActionSerializer(BoundedModelSerializer):
    audit = ScopedRelatedField(selector=managed_audits_for, queryset=Audit.objects.all())
    owner_agency = ScopedRelatedField(selector=agencies_for, queryset=Agency.objects.all())
    case = ScopedRelatedField(selector=cases_for, queryset=Case.objects.all(), required=False, allow_null=True)
    finding = ScopedRelatedField(selector=findings_for, queryset=Finding.objects.all(), required=False, allow_null=True)
    overdue = serializers.BooleanField(read_only=True, help_text="Outstanding with a due date before today.")

    class Meta:
        model = Action
        fields = [
            "id",
            "audit",
            "owner_agency",
            "case",
            "finding",
            "description",
            "raised_on",
            "due_date",
            "status",
            "overdue",
            "completed_at",
            "verified_at",
            "verified_by",
            "created_by",
            "updated_at",
        ]
        read_only_fields = ["status", "completed_at", "verified_at", "verified_by", "created_by", "updated_at"]

    def to_representation(self, instance: Action) -> dict[str, Any]:
        """Straight from the row's columns, as FindingSerializer's (the same body as DRF's fields give)."""
        if not direct_read(self, ACTION_READ_FIELDS) or not hasattr(instance, "overdue"):
            return super().to_representation(instance)
        zone = _zone_of(self)
        return {
            "id": instance.pk,
            "audit": instance.audit_id,
            "owner_agency": instance.owner_agency_id,
            "case": instance.case_id,
            "finding": instance.finding_id,
            "description": instance.description,
            "raised_on": instance.raised_on.isoformat() if instance.raised_on else None,
            "due_date": instance.due_date.isoformat() if instance.due_date else None,
            "status": instance.status,
            "overdue": bool(instance.overdue),
            "completed_at": _when(instance.completed_at, zone),
            "verified_at": _when(instance.verified_at, zone),
            "verified_by": instance.verified_by_id,
            "created_by": instance.created_by_id,
            "updated_at": _when(instance.updated_at, zone),
        }


ACTION_READ_FIELDS = (
    "id",
    "audit",
    "owner_agency",
    "case",
    "finding",
    "description",
    "raised_on",
    "due_date",
    "status",
    "overdue",
    "completed_at",
    "verified_at",
    "verified_by",
    "created_by",
    "updated_at",
)


class ActionMoveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True, default=None, max_length=200)


class ActionNoteSerializer(ActionMoveSerializer):
    pass


class ConcernSerializer(BoundedModelSerializer):
    case = ScopedRelatedField(selector=cases_for, queryset=Case.objects.all())
    agency = ScopedRelatedField(selector=agencies_for, queryset=Agency.objects.all())
    acknowledgement_due = serializers.SerializerMethodField()

    class Meta:
        model = SafeguardingConcern
        fields = [
            "id",
            "case",
            "agency",
            "description",
            "status",
            "raised_by",
            "raised_at",
            "acknowledgement_due",
            "acknowledged_at",
            "acknowledged_by",
            "escalated_at",
            "outcome",
            "closed_at",
        ]
        read_only_fields = [
            "status",
            "raised_by",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "escalated_at",
            "outcome",
            "closed_at",
        ]

    def get_acknowledgement_due(self, concern: SafeguardingConcern) -> Any:
        from audits.calendar import acknowledgement_deadline

        if concern.status != ConcernStatus.RAISED:
            return None
        return serializers.DateTimeField().to_representation(acknowledgement_deadline(concern.raised_at))


class ConcernCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)


class ConcernCountsSerializer(serializers.Serializer):
    raised = serializers.IntegerField()
    awaiting_acknowledgement = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    closed = serializers.IntegerField()


class SummaryReviewSerializer(BoundedModelSerializer):
    reviewer = PersonSerializer(read_only=True)
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)

    class Meta:
        model = SummaryReview
        fields = ["id", "summary", "reviewer", "decision", "comment", "created_at"]
        read_only_fields = ["summary", "reviewer", "created_at"]


class LearningSummarySerializer(BoundedModelSerializer):
    partnership = ScopedRelatedField(selector=partnerships_for, queryset=Partnership.objects.all())
    themes = ScopedRelatedField(selector=themes_for, queryset=Theme.objects.all(), many=True)
    audits = ScopedRelatedField(selector=audits_for, queryset=Audit.objects.all(), many=True, required=False)
    content = serializers.SerializerMethodField(
        help_text="The compiled figures. Counts below the partnership's threshold are null for everyone but the "
        "business unit and auditors, who see exact figures in their working view."
    )
    suppressed = serializers.SerializerMethodField()
    assurance_level = serializers.ChoiceField(
        choices=AssuranceLevel.choices, allow_blank=True, read_only=True, help_text="Empty until compiled."
    )

    class Meta:
        model = LearningSummary
        fields = [
            "id",
            "partnership",
            "title",
            "themes",
            "audits",
            "period_start",
            "period_end",
            "status",
            "progress_stage",
            "progress_percent",
            "error",
            "key_messages",
            "strengths",
            "areas_for_improvement",
            "assurance_level",
            "content",
            "suppressed",
            "compiled_at",
            "published_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "progress_stage",
            "progress_percent",
            "error",
            "assurance_level",
            "compiled_at",
            "published_at",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def _exact(self, summary: LearningSummary) -> bool:
        request = self.context.get("request")
        return sees_exact_figures(request.user if request else None, summary.partnership_id)

    def get_suppressed(self, summary: LearningSummary) -> bool:
        return not self._exact(summary)

    def get_content(self, summary: LearningSummary) -> dict[str, Any]:
        from audits.summaries.published import published_content

        if self._exact(summary):
            return summary.content
        return published_content(summary)


ACTION_MOVES = {
    "start": ActionStatus.IN_PROGRESS,
    "complete": ActionStatus.COMPLETED,
    "verify": ActionStatus.VERIFIED,
    "reopen": ActionStatus.REOPENED,
}
