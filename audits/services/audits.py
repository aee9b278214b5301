from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Partnership
from agencies.selectors import scope_of
from audits.choices import AuditStatus
from audits.models import Audit, Case, Theme
from audits.permissions import is_auditor_in, may_plan_audit, require, require_manager
from audits.workflow import AUDIT_MACHINE
from macfa.errors import ApplicationError
from macfa.fields import require_dates_in_range
from macfa.updates import model_update

RELATIONS = ("focus_themes", "agencies", "benchmark_audits")
EDITABLE_AUDIT_FIELDS = {
    "reference",
    "title",
    "terms_of_reference",
    "auditor",
    "start_date",
    "panel_date",
    "end_date",
    "focus_themes",
    "agencies",
    "benchmark_audits",
}


def _validate_audit(audit: Audit, relations: dict[str, Any]) -> None:
    """Every related record must belong to the audit's own partnership, whatever else the actor may see."""
    if (
        Audit.objects.filter(partnership_id=audit.partnership_id, reference__iexact=audit.reference)
        .exclude(pk=audit.pk)
        .exists()
    ):
        raise ApplicationError("This partnership already has an audit with this reference.", field="reference")
    require_dates_in_range(audit, "start_date", "panel_date", "end_date")
    if audit.start_date and audit.end_date and audit.end_date < audit.start_date:
        raise ApplicationError("The audit cannot end before it starts.", field="end_date")
    if audit.auditor is not None and not is_auditor_in(audit.auditor, audit.partnership_id):
        raise ApplicationError("This person is not an auditor in this partnership.", field="auditor")
    for theme in relations.get("focus_themes") or ():
        if theme.partnership_id not in (None, audit.partnership_id):
            raise ApplicationError("This theme belongs to another partnership.", field="focus_themes")
    partners = set(audit.partnership.agencies.values_list("pk", flat=True)) if relations.get("agencies") else set()
    for agency in relations.get("agencies") or ():
        if agency.pk not in partners:
            raise ApplicationError("This agency is not a partner of this partnership.", field="agencies")
    if audit.pk and relations.get("agencies") is not None:
        kept = {agency.pk for agency in relations["agencies"]}
        involved = (
            Case.agencies.through.objects.filter(case__audit_id=audit.pk)
            .exclude(agency_id__in=kept)
            .values_list("agency__name", "case__reference")
            .order_by("agency__name", "case__reference")
        )
        if involved:
            agency = involved[0][0]
            cases = ", ".join(reference for name, reference in involved if name == agency)
            raise ApplicationError(
                f"{agency} is involved in cases of this audit ({cases}): it takes part in the audit while it is.",
                field="agencies",
            )
    for benchmark in relations.get("benchmark_audits") or ():
        if benchmark.pk == audit.pk or benchmark.partnership_id != audit.partnership_id:
            raise ApplicationError(
                "Benchmark audits must be other audits of the same partnership.", field="benchmark_audits"
            )


def audit_create(
    *,
    actor: Any,
    partnership: Partnership,
    reference: str,
    title: str,
    auditor: Any = None,
    focus_themes: Iterable[Theme] = (),
    agencies: Iterable[Agency] = (),
    benchmark_audits: Iterable[Audit] = (),
    terms_of_reference: str = "",
    start_date: datetime.date | None = None,
    panel_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Audit:
    """Plan an audit. An auditor who plans one runs it unless they name another auditor."""
    require(may_plan_audit(actor, partnership.pk), "Only the business unit or an auditor can plan an audit.")
    if auditor is None and not scope_of(actor).is_business_unit(partnership.pk):
        auditor = actor
    audit = Audit(
        partnership=partnership,
        reference=reference,
        title=title,
        auditor=auditor,
        terms_of_reference=terms_of_reference,
        start_date=start_date,
        panel_date=panel_date,
        end_date=end_date,
    )
    relations = {
        "focus_themes": list(focus_themes),
        "agencies": list(agencies),
        "benchmark_audits": list(benchmark_audits),
    }
    _validate_audit(audit, relations)
    with transaction.atomic():
        audit.save()
        for name, records in relations.items():
            getattr(audit, name).set(records)
    return audit


def audit_update(*, actor: Any, audit: Audit, **changes: Any) -> Audit:
    """Change the audit's plan; its partnership and stage are not edited here."""
    require_manager(actor, audit)
    relations = {name: list(changes.pop(name)) for name in RELATIONS if name in changes}
    model_update(instance=audit, fields=EDITABLE_AUDIT_FIELDS - set(RELATIONS), data=changes)
    _validate_audit(audit, relations)
    with transaction.atomic():
        audit.save()
        for name, value in relations.items():
            getattr(audit, name).set(value)
    return audit


def audit_move(*, actor: Any, audit: Audit, status: str) -> Audit:
    """Move an audit to another stage of planned → agency returns → panel → reporting → closed."""
    require_manager(actor, audit)
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        AUDIT_MACHINE.apply(audit, status)
        if audit.status == AuditStatus.CLOSED:
            audit.closed_at = timezone.now()  # final (the machine has no way out), so set once
        audit.save(update_fields=["status", "closed_at", "updated_at"])
    return audit
