"""``GET /api/v1/<resource>/{id}/history/``: who changed what and when, scoped like the record itself."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.services import agency_update
from audits.api.urls import urlpatterns
from tests.api.conftest import World, client_for
from tests.api.test_permission_matrix import KINDS, RECORD, ROLES, VISIBLE
from tests.audits.factories import ThemeFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


def name_of(user: Any) -> str:
    return user.get_full_name() or user.username


def history(client: Any, resource: str, pk: int) -> list[dict[str, Any]]:
    response = client.get(url(f"{resource}-history", pk))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def change_of(entry: dict[str, Any], field: str) -> dict[str, Any]:
    return next(change for change in entry["changes"] if change["field"] == field)


def patch(client: Any, resource: str, pk: int, body: dict[str, Any]) -> Any:
    detail = url(f"{resource}-detail", pk)
    response = client.patch(detail, body, format="json", HTTP_IF_MATCH=client.get(detail).headers["ETag"])
    assert response.status_code == 200, response.content
    return response


def post(client: Any, route: str, resource: str, pk: int, body: dict[str, Any] | None = None) -> Any:
    etag = client.get(url(f"{resource}-detail", pk)).headers["ETag"]
    response = client.post(url(route, pk), body or {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code in (200, 201, 202), response.content
    return response


def test_every_resource_has_a_history_route() -> None:
    names = {pattern.name for pattern in urlpatterns if pattern.name}
    resources = {name.removesuffix("-detail") for name in names if name.endswith("-detail")}
    assert {f"{resource}-history" for resource in resources} <= names


def test_change_through_the_api_names_who_changed_what(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    audit = world.own.audit
    before = audit.title
    patch(auditor, "audit", audit.pk, {"title": "Neglect, re-audited"})

    latest = history(auditor, "audit", audit.pk)[0]
    assert latest["by"] == name_of(world.parties.auditor)
    assert latest["change"] == "changed"
    assert change_of(latest, "title") == {
        "field": "title",
        "label": "title",
        "from": before,
        "to": "Neglect, re-audited",
    }


def test_many_to_many_changes_are_in_the_history(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    audit, parties = world.own.audit, world.parties
    new_theme = ThemeFactory(partnership=parties.partnership, name="Invisible males")
    patch(
        auditor,
        "audit",
        audit.pk,
        {
            "agencies": [parties.agency.pk],
            "focus_themes": [world.own.theme.pk, new_theme.pk],
            "benchmark_audits": [world.other.audit.pk],
        },
    )
    entries = reversed(history(auditor, "audit", audit.pk))  # oldest first, so the newest change of each field wins
    changes = {change["field"]: change for entry in entries for change in entry["changes"]}
    assert changes["agencies"]["to"] == str(parties.agency)
    assert str(parties.other_agency) in changes["agencies"]["from"]
    assert "Invisible males" in changes["focus_themes"]["to"]
    assert changes["benchmark_audits"]["to"] == str(world.other.audit)


def test_status_move_is_named_in_plain_words(world: World) -> None:
    lead = client_for(world.parties.lead)
    post(lead, "action-start", "action", world.own.action.pk, {"note": "Guidance being redrafted."})

    entries = history(lead, "action", world.own.action.pk)
    move = next(entry for entry in entries if entry["record"] == str(world.own.action))
    assert move["description"] == "Moved from open to in progress."
    assert change_of(move, "status") == {"field": "status", "label": "status", "from": "Open", "to": "In progress"}
    assert move["by"] == name_of(world.parties.lead)
    update = next(entry for entry in entries if entry["record"].startswith("Update"))
    assert change_of(update, "note")["to"] == "Guidance being redrafted."


def test_case_factors_and_agencies_are_in_the_case_history(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    case = world.own.case
    patch(auditor, "case", case.pk, {"factors": ["neglect", "domestic_abuse"], "agencies": []})
    patch(auditor, "case", case.pk, {"factors": ["neglect"]})

    entries = history(auditor, "case", case.pk)
    factors = [entry for entry in entries if entry["record"].startswith("Factor")]
    assert [(entry["change"], entry["record"]) for entry in factors[:1]] == [("deleted", "Factor: Domestic abuse")]
    assert {entry["record"] for entry in factors if entry["change"] == "created"} == {
        "Factor: Neglect",
        "Factor: Domestic abuse",
    }
    assert all(entry["by"] == name_of(world.parties.auditor) for entry in factors)
    agencies = next(entry for entry in entries if any(c["field"] == "agencies" for c in entry["changes"]))
    assert change_of(agencies, "agencies") == {
        "field": "agencies",
        "label": "agencies",
        "from": str(world.parties.agency),
        "to": None,
    }


def test_self_grades_are_in_the_return_history(world: World) -> None:
    lead = client_for(world.parties.lead)
    agency_return = world.own.agency_return
    theme = ThemeFactory(partnership=world.parties.partnership)  # one the panel has not judged yet
    world.own.audit.focus_themes.add(theme)
    patch(lead, "return", agency_return.pk, {"self_grades": [{"theme": theme.pk, "grade": 3}]})
    patch(lead, "return", agency_return.pk, {"self_grades": [{"theme": theme.pk, "grade": 2}]})

    entries = history(lead, "return", agency_return.pk)
    grades = [entry for entry in entries if entry["record"].startswith("Self-grade")]
    assert change_of(grades[0], "grade") == {
        "field": "grade",
        "label": "grade",
        "from": "Requires improvement",
        "to": "Good",
    }
    assert grades[-1]["change"] == "created"


def test_draft_to_compiling_claim_leaves_an_entry_by_who_asked(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    summary = world.own.summary
    post(auditor, "summary-compile", "summary", summary.pk)

    latest = history(auditor, "summary", summary.pk)[0]
    assert latest["description"] == "Moved from draft to compiling."
    assert latest["by"] == name_of(world.parties.auditor)


def test_summary_reviews_show_only_to_those_who_may_read_them(world: World) -> None:
    from audits.models import SummaryReview

    summary = world.own.summary
    SummaryReview.objects.create(summary=summary, reviewer=world.parties.board_member, decision="comment", comment="Ok")
    board = history(client_for(world.parties.board_member), "summary", summary.pk)
    assert any(entry["record"].startswith("Review") for entry in board)


# --- Scope: the history answers whoever may read the record, and 404 to everyone else ----------------------


HISTORY_CASES = list(itertools.product(sorted(VISIBLE), ROLES, KINDS))


@pytest.mark.parametrize(("resource", "role", "kind"), HISTORY_CASES, ids=["-".join(c) for c in HISTORY_CASES])
def test_history_is_scoped_like_its_record(world: World, resource: str, role: str, kind: str) -> None:
    record = getattr(getattr(world, kind), RECORD.get(resource, resource))
    client = client_for(world.user(role))
    detail = client.get(url(f"{resource}-detail", record.pk)).status_code
    answered = client.get(url(f"{resource}-history", record.pk)).status_code
    assert answered == detail
    assert answered == (200 if kind in VISIBLE[resource].get(role, set()) else 404)


def test_board_members_get_no_case_history(world: World) -> None:
    response = client_for(world.parties.board_member).get(url("case-history", world.own.case.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_history_cannot_be_written_or_deleted(world: World, method: str) -> None:
    client = client_for(world.parties.business_unit)
    response = getattr(client, method)(url("audit-history", world.own.audit.pk), {}, format="json")
    assert response.status_code == 405


def signed_in_as(user: Any) -> None:
    """What the request middleware does for a signed-in person: history names them."""
    request = RequestFactory().post("/admin/")
    request.user = user
    HistoricalRecords.context.request = request


@pytest.fixture
def no_request() -> Any:
    yield
    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request


def test_other_partnership_unlinking_a_shared_agency_leaves_no_trace_in_our_history(
    world: World, no_request: Any
) -> None:
    parties = world.parties
    reader = client_for(parties.business_unit)
    before = history(reader, "agency", parties.agency.pk)
    signed_in_as(parties.outsider)
    agency_update(actor=parties.outsider, agency=parties.agency, partnerships=[])  # for their partnership only

    after = history(reader, "agency", parties.agency.pk)
    assert after == before
    assert str(parties.other_partnership) not in str(after) and name_of(parties.outsider) not in str(after)


def test_operator_renaming_a_shared_agency_is_named_as_an_operator(
    world: World, superuser: Any, no_request: Any
) -> None:
    parties = world.parties
    signed_in_as(superuser)
    agency_update(actor=superuser, agency=parties.agency, name="Testshire Constabulary")

    latest = history(client_for(parties.lead), "agency", parties.agency.pk)[0]
    assert latest["by"] == "A service operator"
    assert change_of(latest, "name")["to"] == "Testshire Constabulary"
    assert history(client_for(superuser), "agency", parties.agency.pk)[0]["by"] == name_of(superuser)


@pytest.mark.parametrize(("route", "record"), [("action-updates", "action"), ("summary-reviews", "summary")])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_trail_entries_cannot_be_edited_or_deleted_through_the_api(
    world: World, route: str, record: str, method: str
) -> None:
    client = client_for(world.parties.business_unit)
    response = getattr(client, method)(url(route, getattr(world.own, record).pk), {}, format="json")
    assert response.status_code == 405
