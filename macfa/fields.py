"""Related fields whose choices are what the requesting user may see, so an id out of scope is a 400 on its field."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from rest_framework import serializers


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No such record among those you can use (id {pk_value}).",
        "incorrect_type": "Give the record's id as a whole number, not {data_type}.",
    }

    def __init__(self, *, selector: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        return self.selector(request.user if request else None)


# No date a person gives the service (a due date, an audit's or a summary's dates) is before 2000 or after 2100:
# outside that it is a typing slip (9999 for 2025), and it would sort to the end of every list and never fall due.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def require_dates_in_range(record: Any, *fields: str) -> None:
    """The services' check of the same bound, so pages, the admin and commands refuse what the API refuses."""
    from macfa.errors import ApplicationError

    for name in fields:
        value = getattr(record, name, None)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ApplicationError(
                f"Give a date between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}.", field=name
            )


class BoundedDateField(serializers.DateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = f"Give a date between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}."
        self.validators += [MinValueValidator(EARLIEST_DATE, message), MaxValueValidator(LATEST_DATE, message)]
