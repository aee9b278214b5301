"""Immediate safeguarding concerns: the list, and each concern's page where the agency's lead acknowledges it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from audits.calendar import deadline_in_words
from audits.choices import ConcernStatus
from audits.permissions import concern_moves_for
from audits.selectors import cases_for, concerns_for
from audits.services.concerns import concern_acknowledge
from audits.views.common import PAGE_LIMIT
from macfa.errors import ApplicationError


@login_required
def concerns(request: HttpRequest) -> HttpResponse:
    rows = concerns_for(request.user).select_related("case__audit", "agency").order_by("-raised_at")[:PAGE_LIMIT]
    return render(request, "audits/concerns.html", {"concerns": rows})


@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(concerns_for(request.user).select_related("case__audit", "agency"), pk=pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            concern_acknowledge(actor=request.user, concern=concern)
        except ApplicationError as failure:
            error, status = failure.message, failure.status_code
        else:
            messages.success(
                request, "Acknowledged. The business unit and the auditor can see that you have it in hand."
            )
            return redirect("pages:concern", pk=concern.pk)
    context = {
        "concern": concern,
        "deadline": deadline_in_words(concern.raised_at) if concern.status == ConcernStatus.RAISED else None,
        "can_acknowledge": ConcernStatus.ACKNOWLEDGED in concern_moves_for(request.user, concern),
        "case_visible": cases_for(request.user).filter(pk=concern.case_id).exists(),
        "error": error,
    }
    return render(request, "audits/concern.html", context, status=status)


urlpatterns = [
    path("concerns/", concerns, name="concerns"),
    path("concerns/<int:pk>/", concern_detail, name="concern"),
]
