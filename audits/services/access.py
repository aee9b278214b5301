"""Recording who read a child's case: one row per person, case, kind of record and door, in one INSERT per request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from audits.models import AccessDoor, AccessWhat, Case, CaseAccess


def case_access_record(*, actor: Any, cases: Iterable[Case | int], what: AccessWhat, door: AccessDoor) -> None:
    """Record that ``actor`` read ``what`` of each case (a list page names each case once, however many rows).

    Called by every door after it has found the records through a selector, so only what the actor could see is
    ever recorded. Anonymous requests have read nothing and record nothing.
    """
    if not getattr(actor, "is_authenticated", False):
        return
    case_ids = dict.fromkeys(case if isinstance(case, int) else case.pk for case in cases)  # ordered, unique
    if not case_ids:
        return
    now = timezone.now()
    if len(case_ids) == 1:  # one INSERT, where bulk_create wraps even one row in BEGIN … COMMIT (three round trips)
        CaseAccess.objects.create(user_id=actor.pk, case_id=next(iter(case_ids)), what=what, door=door, at=now)
        return
    CaseAccess.objects.bulk_create(
        [CaseAccess(user_id=actor.pk, case_id=case_id, what=what, door=door, at=now) for case_id in case_ids]
    )
