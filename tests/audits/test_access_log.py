"""The access log: every read of a case, its findings, returns or views is recorded, at every door, and reported to
the business unit of the case's partnership and to the agency leads whose agency was involved, to no one else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AccessDoor, AccessWhat, CaseAccess
from audits.services.access import case_access_record
from tests.api.conftest import World, build_world, client_for
from tests.audits.factories import CaseFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(parties: Parties) -> World:
    return build_world(parties)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def logged(**lookup: Any) -> list[tuple[Any, int, str, str]]:
    return [(a.user, a.case_id, a.what, a.door) for a in CaseAccess.objects.filter(**lookup).order_by("pk")]


# --- Every door records one row ------------------------------------------------------------------------------


def test_the_case_page_records_a_read_of_the_case(world: World) -> None:
    case = world.own.case
    assert signed_in(world.parties.lead).get(reverse("pages:case", args=[case.pk])).status_code == 200
    assert logged() == [(world.parties.lead, case.pk, "case", "page")]


def test_the_return_page_records_a_read_of_returns(world: World) -> None:
    case = world.own.case
    url = reverse("pages:return", args=[case.pk, world.parties.agency.pk])
    assert signed_in(world.parties.lead).get(url).status_code == 200
    assert logged() == [(world.parties.lead, case.pk, "returns", "page")]


def test_a_case_or_return_history_page_records_a_read(world: World) -> None:
    case, lead = world.own.case, world.parties.lead
    client = signed_in(lead)
    assert client.get(reverse("pages:case-history", args=[case.pk])).status_code == 200
    assert client.get(reverse("pages:return-history", args=[case.pk, world.parties.agency.pk])).status_code == 200
    assert logged() == [(lead, case.pk, "case", "page"), (lead, case.pk, "returns", "page")]


@pytest.mark.parametrize(("resource", "record", "what"), [("finding", "finding", "findings"), ("case", "case", "case")])
def test_an_api_history_records_a_read(world: World, resource: str, record: str, what: str) -> None:
    business_unit = world.parties.business_unit
    obj = getattr(world.own, record)
    assert client_for(business_unit).get(reverse(f"api:{resource}-history", args=[obj.pk])).status_code == 200
    assert logged() == [(business_unit, world.own.case.pk, what, "api")]


def test_a_page_that_is_404_records_nothing(world: World) -> None:
    assert signed_in(world.parties.outsider).get(reverse("pages:case", args=[world.own.case.pk])).status_code == 404
    assert logged() == []


@pytest.mark.parametrize(
    ("resource", "record", "what"),
    [
        ("case", "case", "case"),
        ("finding", "finding", "findings"),
        ("return", "agency_return", "returns"),
        ("view", "view", "views"),
    ],
)
def test_the_api_records_a_retrieve_and_each_case_of_a_list(
    world: World, resource: str, record: str, what: str
) -> None:
    lead = world.parties.lead
    client = client_for(lead)
    obj = getattr(world.own, record)
    assert client.get(reverse(f"api:{resource}-detail", args=[obj.pk])).status_code == 200
    assert logged() == [(lead, world.own.case.pk, what, "api")]
    CaseAccess.objects.all().delete()
    listed = client.get(reverse(f"api:{resource}-list")).json()["results"]
    assert listed, "the lead sees their agency's records"
    case_ids = {row["id"] if resource == "case" else row["case"] for row in listed}
    assert sorted(case_id for _, case_id, _, _ in logged()) == sorted(case_ids), "each case on the page once"
    assert {(who, w, door) for who, _, w, door in logged()} == {(lead, what, "api")}


def test_a_list_of_many_rows_is_recorded_in_one_insert(parties: Parties) -> None:
    cases = CaseFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        case_access_record(actor=parties.auditor, cases=[*cases, cases[0].pk], what=AccessWhat.CASE, door="api")
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]
    assert CaseAccess.objects.count() == 5


@pytest.mark.parametrize(
    ("model", "record", "what"),
    [("case", "case", "case"), ("finding", "finding", "findings"), ("agencyreturn", "agency_return", "returns"),
     ("childfamilyview", "view", "views")],
)  # fmt: skip
def test_the_admin_change_page_records_a_read(world: World, superuser: Any, model: str, record: str, what: str) -> None:
    obj = getattr(world.own, record)
    response = signed_in(superuser).get(reverse(f"admin:audits_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert logged() == [(superuser, world.own.case.pk, what, "admin")]


def test_anonymous_reads_record_nothing(world: World) -> None:
    case_access_record(actor=None, cases=[world.own.case], what=AccessWhat.CASE, door=AccessDoor.API)
    assert client_for(None).get(reverse("api:case-list")).status_code == 401
    assert logged() == []


# --- The report ----------------------------------------------------------------------------------------------


def read(world: World, who: str, kind: str, at: str = "2026-03-02 10:00") -> None:
    with time_machine.travel(datetime.datetime.fromisoformat(at + "+00:00"), tick=False):
        case = getattr(world, kind).case
        case_access_record(actor=world.user(who), cases=[case], what=AccessWhat.CASE, door=AccessDoor.PAGE)


def report(user: Any, **filters: Any) -> tuple[int, list[tuple[str, str]]]:
    response = signed_in(user).get(reverse("pages:access"), filters)
    rows = [(a.user.username, a.case.reference) for a in response.context.get("accesses", [])]
    return response.status_code, rows


def test_business_unit_sees_who_read_its_partnerships_cases(world: World) -> None:
    read(world, "lead", "own")
    read(world, "auditor", "other")
    read(world, "outsider_lead", "foreign")  # the other partnership, about the same agency
    status, rows = report(world.parties.business_unit)
    assert status == 200
    assert sorted(rows) == sorted(
        [
            (world.parties.lead.username, world.own.case.reference),
            (world.parties.auditor.username, world.other.case.reference),
        ]
    )


def test_the_other_partnership_sharing_the_agency_sees_none_of_it(world: World) -> None:
    read(world, "lead", "own")
    read(world, "outsider_lead", "foreign")
    for who in ("outsider", "outsider_lead"):
        status, rows = report(world.user(who))
        assert status == 200
        assert rows == [(world.parties.outsider_lead.username, world.foreign.case.reference)]


def test_agency_lead_sees_who_read_their_agencys_cases_only(world: World) -> None:
    read(world, "auditor", "own")
    read(world, "auditor", "other")  # a case the lead's agency was not involved in
    status, rows = report(world.parties.lead)
    assert (status, rows) == (200, [(world.parties.auditor.username, world.own.case.reference)])
    assert report(world.parties.other_lead)[1] == [(world.parties.auditor.username, world.other.case.reference)]


@pytest.mark.parametrize("who", ["auditor", "board_member"])
def test_others_get_404_for_the_report(world: World, who: str) -> None:
    assert report(world.user(who))[0] == 404


def test_the_report_filters_by_person_case_and_dates(world: World) -> None:
    read(world, "lead", "own", "2026-03-02 10:00")
    read(world, "auditor", "own", "2026-03-05 10:00")
    read(world, "auditor", "other", "2026-03-09 10:00")
    bu, lead, auditor = world.parties.business_unit, world.parties.lead, world.parties.auditor
    own, other = world.own.case.reference, world.other.case.reference
    assert report(bu, person=auditor.pk)[1] == [(auditor.username, other), (auditor.username, own)]
    assert report(bu, case=own.lower())[1] == [(auditor.username, own), (lead.username, own)]
    assert report(bu, since="2026-03-03", until="2026-03-08")[1] == [(auditor.username, own)]
    assert report(bu, since_day="9", since_month="3", since_year="2026")[1] == [(auditor.username, other)]


def test_a_period_that_ends_before_it_starts_is_an_error(world: World) -> None:
    response = signed_in(world.parties.business_unit).get(
        reverse("pages:access"), {"since": "2026-03-09", "until": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The end of the period must be on or after its start." in response.content.decode()


def test_the_navigation_offers_the_report_to_those_who_may_see_it(world: World) -> None:
    home = reverse("pages:home")
    assert 'href="/access/"' in signed_in(world.parties.business_unit).get(home).content.decode()
    assert 'href="/access/"' not in signed_in(world.parties.auditor).get(home).content.decode()
