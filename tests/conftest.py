from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings

from agencies.models import Agency, Partnership, Role
from tests.agencies.factories import AgencyFactory, MembershipFactory, PartnershipFactory, UserFactory


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Parties:
    """Someone who may, someone from another agency, and outsiders from another partnership.

    The lead's agency serves both partnerships (as a police force may), so an agency lead of it in one
    partnership and an agency lead of it in the other must still see nothing of each other's partnership.
    ``outsider`` is the other partnership's business unit; the other ``outsider_*`` hold its other roles.
    """

    partnership: Partnership
    agency: Agency  # a partner of both partnerships
    other_agency: Agency
    other_partnership: Partnership
    outsider_agency: Agency  # a partner of the other partnership only
    business_unit: object
    auditor: object
    lead: object
    other_lead: object
    board_member: object
    outsider: object
    outsider_auditor: object
    outsider_lead: object  # a lead of the shared agency, in the other partnership
    outsider_other_lead: object
    outsider_board_member: object


@pytest.fixture
def parties(db: None) -> Parties:
    partnership = PartnershipFactory()
    other_partnership = PartnershipFactory()
    agency = AgencyFactory(partnerships=[partnership, other_partnership])
    other_agency = AgencyFactory(partnerships=[partnership])
    outsider_agency = AgencyFactory(partnerships=[other_partnership])

    def member(role: Role, agency: Agency | None = None, partnership: Partnership = partnership) -> object:
        return MembershipFactory(partnership=partnership, role=role, agency=agency).user

    return Parties(
        partnership=partnership,
        agency=agency,
        other_agency=other_agency,
        other_partnership=other_partnership,
        outsider_agency=outsider_agency,
        business_unit=member(Role.BUSINESS_UNIT),
        auditor=member(Role.AUDITOR),
        lead=member(Role.AGENCY_LEAD, agency),
        other_lead=member(Role.AGENCY_LEAD, other_agency),
        board_member=member(Role.BOARD_MEMBER),
        outsider=member(Role.BUSINESS_UNIT, partnership=other_partnership),
        outsider_auditor=member(Role.AUDITOR, partnership=other_partnership),
        outsider_lead=member(Role.AGENCY_LEAD, agency, partnership=other_partnership),
        outsider_other_lead=member(Role.AGENCY_LEAD, outsider_agency, partnership=other_partnership),
        outsider_board_member=member(Role.BOARD_MEMBER, partnership=other_partnership),
    )


@pytest.fixture
def superuser(db: None) -> object:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: object, tmp_path: object) -> None:
    """Uploaded evidence goes to a throwaway folder, never the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined, operator]
