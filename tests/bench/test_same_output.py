"""The benchmark's baselines give exactly what the service gives, on the bench's own data at a tiny size.

A baseline that does less than the service flatters nothing but the baseline: these tests hold the hand-written SQL
of bench/baseline.py to the service's response bodies (count included), ETags and compiled figures, for every role.
No timing is asserted here; `make bench` measures.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib import parse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audits.api.serializers import ActionSerializer, FindingSerializer
from audits.models import Action, CaseAccess, Finding, LearningSummary
from audits.summaries.compile import compile_content
from bench import baseline
from bench.data import BenchData, generate
from macfa.api import BoundedCountPaginator

pytestmark = pytest.mark.django_db

ROLES = ("business_unit", "auditor", "agency_lead", "board_member")


@pytest.fixture
def bench(db: None) -> BenchData:
    return generate(6_000)


def _service(data: BenchData, role: str, path: str) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {data.tokens[role]}")
    return client.get(path, HTTP_HOST="127.0.0.1")


def _baseline_list(data: BenchData, role: str, query: str) -> tuple[int, dict[str, Any]]:
    with connection.cursor() as cursor:
        actor = baseline.authenticate(cursor, f"Token {data.tokens[role]}")
        assert actor is not None
        url = f"http://127.0.0.1/api/v1/findings/?{query}"
        return baseline.finding_list(cursor, actor, query=parse.parse_qs(query), url=url)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_baseline_gives_the_services_body_for_every_role(bench: BenchData, role: str) -> None:
    for query in (f"theme={bench.theme_id}&grade=3&page_size=100", "page_size=20&page=2", "page_size=100"):
        response = _service(bench, role, f"/api/v1/findings/?{query}")
        status, body = _baseline_list(bench, role, query)
        assert response.status_code == status
        if status == 200:
            assert response.json() == body
        # Board members read aggregates only, so their list is empty (and its page 2 a 404) on both.
        assert (body.get("count", 0) > 0) is (role != "board_member")


def test_the_list_baseline_counts_and_pages_like_the_service_above_the_cap(
    bench: BenchData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 30)
    monkeypatch.setattr(baseline, "COUNT_EXACT_UP_TO", 30)
    for query in ("page_size=25", "page_size=25&page=2", "page_size=100&page=3"):
        response = _service(bench, "business_unit", f"/api/v1/findings/?{query}")
        status, body = _baseline_list(bench, "business_unit", query)
        assert response.status_code == status == 200
        assert response.json() == body
        assert body["count"] == 30 and body["count_exact"] is False
        assert body["next"] is not None  # the list goes on past the cap
    assert _service(bench, "business_unit", "/api/v1/findings/?page_size=100&page=9999").status_code == 404


def test_the_detail_baseline_gives_the_services_body_etag_and_access_row(bench: BenchData) -> None:
    for role in ("business_unit", "auditor", "agency_lead"):
        before = CaseAccess.objects.count()
        response = _service(bench, role, f"/api/v1/findings/{bench.finding_id}/")
        assert CaseAccess.objects.count() == before + 1
        with connection.cursor() as cursor:
            actor = baseline.authenticate(cursor, f"Token {bench.tokens[role]}")
            assert actor is not None
            status, body, etag = baseline.finding_detail(cursor, actor, bench.finding_id)
        assert CaseAccess.objects.count() == before + 2
        assert (response.status_code, response.json(), response["ETag"]) == (status, body, etag)
    assert _service(bench, "board_member", f"/api/v1/findings/{bench.finding_id}/").status_code == 404


def test_the_compile_baseline_gives_the_same_figures(bench: BenchData) -> None:
    summary = LearningSummary.objects.get(pk=bench.summary_id)
    expected = compile_content(summary)
    assert expected["benchmark_actions"] and any(t["trend"] for t in expected["themes"])  # the data exercises them
    assert expected["concerns"]["raised"] and expected["views"]["child_heard"]
    with connection.cursor() as cursor:
        assert baseline.compile_figures(cursor, bench.summary_id, timezone.localdate()) == expected


def test_the_compile_runs_a_fixed_number_of_queries(bench: BenchData) -> None:
    summary = LearningSummary.objects.get(pk=bench.summary_id)
    with CaptureQueriesContext(connection) as queries:
        compile_content(summary)
    # Was 83 at this size, and three more per re-audit: quotes and benchmark actions are now read in one go each.
    assert len(queries) == 16


def test_the_direct_finding_representation_is_drf_s_own(bench: BenchData) -> None:
    finding = Finding.objects.filter(agency__isnull=False, self_grade__isnull=False).first()
    assert finding is not None
    Finding.objects.filter(pk=finding.pk).update(agreed_at=datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC))
    finding.refresh_from_db()
    serializer = FindingSerializer()
    direct = serializer.to_representation(finding)
    assert direct == super(FindingSerializer, serializer).to_representation(finding)
    assert direct["agreed_at"] == "2026-07-01T10:30:00+01:00"  # British Summer Time, as DRF writes it


def test_the_direct_action_representation_is_drf_s_own(bench: BenchData) -> None:
    serializer = ActionSerializer()
    actions = list(Action.objects.with_overdue().order_by("pk"))
    assert {a.status for a in actions} >= {"open", "verified"} and any(a.overdue for a in actions)
    for action in actions:
        assert serializer.to_representation(action) == super(ActionSerializer, serializer).to_representation(action)
