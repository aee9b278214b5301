from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import scope_of
from audits.models import Case, Finding, Theme
from audits.permissions import may_manage_audit, require, require_manager
from audits.services.cases import require_open
from macfa.errors import ApplicationError, ConflictError

# What an agency lead may say in a finding about their own agency: the self-assessment, not the panel's view.
LEAD_FIELDS = {"self_grade", "kind", "narrative"}


def _validate(finding: Finding) -> None:
    case = finding.case
    if finding.agency_id is not None and not case.agencies.filter(pk=finding.agency_id).exists():
        raise ApplicationError("This agency is not recorded as involved in this case.", field="agency")
    if finding.theme.partnership_id not in (None, case.audit.partnership_id):
        raise ApplicationError("This theme belongs to another partnership.", field="theme")
    clash = Finding.objects.filter(case=case, theme=finding.theme, agency=finding.agency).exclude(pk=finding.pk)
    if clash.exists():
        raise ConflictError(
            "There is already a finding for this case, agency and theme: change that one instead.", field="theme"
        )
    moved = finding.self_grade is not None and finding.grade is not None and finding.self_grade != finding.grade
    if moved and not finding.change_reason.strip():
        raise ApplicationError(
            "Give the reason when the panel's grade differs from the self-grade.", field="change_reason"
        )


def _is_lead_only(actor: Any, case: Case, agency_id: int | None) -> bool:
    """True when the actor writes as the agency's lead rather than as the panel."""
    scope = scope_of(actor)
    if may_manage_audit(scope, case.audit):
        return False
    require(
        agency_id is not None and scope.leads_agency(case.audit.partnership_id, agency_id),
        "Only the audit's auditor, the business unit or this agency's lead can record this finding.",
    )
    return True


def finding_record(
    *,
    actor: Any,
    case: Case,
    theme: Theme,
    kind: str,
    agency: Agency | None = None,
    narrative: str = "",
    self_grade: int | None = None,
    grade: int | None = None,
    change_reason: str = "",
) -> Finding:
    """Record a judgement on one case, for one agency (or the multi-agency response), against one theme."""
    require_open(case.audit)
    if _is_lead_only(actor, case, agency.pk if agency else None) and (grade is not None or change_reason):
        raise ApplicationError("Only the panel sets the moderated grade; give your self-grade.", field="grade")
    finding = Finding(
        case=case,
        agency=agency,
        theme=theme,
        kind=kind,
        narrative=narrative,
        self_grade=self_grade,
        grade=grade,
        change_reason=change_reason,
        recorded_by_id=actor.pk,
    )
    _validate(finding)
    finding.save()
    return finding


def finding_update(*, actor: Any, finding: Finding, **changes: Any) -> Finding:
    require_open(finding.case.audit)
    if _is_lead_only(actor, finding.case, finding.agency_id):
        forbidden = set(changes) - LEAD_FIELDS
        if forbidden:
            raise ApplicationError("Only the panel changes this part of a finding.", field=sorted(forbidden)[0])
        if finding.agreed_at is not None:
            raise ConflictError("This finding was agreed at panel and can no longer be changed by the agency.")
    for name, value in changes.items():
        setattr(finding, name, value)
    _validate(finding)
    finding.save()
    return finding


def finding_moderate(
    *,
    actor: Any,
    finding: Finding,
    grade: int,
    change_reason: str = "",
    kind: str | None = None,
    narrative: str | None = None,
) -> Finding:
    """Set the panel's moderated grade, with the reason for any change from the agency's self-grade."""
    require_manager(actor, finding.case.audit)
    require_open(finding.case.audit)
    finding.grade = grade
    finding.change_reason = change_reason
    if kind is not None:
        finding.kind = kind
    if narrative is not None:
        finding.narrative = narrative
    _validate(finding)
    finding.save()
    return finding


def finding_agree(*, actor: Any, finding: Finding) -> Finding:
    """Record that the panel agreed a finding; only agreed findings feed published summaries."""
    require_manager(actor, finding.case.audit)
    require_open(finding.case.audit)
    if finding.grade is None:
        raise ApplicationError("Give the panel's grade before agreeing the finding.", field="grade")
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.agreed_at is None:
            finding.agreed_at = timezone.now()
            finding.save(update_fields=["agreed_at", "updated_at"])
    return finding
