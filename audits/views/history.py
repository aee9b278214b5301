"""History pages: who changed a record, when, and what changed, read through the record's own selector.

Each page finds its record exactly as the record's own page does, so a record the reader may not see answers 404
here too. The pages only read: history is never edited, and a past version is never restored. A case's or a
return's history shows what was written about a child, so reading it is recorded in the access log like the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from audits.history import history_of
from audits.models import AccessDoor, AccessWhat
from audits.permissions import may_read_history
from audits.selectors import actions_for, agency_returns_for, audits_for, cases_for, concerns_for, summaries_for
from audits.services.access import case_access_record

ENTRIES_PER_PAGE = 50


def _history_page(request: HttpRequest, record: Model, *, title: str, back_url: str, back_label: str) -> HttpResponse:
    page = Paginator(history_of(record, reader=request.user), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "record": record,
        "title": title,
        "page": page,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "audits/history.html", context)


@login_required
def audit_history(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(audits_for(request.user), pk=pk)
    url = reverse("pages:audit", args=[audit.pk])
    return _history_page(request, audit, title=f"History of {audit.reference}", back_url=url, back_label="audit")


@login_required
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(cases_for(request.user).select_related("audit"), pk=pk)
    case_access_record(actor=request.user, cases=[case], what=AccessWhat.CASE, door=AccessDoor.PAGE)
    url = reverse("pages:case", args=[case.pk])
    return _history_page(request, case, title=f"History of case {case.reference}", back_url=url, back_label="case")


@login_required
def return_history(request: HttpRequest, case_pk: int, agency_pk: int) -> HttpResponse:
    agency_return = get_object_or_404(
        agency_returns_for(request.user).select_related("case", "agency"), case_id=case_pk, agency_id=agency_pk
    )
    case_access_record(actor=request.user, cases=[case_pk], what=AccessWhat.RETURNS, door=AccessDoor.PAGE)
    url = reverse("pages:return", args=[case_pk, agency_pk])
    title = f"History of {agency_return.agency}'s return on case {agency_return.case.reference}"
    return _history_page(request, agency_return, title=title, back_url=url, back_label="return")


@login_required
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(actions_for(request.user), pk=pk)
    url = reverse("pages:action", args=[action.pk])
    return _history_page(request, action, title="History of the action", back_url=url, back_label="action")


@login_required
def concern_history(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(concerns_for(request.user).select_related("agency"), pk=pk)
    url = reverse("pages:concern", args=[concern.pk])
    title = f"History of the safeguarding concern for {concern.agency}"
    return _history_page(request, concern, title=title, back_url=url, back_label="concern")


@login_required
def summary_history(request: HttpRequest, pk: int) -> HttpResponse:
    summary = get_object_or_404(summaries_for(request.user), pk=pk)
    if not may_read_history(request.user, summary):
        raise Http404
    url = reverse("pages:summary", args=[summary.pk])
    return _history_page(request, summary, title=f"History of {summary.title}", back_url=url, back_label="summary")


urlpatterns = [
    path("audits/<int:pk>/history/", audit_history, name="audit-history"),
    path("cases/<int:pk>/history/", case_history, name="case-history"),
    path("returns/<int:case_pk>/<int:agency_pk>/history/", return_history, name="return-history"),
    path("actions/<int:pk>/history/", action_history, name="action-history"),
    path("concerns/<int:pk>/history/", concern_history, name="concern-history"),
    path("summaries/<int:pk>/history/", summary_history, name="summary-history"),
]
