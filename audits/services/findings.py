from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from audits.choices import FindingKind
from audits.models import Case, Finding, ReturnGrade, Theme
from audits.permissions import require_manager
from audits.services.cases import require_open
from macfa.errors import ApplicationError, ConflictError
from macfa.updates import model_update

# Findings are the auditor's and the panel's. The agency's voice is its return: the self-grade is copied from it.
EDITABLE_FINDING_FIELDS = ("kind", "narrative", "grade", "change_reason")


def _validate(finding: Finding) -> None:
    case = finding.case
    if finding.kind not in FindingKind.values:
        raise ApplicationError("Choose strength or area for improvement.", field="kind")
    if finding.agency_id is not None and not case.agencies.filter(pk=finding.agency_id).exists():
        raise ApplicationError("This agency is not recorded as involved in this case.", field="agency")
    if finding.theme.partnership_id not in (None, case.audit.partnership_id):
        raise ApplicationError("This theme belongs to another partnership.", field="theme")
    clash = Finding.objects.filter(case=case, theme=finding.theme, agency=finding.agency).exclude(pk=finding.pk)
    if clash.exists():
        raise ConflictError(
            "There is already a finding for this case, agency and theme: change that one instead.", field="theme"
        )
    if finding.grade_moved and not finding.change_reason.strip():
        raise ApplicationError(
            "Give the reason when the panel's grade differs from the self-grade.", field="change_reason"
        )


def self_grade_in_return(*, case: Case, agency: Agency | None, theme: Theme) -> int | None:
    """The agency's self-grade for the theme in its return for the case, if it gave one."""
    if agency is None:
        return None
    return (
        ReturnGrade.objects.filter(agency_return__case=case, agency_return__agency=agency, theme=theme)
        .values_list("grade", flat=True)
        .first()
    )


def finding_record(
    *,
    actor: Any,
    case: Case,
    theme: Theme,
    kind: str,
    agency: Agency | None = None,
    narrative: str = "",
    grade: int | None = None,
    change_reason: str = "",
) -> Finding:
    """Record the panel's judgement on one case, for one agency (or the multi-agency response), against one theme.

    The agency's self-grade is taken from its return, never typed here.
    """
    require_manager(actor, case.audit)
    require_open(case.audit)
    finding = Finding(
        case=case,
        agency=agency,
        theme=theme,
        kind=kind,
        narrative=narrative,
        self_grade=self_grade_in_return(case=case, agency=agency, theme=theme),
        grade=grade,
        change_reason=change_reason,
        recorded_by_id=actor.pk,
    )
    _validate(finding)
    finding.save()
    return finding


def finding_update(*, actor: Any, finding: Finding, **changes: Any) -> Finding:
    """Change the panel's kind, narrative, grade or reason; the case, agency and theme stay as recorded."""
    require_manager(actor, finding.case.audit)
    require_open(finding.case.audit)
    model_update(instance=finding, fields=EDITABLE_FINDING_FIELDS, data=changes)
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
    changes: dict[str, Any] = {"grade": grade, "change_reason": change_reason}
    if kind is not None:
        changes["kind"] = kind
    if narrative is not None:
        changes["narrative"] = narrative
    return finding_update(actor=actor, finding=finding, **changes)


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
