"""Writes. Each service checks the actor may act, validates, and writes inside one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import has_role
from audits.choices import ActionStatus
from audits.models import Action, ActionUpdate, Audit, Finding
from audits.workflow import ACTION_MACHINE, AUDIT_MACHINE
from macfa.errors import ApplicationError

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files import File


class NotAllowed(ApplicationError):
    status_code = 403


def _may_manage_audit(actor: AbstractBaseUser, audit: Audit) -> bool:
    if has_role(actor, audit.partnership_id, Role.BUSINESS_UNIT):
        return True
    return audit.auditor_id == actor.pk and has_role(actor, audit.partnership_id, Role.AUDITOR)


def audit_move(*, actor: AbstractBaseUser, audit: Audit, status: str) -> Audit:
    """Move an audit to another stage of planned → agency returns → panel → reporting → closed."""
    if not _may_manage_audit(actor, audit):
        raise NotAllowed("Only the business unit or the audit's auditor can move it between stages.")
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        AUDIT_MACHINE.apply(audit, status)
        audit.save(update_fields=["status", "updated_at"])
    return audit


# Who may make each move of an action: agency leads move their own agency's actions along; verifying and
# reopening are the auditor's (and the business unit's) judgement.
_ACTION_MOVES_BY_AGENCY_LEAD = {ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED}


def action_move(
    *,
    actor: AbstractBaseUser,
    action: Action,
    status: str,
    note: str = "",
    evidence: File | None = None,
) -> Action:
    """Apply a status change to an action and record it, with the note and evidence, in its trail."""
    audit = action.audit
    roles = [Role.BUSINESS_UNIT]
    if status in _ACTION_MOVES_BY_AGENCY_LEAD:
        roles.append(Role.AGENCY_LEAD)
    allowed = has_role(actor, audit.partnership_id, *roles, agency_id=action.owner_agency_id) or (
        audit.auditor_id == actor.pk and has_role(actor, audit.partnership_id, Role.AUDITOR)
    )
    if not allowed:
        raise NotAllowed("You cannot make this change to this action.")
    if status == ActionStatus.REOPENED and not note.strip():
        raise ApplicationError("Say why the action is being reopened.", field="note")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        previous = ACTION_MACHINE.apply(action, status)
        now = timezone.now()
        if status == ActionStatus.COMPLETED:
            action.completed_at = now
        elif status == ActionStatus.VERIFIED:
            action.verified_at, action.verified_by_id = now, actor.pk
        elif status == ActionStatus.REOPENED:
            action.completed_at = action.verified_at = action.verified_by_id = None
        action.save()
        update = ActionUpdate(action=action, author_id=actor.pk, note=note, status_from=previous, status_to=status)
        if evidence is not None:
            update.evidence.save(evidence.name or "evidence", evidence, save=False)
        update.save()
    return action


def finding_agree(*, actor: AbstractBaseUser, finding: Finding) -> Finding:
    """Record that the panel agreed a finding; only agreed findings feed published summaries."""
    audit = finding.case.audit
    if not _may_manage_audit(actor, audit):
        raise NotAllowed("Only the business unit or the audit's auditor can agree findings.")
    if finding.grade is None:
        raise ApplicationError("Give the panel's grade before agreeing the finding.", field="grade")
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.agreed_at is None:
            finding.agreed_at = timezone.now()
            finding.save(update_fields=["agreed_at", "updated_at"])
    return finding
