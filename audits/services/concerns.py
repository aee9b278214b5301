from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from audits.choices import ConcernStatus
from audits.models import Case, SafeguardingConcern
from audits.permissions import may_acknowledge_concern, may_close_concern, may_raise_concern, require
from audits.workflow import CONCERN_MACHINE
from macfa.errors import ApplicationError


def concern_raise(*, actor: Any, case: Case, agency: Agency, description: str) -> SafeguardingConcern:
    """Pass a live child-protection issue found during the audit to the agency that must act on it."""
    require(may_raise_concern(actor, case), "Only the business unit or this audit's auditor can raise a concern.")
    if not case.audit.partnership.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError("This agency is not a partner of this audit's partnership.", field="agency")
    if not description.strip():
        raise ApplicationError("Say what the agency must act on.", field="description")
    return SafeguardingConcern.objects.create(case=case, agency=agency, description=description, raised_by_id=actor.pk)


def concern_acknowledge(*, actor: Any, concern: SafeguardingConcern) -> SafeguardingConcern:
    """The agency's lead confirms they have the concern and are acting on it."""
    require(
        may_acknowledge_concern(actor, concern),
        "Only the lead of the agency that must act can acknowledge this concern.",
    )
    with transaction.atomic():
        concern = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
        CONCERN_MACHINE.apply(concern, ConcernStatus.ACKNOWLEDGED)
        concern.acknowledged_at, concern.acknowledged_by_id = timezone.now(), actor.pk
        concern.save()
    return concern


def concern_close(*, actor: Any, concern: SafeguardingConcern, outcome: str) -> SafeguardingConcern:
    require(
        may_close_concern(actor, concern),
        "Only the agency's lead, the audit's auditor or the business unit can close this concern.",
    )
    if not outcome.strip():
        raise ApplicationError("Record the outcome before closing the concern.", field="outcome")
    with transaction.atomic():
        concern = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
        CONCERN_MACHINE.apply(concern, ConcernStatus.CLOSED)
        concern.outcome, concern.closed_at = outcome, timezone.now()
        concern.save()
    return concern
