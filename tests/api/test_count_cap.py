"""A list counts at most COUNT_EXACT_UP_TO rows: exact below it, capped (and said so) above it, and paging goes on."""

from __future__ import annotations

import pytest

from macfa.api import COUNT_EXACT_UP_TO, BoundedCountPaginator
from tests.api.conftest import client_for
from tests.audits.factories import AuditFactory, CaseFactory, FindingFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(parties: Parties) -> None:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    for _ in range(30):
        FindingFactory(case=CaseFactory(audit=audit), agency=parties.agency)


def test_a_small_list_counts_exactly(parties: Parties, thirty: None) -> None:
    body = client_for(parties.business_unit).get("/api/v1/findings/", {"page_size": 25}).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (30, True, 25)
    assert COUNT_EXACT_UP_TO == 10_000  # the threshold docs/api.md promises


def test_above_the_cap_the_count_says_so_and_every_page_is_still_reachable(
    parties: Parties, thirty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 10)
    client = client_for(parties.business_unit)
    first = client.get("/api/v1/findings/", {"page_size": 12}).json()
    assert (first["count"], first["count_exact"]) == (10, False)
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 30  # three pages: 12, 12 and the last 6, then no next
    assert client.get("/api/v1/findings/", {"page_size": 12, "page": 4}).status_code == 404
    assert client.get("/api/v1/findings/", {"page_size": 12, "page": 3}).json()["previous"] is not None


def test_a_page_number_past_any_end_is_a_404_not_an_error(
    parties: Parties, thirty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 10)  # capped: the page number is not checked by count
    client = client_for(parties.business_unit)
    for page in ("999999999999999999999999999", str(2**62)):
        for search in ({}, {"search": "a"}):  # compiled, and through the ORM
            response = client.get("/api/v1/findings/", {"page": page, **search})
            assert response.status_code == 404, (page, search)


def test_ordering_by_a_shared_value_pages_through_every_record_once(parties: Parties) -> None:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    for _ in range(23):
        FindingFactory(case=CaseFactory(audit=audit), agency=parties.agency, grade=2, self_grade=2)
    client = client_for(parties.business_unit)
    for ordering in ("grade", "-self_grade", "created_at"):
        seen: list[int] = []
        url: str | None = f"/api/v1/findings/?ordering={ordering}&page_size=5"
        while url:
            page = client.get(url).json()
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
        assert len(seen) == len(set(seen)) == 23, ordering
