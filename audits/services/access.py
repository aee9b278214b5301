"""Recording who read a child's case: one row per person, case, kind of record and door, in one INSERT per request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
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
    if connection.vendor == "postgresql":
        # One statement whose rows PostgreSQL makes (unnest), in autocommit: for a 100-row list page, bulk_create's
        # model instances, 500 parameters and BEGIN … COMMIT were a fifth of the request. No signals either way.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CaseAccess._meta.db_table} (user_id, case_id, what, door, at) "  # noqa: S608 - the model's own table
                "SELECT %s, case_id, %s, %s, %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS c(case_id, n) ORDER BY n",
                [actor.pk, str(what), str(door), now, list(case_ids)],
            )
        return
    CaseAccess.objects.bulk_create(
        [CaseAccess(user_id=actor.pk, case_id=case_id, what=what, door=door, at=now) for case_id in case_ids]
    )
