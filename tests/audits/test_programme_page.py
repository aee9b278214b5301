"""The business unit's programme page: audits by year and stage, returns outstanding, overdue actions with "send a
reminder now" (the daily reminder itself: never twice a day), and summaries by status."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from audits.choices import AuditStatus, ReturnStatus
from audits.notifications import send_action_reminders
from tests.agencies.factories import MembershipFactory
from tests.audits.factories import ActionFactory, AgencyReturnFactory, AuditFactory, CaseFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)  # a Friday


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def programme(parties: Parties) -> dict[str, Any]:
    """An audit waiting for returns (one of two submitted), and overdue actions here and in the other partnership."""
    audit = AuditFactory(partnership=parties.partnership, reference="MACFA 32", status=AuditStatus.AGENCY_RETURNS)
    for reference in ("C1", "C2"):
        case = CaseFactory(audit=audit, reference=reference)
        case.agencies.add(parties.agency)
    AgencyReturnFactory(
        case=audit.cases.get(reference="C1"),
        agency=parties.agency,
        status=ReturnStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    overdue = ActionFactory(audit=audit, owner_agency=parties.agency, due_date=TODAY - datetime.timedelta(days=3))
    theirs = AuditFactory(partnership=parties.other_partnership, reference="MACFA 90")
    ActionFactory(audit=theirs, owner_agency=parties.agency, due_date=TODAY - datetime.timedelta(days=30))
    return {"audit": audit, "overdue": overdue}


def test_the_programme_shows_stages_returns_outstanding_and_overdue_actions(
    parties: Parties, programme: dict[str, Any]
) -> None:
    with time_machine.travel(TODAY):
        page = signed_in(parties.business_unit).get(reverse("pages:programme"))
    assert page.status_code == 200
    words = text(page)
    assert "MACFA 32" in words and "Agency returns" in words
    agency = parties.agency.short_name or parties.agency.name
    assert re.search(rf"MACFA 32 {re.escape(agency)} 2 1 1", words)  # two cases, one submitted, one outstanding
    assert "Send a reminder now" in words
    assert "MACFA 90" not in words  # the other partnership's audit, though it shares the agency


@pytest.mark.parametrize("who", ["auditor", "lead", "board_member", "outsider_auditor"])
def test_the_programme_is_the_business_units_only(parties: Parties, programme: dict[str, Any], who: str) -> None:
    page = signed_in(getattr(parties, who)).get(reverse("pages:programme"))
    assert page.status_code == 403
    assert "MACFA 32" not in text(page)


def test_send_a_reminder_now_sends_todays_reminder_once_however_often_pressed(
    parties: Parties, programme: dict[str, Any]
) -> None:
    parties.lead.email = "lead@example.org"
    parties.lead.save()
    unit = signed_in(parties.business_unit)
    press = {"partnership": parties.partnership.pk, "agency": parties.agency.pk}
    with time_machine.travel(TODAY):
        first = unit.post(reverse("pages:programme-remind"), press, follow=True)
        assert "Today's reminder was sent" in text(first)
        second = unit.post(reverse("pages:programme-remind"), press, follow=True)
        assert "already had today's reminder" in text(second)
        send_action_reminders(today=TODAY)  # the daily run, later the same day, does not send it again
    to_lead = [message for message in mail.outbox if message.to == ["lead@example.org"]]
    assert len(to_lead) == 1
    assert "MACFA 32" in to_lead[0].body


def test_a_reminder_cannot_be_sent_for_another_partnership(parties: Parties, programme: dict[str, Any]) -> None:
    outsider_lead = parties.outsider_lead
    outsider_lead.email = "their-lead@example.org"
    outsider_lead.save()
    MembershipFactory(user=parties.business_unit, partnership=parties.partnership, role=Role.AUDITOR)
    press = {"partnership": parties.other_partnership.pk, "agency": parties.agency.pk}
    with time_machine.travel(TODAY):
        response = signed_in(parties.business_unit).post(reverse("pages:programme-remind"), press, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []


def test_every_audit_links_to_its_page_with_its_stage_and_in_several_partnerships_its_partnership(
    parties: Parties, programme: dict[str, Any]
) -> None:
    MembershipFactory(user=parties.business_unit, partnership=parties.other_partnership, role=Role.BUSINESS_UNIT)
    theirs = programme["audit"].__class__.objects.get(reference="MACFA 90")
    with time_machine.travel(TODAY):
        page = signed_in(parties.business_unit).get(reverse("pages:programme"))
    body = page.content.decode()
    for audit in (programme["audit"], theirs):
        link = f'<a class="govuk-link" href="{reverse("pages:audit", args=[audit.pk])}">{audit.reference}</a>'
        assert link in body
    words = text(page)
    assert f"MACFA 90 {theirs.title} {parties.other_partnership.name} {theirs.get_status_display()}" in words
    assert f"MACFA 32 {programme['audit'].title} {parties.partnership.name} Agency returns" in words
