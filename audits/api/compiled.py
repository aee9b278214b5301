"""Reads the API compiles once per scope and shape (macfa.statements): one record, and a list's count and page.

A viewset opts in with ``compiled_reads = True`` when its ``get_queryset()`` depends on the actor's scope alone
(a selector and a fixed order, nothing from the request). A record is then read by a statement compiled once per
scope; a list's filters are validated as before (the same 400s), then its count and page run statements compiled
once per scope, filters given, number of values, ordering and page, with the request's values put in place. A
list whose filters cannot be compiled this way (a search, which the ORM wraps in ``%…%``) is read as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend

from agencies.selectors import scope_of
from macfa.api import COUNT_EXACT_UP_TO
from macfa.filters import StableOrderingFilter
from macfa.statements import NotCompilable, Slots, compiled, record_by_id


class CompiledList:
    """A list's rows as the paginator asks for them: a bounded count, then one page, each a compiled statement."""

    ordered = True  # the queryset it stands for is ordered (Django's paginator warns otherwise)

    def __init__(
        self, key: tuple[Any, ...], build: Callable[[int], QuerySet[Any]], slots: Slots, *, light: bool
    ) -> None:
        self.key, self.build, self.slots, self.light = key, build, slots, light
        self._length: int | None = None

    def __len__(self) -> int:
        """How many rows match, counting at most one more than the exact-count limit (macfa.api)."""
        if self._length is None:
            limit = COUNT_EXACT_UP_TO + 1
            statement = compiled(
                (*self.key, "count", limit),
                lambda which: self.build(which).order_by().values("pk")[:limit],
                self.slots,
                wrap=lambda sql: f"SELECT COUNT(*) FROM ({sql}) AS bounded",  # noqa: S608 - the ORM's own SQL
            )
            self._length = statement.rows(*self.slots.values)[0][0] if statement is not None else 0
        return self._length

    def __getitem__(self, rows: slice) -> list[Any]:
        start, stop = rows.start or 0, rows.stop
        statement = compiled((*self.key, "page", start, stop), lambda which: self.build(which)[start:stop], self.slots)
        if statement is None:
            return []
        return statement.records(*self.slots.values) if self.light else statement.instances(*self.slots.values)


class CompiledReadsMixin:
    compiled_reads = False

    def get_object(self) -> Any:
        view: Any = self
        if not (self.compiled_reads and view.action == "retrieve"):
            return super().get_object()  # type: ignore[misc]
        record = record_by_id(
            ("retrieve", type(self), scope_of(view.request.user)),
            view.get_queryset,
            view.kwargs[view.lookup_url_kwarg or view.lookup_field],
        )
        if record is None:
            raise Http404
        view.check_object_permissions(view.request, record)
        return record

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        view: Any = self
        if not self.compiled_reads:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        try:
            rows = self._compiled_rows(request)
            page = view.paginate_queryset(rows)
        except NotCompilable:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        return view.get_paginated_response(view.get_serializer(page, many=True).data)

    def _compiled_rows(self, request: Any) -> CompiledList:
        view: Any = self
        model = view.filterset_class._meta.model
        unfiltered = model._default_manager.all()  # never run: it tells the filter set which model it filters
        filterset = DjangoFilterBackend().get_filterset(request, unfiltered, view)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)  # the same 400 as the filter backend's
        ordering = StableOrderingFilter().get_ordering(request, unfiltered, view)
        slots = Slots()
        stand_ins = {name: slots.take(value) for name, value in filterset.form.cleaned_data.items()}

        def build(which: int) -> QuerySet[Any]:
            cleaned = filterset.form.cleaned_data
            filterset.form.cleaned_data = {name: pair[which] for name, pair in stand_ins.items()}
            try:
                queryset = filterset.filter_queryset(view.get_queryset())
            finally:
                filterset.form.cleaned_data = cleaned
            return queryset.order_by(*ordering) if ordering else queryset

        key = (
            "list",
            type(self),
            scope_of(request.user),
            tuple(stand_ins),
            tuple(slots.shape),
            tuple(ordering or ()),
        )
        # Light records when the serializer reads columns only (its direct path), model instances otherwise.
        light = getattr(view.get_serializer_class(), "reads_columns", lambda: False)()
        return CompiledList(key, build, slots, light=light)
