"""Every list endpoint runs the same number of queries for one row as for twenty."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from audits.choices import ReviewDecision
from audits.models import ActionUpdate, ChildFamilyView, SummaryReview
from tests.agencies.factories import AgencyFactory, MembershipFactory
from tests.api.conftest import client_for
from tests.audits.factories import (
    ActionFactory,
    AgencyReturnFactory,
    AuditFactory,
    CaseFactory,
    FindingFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
    ThemeFactory,
)
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, parties: Parties) -> None:
        self.p = parties
        self.audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
        self.audit.agencies.add(parties.agency)
        self.case = CaseFactory(audit=self.audit)
        self.case.agencies.add(parties.agency)
        self.action = ActionFactory(audit=self.audit, owner_agency=parties.agency)
        self.summary = LearningSummaryFactory(partnership=parties.partnership)

    def agency(self) -> Any:
        return AgencyFactory(partnerships=[self.p.partnership])

    def audit_row(self) -> Any:
        audit = AuditFactory(partnership=self.p.partnership, auditor=self.p.auditor)
        audit.focus_themes.add(ThemeFactory(partnership=self.p.partnership))
        audit.agencies.add(self.p.agency)
        audit.benchmark_audits.add(self.audit)
        return audit

    def case_row(self) -> Any:
        case = CaseFactory(audit=self.audit)
        case.agencies.add(self.p.agency)
        case.factors.create(factor="neglect")
        return case

    def summary_row(self) -> Any:
        summary = LearningSummaryFactory(partnership=self.p.partnership)
        summary.themes.add(ThemeFactory(partnership=self.p.partnership))
        summary.audits.add(self.audit)
        return summary


ROWS: dict[str, tuple[str, Callable[[Builder], Any]]] = {
    "partnership-list": ("", lambda b: MembershipFactory(user=b.p.business_unit, role=Role.BUSINESS_UNIT)),
    "agency-list": ("", lambda b: b.agency()),
    "membership-list": ("", lambda b: MembershipFactory(partnership=b.p.partnership, role=Role.BOARD_MEMBER)),
    "theme-list": ("", lambda b: ThemeFactory(partnership=b.p.partnership)),
    "audit-list": ("", lambda b: b.audit_row()),
    "case-list": ("", lambda b: b.case_row()),
    "view-list": ("", lambda b: ChildFamilyView.objects.create(case=b.case, speaker="child", summary="Heard.")),
    "return-list": ("", lambda b: AgencyReturnFactory(case=b.case_row(), agency=b.p.agency)),
    "finding-list": ("", lambda b: FindingFactory(case=b.case_row(), agency=b.p.agency)),
    "action-list": (
        "",
        lambda b: ActionFactory(audit=b.audit, owner_agency=b.p.agency, due_date=datetime.date(2030, 1, 1)),
    ),
    "concern-list": ("", lambda b: SafeguardingConcernFactory(case=b.case, agency=b.p.agency, raised_by=b.p.auditor)),
    "summary-list": ("", lambda b: b.summary_row()),
    "action-updates": (
        "action",
        lambda b: ActionUpdate.objects.create(action=b.action, author=b.p.lead, note="Progress.", status_to=""),
    ),
    "summary-reviews": (
        "summary",
        lambda b: SummaryReview.objects.create(
            summary=b.summary, reviewer=b.p.board_member, decision=ReviewDecision.COMMENT, comment="Clear."
        ),
    ),
}


def count(client: Any, path: str, rows: int) -> int:
    client.get(path)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= rows
    return len(queries)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_list_query_count_does_not_grow_with_rows(parties: Parties, name: str) -> None:
    parent, make = ROWS[name]
    builder = Builder(parties)
    path = reverse(f"api:{name}", args=[getattr(builder, parent).pk] if parent else [])
    client = client_for(parties.business_unit)
    make(builder)
    one = count(client, path, 1)
    for _ in range(19):
        make(builder)
    assert count(client, path, 20) == one
