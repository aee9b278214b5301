"""What every API view shares: one error shape, pagination, and conditional updates (ETag / If-Match)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import IntegrityError, models
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from macfa.errors import ApplicationError, PreconditionFailed


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": ["message", ...]}, nested fields joined with dots."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else f"{prefix}{key}"
            flat.update(_flatten(value, f"{name}."))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, (Mapping, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}{index}."))
        return flat
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {prefix.rstrip(".") or "non_field_errors": messages}


def error_body(
    status_code: int, code: str, message: str, errors: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"status": status_code, "code": code, "message": message, "errors": errors or {}, **extra}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into the one shape: {"status", "code", "message", "errors": {field: [messages]}}."""
    if isinstance(exc, ApplicationError):
        errors = {exc.field: [exc.message]} if exc.field else {}
        code = {400: "invalid", 403: "permission_denied", 409: "conflict", 412: "precondition_failed"}.get(
            exc.status_code, "error"
        )
        return Response(error_body(exc.status_code, code, exc.message, errors, **exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, IntegrityError):
        message = "This change conflicts with another record; reload and try again."
        return Response(error_body(409, "conflict", message), status=409)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            response.status_code, "invalid", "Some of the input is not valid; see errors.", _flatten(exc.detail)
        )
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (list, dict)) else "The request could not be completed."
        body = error_body(
            response.status_code, exc.get_codes() if isinstance(exc.get_codes(), str) else "error", message
        )
    response.data = body
    return response


# A list's `count` is exact up to this many records; above it `count` is this number and `count_exact` is false
# (docs/api.md). Counting every row of a national-size list costs more than the page itself.
COUNT_EXACT_UP_TO = 10_000
MAX_OFFSET = 2**62  # a page starting further on than this is empty (an OFFSET must fit PostgreSQL's bigint)


class BoundedCountPaginator(Paginator):
    """Django's paginator, counting at most ``count_limit`` + 1 rows.

    Up to the limit nothing changes. Above it, ``count`` is the limit, and a page is still served by its number:
    it exists if it has rows, and it has a next page if one more row follows it (one extra row read, no count).
    """

    count_limit = COUNT_EXACT_UP_TO
    count_exact = True

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        limit = self.count_limit
        bounded = rows.order_by()[: limit + 1].count() if isinstance(rows, QuerySet) else len(rows)
        self.count_exact = bounded <= limit
        return min(bounded, limit)

    def is_exact(self) -> bool:
        """Whether ``count`` is the true number of rows (counting them, at most the limit + 1, if not yet done)."""
        return self.count >= 0 and self.count_exact

    def validate_number(self, number: Any) -> int:
        if self.is_exact():
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if (number - 1) * self.per_page > MAX_OFFSET:  # past any list's end, and past what PostgreSQL can skip
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if self.is_exact():
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage("That page contains no results")
        return OpenEndedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class OpenEndedPage(Page):
    """A page of a list too long to count: whether a next page exists is known from the extra row read."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator, *, has_more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": not isinstance(paginator, BoundedCountPaginator) or paginator.is_exact(),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"How many records match: exact up to {COUNT_EXACT_UP_TO:,}; above that, {COUNT_EXACT_UP_TO:,} "
            "(see count_exact)."
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": f"False when more than {COUNT_EXACT_UP_TO:,} records match and count is capped; "
                "follow `next` to read on.",
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        response["required"] = ["count", "count_exact", "results"]
        return response


def etag_of(obj: models.Model) -> str:
    """A strong validator that changes whenever the record is saved."""
    stamp = getattr(obj, "updated_at", None)
    raw = f"{obj._meta.label}:{obj.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag from your last read of this record, so no one's change is lost."
    default_code = "precondition_required"


def require_if_match(request: Request, obj: models.Model) -> None:
    """The second of two people changing the same record gets 412 instead of overwriting the first.

    If-Match compares strongly (RFC 9110 §13.1.1): a weak tag (W/"…") never matches, and "*" is not enough,
    so only the exact current ETag lets the change through.
    """
    header = request.headers.get("If-Match")
    tags = {tag.strip() for tag in (header or "").split(",")} - {"", "*"}
    if not tags:  # "*" would match whatever is there now, which is exactly the lost update this prevents
        raise PreconditionRequired()
    if etag_of(obj) not in tags:
        raise PreconditionFailed(
            "This record has changed since you read it. Reload it, check the changes, and try again.",
            field=None,
        )


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has this shape.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "code": {"type": "string", "description": "A stable code, e.g. invalid, not_found, conflict."},
        "message": {"type": "string", "description": "What went wrong, for a person."},
        "errors": {
            "type": "object",
            "description": "A list of messages per field (non_field_errors for the request as a whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "allowed": {"type": "array", "items": {"type": "string"}, "description": "On 409: the moves allowed now."},
        "current": {"type": "string"},
        "requested": {"type": "string"},
    },
    "required": ["status", "code", "message", "errors"],
}
ERROR_RESPONSES = {
    "400": "Invalid input: a message per field in `errors`.",
    "401": "No or bad credentials.",
    "403": "You can see this record but may not make this change.",
    "404": "No such record among those you may see.",
    "405": "Method not allowed.",
    "409": "The record's state does not allow this; `allowed` lists the moves that are.",
    "412": "The record changed since you read it (If-Match did not match its ETag).",
    "415": "Unsupported media type.",
    "428": "Send If-Match with the ETag from your last read.",
    "429": "Too many requests; try again later.",
    "503": "The database is not answering; nothing was changed. Try again after Retry-After seconds.",
}


IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag from your last read of this record (compared strongly: a weak W/ tag never matches).",
}
# Adding a note or evidence to an action's trail changes nothing anyone else wrote, so it needs no If-Match.
UNCONDITIONAL_POSTS = ("/updates/",)


def is_conditional(path: str, method: str) -> bool:
    """Every change to an existing record: edits, and each workflow move on a record's own URL."""
    if method in {"put", "patch"}:
        return True
    return method == "post" and "{id}" in path and not path.endswith(UNCONDITIONAL_POSTS)


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: give every API operation the one error shape for every error status."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["400", "401", "403", "404", "405", "415", "429", "503"]
            if is_conditional(path, method):
                wanted += ["409", "412", "428"]
                operation.setdefault("parameters", []).append(IF_MATCH_PARAMETER)
            elif method == "post":
                wanted += ["409"]
            for code in wanted:
                responses[code] = {"description": ERROR_RESPONSES[code], "content": error}
    return result
