"""The pages agency leads and the business unit land on from their emails."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audits.choices import ActionStatus, ConcernStatus
from tests.audits.factories import ActionFactory, AuditFactory, CaseFactory, SafeguardingConcernFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def audit(parties: Parties) -> Any:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference="MACFA 31")
    audit.agencies.add(parties.agency, parties.other_agency)
    return audit


def test_pages_ask_for_sign_in_and_sign_in_works(parties: Parties) -> None:
    response = Client().get(reverse("pages:actions"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    page = Client().get(reverse("login")).content.decode()
    assert '<label class="govuk-label" for="id_username">Username</label>' in page
    signed = Client().post(reverse("login"), {"username": parties.lead.username, "password": "correct-horse-battery"})
    assert signed.status_code == 302 and signed.url == reverse("pages:home")


@pytest.mark.parametrize("role", ["business_unit", "auditor", "lead", "board_member"])
def test_home_page_renders_for_every_role(parties: Parties, audit: Any, role: str) -> None:
    page = signed_in(getattr(parties, role)).get(reverse("pages:home"))
    assert page.status_code == 200
    assert "MACFA 31" in page.content.decode()


def test_agency_lead_sees_only_their_agencys_actions(parties: Parties, audit: Any) -> None:
    ActionFactory(
        audit=audit, owner_agency=parties.agency, description="Ours to do.", due_date=datetime.date(2019, 6, 1)
    )
    theirs = ActionFactory(audit=audit, owner_agency=parties.other_agency, description="Theirs to do.")
    lead = signed_in(parties.lead)
    page = lead.get(reverse("pages:actions"), {"show": "overdue"}).content.decode()
    assert "Ours to do." in page and "Theirs to do." not in page and "Overdue" in page
    assert lead.get(reverse("pages:action", args=[theirs.pk])).status_code == 404


def test_agency_lead_completes_an_action_from_the_page(parties: Parties, audit: Any) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency)
    lead = signed_in(parties.lead)
    page = lead.get(reverse("pages:action", args=[action.pk])).content.decode()
    assert 'value="completed"' in page and 'value="verified"' not in page
    done = lead.post(reverse("pages:action", args=[action.pk]), {"move": "completed", "note": "Briefing delivered."})
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED
    assert "Briefing delivered." in lead.get(reverse("pages:action", args=[action.pk])).content.decode()


def test_a_forbidden_move_from_the_page_is_explained_and_changes_nothing(parties: Parties, audit: Any) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency, status=ActionStatus.COMPLETED)
    response = signed_in(parties.lead).post(reverse("pages:action", args=[action.pk]), {"move": "verified"})
    assert response.status_code == 400
    assert "You cannot make this change to this action." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED


def test_agency_lead_acknowledges_a_concern_from_the_page(parties: Parties, audit: Any) -> None:
    raised = datetime.datetime(2026, 3, 6, 15, 0, tzinfo=datetime.UTC)  # a Friday afternoon
    concern = SafeguardingConcernFactory(
        case=CaseFactory(audit=audit), agency=parties.agency, raised_by=parties.auditor, raised_at=raised
    )
    assert signed_in(parties.other_lead).get(reverse("pages:concern", args=[concern.pk])).status_code == 404
    lead = signed_in(parties.lead)
    page = lead.get(reverse("pages:concern", args=[concern.pk])).content.decode()
    assert "By the end of Monday 9 March 2026 (one working day)" in page
    assert lead.post(reverse("pages:concern", args=[concern.pk])).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    again = lead.post(reverse("pages:concern", args=[concern.pk]))
    assert again.status_code == 409 and "This safeguarding concern is already acknowledged." in again.content.decode()


def test_repeated_wrong_passwords_lock_the_sign_in_for_a_while(parties: Parties) -> None:
    client = Client()
    for _ in range(10):
        wrong = client.post(reverse("login"), {"username": parties.lead.username, "password": "guess"})
        assert wrong.status_code in (200, 429)
    locked = client.post(reverse("login"), {"username": parties.lead.username, "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # Another person signing in from the same place is not affected.
    other = client.post(reverse("login"), {"username": parties.auditor.username, "password": "correct-horse-battery"})
    assert other.status_code == 302


@pytest.mark.parametrize("page", ["pages:home", "pages:actions", "pages:concerns"])
def test_lists_run_the_same_queries_however_many_rows(parties: Parties, audit: Any, page: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for _ in range(count):
            case = CaseFactory(audit=audit)
            ActionFactory(audit=audit, case=case, owner_agency=parties.agency, due_date=datetime.date(2019, 6, 1))
            SafeguardingConcernFactory(case=case, agency=parties.agency, raised_by=parties.auditor)
            AuditFactory(partnership=parties.partnership).agencies.add(parties.agency)

    def queries() -> int:
        client = signed_in(parties.lead)
        client.get(reverse(page), {"show": "all"})  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(page), {"show": "all"}).status_code == 200
        return len(captured)

    add(1)
    few = queries()
    add(8)
    assert queries() == few
