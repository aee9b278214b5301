"""An agency lead responds to an action and acknowledges a concern, on a laptop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from audits.choices import ActionStatus, ConcernStatus
from tests.api.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_responds_to_an_action_and_acknowledges_a_concern(world: World, visit: Any) -> None:
    lead = visit(world.parties.lead)
    lead.go("/")
    lead.look("home as an agency lead")
    lead.page.get_by_role("link", name="Overdue actions").click()
    lead.go("/actions/?show=all")
    lead.look("actions")
    lead.page.get_by_role("link", name=world.own.action.description[:40]).click()
    lead.look("action")
    lead.page.get_by_label("Note").fill("Briefing given to every team.")
    lead.page.get_by_role("button", name="Mark complete").click()
    lead.look("action completed")
    world.own.action.refresh_from_db()
    assert world.own.action.status == ActionStatus.COMPLETED

    lead.go("/concerns/")
    lead.look("concerns")
    lead.page.get_by_role("link", name=f"concern for {world.own.agency}").first.click()
    lead.look("concern")
    lead.page.get_by_role("button", name="Acknowledge: we have this in hand").click()
    lead.look("concern acknowledged")
    world.own.concern.refresh_from_db()
    assert world.own.concern.status == ConcernStatus.ACKNOWLEDGED
