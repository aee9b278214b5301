"""Server-rendered pages: home, actions with their trail and moves, safeguarding concerns.

They read through the same selectors and write through the same services as the API.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from agencies.selectors import roles_of, scope_of
from audits.calendar import acknowledgement_deadline
from audits.choices import ACTION_OUTSTANDING_STATUSES, ActionStatus, ConcernStatus
from audits.models import Action
from audits.permissions import may_manage_audit
from audits.selectors import action_updates_for, actions_for, audits_for, concerns_for
from audits.services.actions import MOVES_BY_AGENCY_LEAD, action_add_update, action_move
from audits.services.concerns import concern_acknowledge
from audits.workflow import ACTION_MACHINE
from macfa.errors import ApplicationError

PAGE_LIMIT = 200
MOVE_LABELS = {
    ActionStatus.IN_PROGRESS: "Mark in progress",
    ActionStatus.COMPLETED: "Mark complete",
    ActionStatus.VERIFIED: "Verify",
    ActionStatus.REOPENED: "Reopen",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    outstanding = actions_for(request.user).filter(status__in=ACTION_OUTSTANDING_STATUSES)
    concerns = concerns_for(request.user)
    return render(
        request,
        "audits/home.html",
        {
            "memberships": roles_of(request.user),
            "overdue": outstanding.filter(due_date__lt=today).count(),
            "due_soon": outstanding.filter(
                due_date__gte=today, due_date__lte=today + datetime.timedelta(days=7)
            ).count(),
            "concerns_waiting": concerns.filter(status=ConcernStatus.RAISED).count(),
            "audits": audits_for(request.user).order_by("-start_date", "reference")[:50],
        },
    )


@login_required
def actions(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "outstanding")
    rows = actions_for(request.user).select_related("audit", "owner_agency").order_by("due_date", "pk")
    filters = {
        "outstanding": Q(status__in=ACTION_OUTSTANDING_STATUSES),
        "overdue": Q(status__in=ACTION_OUTSTANDING_STATUSES, due_date__lt=today),
        "due-soon": Q(
            status__in=ACTION_OUTSTANDING_STATUSES,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=7),
        ),
        "all": Q(),
    }
    show = show if show in filters else "outstanding"
    listed = list(rows.filter(filters[show])[: PAGE_LIMIT + 1])
    return render(
        request,
        "audits/actions.html",
        {"actions": listed[:PAGE_LIMIT], "truncated": len(listed) > PAGE_LIMIT, "show": show},
    )


class ActionResponseForm(forms.Form):
    move = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea, max_length=5000)
    evidence = forms.FileField(required=False)


def _moves_for(request: HttpRequest, action: Action) -> list[tuple[str, str]]:
    scope = scope_of(request.user)
    manager = may_manage_audit(scope, action.audit)
    lead = scope.leads_agency(action.audit.partnership_id, action.owner_agency_id)
    allowed = [
        target
        for target in ACTION_MACHINE.allowed_from(action.status)
        if manager or (lead and target in MOVES_BY_AGENCY_LEAD)
    ]
    moves = [(target, MOVE_LABELS[ActionStatus(target)]) for target in allowed]
    if manager or lead:
        moves.append(("", "Add note only"))
    return moves


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(actions_for(request.user).select_related("audit", "owner_agency"), pk=pk)
    form = ActionResponseForm()
    if request.method == "POST":
        form = ActionResponseForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["move"]:
                    action_move(
                        actor=request.user,
                        action=action,
                        status=data["move"],
                        note=data["note"],
                        evidence=data["evidence"],
                    )
                else:
                    action_add_update(actor=request.user, action=action, note=data["note"], evidence=data["evidence"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved.")
                return redirect("pages:action", pk=action.pk)
    updates = (
        action_updates_for(request.user).filter(action=action).select_related("author").order_by("created_at", "pk")
    )
    context: dict[str, Any] = {"action": action, "form": form, "moves": _moves_for(request, action), "updates": updates}
    return render(request, "audits/action.html", context, status=400 if form.errors else 200)


@login_required
def concerns(request: HttpRequest) -> HttpResponse:
    rows = concerns_for(request.user).select_related("case__audit", "agency").order_by("-raised_at")[:PAGE_LIMIT]
    return render(request, "audits/concerns.html", {"concerns": rows})


@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(concerns_for(request.user).select_related("case__audit", "agency"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            concern_acknowledge(actor=request.user, concern=concern)
        except ApplicationError as failure:
            error = failure.message
        else:
            messages.success(
                request, "Acknowledged. The business unit and the auditor can see that you have it in hand."
            )
            return redirect("pages:concern", pk=concern.pk)
    scope = scope_of(request.user)
    context = {
        "concern": concern,
        "deadline": acknowledgement_deadline(concern.raised_at) if concern.status == ConcernStatus.RAISED else None,
        "can_acknowledge": concern.status == ConcernStatus.RAISED
        and scope.leads_agency(concern.case.audit.partnership_id, concern.agency_id),
        "error": error,
    }
    return render(request, "audits/concern.html", context, status=409 if error else 200)
