"""What the page layout needs to know about the signed-in person: which parts of the navigation apply to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agencies.selectors import scope_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(getattr(request, "user", None))
    return {"leads_an_agency": bool(scope.leads)}
