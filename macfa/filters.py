"""Filters shared by the API's apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet


def scoped(selector: Callable[[Any], QuerySet[Any]], field_name: str | None = None, **kwargs: Any) -> Any:
    """A filter by id whose choices are what the user may see: an id outside them is a 400 on the parameter."""

    def choices(request: Any) -> QuerySet[Any]:
        return selector(request.user) if request is not None else selector(None).none()

    # DISTINCT only where the path crosses a many-to-many relation (the caller says so): it costs a sort of every row.
    kwargs.setdefault("distinct", False)
    return django_filters.ModelChoiceFilter(queryset=choices, field_name=field_name, **kwargs)
