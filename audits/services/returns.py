from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import scope_of
from audits.choices import AuditStatus, ReturnStatus
from audits.models import AgencyReturn, Case
from audits.permissions import may_manage_audit, require
from macfa.errors import ApplicationError, ConflictError

RETURN_TEXT_FIELDS = ("good_practice", "areas_for_development", "recommendations")
# Returns are made before the panel; once the audit is reporting they are part of the record.
OPEN_FOR_RETURNS = (AuditStatus.PLANNED, AuditStatus.AGENCY_RETURNS, AuditStatus.PANEL)


def _require_writer(actor: Any, case: Case, agency_id: int) -> None:
    scope = scope_of(actor)
    require(
        may_manage_audit(scope, case.audit) or scope.leads_agency(case.audit.partnership_id, agency_id),
        "Only this agency's lead, the audit's auditor or the business unit can write this return.",
    )
    if case.audit.status not in OPEN_FOR_RETURNS:
        raise ConflictError(f"{case.audit.reference} is past the panel: agency returns can no longer change.")


def agency_return_create(*, actor: Any, case: Case, agency: Agency, **texts: str) -> AgencyReturn:
    """Start an agency's single-agency audit of its own record of the case."""
    _require_writer(actor, case, agency.pk)
    if not case.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError("This agency is not recorded as involved in this case.", field="agency")
    if AgencyReturn.objects.filter(case=case, agency=agency).exists():
        raise ConflictError("This agency has already made a return for this case.", field="agency")
    return AgencyReturn.objects.create(case=case, agency=agency, **texts)


def agency_return_update(*, actor: Any, agency_return: AgencyReturn, **texts: str) -> AgencyReturn:
    _require_writer(actor, agency_return.case, agency_return.agency_id)
    if agency_return.status == ReturnStatus.SUBMITTED:
        raise ConflictError("This return has been submitted and can no longer be edited.")
    for name, value in texts.items():
        setattr(agency_return, name, value)
    agency_return.save()
    return agency_return


def agency_return_submit(*, actor: Any, agency_return: AgencyReturn) -> AgencyReturn:
    _require_writer(actor, agency_return.case, agency_return.agency_id)
    with transaction.atomic():
        agency_return = AgencyReturn.objects.select_for_update().get(pk=agency_return.pk)
        if agency_return.status == ReturnStatus.SUBMITTED:
            raise ConflictError("This return has already been submitted.")
        if not any(getattr(agency_return, name).strip() for name in RETURN_TEXT_FIELDS):
            raise ApplicationError("Write at least one part of the return before submitting it.", field="good_practice")
        agency_return.status = ReturnStatus.SUBMITTED
        agency_return.submitted_at = timezone.now()
        agency_return.submitted_by_id = actor.pk
        agency_return.save()
    return agency_return
