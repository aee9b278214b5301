"""Error pages: API paths answer in the API's one error shape, everything else gets the ordinary page."""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from macfa.api import error_body
from macfa.faults import database_unavailable, is_database_fault


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            message = "The request body is too large."
            return JsonResponse(error_body(413, "too_large", message), status=413)
        return JsonResponse(error_body(400, "bad_request", "The request could not be read."), status=400)
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(404, "not_found", "No such API endpoint or record."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_database_fault(sys.exc_info()[1]):  # raised in a middleware (the session, the user): 503, as from a view
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        message = "Something went wrong on our side. Nothing was changed; try again, and report it if it persists."
        return JsonResponse(error_body(500, "server_error", message), status=500)
    return defaults.server_error(request)
