"""The agency lead's voice is the return: self-grades per theme and commentary. Findings are the panel's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audits.models import Finding, ReturnGrade
from tests.api.conftest import World, client_for
from tests.audits.factories import ThemeFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


def patch(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, body, format="json", HTTP_IF_MATCH=client.get(path)["ETag"])


def test_lead_gives_self_grades_in_the_return_and_the_panel_sees_them_beside_its_grade(world: World) -> None:
    lead, auditor = client_for(world.parties.lead), client_for(world.parties.auditor)
    case, theme = world.own.spare_case, world.own.theme
    made = lead.post(
        url("return-list"),
        {"case": case.pk, "agency": world.own.agency.pk, "self_grades": [{"theme": theme.pk, "grade": 2}]},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["self_grades"] == [{"theme": theme.pk, "grade": 2}]

    recorded = auditor.post(
        url("finding-list"),
        {"case": case.pk, "agency": world.own.agency.pk, "theme": theme.pk, "kind": "strength", "grade": 2},
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()
    assert recorded.json()["self_grade"] == 2  # taken from the return, not typed by the panel

    changed = patch(lead, url("return-detail", made.json()["id"]), {"self_grades": [{"theme": theme.pk, "grade": 1}]})
    assert changed.status_code == 409  # the panel graded 2 with no reason for a change: it must see the new grade
    assert "ask the auditor" in changed.json()["errors"]["self_grades"][0]
    finding = Finding.objects.get(pk=recorded.json()["id"])
    assert (finding.self_grade, ReturnGrade.objects.get().grade) == (2, 2)


def test_a_draft_returns_new_self_grade_reaches_the_panels_ungraded_finding(world: World) -> None:
    lead, auditor = client_for(world.parties.lead), client_for(world.parties.auditor)
    agency_return, theme = world.own.agency_return, world.own.theme
    Finding.objects.filter(pk=world.own.finding.pk).update(grade=None, self_grade=None)
    answer = patch(lead, url("return-detail", agency_return.pk), {"self_grades": [{"theme": theme.pk, "grade": 3}]})
    assert answer.status_code == 200, answer.json()
    assert auditor.get(url("finding-detail", world.own.finding.pk)).json()["self_grade"] == 3


def test_lead_cannot_record_or_change_findings(world: World) -> None:
    lead = client_for(world.parties.lead)
    finding_url = url("finding-detail", world.own.finding.pk)
    for body in ({"narrative": "All good."}, {"kind": "strength"}, {"self_grade": 1}):
        assert patch(lead, finding_url, body).status_code == 403
    created = lead.post(
        url("finding-list"),
        {
            "case": world.own.spare_case.pk,
            "agency": world.own.agency.pk,
            "theme": world.own.theme.pk,
            "kind": "strength",
        },
        format="json",
    )
    assert created.status_code == 403
    world.own.finding.refresh_from_db()
    assert world.own.finding.narrative == "Practice was good."


def test_self_grade_for_another_partnerships_theme_is_refused(world: World) -> None:
    lead = client_for(world.parties.lead)
    theirs = ThemeFactory(partnership=world.foreign.partnership)
    answer = patch(
        lead, url("return-detail", world.own.agency_return.pk), {"self_grades": [{"theme": theirs.pk, "grade": 2}]}
    )
    assert answer.status_code == 400
    assert "self_grades" in str(answer.json()["errors"])
    assert not ReturnGrade.objects.exists()


def test_a_submitted_return_is_locked(world: World) -> None:
    lead = client_for(world.parties.lead)
    path = url("return-detail", world.own.agency_return.pk)
    submitted = lead.post(url("return-submit", world.own.agency_return.pk), HTTP_IF_MATCH=lead.get(path)["ETag"])
    assert submitted.status_code == 200, submitted.json()
    again = patch(lead, path, {"self_grades": [{"theme": world.own.theme.pk, "grade": 1}], "good_practice": "More."})
    assert again.status_code == 409
    assert "can no longer be edited" in again.json()["message"]


def test_lead_cannot_write_another_agencys_return(world: World) -> None:
    """A lead of one agency cannot start a return for another agency involved in the same case."""
    lead = client_for(world.parties.lead)
    case = world.own.spare_case
    case.agencies.add(world.other.agency)
    made = lead.post(
        url("return-list"), {"case": case.pk, "agency": world.other.agency.pk, "good_practice": "Mine."}, format="json"
    )
    assert made.status_code == 403
    assert not case.returns.exists()


def test_a_self_grade_needs_its_theme_and_grade(world: World) -> None:
    lead = client_for(world.parties.lead)
    path = url("return-detail", world.own.agency_return.pk)
    for rows in ([{"theme": world.own.theme.pk}], [{"grade": 2}]):
        answer = patch(lead, path, {"self_grades": rows})
        assert answer.status_code == 400, answer.content
        assert "self_grades" in answer.json()["errors"]
