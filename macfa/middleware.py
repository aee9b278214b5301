from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ForgetScopeMiddleware:
    """The actor's scope is cached on the user object for one request (agencies.selectors.scope_of).

    A user object can outlive a request (test clients, long-lived workers), so the cache is dropped when the
    request ends and a membership change is seen by the very next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            user = getattr(request, "user", None)
            if user is not None and "_macfa_scope" in getattr(user, "__dict__", {}):
                del user.__dict__["_macfa_scope"]
