"""Reads, always scoped to the actor (DESIGN.md §3). Views, the API, exports and summaries read through these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from agencies.selectors import Scope, scope_of
from audits.choices import SummaryStatus
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    CaseAccess,
    ChildFamilyView,
    Finding,
    LearningSummary,
    SafeguardingConcern,
    SummaryReview,
    Theme,
)
from audits.models.action import ActionQuerySet

NOTHING = Q(pk__in=[])


def _any(conditions: list[Q]) -> Q:
    combined = NOTHING
    for condition in conditions:
        combined |= condition
    return combined


def _cases_about(scope: Scope) -> Q:
    """Cases that an agency lead's agency was involved in."""
    return _any([Q(audit__partnership_id=pid, pk__in=_case_ids_with_agency(aid)) for pid, aid in scope.leads])


def _case_ids_with_agency(agency_id: int) -> QuerySet[Any]:
    return Case.agencies.through.objects.filter(agency_id=agency_id).values("case_id")


def _own_audits(scope: Scope, prefix: str) -> Q:
    """Audits the actor runs: the whole partnership for the business unit, their own for an auditor."""
    return Q(**{f"{prefix}partnership_id__in": scope.business_unit}) | Q(
        **{f"{prefix}auditor_id": scope.user_id, f"{prefix}partnership_id__in": scope.auditor}
    )


def themes_for(actor: Any) -> QuerySet[Theme]:
    scope = scope_of(actor)
    themes = Theme.objects.select_related("partnership")
    if scope.superuser:
        return themes
    return themes.filter(Q(partnership__isnull=True) | Q(partnership_id__in=scope.partnerships))


def audits_for(actor: Any) -> QuerySet[Audit]:
    scope = scope_of(actor)
    audits = Audit.objects.all()
    if scope.superuser:
        return audits
    participating = [
        Q(partnership_id=pid, pk__in=Audit.agencies.through.objects.filter(agency_id=aid).values("audit_id"))
        for pid, aid in scope.leads
    ]
    return audits.filter(
        _any([Q(partnership_id__in=scope.business_unit | scope.auditor | scope.board), *participating])
    )


def managed_audits_for(actor: Any) -> QuerySet[Audit]:
    """Audits whose cases, findings and actions the actor may manage."""
    scope = scope_of(actor)
    if scope.superuser:
        return Audit.objects.all()
    return Audit.objects.filter(_own_audits(scope, ""))


def cases_for(actor: Any) -> QuerySet[Case]:
    scope = scope_of(actor)
    cases = Case.objects.all()
    if scope.superuser:
        return cases
    return cases.filter(_own_audits(scope, "audit__") | _cases_about(scope))


def child_family_views_for(actor: Any) -> QuerySet[ChildFamilyView]:
    return ChildFamilyView.objects.filter(case__in=cases_for(actor))


def _agency_rows(scope: Scope, audit_prefix: str, agency_field: str) -> Q:
    return _any([Q(**{f"{audit_prefix}partnership_id": pid, agency_field: aid}) for pid, aid in scope.leads])


def _casework_for(actor: Any, records: QuerySet[Any]) -> QuerySet[Any]:
    """Records about one case and one agency: the audit's managers see them all, an agency lead their agency's."""
    scope = scope_of(actor)
    if scope.superuser:
        return records
    return records.filter(_own_audits(scope, "case__audit__") | _agency_rows(scope, "case__audit__", "agency_id"))


def agency_returns_for(actor: Any) -> QuerySet[AgencyReturn]:
    return _casework_for(actor, AgencyReturn.objects.all())


def findings_for(actor: Any) -> QuerySet[Finding]:
    """Board members get none: they see aggregates only, never a case narrative."""
    return _casework_for(actor, Finding.objects.all())


def actions_for(actor: Any) -> ActionQuerySet:
    scope = scope_of(actor)
    actions = Action.objects.all()
    if scope.superuser:
        return actions
    return actions.filter(
        _own_audits(scope, "audit__")
        | Q(audit__partnership_id__in=scope.board)
        | _agency_rows(scope, "audit__", "owner_agency_id")
    )


def action_updates_for(actor: Any) -> QuerySet[ActionUpdate]:
    return ActionUpdate.objects.filter(action__in=actions_for(actor))


def concerns_for(actor: Any) -> QuerySet[SafeguardingConcern]:
    """Board members see counts only, so no concern is listed for them."""
    return _casework_for(actor, SafeguardingConcern.objects.all())


def concern_counts_for(actor: Any) -> QuerySet[SafeguardingConcern]:
    """Concerns the actor may count (the board's view): every concern in their partnerships."""
    scope = scope_of(actor)
    concerns = SafeguardingConcern.objects.all()
    if scope.superuser:
        return concerns
    return concerns.filter(
        Q(case__audit__partnership_id__in=scope.board | scope.business_unit) | Q(pk__in=concerns_for(actor))
    )


def summaries_for(actor: Any) -> QuerySet[LearningSummary]:
    scope = scope_of(actor)
    summaries = LearningSummary.objects.all()
    if scope.superuser:
        return summaries
    published_to_leads = Q(partnership_id__in={pid for pid, _ in scope.leads}, status=SummaryStatus.PUBLISHED)
    return summaries.filter(
        Q(partnership_id__in=scope.business_unit | scope.auditor | scope.board) | published_to_leads
    )


def summary_reviews_for(actor: Any) -> QuerySet[SummaryReview]:
    """The board's deliberation is for the business unit, auditors and the board, not agency leads."""
    scope = scope_of(actor)
    reviews = SummaryReview.objects.all()
    if scope.superuser:
        return reviews
    return reviews.filter(summary__partnership_id__in=scope.business_unit | scope.auditor | scope.board)


def case_accesses_for(actor: Any) -> QuerySet[CaseAccess]:
    """The access log: the business unit's whole partnership; an agency lead, the cases their agency was involved in.

    Scoped through the case's partnership, so the other partnership that shares an agency sees none of it.
    """
    scope = scope_of(actor)
    accesses = CaseAccess.objects.all()
    if scope.superuser:
        return accesses
    about_their_agency = [
        Q(case__audit__partnership_id=pid, case_id__in=_case_ids_with_agency(aid)) for pid, aid in scope.leads
    ]
    return accesses.filter(_any([Q(case__audit__partnership_id__in=scope.business_unit), *about_their_agency]))
