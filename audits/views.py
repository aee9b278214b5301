"""Server-rendered pages: home, actions with their trail and moves, safeguarding concerns.

They read through the same selectors and write through the same services as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from agencies.selectors import roles_of
from audits.calendar import acknowledgement_deadline
from audits.choices import ActionStatus, ConcernStatus
from audits.models import Action
from audits.models.action import ActionQuerySet
from audits.permissions import action_moves_for, concern_moves_for, may_add_action_update
from audits.selectors import action_updates_for, actions_for, audits_for, concerns_for
from audits.services.actions import action_add_update, action_move
from audits.services.concerns import concern_acknowledge
from macfa.errors import ApplicationError

PAGE_LIMIT = 200
DUE_SOON_DAYS = 7
MOVE_LABELS = {
    ActionStatus.IN_PROGRESS: "Mark in progress",
    ActionStatus.COMPLETED: "Mark complete",
    ActionStatus.VERIFIED: "Verify",
    ActionStatus.REOPENED: "Reopen",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = actions_for(request.user)
    concerns = concerns_for(request.user)
    return render(
        request,
        "audits/home.html",
        {
            "memberships": roles_of(request.user),
            "overdue": mine.overdue().count(),
            "due_soon": mine.due_within(days=DUE_SOON_DAYS).count(),
            "concerns_waiting": concerns.filter(status=ConcernStatus.RAISED).count(),
            "audits": audits_for(request.user).order_by("-start_date", "reference")[:50],
        },
    )


@login_required
def actions(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "outstanding")
    filters: dict[str, Callable[[ActionQuerySet], ActionQuerySet]] = {
        "outstanding": ActionQuerySet.outstanding,
        "overdue": ActionQuerySet.overdue,
        "due-soon": lambda rows: rows.due_within(days=DUE_SOON_DAYS),
        "all": ActionQuerySet.all,
    }
    show = show if show in filters else "outstanding"
    rows = actions_for(request.user).with_overdue().select_related("audit", "owner_agency").order_by("due_date", "pk")
    listed = list(filters[show](rows)[: PAGE_LIMIT + 1])
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
    moves = [(target, MOVE_LABELS[ActionStatus(target)]) for target in action_moves_for(request.user, action)]
    if may_add_action_update(request.user, action):
        moves.append(("", "Add note only"))
    return moves


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(actions_for(request.user).with_overdue().select_related("audit", "owner_agency"), pk=pk)
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
    context = {
        "concern": concern,
        "deadline": acknowledgement_deadline(concern.raised_at) if concern.status == ConcernStatus.RAISED else None,
        "can_acknowledge": ConcernStatus.ACKNOWLEDGED in concern_moves_for(request.user, concern),
        "error": error,
    }
    return render(request, "audits/concern.html", context, status=409 if error else 200)
