"""The home page: what needs the signed-in person's attention, and the audits they can see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from agencies.selectors import roles_of
from audits.choices import ConcernStatus
from audits.selectors import actions_for, audits_for, concerns_for
from audits.views.common import DUE_SOON_DAYS


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
            "concerns_waiting": concerns_for(request.user).filter(status=ConcernStatus.RAISED).count(),
            "audits": audits_for(request.user).order_by("-start_date", "reference")[:50],
        },
    )


urlpatterns = [path("", home, name="home")]
