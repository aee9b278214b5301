"""The admin, as the partnership business unit uses it.

Statuses are read-only here: stages move through the admin actions, which call the same services as
every other interface. FK choices in inlines are read once per request, so a page with many rows runs the
same number of queries as a page with a few.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from audits.choices import ACTION_OUTSTANDING_STATUSES, ActionStatus
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    CaseFactor,
    ChildFamilyView,
    Finding,
    LearningSummary,
    Notification,
    SafeguardingConcern,
    SummaryExport,
    SummaryReview,
    Theme,
)
from audits.services.actions import action_move
from audits.services.audits import audit_move
from audits.services.findings import finding_agree
from audits.workflow import AUDIT_MACHINE
from macfa.admin_scope import PartnershipScopedAdmin
from macfa.errors import ApplicationError


class InlineRowsMixin:
    """Inline rows load what their titles show in the same query (``select_related``), and each
    foreign-key dropdown is built once per request instead of once per row."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(*self.select_related)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is None or not hasattr(formfield, "queryset"):
            return formfield
        cache = request.__dict__.setdefault("_macfa_admin_choices", {})
        key = (type(self).__name__, db_field.name)
        if key not in cache:
            cache[key] = list(formfield.choices)
        formfield.choices = cache[key]
        return formfield


class WhoWhenReadOnlyMixin:
    """Fields that record who did something and when are never typed in by hand."""

    who_when_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), *self.who_when_fields)  # type: ignore[misc]


@admin.register(Theme)
class ThemeAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "partnership", "is_active"]
    list_filter = ["is_active", ("partnership", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class CaseInline(PartnershipScopedAdmin, InlineRowsMixin, admin.TabularInline):
    model = Case
    select_related = ("audit",)
    fields = ["reference", "age_band", "level_of_need", "plan_type"]
    extra = 0
    show_change_link = True


@admin.register(Audit)
class AuditAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "partnership",
        "status",
        "auditor",
        "start_date",
        "case_count",
        "themes",
    ]
    list_filter = ["status", "partnership", "focus_themes"]
    list_select_related = ["partnership", "auditor"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["focus_themes", "agencies", "benchmark_audits"]
    date_hierarchy = "start_date"
    inlines = [CaseInline]
    who_when_fields = ("status", "created_at", "updated_at")
    actions = ["advance_stage"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audit]:
        return (
            super()
            .get_queryset(request)
            .annotate(case_total=Count("cases", distinct=True))
            .prefetch_related("focus_themes")
            .order_by("-start_date", "reference")
        )

    @admin.display(description="cases", ordering="case_total")
    def case_count(self, obj: Audit) -> int:
        return obj.case_total  # type: ignore[attr-defined]

    @admin.display(description="focus")
    def themes(self, obj: Audit) -> str:
        return ", ".join(theme.name for theme in obj.focus_themes.all())

    @admin.action(description="Move the selected audits to their next stage")
    def advance_stage(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        moved = 0
        for audit in queryset:
            forward = AUDIT_MACHINE.allowed_from(audit.status)[:1]
            try:
                if not forward:
                    raise ApplicationError(f"{audit.reference} is closed.")
                audit_move(actor=request.user, audit=audit, status=forward[0])
                moved += 1
            except ApplicationError as error:
                self.message_user(request, f"{audit.reference}: {error.message}", messages.WARNING)
        if moved:
            self.message_user(request, f"Moved {moved} audit(s) to their next stage.", messages.SUCCESS)


class CaseFactorInline(PartnershipScopedAdmin, InlineRowsMixin, admin.TabularInline):
    model = CaseFactor
    extra = 0
    select_related = ("case",)


class AgencyReturnInline(PartnershipScopedAdmin, InlineRowsMixin, admin.StackedInline):
    model = AgencyReturn
    extra = 0
    select_related = ("case", "agency")
    fields = ["agency", "status", "good_practice", "areas_for_development", "recommendations", "submitted_at"]
    readonly_fields = ["submitted_at"]


class FindingInline(PartnershipScopedAdmin, InlineRowsMixin, admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["agency", "theme", "self_grade", "grade", "change_reason", "kind", "narrative", "agreed_at"]
    readonly_fields = ["agreed_at"]
    select_related = ("case", "agency", "theme")


class ChildFamilyViewInline(PartnershipScopedAdmin, InlineRowsMixin, admin.StackedInline):
    model = ChildFamilyView
    extra = 0
    select_related = ("case",)
    fields = ["speaker", "summary", "recorded_at"]
    readonly_fields = ["recorded_at"]


@admin.register(Case)
class CaseAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["reference", "audit", "age_band", "level_of_need", "plan_type", "finding_count"]
    list_filter = ["audit__partnership", "audit", "age_band", "level_of_need", "plan_type", "factors__factor"]
    list_select_related = ["audit"]
    search_fields = ["reference", "audit__reference"]
    filter_horizontal = ["agencies"]
    inlines = [CaseFactorInline, AgencyReturnInline, FindingInline, ChildFamilyViewInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return (
            super()
            .get_queryset(request)
            .annotate(finding_total=Count("findings", distinct=True))
            .order_by("audit", "reference")
        )

    @admin.display(description="findings", ordering="finding_total")
    def finding_count(self, obj: Case) -> int:
        return obj.finding_total  # type: ignore[attr-defined]


@admin.register(AgencyReturn)
class AgencyReturnAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "audit", "agency", "status", "submitted_at", "submitted_by"]
    list_filter = ["status", "agency__sector", "agency", "case__audit"]
    list_select_related = ["case__audit", "agency", "submitted_by"]
    search_fields = ["case__reference", "case__audit__reference", "agency__name"]
    autocomplete_fields = ["case", "agency"]
    who_when_fields = ("submitted_at", "submitted_by", "updated_at")

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: AgencyReturn) -> str:
        return obj.case.audit.reference


class AgreedFilter(admin.SimpleListFilter):
    title = "agreed at panel"
    parameter_name = "agreed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Agreed"), ("no", "Not yet agreed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(agreed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(agreed_at__isnull=True)
        return queryset


@admin.register(Finding)
class FindingAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["case", "audit", "agency", "theme", "self_grade", "grade", "kind", "agreed"]
    list_filter = [AgreedFilter, "kind", "grade", "theme", "agency__sector", "case__audit"]
    list_select_related = ["case__audit", "agency", "theme"]
    search_fields = ["case__reference", "case__audit__reference", "narrative"]
    autocomplete_fields = ["case", "agency", "theme"]
    who_when_fields = ("recorded_by", "agreed_at", "created_at", "updated_at")
    actions = ["agree"]

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: Finding) -> str:
        return obj.case.audit.reference

    @admin.display(description="agreed", boolean=True, ordering="agreed_at")
    def agreed(self, obj: Finding) -> bool:
        return obj.is_agreed

    def save_model(self, request: HttpRequest, obj: Finding, form: Any, change: bool) -> None:
        if not obj.recorded_by_id:
            obj.recorded_by_id = request.user.pk
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark the selected findings as agreed at panel")
    def agree(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        agreed = 0
        for finding in queryset.filter(agreed_at__isnull=True).select_related("case__audit"):
            try:
                finding_agree(actor=request.user, finding=finding)
                agreed += 1
            except ApplicationError as error:
                self.message_user(request, f"{finding}: {error.message}", messages.WARNING)
        self.message_user(request, f"Agreed {agreed} finding(s).", messages.SUCCESS)


@admin.register(ChildFamilyView)
class ChildFamilyViewAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "speaker", "recorded_at", "recorded_by"]
    list_filter = ["speaker", "case__audit"]
    list_select_related = ["case", "recorded_by"]
    search_fields = ["case__reference"]
    autocomplete_fields = ["case"]
    who_when_fields = ("recorded_by", "recorded_at")


@admin.register(CaseFactor)
class CaseFactorAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["case", "factor"]
    list_filter = ["factor"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    autocomplete_fields = ["case"]


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        overdue = Q(status__in=ACTION_OUTSTANDING_STATUSES, due_date__lt=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class ActionUpdateInline(PartnershipScopedAdmin, InlineRowsMixin, admin.TabularInline):
    model = ActionUpdate
    extra = 0
    fields = readonly_fields = ("created_at", "author", "status_from", "status_to", "note", "evidence")
    can_delete = False

    select_related = ("action", "author")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Action)
class ActionAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "short_description",
        "audit",
        "owner_agency",
        "raised_on",
        "due_date",
        "status",
        "overdue",
    ]
    list_filter = [OverdueFilter, "status", "owner_agency", "owner_agency__sector", "audit"]
    list_select_related = ["audit", "owner_agency"]
    search_fields = ["description", "audit__reference", "case__reference"]
    autocomplete_fields = ["audit", "case", "finding", "owner_agency"]
    date_hierarchy = "due_date"
    inlines = [ActionUpdateInline]
    who_when_fields = ("status", "created_by", "completed_at", "verified_at", "verified_by", "updated_at")
    actions = ["verify"]

    @admin.display(description="action")
    def short_description(self, obj: Action) -> str:
        return obj.description if len(obj.description) <= 80 else obj.description[:79] + "…"

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj: Action) -> bool:
        return obj.is_overdue

    def save_model(self, request: HttpRequest, obj: Action, form: Any, change: bool) -> None:
        if not obj.created_by_id:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)

    @admin.action(description="Verify the selected completed actions")
    def verify(self, request: HttpRequest, queryset: QuerySet[Action]) -> None:
        verified = 0
        for action in queryset.select_related("audit"):
            if action.status != ActionStatus.COMPLETED:
                continue
            try:
                action_move(actor=request.user, action=action, status=ActionStatus.VERIFIED)
                verified += 1
            except ApplicationError as error:
                self.message_user(request, f"Action {action.pk}: {error.message}", messages.WARNING)
        skipped = queryset.count() - verified
        self.message_user(request, f"Verified {verified} action(s).", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} action(s) were not completed and were left as they were.")


@admin.register(ActionUpdate)
class ActionUpdateAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["action", "author", "created_at", "status_from", "status_to"]
    list_filter = ["status_to"]
    list_select_related = ["action__owner_agency", "author"]
    search_fields = ["note", "action__description"]
    readonly_fields = ["action", "author", "created_at", "status_from", "status_to", "note", "evidence"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # updates are made through an action's moves, so the trail stays honest


@admin.register(SafeguardingConcern)
class SafeguardingConcernAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["case", "audit", "agency", "status", "raised_at", "acknowledged_at", "escalated_at"]
    list_filter = ["status", "agency", "case__audit"]
    list_select_related = ["case__audit", "agency"]
    search_fields = ["case__reference", "case__audit__reference", "agency__name"]
    autocomplete_fields = ["case", "agency"]
    who_when_fields = (
        "status",
        "raised_by",
        "acknowledged_at",
        "acknowledged_by",
        "escalated_at",
        "closed_at",
    )

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: SafeguardingConcern) -> str:
        return obj.case.audit.reference

    def save_model(self, request: HttpRequest, obj: SafeguardingConcern, form: Any, change: bool) -> None:
        if not obj.raised_by_id:
            assert request.user.pk is not None  # the admin only serves signed-in staff
            obj.raised_by_id = request.user.pk
        super().save_model(request, obj, form, change)


class SummaryReviewInline(PartnershipScopedAdmin, InlineRowsMixin, admin.TabularInline):
    model = SummaryReview
    extra = 0
    fields = readonly_fields = ("created_at", "reviewer", "decision", "comment")
    can_delete = False

    select_related = ("summary", "reviewer")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LearningSummary)
class LearningSummaryAdmin(PartnershipScopedAdmin, WhoWhenReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["title", "partnership", "status", "progress_percent", "assurance_level", "compiled_at"]
    list_filter = ["status", "partnership", "assurance_level"]
    list_select_related = ["partnership"]
    search_fields = ["title", "key_messages"]
    filter_horizontal = ["themes", "audits"]
    inlines = [SummaryReviewInline]
    who_when_fields = (
        "status",
        "progress_stage",
        "progress_percent",
        "error",
        "content",
        "assurance_level",
        "compiled_at",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )

    def save_model(self, request: HttpRequest, obj: LearningSummary, form: Any, change: bool) -> None:
        if not obj.created_by_id:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)


@admin.register(SummaryReview)
class SummaryReviewAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["summary", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["summary", "reviewer"]
    readonly_fields = ["summary", "reviewer", "decision", "comment", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reviews are the board's, made on the summary's page or through the API


@admin.register(SummaryExport)
class SummaryExportAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["summary", "format", "created_at"]
    list_filter = ["format"]
    list_select_related = ["summary"]
    readonly_fields = ["summary", "format", "file", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # briefings are made from approved summaries by the export task


@admin.register(Notification)
class NotificationAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["kind", "recipient", "event_key", "subject", "sent_at"]
    list_filter = ["kind", "sent_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "event_key", "subject"]
    readonly_fields = ["kind", "recipient", "event_key", "subject", "created_at", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the record of what was sent is written only by sending
