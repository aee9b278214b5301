"""The API's door to the access log: every case, finding, return or view it returns is recorded as read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from audits.models import AccessDoor, AccessWhat, Case
from audits.services.access import case_access_record


class RecordsCaseAccess:
    """For viewsets of a case or records about one: a list records each case on the page, a retrieve its case.

    Recorded where the records are found (``paginate_queryset``, ``get_object``), after the selector has scoped
    them, so a 404 records nothing. Changes read the record too, but their trail is the history.
    """

    access_what: AccessWhat

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        if getattr(self, "action", None) == "list" and page is not None:
            self._record_access(page)
        return page

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        if getattr(self, "action", None) in ("retrieve", "history"):  # a record's history shows its words too
            self._record_access([obj])
        return obj

    def _record_access(self, records: Iterable[Model]) -> None:
        cases = [record.pk if isinstance(record, Case) else record.case_id for record in records]  # type: ignore[attr-defined]
        request = self.request  # type: ignore[attr-defined]
        case_access_record(actor=request.user, cases=cases, what=self.access_what, door=AccessDoor.API)
