"""Every API route × every role × an object about the lead's own agency, another agency, another partnership.

Expected: what a role may not see answers 404; what it may see but not change answers 403; what it may do
gets through (2xx, or a 400/409 about the input or the state, never 401/403/404/5xx). A completeness guard
fails when a route is added without a row here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from audits.api.urls import urlpatterns
from tests.api.conftest import Things, World, client_for

pytestmark = pytest.mark.django_db

ROLES = ["business_unit", "auditor", "lead", "board_member", "outsider"]
KINDS = ["own", "other", "foreign"]
EVERYONE = {role: {"own", "other"} for role in ROLES[:4]} | {"outsider": {"foreign"}}
CASEWORK = {"business_unit": {"own", "other"}, "auditor": {"own", "other"}, "lead": {"own"}, "outsider": {"foreign"}}
VISIBLE: dict[str, dict[str, set[str]]] = {
    "partnership": EVERYONE,
    # The lead's agency (own and foreign) serves both partnerships, so both see it; the other agency is ours only.
    "agency": {role: {"own", "other", "foreign"} for role in ROLES[:4]} | {"outsider": {"own", "foreign"}},
    "membership": EVERYONE,
    "theme": EVERYONE,
    "audit": EVERYONE | {"lead": {"own"}},
    "case": CASEWORK,
    "view": CASEWORK,
    "return": CASEWORK,
    "finding": CASEWORK,
    "concern": CASEWORK,
    "action": CASEWORK | {"board_member": {"own", "other"}},
    "summary": {**EVERYONE, "lead": set()},
}
RECORD = {"return": "agency_return"}

BU = {"business_unit"}
MANAGERS = {"business_unit", "auditor"}
WITH_LEAD = MANAGERS | {"lead"}


@dataclass
class Route:
    resource: str
    method: str
    # Roles that may make the change (the outsider counts as the business unit of its own partnership).
    allowed: set[str] = field(default_factory=set)
    body: Callable[[Things, int], dict[str, Any]] = lambda things, n: {}
    # A visible record with nothing to show yet (a briefing before approval) answers 404 too.
    expect_missing: bool = False


def _create(resource: str) -> Callable[[Things, int], dict[str, Any]]:
    bodies: dict[str, Callable[[Things, int], dict[str, Any]]] = {
        "theme": lambda t, n: {"partnership": t.partnership.pk, "slug": f"local-{n}", "name": f"Local {n}"},
        "audit": lambda t, n: {"partnership": t.partnership.pk, "reference": f"MACFA {900 + n}", "title": "Re-audit"},
        "case": lambda t, n: {
            "audit": t.audit.pk,
            "reference": f"C{500 + n}",
            "age_band": "5-11",
            "level_of_need": 3,
            "plan_type": "none",
            "agencies": [t.agency.pk],
        },
        "view": lambda t, n: {"case": t.case.pk, "speaker": "parent", "summary": "Felt listened to."},
        "return": lambda t, n: {"case": t.spare_case.pk, "agency": t.agency.pk, "good_practice": "Prompt."},
        "finding": lambda t, n: {
            "case": t.spare_case.pk,
            "agency": t.agency.pk,
            "theme": t.theme.pk,
            "kind": "strength",
            "grade": 2,
        },
        "action": lambda t, n: {
            "audit": t.audit.pk,
            "owner_agency": t.agency.pk,
            "description": "Refresh guidance.",
            "due_date": "2031-01-01",
        },
        "concern": lambda t, n: {"case": t.case.pk, "agency": t.agency.pk, "description": "Check registration."},
        "summary": lambda t, n: {
            "partnership": t.partnership.pk,
            "title": "Neglect",
            "themes": [t.theme.pk],
            "audits": [t.audit.pk],
        },
    }
    return bodies[resource]


ROUTES: dict[str, list[Route]] = {
    "partnership-list": [Route("partnership", "get")],
    "partnership-detail": [Route("partnership", "get")],
    "agency-list": [Route("agency", "get")],
    "agency-detail": [Route("agency", "get")],
    "membership-list": [Route("membership", "get")],
    "membership-detail": [Route("membership", "get")],
    "theme-list": [Route("theme", "get"), Route("theme", "post", BU, _create("theme"))],
    "theme-detail": [Route("theme", "get"), Route("theme", "patch", BU)],
    "audit-list": [Route("audit", "get"), Route("audit", "post", MANAGERS, _create("audit"))],
    "audit-detail": [Route("audit", "get"), Route("audit", "patch", MANAGERS)],
    "audit-move": [Route("audit", "post", MANAGERS, lambda t, n: {"status": "panel"})],
    "case-list": [Route("case", "get"), Route("case", "post", MANAGERS, _create("case"))],
    "case-detail": [Route("case", "get"), Route("case", "patch", MANAGERS)],
    "view-list": [Route("view", "get"), Route("view", "post", MANAGERS, _create("view"))],
    "view-detail": [Route("view", "get"), Route("view", "patch", MANAGERS)],
    "return-list": [Route("return", "get"), Route("return", "post", WITH_LEAD, _create("return"))],
    "return-detail": [Route("return", "get"), Route("return", "patch", WITH_LEAD)],
    "return-submit": [Route("return", "post", WITH_LEAD)],
    "finding-list": [Route("finding", "get"), Route("finding", "post", MANAGERS, _create("finding"))],
    "finding-detail": [Route("finding", "get"), Route("finding", "patch", MANAGERS)],
    "finding-moderate": [Route("finding", "post", MANAGERS, lambda t, n: {"grade": 2})],
    "finding-agree": [Route("finding", "post", MANAGERS)],
    "action-list": [Route("action", "get"), Route("action", "post", MANAGERS, _create("action"))],
    "action-detail": [Route("action", "get"), Route("action", "patch", MANAGERS)],
    "action-start": [Route("action", "post", WITH_LEAD, lambda t, n: {"note": "Started."})],
    "action-complete": [Route("action", "post", WITH_LEAD, lambda t, n: {"note": "Done."})],
    "action-verify": [Route("action", "post", MANAGERS)],
    "action-reopen": [Route("action", "post", MANAGERS, lambda t, n: {"note": "Not embedded."})],
    "action-updates": [Route("action", "get"), Route("action", "post", WITH_LEAD, lambda t, n: {"note": "Progress."})],
    # Walked with the action's id as the trail entry's, which has no evidence: 404 to all. Who may download evidence
    # (those who may read the action) is tested in tests/api/test_evidence.py.
    "action-update-evidence": [Route("action", "get", expect_missing=True)],
    "concern-list": [Route("concern", "get"), Route("concern", "post", MANAGERS, _create("concern"))],
    "concern-detail": [Route("concern", "get")],
    "concern-acknowledge": [Route("concern", "post", {"lead"})],
    "concern-close": [Route("concern", "post", WITH_LEAD, lambda t, n: {"outcome": "Registered with a GP."})],
    "concern-counts": [Route("concern", "get")],
    "summary-list": [Route("summary", "get"), Route("summary", "post", MANAGERS, _create("summary"))],
    "summary-detail": [Route("summary", "get"), Route("summary", "patch", MANAGERS)],
    "summary-compile": [Route("summary", "post", MANAGERS)],
    "summary-submit": [Route("summary", "post", MANAGERS)],
    "summary-publish": [Route("summary", "post", BU)],
    "summary-export": [Route("summary", "post", MANAGERS)],
    "summary-briefing": [Route("summary", "get", expect_missing=True)],
    "summary-reviews": [
        Route("summary", "get"),
        Route("summary", "post", {"board_member"}, lambda t, n: {"decision": "comment", "comment": "Clear."}),
    ],
}
# Every record's history is read by whoever may read the record (tests/api/test_history.py tests what it shows).
ROUTES |= {f"{resource}-history": [Route(resource, "get")] for resource in VISIBLE}
API_ROUTE_NAMES = {p.name for p in urlpatterns if p.name and p.name != "api-root"}


def test_every_api_route_is_in_the_matrix() -> None:
    assert set(ROUTES) == API_ROUTE_NAMES


def may_act(role: str, kind: str, route: Route) -> bool:
    acting_as = "business_unit" if role == "outsider" else role
    return acting_as in route.allowed


def call(world: World, name: str, route: Route, role: str, kind: str, n: int) -> int:
    things: Things = getattr(world, kind)
    record = getattr(things, RECORD.get(route.resource, route.resource))
    client = client_for(world.user(role))
    detail = not name.endswith("-list") and name != "concern-counts"
    args = [record.pk, "pdf"] if name == "summary-briefing" else [record.pk] if detail else []
    url = reverse(f"api:{name}", args=args)
    headers = {}
    if detail and route.method in ("patch", "post"):  # every change to a record carries the ETag its reader got
        read = client.get(reverse(f"api:{route.resource}-detail", args=[record.pk]))
        headers["HTTP_IF_MATCH"] = read.headers.get("ETag", "*")
    with transaction.atomic():
        response = getattr(client, route.method)(url, route.body(things, n), format="json", **headers)
        transaction.set_rollback(True)  # each request starts from the same world
    return response.status_code


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_design_says(world: World, name: str) -> None:
    failures = []
    counter = itertools.count()
    for route in ROUTES[name]:
        for role, kind in itertools.product(ROLES, KINDS):
            status = call(world, name, route, role, kind, next(counter))
            visible = kind in VISIBLE[route.resource].get(role, set())
            listing = name.endswith("-list") or name == "concern-counts"
            if status >= 500:
                expected = "no server error"
            elif listing and route.method == "get":
                expected = "200" if status != 200 else ""
            elif listing:  # create: allowed roles make it, in what they may see; nobody else does
                if visible and may_act(role, kind, route):
                    expected = "201" if status != 201 else ""
                else:
                    expected = "400 or 403" if status not in (400, 403) else ""
            elif not visible:
                expected = "404" if status != 404 else ""
            elif route.method == "get":
                wanted = 404 if route.expect_missing else 200
                expected = str(wanted) if status != wanted else ""
            elif may_act(role, kind, route):
                expected = "through" if status in (401, 403, 404, 405) else ""
            else:
                expected = "403" if status != 403 else ""
            if expected or status >= 500:
                failures.append(f"{route.method.upper()} {name} as {role} on {kind}: got {status}, expected {expected}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if n.endswith("-list")))
def test_lists_hold_exactly_what_each_role_may_see(world: World, name: str) -> None:
    resource = ROUTES[name][0].resource
    for role in ROLES:
        response = client_for(world.user(role)).get(reverse(f"api:{name}"), {"page_size": 100})
        listed = {row["id"] for row in response.json()["results"]}
        for kind in KINDS:
            record = getattr(getattr(world, kind), RECORD.get(resource, resource))
            visible = kind in VISIBLE[resource].get(role, set())
            assert (record.pk in listed) == visible, f"{name} as {role}: {kind} {'missing' if visible else 'leaked'}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_requests_get_401(world: World, name: str) -> None:
    detail = not name.endswith("-list") and name != "concern-counts"
    args = [1, "pdf"] if name == "summary-briefing" else [1] if detail else []
    response = client_for(None).get(reverse(f"api:{name}", args=args))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if n.endswith("-detail")))
def test_nothing_can_be_deleted(world: World, name: str) -> None:
    resource = ROUTES[name][0].resource
    record = getattr(world.own, RECORD.get(resource, resource))
    response = client_for(world.parties.business_unit).delete(reverse(f"api:{name}", args=[record.pk]))
    assert response.status_code == 405
