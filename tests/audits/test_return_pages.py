"""The agency lead's returns pages: "Our returns" and the single-agency return for one case."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.choices import AuditStatus, ReturnStatus
from audits.models import AgencyReturn, ReturnGrade
from tests.api.conftest import World, build_world
from tests.audits.factories import AgencyReturnFactory, CaseFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(parties: Parties) -> World:
    """Records about the lead's agency, another agency, and the lead's agency in another partnership."""
    return build_world(parties)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def return_url(case: Any, agency: Any) -> str:
    return reverse("pages:return", args=[case.pk, agency.pk])


def form_data(world: World, choice: str = "save", version: str = "", **texts: str) -> dict[str, str]:
    return {
        f"grade_{world.own.theme.pk}": "2",
        "good_practice": "",
        "areas_for_development": "",
        "recommendations": "",
        "updated_at": version,
        "choice": choice,
        **texts,
    }


def test_our_returns_lists_only_the_leads_agencys_cases_in_their_partnership(world: World) -> None:
    page = signed_in(world.parties.lead).get(reverse("pages:returns")).content.decode()
    assert return_url(world.own.case, world.own.agency) in page
    assert return_url(world.own.spare_case, world.own.agency) in page
    assert "Draft" in page and "Not started" in page
    for theirs in (world.other, world.foreign):
        assert return_url(theirs.case, theirs.agency) not in page
        assert theirs.audit.reference not in page


def test_a_lead_of_the_shared_agency_in_another_partnership_sees_none_of_ours(world: World) -> None:
    outsider = signed_in(world.parties.outsider_lead)
    page = outsider.get(reverse("pages:returns")).content.decode()
    assert return_url(world.foreign.case, world.foreign.agency) in page
    assert return_url(world.own.case, world.own.agency) not in page and world.own.audit.reference not in page
    assert outsider.get(return_url(world.own.case, world.own.agency)).status_code == 404


def test_audits_still_open_for_returns_come_first(world: World) -> None:
    world.own.audit.status = AuditStatus.REPORTING
    world.own.audit.save()
    later = CaseFactory(audit__partnership=world.parties.partnership, audit__status=AuditStatus.PANEL)
    later.agencies.add(world.own.agency)
    page = signed_in(world.parties.lead).get(reverse("pages:returns")).content.decode()
    assert page.index(return_url(later, world.own.agency)) < page.index(return_url(world.own.case, world.own.agency))
    assert "Closed to returns" in page


def test_our_returns_query_count_does_not_grow_with_the_rows(world: World) -> None:
    lead = signed_in(world.parties.lead)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert lead.get(reverse("pages:returns")).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(10):
        case = CaseFactory(audit=world.own.audit)
        case.agencies.add(world.own.agency)
        AgencyReturnFactory(case=case, agency=world.own.agency)
    assert queries() == before


def test_lead_saves_a_new_return_as_a_draft(world: World) -> None:
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.spare_case, world.own.agency)
    page = lead.get(url).content.decode()
    assert world.own.theme.name in page and "Not graded" in page and "Save as draft" in page
    saved = lead.post(url, form_data(world, good_practice="Shared the referral the same day."))
    assert saved.status_code == 302 and saved.url == url
    agency_return = AgencyReturn.objects.get(case=world.own.spare_case, agency=world.own.agency)
    assert agency_return.status == ReturnStatus.DRAFT
    assert agency_return.good_practice == "Shared the referral the same day."
    assert ReturnGrade.objects.get(agency_return=agency_return, theme=world.own.theme).grade == 2
    again = lead.get(url).content.decode()
    assert "Shared the referral the same day." in again and "Saved as a draft" in again


def test_lead_updates_a_draft_and_clears_a_grade(world: World) -> None:
    lead = signed_in(world.parties.lead)
    agency_return = world.own.agency_return
    url = return_url(world.own.case, world.own.agency)
    version = agency_return.updated_at.isoformat()
    data = form_data(world, version=version, areas_for_development="Record the father's role.")
    assert lead.post(url, data).status_code == 302
    data = form_data(world, version=AgencyReturn.objects.get(pk=agency_return.pk).updated_at.isoformat())
    data[f"grade_{world.own.theme.pk}"] = ""
    assert lead.post(url, data).status_code == 302
    agency_return.refresh_from_db()
    assert agency_return.areas_for_development == ""
    assert not agency_return.self_grades.exists()


def test_lead_submits_the_return_and_it_is_locked_afterwards(world: World) -> None:
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.case, world.own.agency)
    version = world.own.agency_return.updated_at.isoformat()
    submitted = lead.post(url, form_data(world, "submit", version, recommendations="Audit chronologies."))
    assert submitted.status_code == 302
    agency_return = AgencyReturn.objects.get(pk=world.own.agency_return.pk)
    assert agency_return.status == ReturnStatus.SUBMITTED
    assert agency_return.submitted_by_id == world.parties.lead.pk
    assert agency_return.recommendations == "Audit chronologies."

    page = lead.get(url).content.decode()
    assert "cannot be changed" in page and world.parties.lead.username in page
    assert "<textarea" not in page and "Submit the return" not in page and "Good" in page

    late = lead.post(url, form_data(world, version=agency_return.updated_at.isoformat(), recommendations="Changed."))
    assert late.status_code == 409 and "can no longer be changed" in late.content.decode()
    agency_return.refresh_from_db()
    assert agency_return.recommendations == "Audit chronologies." and agency_return.status == ReturnStatus.SUBMITTED
    listing = lead.get(reverse("pages:returns")).content.decode()
    assert "Submitted" in listing


def test_submitting_an_empty_return_says_what_to_do_and_saves_nothing(world: World) -> None:
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.spare_case, world.own.agency)
    data = form_data(world, "submit")
    data[f"grade_{world.own.theme.pk}"] = ""
    response = lead.post(url, data)
    assert response.status_code == 400
    assert "Give a self-grade or write at least one part of the return" in response.content.decode()
    assert not AgencyReturn.objects.filter(case=world.own.spare_case).exists()


def test_an_invalid_field_keeps_the_typed_text(world: World) -> None:
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.spare_case, world.own.agency)
    response = lead.post(url, form_data(world, good_practice="Kept text.", recommendations="x" * 10001))
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and "Kept text." in page
    assert not AgencyReturn.objects.filter(case=world.own.spare_case).exists()


def test_a_stale_edit_says_so_keeps_the_typed_text_and_changes_nothing(world: World) -> None:
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.case, world.own.agency)
    opened_at = world.own.agency_return.updated_at.isoformat()
    # The auditor saves the return in between.
    auditor = signed_in(world.parties.auditor)
    first = auditor.post(url, form_data(world, version=opened_at, good_practice="Words of the auditor."))
    assert first.status_code == 302
    response = lead.post(url, form_data(world, version=opened_at, good_practice="Words of the lead."))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this return after you opened it" in page and "Words of the lead." in page
    assert AgencyReturn.objects.get(pk=world.own.agency_return.pk).good_practice == "Words of the auditor."
    # Saving again after the warning is deliberate and goes through.
    current = AgencyReturn.objects.get(pk=world.own.agency_return.pk).updated_at.isoformat()
    assert f'value="{current}"' in page
    assert lead.post(url, form_data(world, version=current, good_practice="Words of the lead.")).status_code == 302


def test_another_agencys_return_is_not_found(world: World) -> None:
    lead = signed_in(world.parties.lead)
    for case, agency in [
        (world.other.case, world.other.agency),  # another agency's case
        (world.own.case, world.parties.other_agency),  # our case, an agency not involved in it
        (world.foreign.case, world.foreign.agency),  # our agency, another partnership's case
    ]:
        assert lead.get(return_url(case, agency)).status_code == 404
        assert lead.post(return_url(case, agency), form_data(world)).status_code == 404
    # The other agency is involved in our case too: its return is still not ours to see.
    world.own.case.agencies.add(world.parties.other_agency)
    assert lead.get(return_url(world.own.case, world.parties.other_agency)).status_code == 404
    assert signed_in(world.parties.board_member).get(return_url(world.own.case, world.own.agency)).status_code == 404


def test_the_audits_auditor_may_enter_a_return(world: World) -> None:
    page = signed_in(world.parties.auditor).get(return_url(world.own.case, world.own.agency)).content.decode()
    assert "Prompt sharing." in page and "Save as draft" in page


def test_a_return_past_the_panel_is_read_only(world: World) -> None:
    world.own.audit.status = AuditStatus.REPORTING
    world.own.audit.save()
    lead = signed_in(world.parties.lead)
    url = return_url(world.own.spare_case, world.own.agency)
    page = lead.get(url).content.decode()
    assert "past the panel" in page and "<textarea" not in page
    assert lead.post(url, form_data(world, good_practice="Too late.")).status_code == 409
    assert not AgencyReturn.objects.filter(case=world.own.spare_case).exists()
