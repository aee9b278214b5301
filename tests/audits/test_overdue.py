"""Overdue and due soon, decided once (Action.objects) and read the same by every interface that shows them.

The boundaries (docs/decisions.md): an action due today is not overdue until tomorrow; due soon is from today to
seven days ahead, both ends included; completed and verified actions are neither.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audits.choices import ActionStatus
from audits.models import Action
from audits.summaries.compile import _actions
from tests.api.conftest import client_for
from tests.audits.factories import ActionFactory, AuditFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 11)  # a Wednesday


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def plan(parties: Parties) -> dict[str, Action]:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)

    def action(due: datetime.date, status: str = ActionStatus.OPEN) -> Action:
        return ActionFactory(audit=audit, owner_agency=parties.agency, raised_on=days(-60), due_date=due, status=status)

    return {
        "yesterday": action(days(-1)),
        "today": action(days(0)),
        "in_seven_days": action(days(7)),
        "in_eight_days": action(days(8)),
        "completed_late": action(days(-5), ActionStatus.COMPLETED),
        "reopened_late": action(days(-5), ActionStatus.REOPENED),
    }


def names(plan: dict[str, Action], ids: set[int]) -> set[str]:
    return {name for name, action in plan.items() if action.pk in ids}


def test_overdue_means_outstanding_and_due_before_today(plan: dict[str, Action]) -> None:
    overdue = set(Action.objects.overdue(today=TODAY).values_list("pk", flat=True))
    assert names(plan, overdue) == {"yesterday", "reopened_late"}


def test_due_soon_is_today_to_seven_days_ahead(plan: dict[str, Action]) -> None:
    soon = set(Action.objects.due_within(days=7, today=TODAY).values_list("pk", flat=True))
    assert names(plan, soon) == {"today", "in_seven_days"}


@time_machine.travel(datetime.datetime(2026, 3, 11, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_every_interface_shows_the_same_overdue_actions(parties: Parties, plan: dict[str, Action]) -> None:
    expected = {"yesterday", "reopened_late"}
    api = client_for(parties.lead).get(reverse("api:action-list"), {"overdue": "true", "page_size": 100}).json()
    assert names(plan, {row["id"] for row in api["results"]}) == expected
    flags = client_for(parties.lead).get(reverse("api:action-list"), {"page_size": 100}).json()["results"]
    assert names(plan, {row["id"] for row in flags if row["overdue"]}) == expected

    page = Client()
    page.force_login(parties.lead)
    listed = page.get(reverse("pages:actions"), {"show": "overdue"}).context["actions"]
    assert names(plan, {action.pk for action in listed}) == expected
    home = page.get(reverse("pages:home")).context
    assert (home["overdue"], home["due_soon"]) == (2, 2)

    audit_ids = list({action.audit_id for action in plan.values()})
    assert _actions(audit_ids, TODAY)["totals"]["overdue"] == 2
