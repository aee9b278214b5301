"""What every API view shares: one error shape, pagination, and conditional updates (ETag / If-Match)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
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


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


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
    """The second of two people editing the same record gets 412 instead of overwriting the first."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in tags and etag_of(obj) not in tags:
        raise PreconditionFailed(
            "This record has changed since you read it. Reload it, check the changes, and try again.",
            field=None,
        )
