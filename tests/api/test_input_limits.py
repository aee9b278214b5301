"""Input that used to reach a 500 or slip through: each answers 400 (or 413) in the one error shape, on the field."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse

from macfa.parsers import MAX_JSON_DEPTH
from tests.api.conftest import World, client_for

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["code"] == code
    return body


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
def test_json_nested_too_deep_is_a_400(world: World, depth: int) -> None:
    response = client_for(world.parties.auditor).post(
        reverse("api:case-list"), nested(depth), content_type="application/json"
    )
    body = assert_error(response, 400, "parse_error")
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in body["message"]


def test_json_nested_to_the_limit_is_read(world: World) -> None:
    response = client_for(world.parties.auditor).post(
        reverse("api:case-list"), json.dumps({"reference": nested(MAX_JSON_DEPTH - 1)}), content_type="application/json"
    )
    assert response.json()["code"] == "invalid"  # read, then refused field by field


def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"description": "x" * 2048})
    response = client_for(world.parties.auditor).post(reverse("api:action-list"), body, content_type="application/json")
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("offset", ["+19:00", "-18:30"])
def test_a_utc_offset_beyond_eighteen_hours_is_a_400_on_the_parameter(world: World, offset: str) -> None:
    query = {"raised_before": f"2026-01-01T00:00:00{offset}"}
    response = client_for(world.parties.auditor).get(reverse("api:concern-list"), query)
    body = assert_error(response, 400, "invalid")
    assert "between -18:00 and +18:00" in body["errors"]["raised_before"][0]


def test_an_offset_postgresql_refuses_is_read_in_utc(world: World) -> None:
    """PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, so the filter hands on the moment in UTC."""
    raised = world.own.concern.raised_at
    moment = raised.astimezone(datetime.timezone(datetime.timedelta(hours=17)))
    client = client_for(world.parties.auditor)
    before = client.get(reverse("api:concern-list"), {"raised_before": moment.isoformat(), "case": world.own.case.pk})
    assert before.status_code == 200, before.content
    assert [row["id"] for row in before.json()["results"]] == [world.own.concern.pk]


def test_a_moment_that_overflows_in_utc_is_a_400(world: World) -> None:
    query = {"raised_after": "9999-12-31T23:00:00-05:00"}
    response = client_for(world.parties.auditor).get(reverse("api:concern-list"), query)
    assert "raised_after" in assert_error(response, 400, "invalid")["errors"]


@pytest.mark.parametrize(
    ("route", "parameter"),
    [
        ("api:action-list", "overdue"),  # a BooleanFilter declared in audits/filters.py
        ("api:finding-list", "agreed"),
        ("api:theme-list", "is_active"),  # one made by the FilterSet from the model's BooleanField
    ],
)
def test_a_boolean_filter_given_neither_true_nor_false_is_a_400(world: World, route: str, parameter: str) -> None:
    client = client_for(world.parties.auditor)
    response = client.get(reverse(route), {parameter: "yes"})
    assert assert_error(response, 400, "invalid")["errors"] == {parameter: ["Give true or false."]}
    for word in ("true", "False", "1", "0", ""):
        assert client.get(reverse(route), {parameter: word}).status_code == 200


def test_overdue_true_and_false_still_filter(world: World) -> None:
    client = client_for(world.parties.auditor)
    ids = {row["id"] for row in client.get(reverse("api:action-list"), {"overdue": "false"}).json()["results"]}
    assert world.own.action.pk in ids  # due in 2030
    assert client.get(reverse("api:action-list"), {"overdue": "true"}).json()["results"] == []


@pytest.mark.parametrize(
    ("route", "field", "role"),
    [
        ("api:action-list", "due_date", "auditor"),
        ("api:audit-list", "start_date", "auditor"),
        ("api:audit-list", "panel_date", "auditor"),
        ("api:audit-list", "end_date", "auditor"),
        ("api:summary-list", "period_start", "business_unit"),
        ("api:summary-list", "period_end", "business_unit"),
    ],
)
@pytest.mark.parametrize("date", ["9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_date_outside_2000_to_2100_is_a_400_on_the_field(
    world: World, route: str, field: str, role: str, date: str
) -> None:
    response = client_for(world.user(role)).post(reverse(route), {field: date}, format="json")
    body = assert_error(response, 400, "invalid")
    assert body["errors"][field] == ["Give a date between 1 January 2000 and 31 December 2100."]


def test_a_due_date_at_the_end_of_the_range_is_accepted(world: World) -> None:
    body = {
        "audit": world.own.audit.pk,
        "owner_agency": world.own.agency.pk,
        "description": "Refresh guidance.",
        "due_date": "2100-12-31",
    }
    response = client_for(world.parties.auditor).post(reverse("api:action-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["due_date"] == "2100-12-31"
