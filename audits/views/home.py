"""The home page: what needs the signed-in person's attention, what they can do, and the audits they can see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from agencies.selectors import partnerships_for, roles_of, scope_of
from audits.choices import ConcernStatus
from audits.permissions import may_plan_audit
from audits.selectors import actions_for, audits_for, concern_counts_for
from audits.views.common import DUE_SOON_DAYS


def things_to_do(user: Any) -> list[tuple[str, str]]:
    """What this person's roles let them do, each a link to the page where they do it."""
    scope = scope_of(user)
    may_plan = any(may_plan_audit(user, partnership.pk) for partnership in partnerships_for(user))
    links = [
        ("Plan an audit", "pages:audit-new") if may_plan else None,
        ("See audits by stage", "pages:audits"),
        ("Complete your agency's returns", "pages:returns") if scope.leads else None,
        ("Respond to actions" if scope.leads else "Follow up actions", "pages:actions"),
        ("Safeguarding concerns", "pages:concerns"),
    ]
    return [(label, reverse(name)) for label, name in filter(None, links)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = actions_for(request.user)
    return render(
        request,
        "audits/home.html",
        {
            "memberships": roles_of(request.user),
            "overdue": mine.overdue().count(),
            "due_soon": mine.due_within(days=DUE_SOON_DAYS).count(),
            # Everyone who may count concerns (the board included) sees how many wait, even without reading them.
            "concerns_waiting": concern_counts_for(request.user).filter(status=ConcernStatus.RAISED).count(),
            "audits": audits_for(request.user).order_by("-start_date", "reference")[:50],
            "things_to_do": things_to_do(request.user),
        },
    )


urlpatterns = [path("", home, name="home")]
