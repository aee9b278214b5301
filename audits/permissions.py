"""Who may do what (DESIGN.md §3), each rule one named function.

Services call these to refuse a change (``require``); pages, the API and the admin call the same functions to
decide what to offer. Selectors decide what is seen; these decide what may be changed among what is seen.
Superusers (the service's operators) pass every check through ``Scope``.
"""

from __future__ import annotations

from typing import Any

from agencies.models import Membership, Role
from agencies.permissions import may_manage_partnership
from agencies.selectors import scope_of
from audits.choices import ActionStatus, ConcernStatus
from audits.models import Action, Audit, Case, SafeguardingConcern
from audits.workflow import ACTION_MACHINE, CONCERN_MACHINE
from macfa.errors import NotAllowed

# Agency leads move their own agency's actions along; verifying and reopening are the auditor's judgement.
ACTION_MOVES_BY_AGENCY_LEAD = frozenset({ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED})


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def is_auditor_in(person: Any, partnership_id: int) -> bool:
    """The person holds the auditor role in the partnership (a superuser is not an auditor unless they hold it)."""
    return (
        person is not None
        and Membership.objects.filter(user_id=person.pk, partnership_id=partnership_id, role=Role.AUDITOR).exists()
    )


# Partnership set-up (agencies and people: agencies/permissions.py)


def may_manage_themes(actor: Any, partnership_id: int | None) -> bool:
    """A partnership's own themes are its business unit's; the national taxonomy (no partnership) is fixed."""
    return may_manage_partnership(actor, partnership_id)


# Audits, cases, findings


def may_plan_audit(actor: Any, partnership_id: int) -> bool:
    scope = scope_of(actor)
    return scope.is_business_unit(partnership_id) or scope.is_auditor(partnership_id)


def may_manage_audit(actor: Any, audit: Audit) -> bool:
    """The business unit manages every audit of its partnership; an auditor manages the audits they run.

    Managing covers the audit's cases, findings (the panel's judgement), child and family views and actions.
    """
    scope = scope_of(actor)
    return scope.is_business_unit(audit.partnership_id) or (
        audit.auditor_id == scope.user_id and scope.is_auditor(audit.partnership_id)
    )


def require_manager(actor: Any, audit: Audit) -> None:
    require(may_manage_audit(actor, audit), "Only the business unit or this audit's auditor can do this.")


def may_write_return(actor: Any, case: Case, agency_id: int) -> bool:
    """An agency's return (its self-grades and commentary) is its lead's; the audit's managers may enter it too."""
    return may_manage_audit(actor, case.audit) or scope_of(actor).leads_agency(case.audit.partnership_id, agency_id)


# Actions


def may_move_action(actor: Any, action: Action, target: str) -> bool:
    """Who may make a move (whether the action's state allows it is the machine's question)."""
    if may_manage_audit(actor, action.audit):
        return True
    return target in ACTION_MOVES_BY_AGENCY_LEAD and _leads_owner(actor, action)


def may_add_action_update(actor: Any, action: Action) -> bool:
    """Notes and evidence: the owning agency's lead and the audit's managers."""
    return may_manage_audit(actor, action.audit) or _leads_owner(actor, action)


def action_moves_for(actor: Any, action: Action) -> list[str]:
    """The moves to offer this actor on this action now."""
    return [target for target in ACTION_MACHINE.allowed_from(action.status) if may_move_action(actor, action, target)]


def _leads_owner(actor: Any, action: Action) -> bool:
    return scope_of(actor).leads_agency(action.audit.partnership_id, action.owner_agency_id)


# Safeguarding concerns


def may_raise_concern(actor: Any, case: Case) -> bool:
    return may_manage_audit(actor, case.audit)


def may_acknowledge_concern(actor: Any, concern: SafeguardingConcern) -> bool:
    """Only the lead of the agency that must act acknowledges: it says that agency has the concern in hand."""
    return scope_of(actor).leads_agency(concern.case.audit.partnership_id, concern.agency_id)


def may_close_concern(actor: Any, concern: SafeguardingConcern) -> bool:
    return may_acknowledge_concern(actor, concern) or may_manage_audit(actor, concern.case.audit)


def concern_moves_for(actor: Any, concern: SafeguardingConcern) -> list[str]:
    """The moves to offer this actor on this concern now."""
    who = {ConcernStatus.ACKNOWLEDGED: may_acknowledge_concern, ConcernStatus.CLOSED: may_close_concern}
    return [
        target for target in CONCERN_MACHINE.allowed_from(concern.status) if who[ConcernStatus(target)](actor, concern)
    ]


# Learning summaries


def may_prepare_summary(actor: Any, partnership_id: int) -> bool:
    """Define, edit, compile, submit for review and re-export: the business unit and auditors."""
    scope = scope_of(actor)
    return scope.is_business_unit(partnership_id) or scope.is_auditor(partnership_id)


def may_review_summary(actor: Any, partnership_id: int) -> bool:
    return scope_of(actor).is_board(partnership_id)


def may_publish_summary(actor: Any, partnership_id: int) -> bool:
    return scope_of(actor).is_business_unit(partnership_id)


def may_read_summary_deliberation(actor: Any, partnership_id: int) -> bool:
    """The board's reviews, and the history of drafts and decisions behind a summary: not the agency leads', who
    read the published summary only (DESIGN.md §3)."""
    scope = scope_of(actor)
    return scope.is_business_unit(partnership_id) or scope.is_auditor(partnership_id) or scope.is_board(partnership_id)


def may_read_history(actor: Any, record: Any) -> bool:
    """A record's history goes to whoever may read the record, but a summary's only to those who deliberate on it."""
    from audits.models import LearningSummary

    if isinstance(record, LearningSummary):
        return may_read_summary_deliberation(actor, record.partnership_id)
    return True


def sees_exact_figures(actor: Any, partnership_id: int) -> bool:
    """The business unit's and auditors' working view shows exact counts; everyone else sees suppressed ones."""
    return may_prepare_summary(actor, partnership_id)


# The access log


def may_see_access_log(actor: Any) -> bool:
    """The business unit sees who read its partnership's cases; an agency lead, who read their agency's cases."""
    scope = scope_of(actor)
    return scope.superuser or bool(scope.business_unit or scope.leads)
