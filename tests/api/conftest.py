"""A world with one of everything: about the lead's own agency, about another agency, in another partnership.

The lead's agency serves both partnerships, and the other partnership's records are about that same agency, so
a lead of it sees their partnership's records and never the other partnership's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from audits.choices import AuditStatus
from audits.models import ChildFamilyView
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


@dataclass
class Things:
    """One record of each resource."""

    partnership: Any
    agency: Any
    theme: Any
    audit: Any
    case: Any
    view: Any
    agency_return: Any
    finding: Any
    action: Any
    concern: Any
    summary: Any
    membership: Any
    spare_case: Any


@dataclass
class World:
    parties: Parties
    own: Things
    other: Things
    foreign: Things

    def user(self, role: str) -> Any:
        return getattr(self.parties, role)


def make_things(
    partnership: Any, agency: Any, audit: Any, auditor: Any, *, theme_partnership: Any, membership: Any
) -> Things:
    case = CaseFactory(audit=audit)
    case.agencies.add(agency)
    spare_case = CaseFactory(audit=audit)  # involves the agency but has no return or finding yet
    spare_case.agencies.add(agency)
    theme = ThemeFactory(partnership=theme_partnership)
    audit.focus_themes.add(theme)
    summary = LearningSummaryFactory(partnership=partnership)
    summary.themes.add(theme)
    summary.audits.add(audit)
    return Things(
        partnership=partnership,
        agency=agency,
        theme=theme,
        audit=audit,
        case=case,
        view=ChildFamilyView.objects.create(case=case, speaker="child", summary="Felt listened to."),
        agency_return=AgencyReturnFactory(case=case, agency=agency, good_practice="Prompt sharing."),
        finding=FindingFactory(case=case, agency=agency, theme=theme, self_grade=2, grade=2),
        action=ActionFactory(audit=audit, case=case, owner_agency=agency, due_date=datetime.date(2030, 1, 1)),
        concern=SafeguardingConcernFactory(case=case, agency=agency, raised_by=auditor),
        summary=summary,
        membership=membership,
        spare_case=spare_case,
    )


@pytest.fixture
def world(parties: Parties) -> World:
    return build_world(parties)


def build_world(parties: Parties) -> World:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, status=AuditStatus.AGENCY_RETURNS)
    audit.agencies.add(parties.agency, parties.other_agency)
    # An audit the lead's agency takes no part in, to show the other agency's side.
    other_audit = AuditFactory(
        partnership=parties.partnership, auditor=parties.auditor, status=AuditStatus.AGENCY_RETURNS
    )
    other_audit.agencies.add(parties.other_agency)
    foreign_audit = AuditFactory(
        partnership=parties.other_partnership, auditor=parties.outsider_auditor, status=AuditStatus.AGENCY_RETURNS
    )
    foreign_audit.agencies.add(parties.agency)
    return World(
        parties=parties,
        own=make_things(
            parties.partnership,
            parties.agency,
            audit,
            parties.auditor,
            theme_partnership=parties.partnership,
            membership=parties.lead.memberships.get(),
        ),
        other=make_things(
            parties.partnership,
            parties.other_agency,
            other_audit,
            parties.auditor,
            theme_partnership=parties.partnership,
            membership=parties.other_lead.memberships.get(),
        ),
        foreign=make_things(
            parties.other_partnership,
            parties.agency,
            foreign_audit,
            parties.outsider_auditor,
            theme_partnership=parties.other_partnership,
            membership=parties.outsider_lead.memberships.get(),
        ),
    )


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
