"""Reads compiled once per scope (audits.api.compiled, macfa.statements) answer exactly as the ORM's own path.

Every role of both partnerships asks every list with many filter combinations, and every record by id; the answer
(status, body, ETag) must be the same with the compiled reads on and off. A role taken away must show in the very
next request, through a real API token.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Membership
from audits.api import views
from macfa import statements
from tests.api.conftest import World, client_for

pytestmark = pytest.mark.django_db

ROLES = [
    "business_unit",
    "auditor",
    "lead",
    "other_lead",
    "board_member",
    "outsider",
    "outsider_auditor",
    "outsider_lead",
]
COMPILED = [views.FindingViewSet, views.ChildFamilyViewViewSet, views.ConcernViewSet]


def answer(client: APIClient, url: str, *, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        for viewset in COMPILED:
            patch.setattr(viewset, "compiled_reads", compiled)
        response = client.get(url)
    body = response.json() if response.content else None
    return response.status_code, body, response.headers.get("ETag")


def finding_queries(world: World) -> list[str]:
    own, other, foreign = world.own, world.other, world.foreign
    return [
        "",
        f"theme={own.theme.pk}",
        f"theme={foreign.theme.pk}",  # another partnership's theme: 400 for this partnership's people
        f"theme={own.theme.pk}&grade=2",
        "grade=2",
        "grade=2&grade=3",
        "grade=1&grade=2&grade=3&grade=4",  # every grade: django-filter filters nothing, so the SQL differs
        "self_grade=2",
        f"agency={own.agency.pk}",
        f"agency={other.agency.pk}&theme={other.theme.pk}",
        f"case={own.case.pk}",
        f"case={foreign.case.pk}",
        f"audit={own.audit.pk}&theme={own.theme.pk}",
        f"partnership={own.partnership.pk}",
        "kind=strength",
        "agreed=true",
        "agreed=false",
        "multi_agency=true",
        "search=case",  # a search is wrapped in %…%: read through the ORM as before
        "ordering=-grade",
        "ordering=created_at&grade=2",
        "page_size=1",
        "page_size=1&page=2",
        "page=99",
        "page=0",
        "page=abc",
        "theme=abc",
        "theme=99999999999999999999999",
        "grade=9",
        "theme=",
        "sector=police&grade=2",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_same_lists_compiled_as_through_the_orm(
    world: World, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(world.user(role))
    urls = [f"/api/v1/findings/?{query}" for query in finding_queries(world)]
    urls += [
        "/api/v1/views/",
        f"/api/v1/views/?case={world.own.case.pk}",
        f"/api/v1/views/?case={world.own.case.pk}&speaker=child",
        f"/api/v1/views/?audit={world.foreign.audit.pk}",
        "/api/v1/concerns/",
        f"/api/v1/concerns/?agency={world.own.agency.pk}&status=raised",
        f"/api/v1/concerns/?case={world.other.case.pk}",
        "/api/v1/concerns/?raised_after=2020-01-01T00:00:00Z",  # a date-time: read through the ORM
    ]
    seen = 0
    for url in urls:
        for _ in range(2):  # the second time from the compiled statement
            compiled = answer(client, url, compiled=True, monkeypatch=monkeypatch)
            assert compiled == answer(client, url, compiled=False, monkeypatch=monkeypatch), url
        seen += compiled[0] == 200 and bool(compiled[1]["results"])
    assert seen or role == "board_member"  # rows were compared, not only empty pages (the board reads no case)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_same_records_compiled_as_through_the_orm(
    world: World, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(world.user(role))
    for things in (world.own, world.other, world.foreign):
        for url in (
            f"/api/v1/findings/{things.finding.pk}/",
            f"/api/v1/views/{things.view.pk}/",
            f"/api/v1/concerns/{things.concern.pk}/",
        ):
            for _ in range(2):
                compiled = answer(client, url, compiled=True, monkeypatch=monkeypatch)
                assert compiled == answer(client, url, compiled=False, monkeypatch=monkeypatch), url
    for url in ("/api/v1/findings/abc/", "/api/v1/findings/0/", f"/api/v1/findings/{2**63}/"):
        assert answer(client, url, compiled=True, monkeypatch=monkeypatch)[0] == 404


def test_a_role_taken_away_is_seen_by_the_next_request_through_a_token(world: World) -> None:
    lead = world.parties.lead
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lead).key}")
    finding = f"/api/v1/findings/{world.own.finding.pk}/"
    listed = f"/api/v1/findings/?theme={world.own.theme.pk}"
    assert client.get(finding).status_code == 200
    assert client.get(listed).json()["count"] == 1
    Membership.objects.filter(user=lead).delete()
    assert client.get(finding).status_code == 404
    assert client.get(listed).status_code == 400  # the theme is no longer one they may name
    assert client.get("/api/v1/findings/").json()["count"] == 0


def test_a_lead_of_the_shared_agency_never_reads_the_other_partnerships_records_from_a_warm_cache(
    world: World,
) -> None:
    """Two leads of the same agency in two partnerships: statements are per scope, never shared between them."""
    ours, theirs = client_for(world.parties.lead), client_for(world.parties.outsider_lead)
    for _ in range(2):
        assert ours.get(f"/api/v1/findings/{world.foreign.finding.pk}/").status_code == 404
        assert theirs.get(f"/api/v1/findings/{world.own.finding.pk}/").status_code == 404
        assert {row["id"] for row in ours.get("/api/v1/findings/").json()["results"]} == {world.own.finding.pk}
        assert {row["id"] for row in theirs.get("/api/v1/findings/").json()["results"]} == {world.foreign.finding.pk}


def test_statements_are_compiled_once_per_scope_and_shape(world: World) -> None:
    statements.forget_all()
    client = client_for(world.parties.business_unit)
    for grade in (1, 2, 3):
        client.get(f"/api/v1/findings/?theme={world.own.theme.pk}&grade={grade}")
    counts = [key for key in statements._statements if key[0] == "list" and "count" in key]
    assert len(counts) == 1  # one count statement, reused for each grade
