"""The admin, as the partnership business unit uses it.

Every save calls the model's services (``macfa.admin_scope.ServiceAdmin``); statuses and identity fields are
read-only, and each workflow move the business unit may make is an admin action that calls the same service as
the API and the pages. Inlines are read-only lists of related records, each changed on its own page; they load what
their rows show in one query, so a page with many rows runs the same number of queries as a page with a few.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from audits.choices import ActionStatus, AuditStatus, Factor
from audits.models import (
    AccessDoor,
    AccessWhat,
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    ChildFamilyView,
    Finding,
    LearningSummary,
    Notification,
    ReturnGrade,
    SafeguardingConcern,
    SummaryExport,
    SummaryReview,
    Theme,
)
from audits.services import actions as action_services
from audits.services import audits as audit_services
from audits.services import cases as case_services
from audits.services import concerns as concern_services
from audits.services import findings as finding_services
from audits.services import returns as return_services
from audits.services import summaries as summary_services
from audits.services import themes as theme_services
from audits.services.access import case_access_record
from macfa.admin_scope import NoteActionForm, ReadOnlyInline, ServiceAdmin, ViewOnlyAdmin, workflow_action


def _pick(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: data[name] for name in names if name in data}


class InlineRowsMixin:
    """Inline rows load what they show in the same query (``select_related``)."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(*self.select_related)  # type: ignore[misc]


class RecordsCaseAccess:
    """A change page shows the record: who opened it goes into the access log (audits/services/access.py)."""

    access_what: AccessWhat

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False, **kwargs: Any
    ) -> Any:
        obj = kwargs.get("obj")
        if obj is not None and not add:
            case = obj.pk if isinstance(obj, Case) else obj.case_id
            case_access_record(actor=request.user, cases=[case], what=self.access_what, door=AccessDoor.ADMIN)
        return super().render_change_form(request, context, add, change, **kwargs)  # type: ignore[misc]


@admin.register(Theme)
class ThemeAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "partnership", "is_active"]
    list_filter = ["is_active", ("partnership", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["partnership"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    identity_fields = ("partnership",)

    def has_change_permission(self, request: HttpRequest, obj: Theme | None = None) -> bool:
        # The national taxonomy (no partnership) is the same for everyone and is not edited here.
        return super().has_change_permission(request, obj) and (obj is None or obj.partnership_id is not None)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Theme:
        return theme_services.theme_create(
            actor=request.user,
            partnership=data["partnership"],
            **_pick(data, "slug", "name", "description", "is_active"),
        )

    def update(self, request: HttpRequest, obj: Theme, changes: dict[str, Any]) -> Theme:
        return theme_services.theme_update(actor=request.user, theme=obj, **changes)


class CaseInline(ReadOnlyInline, InlineRowsMixin, admin.TabularInline):
    model = Case
    select_related = ("audit",)
    fields = ["reference", "age_band", "level_of_need", "plan_type"]


def _audit_move(target: AuditStatus) -> Any:
    return workflow_action(
        f"move_to_{target.value}",
        f"Move the selected audits to {target.label.lower()}",
        lambda request, audit: audit_services.audit_move(actor=request.user, audit=audit, status=target),
        label=lambda audit: audit.reference,
    )


@admin.register(Audit)
class AuditAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "partnership", "status", "auditor", "start_date", "case_count", "themes"]
    list_filter = ["status", "partnership", "focus_themes"]
    list_select_related = ["partnership", "auditor"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["focus_themes", "agencies", "benchmark_audits"]
    date_hierarchy = "start_date"
    inlines = [CaseInline]
    identity_fields = ("partnership",)
    always_read_only = ("status", "created_at", "updated_at")
    # One action per stage; the audit's state machine refuses the moves it does not allow from where it is.
    actions = [_audit_move(target) for target in AuditStatus]

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

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Audit:
        fields = [name for name in audit_services.EDITABLE_AUDIT_FIELDS if name in data]
        return audit_services.audit_create(actor=request.user, partnership=data["partnership"], **_pick(data, *fields))

    def update(self, request: HttpRequest, obj: Audit, changes: dict[str, Any]) -> Audit:
        return audit_services.audit_update(actor=request.user, audit=obj, **changes)


class CaseForm(forms.ModelForm):
    factors = forms.MultipleChoiceField(choices=Factor.choices, required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Case
        fields = ["audit", "reference", "age_band", "level_of_need", "plan_type", "agencies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["factors"].initial = sorted(self.instance.factors.values_list("factor", flat=True))


class AgencyReturnInline(ReadOnlyInline, InlineRowsMixin, admin.StackedInline):
    model = AgencyReturn
    select_related = ("case", "agency")
    fields = ["agency", "status", "good_practice", "areas_for_development", "recommendations", "submitted_at"]


class FindingInline(ReadOnlyInline, InlineRowsMixin, admin.TabularInline):
    model = Finding
    fields = ["agency", "theme", "self_grade", "grade", "change_reason", "kind", "narrative", "agreed_at"]
    select_related = ("case", "agency", "theme")


class ChildFamilyViewInline(ReadOnlyInline, InlineRowsMixin, admin.StackedInline):
    model = ChildFamilyView
    select_related = ("case",)
    fields = ["speaker", "summary", "recorded_at"]


@admin.register(Case)
class CaseAdmin(RecordsCaseAccess, ServiceAdmin, SimpleHistoryAdmin):
    access_what = AccessWhat.CASE
    form = CaseForm
    list_display = ["reference", "audit", "age_band", "level_of_need", "plan_type", "finding_count"]
    list_filter = ["audit__partnership", "audit", "age_band", "level_of_need", "plan_type", "factors__factor"]
    list_select_related = ["audit"]
    search_fields = ["reference", "audit__reference"]
    filter_horizontal = ["agencies"]
    inlines = [AgencyReturnInline, FindingInline, ChildFamilyViewInline]
    identity_fields = ("audit",)

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

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Case:
        return case_services.case_create(
            actor=request.user,
            audit=data["audit"],
            **_pick(data, "reference", "age_band", "level_of_need", "plan_type", "factors", "agencies"),
        )

    def update(self, request: HttpRequest, obj: Case, changes: dict[str, Any]) -> Case:
        return case_services.case_update(actor=request.user, case=obj, **changes)


class ReturnGradeInline(ReadOnlyInline, InlineRowsMixin, admin.TabularInline):
    model = ReturnGrade
    fields = ["theme", "grade"]
    select_related = ("agency_return", "theme")
    show_change_link = False


@admin.register(AgencyReturn)
class AgencyReturnAdmin(RecordsCaseAccess, ServiceAdmin, SimpleHistoryAdmin):
    access_what = AccessWhat.RETURNS
    list_display = ["case", "audit", "agency", "status", "submitted_at", "submitted_by"]
    list_filter = ["status", "agency__sector", "agency", "case__audit"]
    list_select_related = ["case__audit", "agency", "submitted_by"]
    search_fields = ["case__reference", "case__audit__reference", "agency__name"]
    autocomplete_fields = ["case", "agency"]
    inlines = [ReturnGradeInline]
    identity_fields = ("case", "agency")
    always_read_only = ("status", "submitted_at", "submitted_by", "updated_at")
    actions = [
        workflow_action(
            "submit",
            "Submit the selected returns",
            lambda request, obj: return_services.agency_return_submit(actor=request.user, agency_return=obj),
        )
    ]

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: AgencyReturn) -> str:
        return obj.case.audit.reference

    def create(self, request: HttpRequest, data: dict[str, Any]) -> AgencyReturn:
        return return_services.agency_return_create(
            actor=request.user,
            case=data["case"],
            agency=data["agency"],
            **_pick(data, *return_services.RETURN_TEXT_FIELDS),
        )

    def update(self, request: HttpRequest, obj: AgencyReturn, changes: dict[str, Any]) -> AgencyReturn:
        return return_services.agency_return_update(actor=request.user, agency_return=obj, **changes)


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
class FindingAdmin(RecordsCaseAccess, ServiceAdmin, SimpleHistoryAdmin):
    access_what = AccessWhat.FINDINGS
    list_display = ["case", "audit", "agency", "theme", "self_grade", "grade", "kind", "agreed"]
    list_filter = [AgreedFilter, "kind", "grade", "theme", "agency__sector", "case__audit"]
    list_select_related = ["case__audit", "agency", "theme"]
    search_fields = ["case__reference", "case__audit__reference", "narrative"]
    autocomplete_fields = ["case", "agency", "theme"]
    identity_fields = ("case", "agency", "theme")
    always_read_only = ("self_grade", "recorded_by", "agreed_at", "created_at", "updated_at")
    actions = [
        workflow_action(
            "agree",
            "Mark the selected findings as agreed at panel",
            lambda request, obj: finding_services.finding_agree(actor=request.user, finding=obj),
        )
    ]

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: Finding) -> str:
        return obj.case.audit.reference

    @admin.display(description="agreed", boolean=True, ordering="agreed_at")
    def agreed(self, obj: Finding) -> bool:
        return obj.is_agreed

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Finding:
        return finding_services.finding_record(
            actor=request.user,
            case=data["case"],
            theme=data["theme"],
            agency=data.get("agency"),
            **_pick(data, *finding_services.EDITABLE_FINDING_FIELDS),
        )

    def update(self, request: HttpRequest, obj: Finding, changes: dict[str, Any]) -> Finding:
        return finding_services.finding_update(actor=request.user, finding=obj, **changes)


@admin.register(ChildFamilyView)
class ChildFamilyViewAdmin(RecordsCaseAccess, ServiceAdmin, SimpleHistoryAdmin):
    access_what = AccessWhat.VIEWS
    list_display = ["case", "speaker", "recorded_at", "recorded_by"]
    list_filter = ["speaker", "case__audit"]
    list_select_related = ["case", "recorded_by"]
    search_fields = ["case__reference"]
    autocomplete_fields = ["case"]
    identity_fields = ("case",)
    always_read_only = ("recorded_by", "recorded_at")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> ChildFamilyView:
        return case_services.child_family_view_record(
            actor=request.user, case=data["case"], speaker=data["speaker"], summary=data["summary"]
        )

    def update(self, request: HttpRequest, obj: ChildFamilyView, changes: dict[str, Any]) -> ChildFamilyView:
        return case_services.child_family_view_update(actor=request.user, view=obj, **changes)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


class ActionUpdateInline(ReadOnlyInline, InlineRowsMixin, admin.TabularInline):
    model = ActionUpdate
    # The evidence's name and size only: the file is downloaded from the action's page, never from a media URL.
    fields = readonly_fields = (
        "created_at",
        "author",
        "status_from",
        "status_to",
        "note",
        "evidence_name",
        "evidence_size",
    )
    select_related = ("action", "author")
    show_change_link = False


def _action_move(name: str, target: ActionStatus, description: str) -> Any:
    return workflow_action(
        name,
        description,
        lambda request, action: action_services.action_move(
            actor=request.user, action=action, status=target, note=request.POST.get("note", "")
        ),
        label=lambda action: f"Action {action.pk}",
    )


@admin.register(Action)
class ActionAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["short_description", "audit", "owner_agency", "raised_on", "due_date", "status", "overdue"]
    list_filter = [OverdueFilter, "status", "owner_agency", "owner_agency__sector", "audit"]
    list_select_related = ["audit", "owner_agency"]
    search_fields = ["description", "audit__reference", "case__reference"]
    autocomplete_fields = ["audit", "case", "finding", "owner_agency"]
    date_hierarchy = "due_date"
    inlines = [ActionUpdateInline]
    identity_fields = ("audit", "raised_on")
    always_read_only = ("status", "created_by", "completed_at", "verified_at", "verified_by", "updated_at")
    action_form = NoteActionForm
    actions = [
        _action_move("start", ActionStatus.IN_PROGRESS, "Mark the selected actions in progress"),
        _action_move("complete", ActionStatus.COMPLETED, "Mark the selected actions completed"),
        _action_move("verify", ActionStatus.VERIFIED, "Verify the selected completed actions"),
        _action_move("reopen", ActionStatus.REOPENED, "Reopen the selected actions (say why in the note)"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        return super().get_queryset(request).with_overdue()  # type: ignore[attr-defined]

    @admin.display(description="action")
    def short_description(self, obj: Action) -> str:
        return obj.description if len(obj.description) <= 80 else obj.description[:79] + "…"

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj: Action) -> bool:
        return obj.overdue  # type: ignore[attr-defined]  # Action.objects.with_overdue()

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Action:
        return action_services.action_create(
            actor=request.user,
            audit=data["audit"],
            **_pick(data, "raised_on", *action_services.EDITABLE_ACTION_FIELDS),
        )

    def update(self, request: HttpRequest, obj: Action, changes: dict[str, Any]) -> Action:
        return action_services.action_update(actor=request.user, action=obj, **changes)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ViewOnlyAdmin, SimpleHistoryAdmin):
    """An action's trail: written by its moves and notes, never edited or deleted, so it stays honest."""

    list_display = ["action", "author", "created_at", "status_from", "status_to"]
    list_filter = ["status_to"]
    list_select_related = ["action__owner_agency", "author"]
    search_fields = ["note", "action__description"]


@admin.register(SafeguardingConcern)
class SafeguardingConcernAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["case", "audit", "agency", "status", "raised_at", "acknowledged_at", "escalated_at"]
    list_filter = ["status", "agency", "case__audit"]
    list_select_related = ["case__audit", "agency"]
    search_fields = ["case__reference", "case__audit__reference", "agency__name"]
    autocomplete_fields = ["case", "agency"]
    always_read_only = (
        "status",
        "raised_by",
        "raised_at",
        "acknowledged_at",
        "acknowledged_by",
        "escalated_at",
        "outcome",
        "closed_at",
    )
    action_form = NoteActionForm
    actions = [
        workflow_action(
            "close",
            "Close the selected concerns (record the outcome in the note)",
            lambda request, concern: concern_services.concern_close(
                actor=request.user, concern=concern, outcome=request.POST.get("note", "")
            ),
        )
    ]

    def has_change_permission(self, request: HttpRequest, obj: SafeguardingConcern | None = None) -> bool:
        # What was raised is the record; the agency acknowledges it and it is closed with its outcome.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="audit", ordering="case__audit__reference")
    def audit(self, obj: SafeguardingConcern) -> str:
        return obj.case.audit.reference

    def create(self, request: HttpRequest, data: dict[str, Any]) -> SafeguardingConcern:
        return concern_services.concern_raise(
            actor=request.user, case=data["case"], agency=data["agency"], description=data["description"]
        )


class SummaryReviewInline(ReadOnlyInline, InlineRowsMixin, admin.TabularInline):
    model = SummaryReview
    fields = readonly_fields = ("created_at", "reviewer", "decision", "comment")
    select_related = ("summary", "reviewer")
    show_change_link = False


def _summary_move(name: str, description: str, service: Any) -> Any:
    return workflow_action(name, description, lambda request, summary: service(actor=request.user, summary=summary))


@admin.register(LearningSummary)
class LearningSummaryAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["title", "partnership", "status", "progress_percent", "assurance_level", "compiled_at"]
    list_filter = ["status", "partnership", "assurance_level"]
    list_select_related = ["partnership"]
    search_fields = ["title", "key_messages"]
    filter_horizontal = ["themes", "audits"]
    inlines = [SummaryReviewInline]
    identity_fields = ("partnership",)
    always_read_only = (
        "status",
        "progress_stage",
        "progress_percent",
        "error",
        "content",
        "assurance_level",
        "compiled_at",
        "exported_at",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = [
        _summary_move("compile", "Compile the selected summaries", summary_services.summary_request_compile),
        _summary_move("submit", "Send the selected summaries to the board for review", summary_services.summary_submit),
        _summary_move("publish", "Publish the selected approved summaries", summary_services.summary_publish),
        _summary_move("export", "Make the briefing files again", summary_services.summary_request_export),
    ]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> LearningSummary:
        return summary_services.summary_create(
            actor=request.user,
            partnership=data["partnership"],
            title=data["title"],
            themes=data.get("themes") or (),
            **_pick(data, "audits", "period_start", "period_end", "key_messages"),
        )

    def update(self, request: HttpRequest, obj: LearningSummary, changes: dict[str, Any]) -> LearningSummary:
        return summary_services.summary_update(actor=request.user, summary=obj, **changes)


@admin.register(SummaryReview)
class SummaryReviewAdmin(ViewOnlyAdmin, SimpleHistoryAdmin):
    """The board's reviews, made on the summary's page or through the API; a record of the decision."""

    list_display = ["summary", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["summary", "reviewer"]


@admin.register(SummaryExport)
class SummaryExportAdmin(ViewOnlyAdmin, admin.ModelAdmin):
    """Briefings are made from approved summaries by the export task."""

    list_display = ["summary", "format", "created_at"]
    list_filter = ["format"]
    list_select_related = ["summary"]


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin, admin.ModelAdmin):
    """The record of what was sent, written only by sending: the operators'. An email belongs to no one
    partnership's records (a person may hold roles in two), so a business unit does not browse them here."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    list_display = ["kind", "recipient", "event_key", "subject", "sent_at"]
    list_filter = ["kind", "sent_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "event_key", "subject"]
