"""Audits: the list by stage, planning and editing an audit, its page with its stage moves, cases and actions, and
the compile of the audit's own learning summary with its progress."""

from __future__ import annotations

import logging
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path

from agencies.models import Agency, Partnership, Role
from agencies.selectors import partnerships_for, scope_of
from audits.choices import AuditStatus, SummaryStatus
from audits.models import Audit, Case, Finding, LearningSummary, Theme
from audits.permissions import may_manage_audit, may_plan_audit, may_prepare_summary
from audits.selectors import actions_for, audits_for, cases_for, findings_for, summaries_for, themes_for
from audits.services.actions import action_create
from audits.services.audits import audit_create, audit_move, audit_update
from audits.services.summaries import summary_create, summary_request_compile
from audits.views.common import PAGE_LIMIT, ask_which_partnership, chosen_partnership
from audits.workflow import AUDIT_MACHINE
from macfa.api import etag_of
from macfa.errors import ApplicationError, InvalidTransition
from macfa.forms import GovukDateInput, GovukForm

logger = logging.getLogger(__name__)

STAGE_ORDER = list(AuditStatus.values)
# How each stage reads after "Move to" / "Back to".
STAGE_WORDS = {
    AuditStatus.PLANNED: "planning",
    AuditStatus.AGENCY_RETURNS: "agency returns",
    AuditStatus.PANEL: "panel",
    AuditStatus.REPORTING: "reporting",
    AuditStatus.CLOSED: "closed",
}
SUMMARY_FINISHED = (SummaryStatus.COMPILED, SummaryStatus.FAILED)


def move_label(current: str, target: str) -> str:
    if target == AuditStatus.CLOSED:
        return "Close the audit"
    verb = "Move to" if STAGE_ORDER.index(target) > STAGE_ORDER.index(current) else "Back to"
    return f"{verb} {STAGE_WORDS[AuditStatus(target)]}"


def plannable_partnerships(user: Any) -> list[Partnership]:
    return [p for p in partnerships_for(user).order_by("name") if may_plan_audit(user, p.pk)]


# The list


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        audits_for(request.user).select_related("partnership").order_by("-start_date", "reference")[:PAGE_LIMIT]
    )
    stages = [(label, [audit for audit in rows if audit.status == value]) for value, label in AuditStatus.choices]
    context = {
        "stages": [(label, audits) for label, audits in stages if audits],
        "count": len(rows),
        "several_partnerships": len({audit.partnership_id for audit in rows}) > 1,
        "truncated": len(rows) == PAGE_LIMIT,
        "may_plan": bool(plannable_partnerships(request.user)),
    }
    return render(request, "audits/audit_list.html", context)


# Planning and editing


def choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's choice field, to set its choices for this user."""
    return cast(forms.ModelChoiceField, form.fields[name])


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


DATE_INPUT = GovukDateInput()


class AuditForm(GovukForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reference = forms.CharField(
        max_length=40, help_text="For example MACFA 32. Each audit of the partnership has its own."
    )
    title = forms.CharField(max_length=200, help_text="What the audit looks at, for example Neglect in early help.")
    focus_themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Focus themes"
    )
    terms_of_reference = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, label="Terms of reference"
    )
    auditor = PersonChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Auditor",
        help_text="The independent auditor who runs this audit.",
        empty_label="Not chosen yet",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Participating agencies",
    )
    start_date = forms.DateField(required=False, label="Start date", widget=DATE_INPUT)
    panel_date = forms.DateField(required=False, label="Panel date", widget=DATE_INPUT)
    end_date = forms.DateField(required=False, label="End date", widget=DATE_INPUT)
    benchmark_audits = forms.ModelMultipleChoiceField(
        queryset=Audit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Benchmark audits",
        help_text="Earlier audits on the same themes that this one is compared with.",
    )

    def __init__(self, *args: Any, user: Any, partnership: Partnership, audit: Audit | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices(self, "focus_themes").queryset = _themes_of(user, partnership)
        choices(self, "agencies").queryset = partnership.agencies.order_by("name")
        benchmarks = audits_for(user).filter(partnership=partnership).order_by("-start_date", "reference")
        choices(self, "benchmark_audits").queryset = benchmarks.exclude(pk=audit.pk) if audit else benchmarks
        if may_manage_partnership_audits(user, partnership):
            choices(self, "auditor").queryset = (
                get_user_model()
                .objects.filter(memberships__partnership=partnership, memberships__role=Role.AUDITOR)
                .distinct()
                .order_by("first_name", "last_name", "username")
            )
        else:
            del self.fields["auditor"]


def _themes_of(user: Any, partnership: Partnership) -> QuerySet[Theme]:
    """National themes and the partnership's own."""
    return (
        themes_for(user)
        .filter(Q(partnership__isnull=True) | Q(partnership=partnership), is_active=True)
        .order_by("name")
    )


def may_manage_partnership_audits(user: Any, partnership: Partnership) -> bool:
    """The business unit chooses an audit's auditor; an auditor who plans one runs it."""
    return scope_of(user).is_business_unit(partnership.pk)


def _plan_data(form: AuditForm) -> dict[str, Any]:
    data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    if "auditor" in data and data["auditor"] is None:
        del data["auditor"]  # "not chosen yet" keeps the service's default
    return data


@login_required
def audit_new(request: HttpRequest) -> HttpResponse:
    choices = plannable_partnerships(request.user)
    if not choices:
        raise Http404
    partnership = chosen_partnership(request, choices)
    if partnership is None:
        return ask_which_partnership(
            request,
            choices,
            what="audit",
            title="Plan an audit",
            start="pages:audit-new",
            back="pages:audits",
            back_label="audits",
        )
    form = AuditForm(user=request.user, partnership=partnership)
    if request.method == "POST":
        form = AuditForm(request.POST, user=request.user, partnership=partnership)
        if form.is_valid():
            try:
                audit = audit_create(actor=request.user, partnership=partnership, **_plan_data(form))
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"{audit.reference} is planned.")
                return redirect("pages:audit", pk=audit.pk)
    context = {"form": form, "partnership": partnership, "several": len(choices) > 1}
    return render(request, "audits/audit_form.html", context, status=400 if form.errors else 200)


def version_of(audit: Audit) -> str:
    """The audit's ETag as the API gives it, carried in the form to tell a stale edit (as If-Match does)."""
    return etag_of(audit).strip('"')


STALE_MESSAGE = (
    "Someone else saved this audit while you were editing it. Your changes are below but are not saved yet: "
    "check them against the plan as it is saved now, then save again."
)


@login_required
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(audits_for(request.user).select_related("partnership"), pk=pk)
    if not may_manage_audit(request.user, audit):
        return render(request, "audits/audit_forbidden.html", {"audit": audit}, status=403)
    initial = {
        "version": version_of(audit),
        "reference": audit.reference,
        "title": audit.title,
        "terms_of_reference": audit.terms_of_reference,
        "auditor": audit.auditor_id,
        "start_date": audit.start_date,
        "panel_date": audit.panel_date,
        "end_date": audit.end_date,
        "focus_themes": list(audit.focus_themes.all()),
        "agencies": list(audit.agencies.all()),
        "benchmark_audits": list(audit.benchmark_audits.all()),
    }
    form = AuditForm(initial=initial, user=request.user, partnership=audit.partnership, audit=audit)
    stale = None
    if request.method == "POST":
        form = AuditForm(request.POST, user=request.user, partnership=audit.partnership, audit=audit)
        if form.is_valid():
            try:
                with transaction.atomic():
                    current = audits_for(request.user).select_for_update().get(pk=audit.pk)
                    if form.cleaned_data["version"] != version_of(current):
                        stale = current
                        raise ApplicationError(STALE_MESSAGE)
                    audit_update(actor=request.user, audit=current, **_plan_data(form))
            except ApplicationError as error:
                form.add_service_error(error)
                if stale is not None:
                    # The next save is made knowingly over the newer plan shown beside the form.
                    data = request.POST.copy()
                    data["version"] = version_of(stale)
                    form.data = data
            else:
                messages.success(request, "The plan is saved.")
                return redirect("pages:audit", pk=audit.pk)
    context = {"form": form, "audit": audit, "partnership": audit.partnership, "stale": stale}
    return render(request, "audits/audit_form.html", context, status=409 if stale else 400 if form.errors else 200)


# The audit's page


class ActionForm(GovukForm):
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency that owns the action", empty_label="Choose an agency"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="What must be done")
    due_date = forms.DateField(label="Due date", widget=DATE_INPUT)
    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        required=False,
        label="Case (optional)",
        empty_label="The audit as a whole",
        help_text="Choose a case when the action comes from what was found in it.",
    )
    finding = forms.ModelChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        label="Finding (optional)",
        empty_label="No one finding",
        help_text="Choose the finding the action answers, from a case's page or here.",
    )

    def __init__(self, *args: Any, audit: Audit, cases: QuerySet[Any], findings: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices(self, "owner_agency").queryset = audit.agencies.order_by("name")
        choices(self, "case").queryset = cases
        choices(self, "finding").queryset = findings

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        finding = data.get("finding")
        if finding is not None and data.get("case") is None:
            data["case"] = finding.case  # an action on a finding is on its case too
        return data


def audit_findings(user: Any, audit: Audit) -> QuerySet[Any]:
    """The audit's findings the user may see, as the action form offers them."""
    return (
        findings_for(user)
        .filter(case__audit=audit)
        .select_related("case", "agency", "theme")
        .order_by("case__reference", "theme__name", "agency__name")
    )


def audit_summary_of(user: Any, audit: Audit) -> LearningSummary | None:
    """The audit's own learning summary: the newest one the user may see that covers this audit alone."""
    return (
        summaries_for(user)
        .annotate(audit_count=Count("audits", distinct=True))
        .filter(audit_count=1, audits=audit)
        .order_by("-created_at", "-pk")
        .first()
    )


def _audit_page(request: HttpRequest, audit: Audit, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    manages = may_manage_audit(user, audit)
    cases = cases_for(user).filter(audit=audit).prefetch_related("agencies").order_by("reference")
    summary = audit_summary_of(user, audit)
    context: dict[str, Any] = {
        "audit": audit,
        "manages": manages,
        "moves": [(target, move_label(audit.status, target)) for target in AUDIT_MACHINE.allowed_from(audit.status)]
        if manages
        else [],
        "cases": cases,
        "case_total": audit.cases.count(),  # a count, which readers without the case files may know
        "actions": actions_for(user).filter(audit=audit).with_overdue().select_related("owner_agency", "case"),
        "action_form": _action_form_for(request, audit, cases) if manages else None,
        "summary": summary,
        "summary_running": summary is not None and summary.status == SummaryStatus.COMPILING,
        "may_compile": may_prepare_summary(user, audit.partnership_id),
        "page_error": "",
        **extra,
    }
    return render(request, "audits/audit_detail.html", context, status=status)


def _action_form_for(request: HttpRequest, audit: Audit, cases: QuerySet[Any]) -> ActionForm:
    """A blank action form, or one started from a finding (``?finding=<id>``, the case page's link)."""
    findings = audit_findings(request.user, audit)
    initial: dict[str, Any] = {}
    finding_id = request.GET.get("finding", "")
    finding = findings.filter(pk=finding_id).first() if finding_id.isdigit() else None
    if finding is not None:
        initial = {"finding": finding.pk, "case": finding.case_id, "owner_agency": finding.agency_id}
    return ActionForm(audit=audit, cases=cases, findings=findings, initial=initial)


def _audit_for_page(request: HttpRequest, pk: int) -> Audit:
    audits = audits_for(request.user).select_related("partnership", "auditor")
    return get_object_or_404(audits.prefetch_related("focus_themes", "agencies", "benchmark_audits"), pk=pk)


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit_for_page(request, pk)
    return _audit_page(request, audit) if request.method in ("GET", "HEAD") else HttpResponseNotAllowed(["GET"])


def _move_refusal(audit: Audit, target: str, error: ApplicationError) -> str:
    """Say why a move was refused in words, whatever the machine's message."""
    if isinstance(error, InvalidTransition) and audit.status == target:
        return f"This audit is already at the {audit.get_status_display().lower()} stage: someone may have moved it."
    if isinstance(error, InvalidTransition):
        now = STAGE_WORDS.get(AuditStatus(audit.status), audit.status)
        wanted = STAGE_WORDS[AuditStatus(target)] if target in AuditStatus.values else "that stage"
        return (
            f"This audit cannot go to {wanted} from {now}. It may have been moved by someone else: "
            "the moves it can make now are the buttons below."
        )
    return error.message


@login_required
def audit_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = request.POST.get("status", "")
    try:
        moved = audit_move(actor=request.user, audit=audit, status=target)
    except ApplicationError as error:
        audit.refresh_from_db(fields=["status", "updated_at"])
        return _audit_page(request, audit, page_error=_move_refusal(audit, target, error), status=error.status_code)
    messages.success(request, f"{moved.reference} is now at the {moved.get_status_display().lower()} stage.")
    return redirect("pages:audit", pk=audit.pk)


@login_required
def audit_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    cases = cases_for(request.user).filter(audit=audit).order_by("reference")
    if not may_manage_audit(request.user, audit):
        refusal = "Only the business unit or this audit's auditor can agree actions for it."
        return _audit_page(request, audit, page_error=refusal, status=403)
    form = ActionForm(request.POST, audit=audit, cases=cases, findings=audit_findings(request.user, audit))
    if form.is_valid():
        try:
            action = action_create(actor=request.user, audit=audit, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Action agreed with {action.owner_agency}.")
            return redirect("pages:audit", pk=audit.pk)
    return _audit_page(request, audit, action_form=form, status=400)


@login_required
def audit_compile(request: HttpRequest, pk: int) -> HttpResponse:
    """Compile the audit's own learning summary, defining it first if the audit has none."""
    audit = _audit_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        summary = audit_summary_of(request.user, audit)
        if summary is None:
            summary = summary_create(
                actor=request.user,
                partnership=audit.partnership,
                title=f"{audit.reference}: {audit.title}"[:200],
                themes=audit.focus_themes.all(),
                audits=[audit],
            )
        summary_request_compile(actor=request.user, summary=summary)
    except ApplicationError as error:
        message = error.message
        if error.field == "themes":
            message = "Choose the audit's focus themes (edit the plan) before compiling its learning summary."
        return _audit_page(request, audit, page_error=message, status=error.status_code)
    except Exception:
        # With Celery eager (development, tests) the compile runs inside this request and its failure surfaces
        # here; it is already recorded on the summary, which the page shows with the previous version kept.
        logger.exception("Compiling the learning summary of audit %s failed", audit.pk)
    return redirect("pages:audit", pk=audit.pk)


@login_required
def audit_summary_progress(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(audits_for(request.user), pk=pk)
    summary = audit_summary_of(request.user, audit)
    if summary is None:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return JsonResponse(
        {
            "status": summary.status,
            "message": render_to_string("audits/audit_summary_status.html", {"summary": summary}).strip(),
            "progress_stage": summary.progress_stage,
            "progress_percent": summary.progress_percent,
            "error": summary.error,
            "finished": summary.status != SummaryStatus.COMPILING,
        }
    )


urlpatterns = [
    path("audits/", audit_list, name="audits"),
    path("audits/new/", audit_new, name="audit-new"),
    path("audits/<int:pk>/", audit_detail, name="audit"),
    path("audits/<int:pk>/edit/", audit_edit, name="audit-edit"),
    path("audits/<int:pk>/move/", audit_move_view, name="audit-move"),
    path("audits/<int:pk>/actions/new/", audit_action_new, name="audit-action-new"),
    path("audits/<int:pk>/summary/compile/", audit_compile, name="audit-compile"),
    path("audits/<int:pk>/summary/progress.json", audit_summary_progress, name="audit-summary-progress"),
]
