"""``GET /api/v1/<resource>/{id}/history/``: the record's history, to those who may read the record.

The record comes from the viewset's own ``get_object()``, so its selector scopes the history exactly as it scopes
the record (a record the reader may not see answers 404). History is read-only: the action takes GET alone.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from audits.history import history_of
from audits.permissions import may_read_history

# "from" is a Python keyword, so the change serializer is built from a dict of fields.
FieldChangeSerializer = type(
    "FieldChangeSerializer",
    (serializers.Serializer,),
    {
        "field": serializers.CharField(help_text="The field's name, as in the record's own representation."),
        "label": serializers.CharField(help_text="The field's name in words."),
        "from": serializers.CharField(source="before", allow_null=True, help_text="The value before, in words."),
        "to": serializers.CharField(source="after", allow_null=True, help_text="The value after, in words."),
    },
)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="Who made the change: a person's name, or the service for automatic work.")
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    record = serializers.CharField(help_text="The record the entry is about: this one, or an entry of its trail.")
    description = serializers.CharField(help_text="The entry in plain words; a status move is named as a move.")
    changes = FieldChangeSerializer(many=True)


class HistoryMixin:
    """Adds the read-only ``history`` action to a viewset whose ``get_object()`` is scoped by its selector."""

    @extend_schema(request=None, responses={200: HistoryEntrySerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what and when, newest first: the record's own history and its trail's."""
        record = self.get_object()  # type: ignore[attr-defined]
        if not may_read_history(request.user, record):
            raise NotFound()
        entries = history_of(record, reader=request.user)
        page = self.paginate_queryset(entries)  # type: ignore[attr-defined]
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)  # type: ignore[attr-defined]
