"""Related fields whose choices are what the requesting user may see, so an id out of scope is a 400 on its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
