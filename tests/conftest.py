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
    """Someone who may, someone from another agency, and an outsider from another partnership."""

    partnership: Partnership
    agency: Agency
    other_agency: Agency
    other_partnership: Partnership
    business_unit: object
    auditor: object
    lead: object
    other_lead: object
    board_member: object
    outsider: object


@pytest.fixture
def parties(db: None) -> Parties:
    partnership = PartnershipFactory()
    other_partnership = PartnershipFactory()
    agency = AgencyFactory(partnerships=[partnership])
    other_agency = AgencyFactory(partnerships=[partnership])

    def member(role: Role, agency: Agency | None = None, partnership: Partnership = partnership) -> object:
        return MembershipFactory(partnership=partnership, role=role, agency=agency).user

    return Parties(
        partnership=partnership,
        agency=agency,
        other_agency=other_agency,
        other_partnership=other_partnership,
        business_unit=member(Role.BUSINESS_UNIT),
        auditor=member(Role.AUDITOR),
        lead=member(Role.AGENCY_LEAD, agency),
        other_lead=member(Role.AGENCY_LEAD, other_agency),
        board_member=member(Role.BOARD_MEMBER),
        outsider=member(Role.BUSINESS_UNIT, partnership=other_partnership),
    )


@pytest.fixture
def superuser(db: None) -> object:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: object, tmp_path: object) -> None:
    """Uploaded evidence goes to a throwaway folder, never the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined, operator]
