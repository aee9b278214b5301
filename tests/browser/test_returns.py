"""An agency lead completes and submits their agency's return on a laptop and on a phone, and opens every action and
concern from the lists on a tablet and a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from audits.choices import ReturnStatus
from audits.models import AgencyReturn
from tests.api.conftest import World
from tests.audits.factories import ActionFactory, SafeguardingConcernFactory
from tests.browser.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_completes_and_submits_a_return_and_cannot_edit_it_afterwards(world: World, visit: Any) -> None:
    lead = visit(world.parties.lead)
    case, theme = world.own.spare_case, world.own.theme
    lead.go("/returns/")
    lead.look("our returns")
    for theirs in (world.other, world.foreign):
        assert lead.page.locator(f'a[href="/returns/{theirs.case.pk}/{theirs.agency.pk}/"]').count() == 0
    lead.page.get_by_role("link", name=f"{case.reference} in {case.audit.reference}: {world.own.agency} return").click()
    lead.look("return not started")

    lead.page.get_by_role("group", name=theme.name).get_by_label("Requires improvement").check()
    lead.page.get_by_label("Good practice").fill("The school shared its concerns with social care the same day.")
    lead.page.get_by_role("button", name="Save as draft").click()
    lead.look("return saved as a draft")
    assert AgencyReturn.objects.get(case=case, agency=world.own.agency).status == ReturnStatus.DRAFT

    lead.page.get_by_label("Recommendations").fill("Record the father's role in every assessment.")
    assert lead.page.get_by_label("Good practice").input_value().startswith("The school shared")
    lead.page.get_by_role("button", name="Submit the return").click()
    lead.look("return submitted")
    submitted = AgencyReturn.objects.get(case=case, agency=world.own.agency)
    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.recommendations == "Record the father's role in every assessment."
    assert submitted.self_grades.get().grade == 3

    # Afterwards the page is read-only: no field, no button, and it says who submitted it.
    assert lead.page.locator("textarea, input[type=radio]").count() == 0
    assert lead.page.get_by_role("button", name="Submit the return").count() == 0
    assert world.parties.lead.username in lead.page.inner_text("main")
    lead.go("/returns/")
    lead.look("our returns after submitting")
    assert "Submitted" in lead.page.inner_text("main")


def test_submitting_an_empty_return_shows_what_to_do(world: World, visit: Any) -> None:
    lead = visit(world.parties.lead)
    case = world.own.spare_case
    lead.go(f"/returns/{case.pk}/{world.own.agency.pk}/")
    lead.page.get_by_role("button", name="Submit the return").click()
    lead.page.wait_for_load_state("networkidle")
    assert lead.page_status() == 400  # the refused submission, sent back with its error
    lead.look("return submitted empty")
    assert "Give a self-grade or write at least one part" in lead.page.inner_text(".govuk-error-summary")
    assert not AgencyReturn.objects.filter(case=case, agency=world.own.agency).exists()


@pytest.mark.parametrize(("width", "pixels"), [("tablet", 768), ("phone", 375)])
def test_lead_opens_every_action_and_concern_from_the_lists_on_a_tablet_and_a_phone(
    world: World, chromium: Any, live_server: Any, screenshots: Path, width: str, pixels: int
) -> None:
    # A second action and concern for the lead's agency, so that every row, not only the first, is tried.
    ActionFactory(audit=world.own.audit, owner_agency=world.own.agency, description="Audit chronologies quarterly.")
    SafeguardingConcernFactory(case=world.own.spare_case, agency=world.own.agency, raised_by=world.parties.auditor)
    client = Client()
    client.force_login(world.parties.lead)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = chromium.new_context(viewport={"width": pixels, "height": 1024})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    try:
        lead = Visit(context.new_page(), live_server.url, f"{width}-lists", screenshots)
        for listing, name in [("/actions/?show=all", "actions"), ("/concerns/", "concerns")]:
            lead.go(listing)
            lead.look(f"{name} list")
            assert (
                lead.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
            )
            links = lead.page.locator("tbody tr td:first-child a")
            assert links.count() == 2
            for index in range(links.count()):
                link = lead.page.locator("tbody tr td:first-child a").nth(index)
                box = link.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= pixels, f"{name} link hidden"
                link.click()
                lead.look(f"{name[:-1]} {index + 1}")
                assert lead.page.locator("h1").count() == 1
                lead.go(listing)
    finally:
        context.close()
