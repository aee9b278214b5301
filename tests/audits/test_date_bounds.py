"""A date outside 2000–2100 is a typing slip (9999 for 2025): every door refuses it, as the API does."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import Action
from audits.services.audits import audit_update
from audits.services.summaries import summary_create
from macfa.errors import ApplicationError
from tests.audits.factories import AuditFactory, ThemeFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_audit_page_refuses_a_due_date_in_9999_and_keeps_the_action_unsaved(parties: Parties) -> None:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    audit.agencies.add(parties.agency)
    response = signed_in(parties.auditor).post(
        reverse("pages:audit-action-new", args=[audit.pk]),
        {"owner_agency": parties.agency.pk, "description": "Refresh guidance.", "due_date": "9999-12-31"},
    )
    assert response.status_code == 400
    assert "Give a date between 1 January 2000 and 31 December 2100." in response.content.decode()
    assert not Action.objects.exists()


def test_services_refuse_audit_and_summary_dates_out_of_range(parties: Parties) -> None:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    with pytest.raises(ApplicationError) as refused:
        audit_update(actor=parties.auditor, audit=audit, end_date=datetime.date(1999, 12, 31))
    assert refused.value.field == "end_date"
    with pytest.raises(ApplicationError) as refused:
        summary_create(
            actor=parties.auditor,
            partnership=parties.partnership,
            title="Far",
            themes=[ThemeFactory(partnership=None)],
            period_start=datetime.date(2019, 1, 1),
            period_end=datetime.date(2999, 1, 1),
        )
    assert refused.value.field == "period_end"
