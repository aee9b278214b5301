"""What the page layout needs to know about the signed-in person: which parts of the navigation apply to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agencies.selectors import scope_of
from audits.permissions import may_see_access_log


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(getattr(request, "user", None))
    return {
        "leads_an_agency": bool(scope.leads),
        "business_unit": bool(scope.business_unit),
        "sees_access_log": may_see_access_log(getattr(request, "user", None)),
    }
