"""The business unit's programme page: every audit by year and stage with the returns still outstanding, overdue
actions by agency with "send a reminder now", and the learning summaries by status."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path

from agencies.permissions import may_manage_partnership
from agencies.selectors import partnerships_for
from audits.choices import AuditStatus, ReturnStatus, SummaryStatus
from audits.models import AgencyReturn, Case
from audits.notifications import remind_agency_now
from audits.selectors import actions_for, audits_for, cases_for, summaries_for
from audits.views.links import link_to
from macfa.errors import ApplicationError

# The stages at which returns are expected (and, at the panel, still missing ones matter most).
RETURNS_STAGES = (AuditStatus.AGENCY_RETURNS, AuditStatus.PANEL)
# How a stage's tag stands out in the audits table: closed ones recede, those waiting for agencies catch the eye.
TAGS: dict[str, str] = {AuditStatus.CLOSED: " govuk-tag--grey", AuditStatus.AGENCY_RETURNS: " govuk-tag--yellow"}


def managed_partnerships(user: Any) -> list[Any]:
    return [p for p in partnerships_for(user).order_by("name") if may_manage_partnership(user, p.pk)]


def _audits_by_year(user: Any, partnership_ids: list[int]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each year's audits as table rows: only the columns the table prints, and the link built once for them all."""
    audits = (
        audits_for(user)
        .filter(partnership_id__in=partnership_ids)
        .order_by("-start_date", "reference")
        .values("pk", "reference", "title", "status", "start_date", "partnership__name")
    )
    audit_url = link_to("pages:audit")
    stages = dict(AuditStatus.choices)
    years: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for audit in audits:
        row: dict[str, Any] = {
            **audit,
            "url": audit_url(audit["pk"]),
            "stage": stages.get(audit["status"]),
            "tag": TAGS.get(audit["status"], ""),
        }
        years[str(audit["start_date"].year) if audit["start_date"] else "Not scheduled"].append(row)
    return sorted(years.items(), key=lambda item: (item[0] != "Not scheduled", item[0]), reverse=True)


def _returns_outstanding(user: Any, partnership_ids: list[int]) -> list[dict[str, Any]]:
    """For each audit open for returns, each involved agency's cases and how many returns it has submitted."""
    submitted = AgencyReturn.objects.filter(
        case_id=OuterRef("case_id"), agency_id=OuterRef("agency_id"), status=ReturnStatus.SUBMITTED
    )
    # The stage and partnership narrow the scoped cases themselves, so the database never lists every case of the
    # partnership to check the few that are open for returns.
    open_for_returns = cases_for(user).filter(
        audit__partnership_id__in=partnership_ids, audit__status__in=RETURNS_STAGES
    )
    rows = (
        Case.agencies.through.objects.filter(
            case__in=open_for_returns,
            case__audit__partnership_id__in=partnership_ids,
            case__audit__status__in=RETURNS_STAGES,
        )
        .values("case__audit_id", "case__audit__reference", "agency__name")
        .annotate(cases=Count("pk"), submitted=Count("pk", filter=Q(Exists(submitted))))
        .order_by("case__audit__reference", "agency__name")
    )
    audit_url = link_to("pages:audit")
    return [
        {
            "audit_id": row["case__audit_id"],
            "url": audit_url(row["case__audit_id"]),
            "audit": row["case__audit__reference"],
            "agency": row["agency__name"],
            "cases": row["cases"],
            "submitted": row["submitted"],
            "outstanding": row["cases"] - row["submitted"],
        }
        for row in rows
    ]


def _overdue_by_agency(user: Any, partnership_ids: list[int]) -> list[dict[str, Any]]:
    return list(
        actions_for(user)
        .overdue()
        .filter(audit__partnership_id__in=partnership_ids)
        .values("audit__partnership_id", "audit__partnership__name", "owner_agency_id", "owner_agency__name")
        .annotate(overdue=Count("pk"), oldest=Min("due_date"))
        .order_by("-overdue", "owner_agency__name")
    )


def _summaries_by_status(user: Any, partnership_ids: list[int]) -> list[tuple[str, int]]:
    counts = dict(
        summaries_for(user)
        .filter(partnership_id__in=partnership_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(label, counts[value]) for value, label in SummaryStatus.choices if counts.get(value)]


@login_required
def programme(request: HttpRequest) -> HttpResponse:
    partnerships = managed_partnerships(request.user)
    if not partnerships:
        return render(request, "audits/programme_forbidden.html", status=403)
    ids = [p.pk for p in partnerships]
    context = {
        "partnerships": partnerships,
        "years": _audits_by_year(request.user, ids),
        "stages": AuditStatus.choices,
        "returns": _returns_outstanding(request.user, ids),
        "overdue": _overdue_by_agency(request.user, ids),
        "summaries": _summaries_by_status(request.user, ids),
        "several": len(ids) > 1,
    }
    return render(request, "audits/programme.html", context)


@login_required
def programme_remind(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pair = request.POST.get("partnership", ""), request.POST.get("agency", "")
    if not all(value.isdigit() for value in pair):
        messages.error(request, "Choose the agency to remind with its button in the overdue actions table.")
        return redirect("pages:programme")
    partnership_id, agency_id = map(int, pair)
    overdue = {
        (row["audit__partnership_id"], row["owner_agency_id"]): row
        for row in _overdue_by_agency(request.user, [p.pk for p in managed_partnerships(request.user)])
    }
    row = overdue.get((partnership_id, agency_id))
    if row is None:
        messages.success(request, "That agency has no overdue actions now, so no reminder was needed.")
        return redirect("pages:programme")
    try:
        done = remind_agency_now(actor=request.user, partnership_id=partnership_id, agency_id=agency_id)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("pages:programme")
    agency = row["owner_agency__name"]
    if done.leads == 0:
        said = f"{agency} has no agency lead in this partnership to remind. Give someone that role first."
    elif done.sent:
        said = f"Today's reminder was sent to {agency}'s lead{'s' if done.sent > 1 else ''} ({done.sent})."
    elif done.already:
        said = f"{agency}'s leads already had today's reminder, so it was not sent again."
    else:
        said = f"No reminder could be sent to {agency}'s leads: check they have an email address."
    messages.success(request, said)
    return redirect("pages:programme")


urlpatterns = [
    path("programme/", programme, name="programme"),
    path("programme/remind/", programme_remind, name="programme-remind"),
]
