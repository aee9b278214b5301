"""Actions: the list with overdue and due-soon views, and each action's page with its trail and moves."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from audits.choices import ActionStatus
from audits.models import Action
from audits.models.action import ActionQuerySet
from audits.permissions import action_moves_for, may_add_action_update
from audits.selectors import action_updates_for, actions_for
from audits.services.actions import action_add_update, action_move
from audits.views.common import DUE_SOON_DAYS, PAGE_LIMIT
from macfa.errors import ApplicationError, InvalidTransition
from macfa.forms import GovukForm

MOVE_LABELS = {
    ActionStatus.IN_PROGRESS: "Mark in progress",
    ActionStatus.COMPLETED: "Mark complete",
    ActionStatus.VERIFIED: "Verify",
    ActionStatus.REOPENED: "Reopen",
}


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


class ActionResponseForm(GovukForm):
    move = forms.CharField(required=False)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What was done, or why the action is reopened.",
    )
    evidence = forms.FileField(
        required=False,
        label="Evidence (optional)",
        help_text="A PDF, a Word, Excel or PowerPoint document, a plain text file, or a PNG or JPEG image, "
        f"up to {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.",
    )


def _moves_for(request: HttpRequest, action: Action) -> list[tuple[str, str]]:
    moves = [(target, MOVE_LABELS[ActionStatus(target)]) for target in action_moves_for(request.user, action)]
    if may_add_action_update(request.user, action):
        moves.append(("", "Add note only"))
    return moves


def _just_added(user: Any, action: Action, note: str) -> bool:
    """The same note from the same person a moment ago: a second press of the button, not a second note."""
    recent = timezone.now() - datetime.timedelta(minutes=2)
    return (
        action_updates_for(user)
        .filter(action=action, author_id=user.pk, note=note, status_to="", evidence="", created_at__gte=recent)
        .exists()
    )


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(actions_for(request.user).with_overdue().select_related("audit", "owner_agency"), pk=pk)
    form = ActionResponseForm()
    if request.method == "POST":
        form = ActionResponseForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if not data["move"] and not data["evidence"] and _just_added(request.user, action, data["note"]):
                messages.success(request, "Your note was already saved.")
                return redirect("pages:action", pk=action.pk)
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
            except InvalidTransition:
                # The page offered this move, so the action changed since it was drawn (someone else moved it).
                action.refresh_from_db()
                now = action.get_status_display().lower()
                form.add_error(
                    None,
                    f"This action was changed after you opened the page: it is now {now}. "
                    "Your note is kept below: check the trail, then choose what to do.",
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Saved.")
                return redirect("pages:action", pk=action.pk)
    updates = (
        action_updates_for(request.user).filter(action=action).select_related("author").order_by("created_at", "pk")
    )
    context: dict[str, Any] = {"action": action, "form": form, "moves": _moves_for(request, action), "updates": updates}
    return render(request, "audits/action.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("actions/", actions, name="actions"),
    path("actions/<int:pk>/", action_detail, name="action"),
]
