"""The home page: what needs the signed-in person's attention, what they can do, and the audits they can see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from agencies.selectors import partnerships_for, roles_of, scope_of
from audits.choices import ConcernStatus, ReviewDecision, SummaryStatus
from audits.models import SummaryReview
from audits.permissions import may_plan_audit
from audits.selectors import actions_for, audits_for, concern_counts_for, summaries_for
from audits.views.common import DUE_SOON_DAYS


def reads_concerns(user: Any) -> bool:
    """Board members count concerns but read none (DESIGN.md §3)."""
    scope = scope_of(user)
    return bool(scope.superuser or scope.business_unit or scope.auditor or scope.leads)


def things_to_do(user: Any) -> list[tuple[str, str]]:
    """What this person's roles let them do, each a link to the page where they do it."""
    scope = scope_of(user)
    may_plan = any(may_plan_audit(user, partnership.pk) for partnership in partnerships_for(user))
    links = [
        ("Plan an audit", "pages:audit-new") if may_plan else None,
        ("See audits by stage", "pages:audits"),
        ("Complete your agency's returns", "pages:returns") if scope.leads else None,
        ("Respond to actions" if scope.leads else "Follow up actions", "pages:actions"),
        ("Safeguarding concerns", "pages:concerns") if reads_concerns(user) else None,
        ("Read learning summaries", "pages:summaries"),
        ("Run the programme", "pages:programme") if scope.business_unit else None,
        ("Add people and give roles", "people:list") if scope.business_unit else None,
    ]
    return [(label, reverse(name)) for label, name in filter(None, links)]


def summaries_needing(user: Any) -> dict[str, Any]:
    """Summaries by what the person does with them: the board reviews, the business unit publishes, everyone reads."""
    scope = scope_of(user)
    summaries = summaries_for(user).select_related("partnership").order_by("-updated_at", "-pk")
    last_decision = (
        SummaryReview.objects.filter(summary=OuterRef("pk")).order_by("-created_at", "-pk").values("decision")[:1]
    )
    preparing = scope.business_unit | scope.auditor
    sent_back = summaries.filter(status=SummaryStatus.COMPILED, partnership_id__in=preparing).annotate(
        last_decision=Subquery(last_decision)
    )
    return {
        "sent_back": list(sent_back.filter(last_decision=ReviewDecision.REQUEST_CHANGES)[:20]),
        "to_review": list(summaries.filter(status=SummaryStatus.IN_REVIEW, partnership_id__in=scope.board)[:20]),
        "to_publish": list(
            summaries.filter(status=SummaryStatus.APPROVED, partnership_id__in=scope.business_unit)[:20]
        ),
        "decided": list(summaries.filter(status__in=(SummaryStatus.APPROVED, SummaryStatus.PUBLISHED))[:10]),
    }


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
            "reads_concerns": reads_concerns(request.user),
            "concerns_waiting": concern_counts_for(request.user).filter(status=ConcernStatus.RAISED).count(),
            "audits": audits_for(request.user).order_by("-start_date", "reference")[:50],
            "things_to_do": things_to_do(request.user),
            **summaries_needing(request.user),
        },
    )


urlpatterns = [path("", home, name="home")]
