"""Filters shared by the API's apps."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField as _IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.widgets import BooleanWidget
from rest_framework.filters import OrderingFilter

from agencies.selectors import scope_of
from macfa.statements import NotCompilable, record_by_id


def scoped(selector: Callable[[Any], QuerySet[Any]], field_name: str | None = None, **kwargs: Any) -> Any:
    """A filter by id whose choices are what the user may see: an id outside them is a 400 on the parameter."""

    def choices(request: Any) -> QuerySet[Any]:
        return selector(request.user) if request is not None else selector(None).none()

    # DISTINCT only where the path crosses a many-to-many relation (the caller says so): it costs a sort of every row.
    kwargs.setdefault("distinct", False)
    return ScopedModelChoiceFilter(queryset=choices, selector=selector, field_name=field_name, **kwargs)


class ScopedChoiceField(django_filters.fields.ModelChoiceField):
    """Checks the id it is given with a statement compiled once per scope (macfa.statements), not a query built for
    each request; the same record, or the same "Select a valid choice" error, as Django's ModelChoiceField."""

    def __init__(self, *args: Any, selector: Callable[[Any], QuerySet[Any]], actor: Any, **kwargs: Any) -> None:
        self.selector, self.actor = selector, actor
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if (
            value in self.empty_values
            or self.to_field_name
            or (self.null_label is not None and value == self.null_value)
            or not getattr(self.actor, "is_authenticated", False)
        ):
            return super().to_python(value)
        selector, actor = self.selector, self.actor
        try:
            found = record_by_id(
                ("choice", selector, scope_of(actor)), lambda: selector(actor).select_related(None), value
            )
        except NotCompilable:
            return super().to_python(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return found


class ScopedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ScopedChoiceField

    def __init__(self, *args: Any, selector: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> Any:
        self.extra["selector"] = self.selector
        self.extra["actor"] = getattr(self.get_request(), "user", None)
        return super().field


class StableOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=``, with the record's id after the fields asked for: ordering by a field many records share
    (a grade) would otherwise leave ties in whatever order PostgreSQL finds them, and pages would repeat and skip
    records."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


class StrictBooleanWidget(BooleanWidget):
    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)  # the word as sent: the field decides, where BooleanWidget turns "yes" into no filter


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is a 400 on the parameter rather than no filter at all."""

    widget = StrictBooleanWidget

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # the stubs forget None
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        answer = {"true": True, "1": True, "false": False, "0": False}.get(str(value).lower())
        if answer is None:
            raise ValidationError("Give true or false.", code="invalid")
        return answer


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


# The largest offset anyone uses is +14:00; ±18:00 is the ISO 8601 / JSON Schema convention.
MAX_UTC_OFFSET = datetime.timedelta(hours=18)


class UtcIsoDateTimeField(_IsoDateTimeField):
    """An ISO 8601 date-time, handed on in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError("The UTC offset must be between -18:00 and +18:00.", code="invalid")
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Give a date and time between years 1 and 9999.", code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class FilterSet(django_filters.FilterSet):
    """The base of every API FilterSet: a boolean model field is filtered strictly, like BooleanFilter."""

    FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS, models.BooleanField: {"filter_class": BooleanFilter}}
