"""What the page layout needs to know about the signed-in person: which parts of the navigation apply to them, and
where the navigation's links go."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from agencies.selectors import scope_of
from audits.permissions import may_see_access_log

# The layout's links (templates/base.html): the same on every page, so reversed once per process, not a dozen times
# on every page.
LAYOUT_LINKS = {
    "home": "pages:home",
    "audits": "pages:audits",
    "returns": "pages:returns",
    "actions": "pages:actions",
    "concerns": "pages:concerns",
    "summaries": "pages:summaries",
    "access": "pages:access",
    "programme": "pages:programme",
    "people": "people:list",
    "logout": "logout",
    "api_docs": "api-docs",
}


@lru_cache(maxsize=8)
def layout_links(script_prefix: str) -> dict[str, str]:
    """The layout's links under the prefix the service is mounted at (reverse() reads it for this request)."""
    return {name: reverse(view) for name, view in LAYOUT_LINKS.items()}


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(getattr(request, "user", None))
    return {
        "leads_an_agency": bool(scope.leads),
        "business_unit": bool(scope.business_unit),
        "sees_access_log": may_see_access_log(getattr(request, "user", None)),
        "layout_links": layout_links(get_script_prefix()),
    }
