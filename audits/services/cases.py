from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency
from audits.choices import AuditStatus
from audits.models import Audit, Case, CaseFactor, ChildFamilyView
from audits.permissions import require_manager
from audits.validators import validate_pseudonymous_reference
from macfa.errors import ApplicationError, ConflictError
from macfa.updates import model_update

# A case stays in the audit it was sampled into; everything else about it may be corrected.
EDITABLE_CASE_FIELDS = ("reference", "age_band", "level_of_need", "plan_type")
EDITABLE_VIEW_FIELDS = ("speaker", "summary")


def require_open(audit: Audit) -> None:
    if audit.status == AuditStatus.CLOSED:
        raise ConflictError(f"{audit.reference} is closed: its records can no longer change.")


def _validate_case(case: Case, agencies: Iterable[Agency] | None) -> None:
    try:
        validate_pseudonymous_reference(case.reference)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field="reference") from None
    if Case.objects.filter(audit_id=case.audit_id, reference=case.reference).exclude(pk=case.pk).exists():
        raise ApplicationError("This audit already has a case with this reference.", field="reference")
    if agencies is not None:
        participating = set(case.audit.agencies.values_list("pk", flat=True))
        if any(agency.pk not in participating for agency in agencies):
            raise ApplicationError("Each agency must be taking part in this audit.", field="agencies")


def case_create(
    *,
    actor: Any,
    audit: Audit,
    reference: str,
    age_band: str,
    level_of_need: int,
    plan_type: str,
    factors: Iterable[str] = (),
    agencies: Iterable[Agency] = (),
) -> Case:
    """Add a sampled child's file to an audit under a pseudonymous reference."""
    require_manager(actor, audit)
    require_open(audit)
    agencies = list(agencies)
    case = Case(audit=audit, reference=reference, age_band=age_band, level_of_need=level_of_need, plan_type=plan_type)
    _validate_case(case, agencies)
    with transaction.atomic():
        case.save()
        case.agencies.set(agencies)
        bulk_create_with_history(
            [CaseFactor(case=case, factor=factor) for factor in set(factors)], CaseFactor, default_user=actor
        )
    return case


def case_update(
    *,
    actor: Any,
    case: Case,
    factors: Iterable[str] | None = None,
    agencies: Iterable[Agency] | None = None,
    **changes: Any,
) -> Case:
    """Correct a case's characteristics, factors or involved agencies (it stays in its audit)."""
    require_manager(actor, case.audit)
    require_open(case.audit)
    agencies = list(agencies) if agencies is not None else None
    factors = list(factors) if factors is not None else None
    model_update(instance=case, fields=EDITABLE_CASE_FIELDS, data=changes)
    _validate_case(case, agencies)
    with transaction.atomic():
        case.save()
        if agencies is not None:
            case.agencies.set(agencies)
        if factors is not None:
            case.factors.exclude(factor__in=factors).delete()
            existing = set(case.factors.values_list("factor", flat=True))
            added = [CaseFactor(case=case, factor=f) for f in set(factors) - existing]
            bulk_create_with_history(added, CaseFactor, default_user=actor)
    return case


def child_family_view_record(*, actor: Any, case: Case, speaker: str, summary: str) -> ChildFamilyView:
    """Keep what the child or family said when invited to contribute."""
    require_manager(actor, case.audit)
    require_open(case.audit)
    return ChildFamilyView.objects.create(case=case, speaker=speaker, summary=summary, recorded_by_id=actor.pk)


def child_family_view_update(*, actor: Any, view: ChildFamilyView, **changes: Any) -> ChildFamilyView:
    require_manager(actor, view.case.audit)
    require_open(view.case.audit)
    model_update(instance=view, fields=EDITABLE_VIEW_FIELDS, data=changes)
    view.save()
    return view
