"""Querysets compiled to SQL once and run again with new values: the ORM's fixed cost paid once per shape.

Building a scoped queryset and compiling it to SQL is most of the Python time of reading one record through the API
(about 0.7 ms of a 1 ms read, against 0.2 ms in PostgreSQL). The SQL depends only on the queryset's shape and the
values in it, so a hot read is compiled once with stand-in values where the request's own values go — a record's id,
a token's key, a filter's choices — and later requests run the same SQL with their values in those places.

Where a value goes is found by compiling twice, with two different stand-ins for each value: the parameters that
differ, and only those, are the values' places, each matched to its own pair. Any other outcome (a value the ORM
transforms, such as a search's ``%text%``, a value used twice, a different SQL text) is ``NotCompilable``, and the
caller reads as before.

The key of a compiled statement must name everything its queryset depends on besides those values: for a selector,
the actor's ``Scope`` (the memberships read fresh on every request), so a role given or taken away is a new key,
never a stale statement. The queryset still comes from the selector: the scope rule stays in one place.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet

MAX_STATEMENTS = 2_048  # distinct scopes times reads kept per process; past it the cache starts again
_NUMBER = 32_000  # stand-ins for numbers count down from here: in range even for a small-integer column
_TEXT = "\x00stand-in "  # PostgreSQL text never holds NUL, so no real value equals a text stand-in


class NotCompilable(Exception):
    """This queryset's values cannot be put back into its SQL by position."""


class Slots:
    """A request's values, and for each two stand-ins of the type the ORM will turn it into (A and B).

    ``take(value)`` remembers the value and gives it back as two versions, with the A and the B stand-ins in its
    places; ``shape`` is what the SQL text depends on besides them (how many values a list holds, True or False,
    an empty value).
    """

    def __init__(self) -> None:
        self.pairs: list[tuple[Any, Any]] = []
        self.values: list[Any] = []
        self.shape: list[Any] = []

    def take(self, value: Any) -> tuple[Any, Any]:
        if value is None or value == "" or isinstance(value, bool):
            self.shape.append(value)
            return value, value
        if isinstance(value, (list, tuple)):
            self.shape.append(("list", len(value)))
            pairs = [self.take(item) for item in value]
            return type(value)(a for a, _ in pairs), type(value)(b for _, b in pairs)
        a = _NUMBER - 2 * len(self.pairs)
        b = a - 1
        stand_ins: tuple[Any, Any]
        if isinstance(value, Model):
            self.shape.append(("record", value._meta.label))
            stand_ins = type(value)(pk=a), type(value)(pk=b)
            self.pairs.append((a, b))
            value = value.pk
        elif isinstance(value, int):
            self.shape.append("number")
            stand_ins = a, b
            self.pairs.append(stand_ins)
        elif isinstance(value, str) and value.isdigit():
            self.shape.append("digits")  # a choice of a number column: the ORM makes it a number
            stand_ins = str(a), str(b)
            self.pairs.append(stand_ins)
        elif isinstance(value, str):
            self.shape.append("text")
            stand_ins = f"{_TEXT}{a}", f"{_TEXT}{b}"
            self.pairs.append(stand_ins)
        else:
            raise NotCompilable(f"a {type(value).__name__} value")
        self.values.append(value)
        return stand_ins


def one_value(value: Any) -> Slots:
    slots = Slots()
    slots.take(value)
    return slots


@dataclass(frozen=True)
class Statement:
    model: type[Model]
    db: str
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, type], ...]  # for each value in order: where in params it goes, and as what type
    columns: tuple[str, ...]  # the model's attnames, in the order the SQL selects them (instances only)
    # The backend's converters by column, as the ORM applies them (SQLite's date-times; none on PostgreSQL here).
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...] = ()

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        params = list(self.params)
        for (at, kind), value in zip(self.places, values, strict=True):
            params[at] = kind(value)
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            cells = list(row)
            for at, functions, expression in self.converters:
                for convert in functions:
                    cells[at] = convert(cells[at], expression, connection)
            converted.append(tuple(cells))
        return converted

    def instances(self, *values: Any) -> list[Model]:
        if not self.columns:
            raise NotCompilable("only a queryset of whole records (no select_related, annotations or values)")
        return [self.model.from_db(self.db, self.columns, row) for row in self.rows(*values)]

    def records(self, *values: Any) -> list[Any]:
        """Rows as light records: the model's attribute names (and ``pk``) without making model instances.

        For a reader that only reads columns (a serializer's direct path): making 100 model instances was a tenth
        of a list page.
        """
        if not self.columns:
            raise NotCompilable("only a queryset of whole records (no select_related, annotations or values)")
        make = _record_type(self.model, self.columns)
        return [make(*row) for row in self.rows(*values)]


@functools.cache
def _record_type(model: type[Model], columns: tuple[str, ...]) -> Any:
    pk = model._meta.pk.attname
    return type(
        f"{model.__name__}Row",
        (collections.namedtuple(f"{model.__name__}Columns", columns),),
        {"__slots__": (), "pk": property(lambda row: getattr(row, pk)), "_meta": model._meta},
    )


_statements: dict[Hashable, Statement | NotCompilable | None] = {}


def compiled(
    key: Hashable,
    build: Callable[[int], QuerySet[Any]],
    slots: Slots,
    wrap: Callable[[str], str] | None = None,
) -> Statement | None:
    """The statement for ``key``, compiling ``build(0)`` and ``build(1)`` the first time; None if it matches nothing.

    ``build(0)`` must use the A stand-ins ``slots`` gave, ``build(1)`` the B ones. ``wrap`` rewrites the compiled
    SQL around itself (a bounded count around a list's query). NotCompilable is remembered for the key too.
    """
    try:
        found = _statements[key]
    except KeyError:
        found = _compile(build, slots.pairs, wrap)
        if len(_statements) >= MAX_STATEMENTS:
            _statements.clear()
        _statements[key] = found
    if isinstance(found, NotCompilable):
        raise found
    return found


def record_by_id(key: Hashable, queryset: Callable[[], QuerySet[Any]], value: Any) -> Model | None:
    """The record with this id among ``queryset()``'s, read by a statement compiled once under ``key``; None if there
    is none, or the value is no id a record can have (not a whole number, or beyond a bigint, as Django answers)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    slots = one_value(pk)
    statement = compiled(key, lambda which: queryset().filter(pk=slots.pairs[0][which]).order_by(), slots)
    found = statement.instances(pk) if statement is not None else []
    return found[0] if found else None


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...], Any] | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params), compiler


def _compile(
    build: Callable[[int], QuerySet[Any]], pairs: list[tuple[Any, Any]], wrap: Callable[[str], str] | None
) -> Statement | NotCompilable | None:
    queryset = build(0)
    first, second = _sql(queryset), _sql(build(1))
    if first is None and second is None:
        return None
    if first is None or second is None or first[0] != second[0] or len(first[1]) != len(second[1]):
        return NotCompilable("the two stand-ins gave different SQL")
    sql, params, compiler = first
    differing = [at for at, (a, b) in enumerate(zip(params, second[1], strict=True)) if a != b]
    places = []
    for a, b in pairs:
        matches = [at for at in differing if _stands_for(params[at], a) and _stands_for(second[1][at], b)]
        if len(matches) != 1:
            return NotCompilable(f"a value comes out as {len(matches)} parameters, not one")
        places.append((matches[0], type(params[matches[0]])))
    if len(differing) != len(pairs):
        return NotCompilable("a parameter changed that is no value of the request")
    query = queryset.query
    whole_records = (
        query.default_cols
        and not query.select_related
        and not query.annotation_select
        and not query.extra_select
        and query.deferred_loading == (frozenset(), True)
        and not getattr(queryset, "_prefetch_related_lookups", ())
    )
    columns = tuple(field.attname for field in queryset.model._meta.concrete_fields) if whole_records else ()
    if wrap:  # a count around the query: one number, no converters
        return Statement(queryset.model, queryset.db, wrap(sql), params, tuple(places), ())
    found = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    converters = tuple((at, tuple(functions), expression) for at, (functions, expression) in found.items())
    return Statement(queryset.model, queryset.db, sql, params, tuple(places), columns, converters)


def _stands_for(param: Any, stand_in: Any) -> bool:
    """Whether a compiled parameter is this stand-in, as it is or as the number a digit string became.

    A number may come out as an int subclass (psycopg's ``Int2`` for a small-integer column), kept as the type.
    """
    if isinstance(param, bool):
        return False
    if isinstance(stand_in, str) and not stand_in.isdigit():
        return type(param) is str and param == stand_in
    return isinstance(param, (int, str)) and str(param) == str(stand_in)


def forget_all() -> None:
    """Drop every compiled statement (tests that change the schema or the settings a query depends on)."""
    _statements.clear()
