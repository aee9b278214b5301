from __future__ import annotations

import datetime
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from audits.choices import ActionStatus
from audits.models import Action, ActionUpdate, Audit, Case, Finding
from audits.permissions import may_add_action_update, may_move_action, require, require_manager
from audits.services.evidence import AcceptedEvidence, evidence_accept
from audits.workflow import ACTION_MACHINE
from macfa.errors import ApplicationError
from macfa.fields import require_dates_in_range
from macfa.updates import model_update

# What agreeing an action fixes: the audit it belongs to, its status and who did what are not edited.
EDITABLE_ACTION_FIELDS = ("owner_agency", "description", "due_date", "case", "finding")


def _validate(action: Action) -> None:
    audit = action.audit
    if not audit.partnership.agencies.filter(pk=action.owner_agency_id).exists():
        raise ApplicationError("This agency is not a partner of this audit's partnership.", field="owner_agency")
    # An action is agreed with an agency that took part (the audit page offers only those); an audit that lists no
    # participating agencies yet accepts any partner.
    participants = audit.agencies.all()
    if participants.exists() and not participants.filter(pk=action.owner_agency_id).exists():
        raise ApplicationError(
            "This agency is not taking part in this audit: add it to the audit's agencies first.", field="owner_agency"
        )
    if action.case is not None and action.case.audit_id != audit.pk:
        raise ApplicationError("This case belongs to another audit.", field="case")
    if action.finding is not None and action.finding.case.audit_id != audit.pk:
        raise ApplicationError("This finding belongs to another audit.", field="finding")
    require_dates_in_range(action, "due_date", "raised_on")
    if action.due_date < action.raised_on:
        raise ApplicationError("The due date cannot be before the date the action was raised.", field="due_date")


def action_create(
    *,
    actor: Any,
    audit: Audit,
    owner_agency: Agency,
    description: str,
    due_date: datetime.date,
    case: Case | None = None,
    finding: Finding | None = None,
    raised_on: datetime.date | None = None,
) -> Action:
    """Agree an action with an agency, raised from a finding, a case or the audit as a whole."""
    require_manager(actor, audit)
    action = Action(
        audit=audit,
        owner_agency=owner_agency,
        description=description,
        due_date=due_date,
        case=case,
        finding=finding,
        raised_on=raised_on or timezone.localdate(),
        created_by_id=actor.pk,
    )
    _validate(action)
    action.save()
    return action


def action_update(*, actor: Any, action: Action, **changes: Any) -> Action:
    """Change what was agreed: the owner, description, due date, or the case or finding it came from."""
    require_manager(actor, action.audit)
    model_update(instance=action, fields=EDITABLE_ACTION_FIELDS, data=changes)
    _validate(action)
    action.save()
    return action


def _record(
    action: Action, actor: Any, note: str, evidence: AcceptedEvidence | None, previous: str = "", status: str = ""
) -> None:
    update = ActionUpdate(action=action, author_id=actor.pk, note=note, status_from=previous, status_to=status)
    if evidence is not None:
        # Stored under a random name (evidence_path); the uploaded name is kept only in evidence_name.
        update.evidence_name, update.evidence_size = evidence.name, evidence.size
        update.evidence.save(evidence.name, evidence.file, save=False)
    update.save()


def action_move(
    *,
    actor: Any,
    action: Action,
    status: str,
    note: str = "",
    evidence: File | None = None,
) -> Action:
    """Apply a status change to an action and record it, with the note and evidence, in its trail."""
    require(may_move_action(actor, action, status), "You cannot make this change to this action.")
    if status == ActionStatus.REOPENED and not note.strip():
        raise ApplicationError("Say why the action is being reopened.", field="note")
    accepted = evidence_accept(upload=evidence)  # checked (and scanned) before the action is locked
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
        _record(action, actor, note, accepted, previous, status)
    return action


def action_add_update(*, actor: Any, action: Action, note: str = "", evidence: File | None = None) -> ActionUpdate:
    """Add progress or evidence to an action's trail without changing its status."""
    require(may_add_action_update(actor, action), "Only the owning agency's lead or the audit's managers can do this.")
    if not note.strip() and evidence is None:
        raise ApplicationError("Write a note or attach evidence.", field="note")
    accepted = evidence_accept(upload=evidence)
    with transaction.atomic():
        _record(action, actor, note, accepted)
        Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    return action.updates.order_by("-created_at", "-pk").first()  # type: ignore[return-value]
