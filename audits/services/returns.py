from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from audits.choices import AuditStatus, Grade, ReturnStatus
from audits.models import AgencyReturn, Case, Finding, ReturnGrade, Theme
from audits.permissions import may_write_return, require
from audits.workflow import RETURN_MACHINE
from macfa.errors import ApplicationError, ConflictError
from macfa.updates import model_update

RETURN_TEXT_FIELDS = ("good_practice", "areas_for_development", "recommendations")
# Returns are made before the panel; once the audit is reporting they are part of the record.
OPEN_FOR_RETURNS = (AuditStatus.PLANNED, AuditStatus.AGENCY_RETURNS, AuditStatus.PANEL)

SelfGrades = Mapping[Theme, int | None]


def _require_writer(actor: Any, case: Case, agency_id: int) -> None:
    require(
        may_write_return(actor, case, agency_id),
        "Only this agency's lead, the audit's auditor or the business unit can write this return.",
    )
    if case.audit.status not in OPEN_FOR_RETURNS:
        raise ConflictError(f"{case.audit.reference} is past the panel: agency returns can no longer change.")


def _require_draft(agency_return: AgencyReturn) -> None:
    if agency_return.status != ReturnStatus.DRAFT:
        raise ConflictError("This return has been submitted and can no longer be edited.")


def _set_self_grades(agency_return: AgencyReturn, self_grades: SelfGrades) -> None:
    """Keep the agency's self-grades, and the copy of each on the panel's finding for the same theme.

    A grade of None removes the theme's self-grade. A finding the panel has agreed, or graded differently
    without recording why, is not silently changed: the auditor must see the new self-grade first.
    """
    case = agency_return.case
    for theme, grade in self_grades.items():
        if theme.partnership_id not in (None, case.audit.partnership_id):
            raise ApplicationError("This theme belongs to another partnership.", field="self_grades")
        if grade is not None and grade not in Grade.values:
            raise ApplicationError("A self-grade is 1 (outstanding) to 4 (inadequate).", field="self_grades")
        finding = (
            Finding.objects.select_for_update()
            .filter(case=case, agency_id=agency_return.agency_id, theme=theme)
            .first()
        )
        if finding is not None and finding.self_grade != grade:
            finding.self_grade = grade
            if finding.is_agreed or (finding.grade_moved and not finding.change_reason.strip()):
                raise ConflictError(
                    f"The panel has already judged {theme.name} for this agency: ask the auditor to change it.",
                    field="self_grades",
                )
            finding.save(update_fields=["self_grade", "updated_at"])
        if grade is None:
            ReturnGrade.objects.filter(agency_return=agency_return, theme=theme).delete()
        else:
            ReturnGrade.objects.update_or_create(agency_return=agency_return, theme=theme, defaults={"grade": grade})


def agency_return_create(
    *, actor: Any, case: Case, agency: Agency, self_grades: SelfGrades | None = None, **texts: str
) -> AgencyReturn:
    """Start an agency's single-agency audit of its own record of the case."""
    _require_writer(actor, case, agency.pk)
    if not case.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError("This agency is not recorded as involved in this case.", field="agency")
    if AgencyReturn.objects.filter(case=case, agency=agency).exists():
        raise ConflictError("This agency has already made a return for this case.", field="agency")
    agency_return = AgencyReturn(case=case, agency=agency)
    model_update(instance=agency_return, fields=RETURN_TEXT_FIELDS, data=texts)
    with transaction.atomic():
        agency_return.save()
        _set_self_grades(agency_return, self_grades or {})
    return agency_return


def agency_return_update(
    *, actor: Any, agency_return: AgencyReturn, self_grades: SelfGrades | None = None, **texts: str
) -> AgencyReturn:
    """Change a draft return's texts, or set self-grades (themes not named keep theirs)."""
    _require_writer(actor, agency_return.case, agency_return.agency_id)
    _require_draft(agency_return)
    model_update(instance=agency_return, fields=RETURN_TEXT_FIELDS, data=texts)
    with transaction.atomic():
        agency_return.save()
        _set_self_grades(agency_return, self_grades or {})
    return agency_return


def agency_return_submit(*, actor: Any, agency_return: AgencyReturn) -> AgencyReturn:
    """Submit the return to the audit: from then on it is part of the record and cannot be edited."""
    _require_writer(actor, agency_return.case, agency_return.agency_id)
    with transaction.atomic():
        agency_return = AgencyReturn.objects.select_for_update().get(pk=agency_return.pk)
        if agency_return.status == ReturnStatus.DRAFT and not (
            any(getattr(agency_return, name).strip() for name in RETURN_TEXT_FIELDS)
            or agency_return.self_grades.exists()
        ):
            raise ApplicationError(
                "Give a self-grade or write at least one part of the return before submitting it.",
                field="good_practice",
            )
        RETURN_MACHINE.apply(agency_return, ReturnStatus.SUBMITTED)
        agency_return.submitted_at = timezone.now()
        agency_return.submitted_by_id = actor.pk
        agency_return.save()
    return agency_return
