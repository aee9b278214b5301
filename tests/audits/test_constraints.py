"""What must always hold is a database constraint; full_clean() reports it with a message a person can act on."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Membership, Role
from audits.choices import FindingKind, Grade
from audits.models import Audit, Case, Finding, SummaryReview
from tests.agencies.factories import AgencyFactory, MembershipFactory, PartnershipFactory, UserFactory
from tests.audits.factories import (
    ActionFactory,
    AuditFactory,
    CaseFactory,
    FindingFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(obj: object) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()  # type: ignore[attr-defined]
    return raised.value.messages


def assert_database_refuses(obj: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()  # type: ignore[attr-defined]


def test_audit_reference_is_unique_in_its_partnership_only() -> None:
    audit = AuditFactory(reference="MACFA 31")
    duplicate = Audit(partnership=audit.partnership, reference="MACFA 31", title="Again")
    assert "This partnership already has an audit with this reference." in messages_of(duplicate)
    assert_database_refuses(duplicate)
    AuditFactory(reference="MACFA 31", partnership=PartnershipFactory())  # another partnership may reuse it


def test_audit_cannot_end_before_it_starts() -> None:
    audit = AuditFactory.build(
        partnership=PartnershipFactory(),
        start_date=datetime.date(2019, 3, 1),
        end_date=datetime.date(2019, 2, 1),
    )
    assert "The audit cannot end before it starts." in messages_of(audit)
    assert_database_refuses(audit)


def test_audit_auditor_must_be_an_auditor_of_the_partnership() -> None:
    audit = AuditFactory.build(partnership=PartnershipFactory(), auditor=UserFactory())
    assert "This person is not an auditor in this partnership." in messages_of(audit)


def test_case_reference_is_unique_in_its_audit() -> None:
    case = CaseFactory(reference="C1")
    duplicate = Case(audit=case.audit, reference="C1", age_band="5-11", level_of_need=3)
    assert "This audit already has a case with this reference." in messages_of(duplicate)
    assert_database_refuses(duplicate)
    CaseFactory(reference="C1")  # another audit may reuse it


def test_case_reference_that_looks_like_a_name_is_rejected_on_clean() -> None:
    case = Case(audit=AuditFactory(), reference="Jane Smith", age_band="5-11", level_of_need=3)
    assert any("looks like a person's name" in message for message in messages_of(case))


def test_case_level_of_need_is_one_to_four() -> None:
    case = Case(audit=AuditFactory(), reference="C1", age_band="5-11", level_of_need=5)
    assert_database_refuses(case)


def test_one_finding_per_case_agency_and_theme() -> None:
    finding = FindingFactory()
    duplicate = Finding(
        case=finding.case,
        agency=finding.agency,
        theme=finding.theme,
        grade=Grade.GOOD,
        kind=FindingKind.STRENGTH,
    )
    assert "There is already a finding for this case, agency and theme." in messages_of(duplicate)
    assert_database_refuses(duplicate)


def test_one_multi_agency_finding_per_case_and_theme() -> None:
    finding = FindingFactory(agency=None)
    duplicate = Finding(case=finding.case, agency=None, theme=finding.theme, kind=FindingKind.STRENGTH)
    assert "There is already a multi-agency finding for this case and theme." in messages_of(duplicate)
    assert_database_refuses(duplicate)


def test_grades_must_be_on_the_four_point_scale() -> None:
    finding = FindingFactory.build(case=CaseFactory(), agency=AgencyFactory(), theme=ThemeFactory(), grade=5)
    assert_database_refuses(finding)
    finding.grade, finding.self_grade = Grade.GOOD, 0
    assert_database_refuses(finding)


def test_panel_moving_a_self_grade_must_say_why() -> None:
    finding = FindingFactory.build(
        case=CaseFactory(),
        agency=AgencyFactory(),
        theme=ThemeFactory(),
        self_grade=2,
        grade=3,
        change_reason="",
    )
    assert "Give the reason when the panel's grade differs from the self-grade." in messages_of(finding)
    assert_database_refuses(finding)
    finding.change_reason = "Less evidence of the child's voice than the return claimed."
    finding.save()


def test_a_finding_cannot_be_agreed_without_the_panel_grade() -> None:
    finding = FindingFactory.build(
        case=CaseFactory(),
        agency=AgencyFactory(),
        theme=ThemeFactory(),
        grade=None,
        agreed_at=datetime.datetime(2019, 3, 1, tzinfo=datetime.UTC),
    )
    assert "A finding needs the panel's grade before it can be agreed." in messages_of(finding)
    assert_database_refuses(finding)


def test_action_due_date_cannot_be_before_it_was_raised() -> None:
    action = ActionFactory.build(
        audit=AuditFactory(),
        owner_agency=AgencyFactory(),
        raised_on=datetime.date(2019, 3, 1),
        due_date=datetime.date(2019, 2, 28),
    )
    assert "The due date cannot be before the date the action was raised." in messages_of(action)
    assert_database_refuses(action)


def test_concern_cannot_be_acknowledged_before_it_was_raised() -> None:
    raised = datetime.datetime(2019, 3, 1, 10, tzinfo=datetime.UTC)
    concern = SafeguardingConcernFactory.build(
        case=CaseFactory(),
        agency=AgencyFactory(),
        raised_by=UserFactory(),
        raised_at=raised,
        acknowledged_at=raised - datetime.timedelta(hours=1),
        status="acknowledged",
    )
    assert "A concern cannot be acknowledged before it was raised." in messages_of(concern)
    assert_database_refuses(concern)


def test_request_for_changes_must_say_what_to_change() -> None:
    review = SummaryReview(summary=LearningSummaryFactory(), reviewer=UserFactory(), decision="request_changes")
    assert "Say what should change when requesting changes." in messages_of(review)
    assert_database_refuses(review)


def test_agency_lead_membership_needs_an_agency_and_others_none() -> None:
    partnership = PartnershipFactory()
    lead = Membership(user=UserFactory(), partnership=partnership, role=Role.AGENCY_LEAD)
    assert "An agency lead needs an agency; other roles have none." in messages_of(lead)
    assert_database_refuses(lead)
    board = Membership(
        user=UserFactory(),
        partnership=partnership,
        role=Role.BOARD_MEMBER,
        agency=AgencyFactory(partnerships=[partnership]),
    )
    assert_database_refuses(board)


def test_agency_lead_agency_must_be_a_partner_of_the_partnership() -> None:
    lead = Membership(
        user=UserFactory(), partnership=PartnershipFactory(), role=Role.AGENCY_LEAD, agency=AgencyFactory()
    )
    assert "This agency is not a partner of this partnership." in messages_of(lead)


def test_a_role_is_held_once_per_partnership() -> None:
    membership = MembershipFactory(role=Role.AUDITOR)
    duplicate = Membership(user=membership.user, partnership=membership.partnership, role=Role.AUDITOR)
    assert "This person already holds this role in this partnership." in messages_of(duplicate)
    assert_database_refuses(duplicate)
