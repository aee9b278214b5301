"""Writes for the case sample: a file of cases added all-or-nothing, and a random draw recorded with its cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from audits.models import Audit, Case, SampleDraw
from audits.permissions import require_manager
from audits.sampling import CaseRow, Draw
from audits.services.cases import case_create, require_open
from macfa.errors import ApplicationError


def cases_import(*, actor: Any, audit: Audit, rows: Sequence[CaseRow]) -> list[Case]:
    """Add every row as a case, or none of them: the first refusal undoes the rows saved before it."""
    require_manager(actor, audit)
    require_open(audit)
    if not rows:
        raise ApplicationError("There are no cases to add.", field="file")
    bad = [row for row in rows if row.problems]
    if bad:
        lines = ", ".join(str(row.line) for row in bad[:10])
        raise ApplicationError(
            f"{len(bad)} row{'s' if len(bad) > 1 else ''} of the file {'have' if len(bad) > 1 else 'has'} problems "
            f"(line {lines}{' …' if len(bad) > 10 else ''}): nothing was saved.",
            field="file",
        )
    agencies = {agency.pk: agency for agency in audit.agencies.all()}
    cases = []
    with transaction.atomic():
        for row in rows:
            assert row.level_of_need is not None  # a row without problems has every characteristic
            if any(pk not in agencies for pk in row.agency_ids):
                raise ApplicationError(
                    f"Line {row.line}: an agency is no longer taking part in this audit. Nothing was saved.",
                    field="file",
                )
            try:
                cases.append(
                    case_create(
                        actor=actor,
                        audit=audit,
                        reference=row.reference,
                        age_band=row.age_band,
                        level_of_need=row.level_of_need,
                        plan_type=row.plan_type,
                        factors=row.factors,
                        agencies=[agencies[pk] for pk in row.agency_ids],
                    )
                )
            except ApplicationError as error:
                raise ApplicationError(f"Line {row.line}: {error.message} Nothing was saved.", field="file") from None
    return cases


def sample_draw_record(*, actor: Any, audit: Audit, draw: Draw) -> SampleDraw:
    """Add the drawn cases and record the draw (seed, method, size, quotas, exclusions), all in one transaction."""
    require_manager(actor, audit)
    with transaction.atomic():
        cases_import(actor=actor, audit=audit, rows=draw.drawn)
        return SampleDraw.objects.create(
            audit=audit,
            seed=draw.seed,
            method=draw.method,
            size=draw.size,
            candidates=draw.candidates,
            quota_by=draw.quota_by,
            quotas=draw.quotas,
            excluded=draw.excluded,
            drawn=draw.drawn_references,
            created_by_id=actor.pk,
        )
