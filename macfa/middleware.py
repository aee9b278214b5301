from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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


# Nothing in the service needs a device or payment feature, so no page (or anything it frames) may ask for one.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """A Permissions-Policy on every response; no-store on the API and on every page a signed-in person sees.

    Pages and the API show case data, which must not stay in a browser's or a shared proxy's cache after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True)
        return response
