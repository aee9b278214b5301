"""Filters shared by the API's apps."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField as _IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.widgets import BooleanWidget


def scoped(selector: Callable[[Any], QuerySet[Any]], field_name: str | None = None, **kwargs: Any) -> Any:
    """A filter by id whose choices are what the user may see: an id outside them is a 400 on the parameter."""

    def choices(request: Any) -> QuerySet[Any]:
        return selector(request.user) if request is not None else selector(None).none()

    # DISTINCT only where the path crosses a many-to-many relation (the caller says so): it costs a sort of every row.
    kwargs.setdefault("distinct", False)
    return django_filters.ModelChoiceFilter(queryset=choices, field_name=field_name, **kwargs)


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
