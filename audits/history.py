"""A record's history, read for one person: who changed what, when, in words.

django-simple-history writes the rows (every save, delete and many-to-many change, in the change's own transaction);
this module reads them back for the API's ``/history/`` action and the history pages. The caller passes a record it
has already fetched through the record's own selector, so whoever reads a history may read the record itself, its
narrative fields included. A record's trail of smaller records (a case's factors, a return's self-grades, an
action's updates, a summary's reviews) is shown in its history too, each as its own entry.

Two things are filtered for the reader rather than by the record: the people named (someone outside the reader's
partnerships is not named) and, for a shared agency, the partnerships it serves (only the reader's are shown).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Model, QuerySet

from agencies.models import Agency, Membership
from agencies.selectors import Scope, scope_of

CHANGE_WORDS = {"+": "created", "~": "changed", "-": "deleted"}
# Stamps every save moves: they say when, which the entry already does.
UNSHOWN_FIELDS = {"id", "updated_at", "created_at", "recorded_at"}
# A summary's compiled figures: exact counts, which only the business unit and auditors may read (the summary's own
# page shows each reader the figures they may see), and unreadable as a diff anyway. "compiled_at" says when.
UNSHOWN_FIELDS |= {"content"}
NOBODY = "MACFA service"  # a task or a command with no person behind it
STRANGER = "Someone outside your partnerships"
OPERATOR = "A service operator"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    by: str
    change: str  # "created", "changed" or "deleted"
    record: str  # what the entry is about: the record itself or one of its trail
    description: str  # the entry in plain words, a status move named as such
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class Trail:
    """Smaller records shown in their parent's history: the model, its key to the parent, and a name for one."""

    model: type[Model]
    parent_field: str
    noun: str
    visible: Callable[[Any], QuerySet[Any]] | None = None  # a selector, when the reader may not see them all


def _trails(model: type[Model]) -> list[Trail]:
    from audits.models import (
        Action,
        ActionUpdate,
        AgencyReturn,
        Case,
        CaseFactor,
        LearningSummary,
        ReturnGrade,
        SummaryReview,
    )
    from audits.selectors import summary_reviews_for

    return {
        Case: [Trail(CaseFactor, "case_id", "Factor")],
        AgencyReturn: [Trail(ReturnGrade, "agency_return_id", "Self-grade")],
        Action: [Trail(ActionUpdate, "action_id", "Update")],
        LearningSummary: [Trail(SummaryReview, "summary_id", "Review", visible=summary_reviews_for)],
    }.get(model, [])


def history_of(record: Model, *, reader: Any) -> list[HistoryEntry]:
    """Every entry of the record's history and its trail's, newest first, as ``reader`` may see them."""
    reading = _Reading(scope_of(reader))
    reading.record_names[(type(record), record.pk)] = str(record)
    pairs = _pairs(type(record), {"id": record.pk}, reading, record_name=None)
    for trail in _trails(type(record)):
        rows_filter: dict[str, Any] = {trail.parent_field: record.pk}
        if trail.visible is not None:
            rows_filter["id__in"] = list(trail.visible(reader).filter(**rows_filter).values_list("pk", flat=True))
        pairs += _pairs(trail.model, rows_filter, reading, record_name=trail.noun)
    pairs.sort(key=lambda pair: (pair.row.history_date, pair.row.history_id), reverse=True)
    return [entry for entry in (reading.entry(pair) for pair in pairs) if entry is not None]


@dataclass
class _Pair:
    row: Any
    previous: Any | None
    record_name: str | None
    m2m: dict[str, dict[int, list[int]]]  # field → history id → related ids


def _pairs(model: type[Model], rows_filter: dict[str, Any], reading: _Reading, record_name: str | None) -> list[_Pair]:
    """Each history row with the one before it of the same record: one query, plus one per many-to-many field."""
    history_model = model.history.model  # type: ignore[attr-defined]
    rows = list(history_model.objects.filter(**rows_filter).order_by("history_date", "history_id"))
    reading.remember_users(row.history_user_id for row in rows)
    m2m: dict[str, dict[int, list[int]]] = {}
    for m2m_field in history_model._history_m2m_fields:
        m2m_history = getattr(history_model, m2m_field.name).model
        target = m2m_field.m2m_reverse_field_name()
        by_row: dict[int, list[int]] = defaultdict(list)
        through_rows = m2m_history.objects.filter(history__in=[row.history_id for row in rows])
        for history_id, related_id in through_rows.values_list("history_id", f"{target}_id"):
            by_row[history_id].append(related_id)
        m2m[m2m_field.name] = by_row
    previous_of: dict[Any, Any] = {}
    pairs = []
    for row in rows:
        pairs.append(_Pair(row, previous_of.get(row.id), record_name, m2m))
        previous_of[row.id] = row
    return pairs


def people_named_for(reader: Any, user_ids: Iterable[int | None]) -> dict[int, str]:
    """How each of these people is named to the reader: colleagues (and everyone, for an operator) by name, anyone
    else as "Someone outside your partnerships" or "A service operator". For history shown by other doors (admin)."""
    reading = _Reading(scope_of(reader))
    reading.remember_users(user_ids)
    return {pk: reading.person(pk) for pk in reading.user_ids}


class _Reading:
    """One reader's view: names of people and records, resolved in bulk and filtered for the reader."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.user_ids: set[int] = set()
        self._people: dict[int, str] | None = None
        self.record_names: dict[tuple[type[Model], Any], str] = {}

    def remember_users(self, ids: Iterable[int | None]) -> None:
        new = {pk for pk in ids if pk is not None} - self.user_ids
        if new:
            self.user_ids |= new
            self._people = None

    def person(self, user_id: int | None) -> str:
        if user_id is None:
            return NOBODY
        if self._people is None:
            self._people = self._load_people()
        return self._people.get(user_id, STRANGER)

    def _load_people(self) -> dict[int, str]:
        """Names of the people the reader works with (everyone's, for an operator); others stay unnamed."""
        users = get_user_model().objects.filter(pk__in=self.user_ids)
        colleagues = set(
            Membership.objects.filter(
                user_id__in=self.user_ids, partnership_id__in=self.scope.partnerships
            ).values_list("user_id", flat=True)
        )
        if self.scope.user_id is not None:
            colleagues.add(self.scope.user_id)
        people = {}
        for user in users:
            if self.scope.superuser or user.pk in colleagues:
                people[user.pk] = user.get_full_name() or user.get_username()
            else:
                people[user.pk] = OPERATOR if user.is_superuser else STRANGER
        return people

    def entry(self, pair: _Pair) -> HistoryEntry | None:
        row, previous = pair.row, pair.previous
        model = row.instance_type
        change = CHANGE_WORDS[row.history_type]
        changes: list[FieldChange]
        if row.history_type == "-":
            changes = []
        else:
            changes = self._changes(model, row, previous, pair.m2m)
            if row.history_type == "~" and not changes:
                return None  # a save that changed nothing the reader is shown
        key = (model, row.id)
        if key not in self.record_names:
            self.record_names[key] = str(row.instance)  # once per record: a name may read related records
        name = self.record_names[key] if pair.record_name is None else f"{pair.record_name}: {self.record_names[key]}"
        return HistoryEntry(
            at=row.history_date,
            by=self.person(row.history_user_id),
            change=change,
            record=name,
            description=_describe(model, change, changes, pair.record_name),
            changes=changes,
        )

    def _changes(
        self, model: type[Model], row: Any, previous: Any, m2m: dict[str, dict[int, list[int]]]
    ) -> list[FieldChange]:
        plain = [
            f.name for f in row.tracked_fields if f.editable and f.name not in UNSHOWN_FIELDS and f.name not in m2m
        ]
        if previous is None:
            pairs = [(name, None, getattr(row, _attname(model, name))) for name in plain]
        else:
            delta = row.diff_against(previous, included_fields=plain)
            pairs = [(c.field, c.old, c.new) for c in delta.changes]
        changes = []
        for name, before, after in pairs:
            model_field: Any = model._meta.get_field(name)
            shown = FieldChange(
                field=name,
                label=str(model_field.verbose_name),
                before=self._value(model_field, before),
                after=self._value(model_field, after),
            )
            if shown.before != shown.after:
                changes.append(shown)
        for name, by_row in m2m.items():
            before_ids = set(by_row.get(previous.history_id, [])) if previous is not None else set()
            after_ids = set(by_row.get(row.history_id, []))
            m2m_field: Any = model._meta.get_field(name)
            before_ids, after_ids = (
                self._visible_related(model, name, before_ids),
                self._visible_related(model, name, after_ids),
            )
            if before_ids != after_ids:
                names = self._names(m2m_field.related_model, before_ids | after_ids)
                changes.append(
                    FieldChange(
                        field=name,
                        label=str(m2m_field.verbose_name),
                        before=_listed(names, before_ids) if previous is not None else None,
                        after=_listed(names, after_ids),
                    )
                )
        return sorted(changes, key=lambda c: c.field)

    def _visible_related(self, model: type[Model], name: str, ids: set[int]) -> set[int]:
        """A shared agency serves other partnerships too: the reader is shown only their own."""
        if model is Agency and name == "partnerships" and not self.scope.superuser:
            return ids & set(self.scope.partnerships)
        return ids

    def _names(self, related: Any, ids: set[int]) -> dict[int, str]:
        if related is get_user_model():
            self.remember_users(ids)
            return {pk: self.person(pk) for pk in ids}
        found = related._default_manager.in_bulk(ids)
        return {pk: str(found[pk]) if pk in found else f"#{pk} (deleted)" for pk in ids}

    def _value(self, model_field: Any, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if model_field.is_relation:
            return self._names(model_field.related_model, {value})[value]
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return "Yes" if value else "No"
        if isinstance(model_field, models.JSONField):
            return "(figures recorded)" if value else None
        if isinstance(model_field, models.FileField):
            return "(a file)" if value else None
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()
        return str(value)


def _attname(model: type[Model], name: str) -> str:
    field: Any = model._meta.get_field(name)
    return str(field.attname)


def _listed(names: dict[int, str], ids: set[int]) -> str | None:
    return ", ".join(sorted(names[pk] for pk in ids)) or None


def _describe(model: type[Model], change: str, changes: list[FieldChange], record_name: str | None) -> str:
    """The entry in a sentence; a status move is named as a move."""
    noun = str(record_name or model._meta.verbose_name).capitalize()
    if change != "changed":
        return f"{noun} {change}."
    status = next((c for c in changes if c.field == "status"), None)
    if status is not None:
        others = [c.label for c in changes if c.field != "status"]
        also = f" ({', '.join(others)} also changed)" if others else ""
        return f"Moved from {(status.before or 'none').lower()} to {(status.after or 'none').lower()}{also}."
    return f"Changed: {', '.join(c.label for c in changes)}."
