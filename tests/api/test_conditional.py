"""Two people changing the same record: the second gets 412, never a silent overwrite (every change takes If-Match)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audits.models import Finding
from macfa.api import is_conditional
from tests.api.conftest import World, client_for

pytestmark = pytest.mark.django_db


def moderate(client: Any, finding: Finding, grade: int, **headers: str) -> Any:
    body = {"grade": grade, "change_reason": "The panel weighed the chronology."}
    return client.post(reverse("api:finding-moderate", args=[finding.pk]), body, format="json", **headers)


def etag(client: Any, finding: Finding) -> str:
    return client.get(reverse("api:finding-detail", args=[finding.pk]))["ETag"]


def test_moderating_needs_if_match(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    response = moderate(auditor, world.own.finding, 3)
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


def test_second_of_two_moderators_gets_412_and_the_first_grade_stands(world: World) -> None:
    first, second = client_for(world.parties.auditor), client_for(world.parties.business_unit)
    finding = world.own.finding
    read_by_first, read_by_second = etag(first, finding), etag(second, finding)
    assert moderate(first, finding, 3, HTTP_IF_MATCH=read_by_first).status_code == 200
    late = moderate(second, finding, 4, HTTP_IF_MATCH=read_by_second)
    assert late.status_code == 412
    assert "changed since you read it" in late.json()["message"]
    finding.refresh_from_db()
    assert finding.grade == 3


def test_agreeing_a_finding_changed_since_it_was_read_is_refused(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    finding = world.own.finding
    stale = etag(auditor, finding)
    assert moderate(auditor, finding, 3, HTTP_IF_MATCH=stale).status_code == 200
    agree = auditor.post(reverse("api:finding-agree", args=[finding.pk]), HTTP_IF_MATCH=stale)
    assert agree.status_code == 412
    finding.refresh_from_db()
    assert finding.agreed_at is None


def test_if_match_compares_strongly(world: World) -> None:
    """RFC 9110 §13.1.1: a weak validator never matches If-Match, even with the current opaque tag."""
    auditor = client_for(world.parties.auditor)
    finding = world.own.finding
    current = etag(auditor, finding)
    assert moderate(auditor, finding, 3, HTTP_IF_MATCH=f"W/{current}").status_code == 412
    assert moderate(auditor, finding, 3, HTTP_IF_MATCH=f'"other", {current}').status_code == 200
    # "*" matches whatever is there now: exactly the blind overwrite If-Match is here to prevent.
    assert moderate(auditor, finding, 4, HTTP_IF_MATCH="*").status_code == 428
    finding.refresh_from_db()
    assert finding.grade == 3


def test_every_conditional_operation_documents_if_match(world: World) -> None:
    schema = client_for(world.parties.auditor).get(reverse("schema"), {"format": "json"}).json()
    conditional = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if is_conditional(path, method)
    ]
    assert {path for path, _, _ in conditional} >= {
        "/api/v1/findings/{id}/moderate/",
        "/api/v1/findings/{id}/agree/",
        "/api/v1/audits/{id}/move/",
        "/api/v1/concerns/{id}/acknowledge/",
        "/api/v1/summaries/{id}/reviews/",
    }
    for path, method, operation in conditional:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers.count("If-Match") == 1, (path, method)
        assert {"412", "428"} <= set(operation["responses"]), (path, method)


def test_a_put_of_the_record_as_read_goes_through(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    path = reverse("api:finding-detail", args=[world.own.finding.pk])
    read = auditor.get(path)
    body = {key: value for key, value in read.json().items() if value is not None}
    answer = auditor.put(path, body | {"narrative": "Seen alone."}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert answer.status_code == 200, answer.json()
    assert answer.json()["narrative"] == "Seen alone."


def test_an_unknown_stage_is_a_400_on_the_field(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    path = reverse("api:audit-detail", args=[world.own.audit.pk])
    answer = auditor.post(
        reverse("api:audit-move", args=[world.own.audit.pk]),
        {"status": "nonsense"},
        format="json",
        HTTP_IF_MATCH=auditor.get(path)["ETag"],
    )
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["status"]
