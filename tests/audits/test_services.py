from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from audits.choices import ActionStatus, AuditStatus
from audits.services.actions import action_move
from audits.services.audits import audit_move
from audits.services.findings import finding_agree
from macfa.errors import ApplicationError, InvalidTransition, NotAllowed
from tests.audits.factories import ActionFactory, AuditFactory, FindingFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(parties: Parties) -> object:
    return AuditFactory(partnership=parties.partnership, auditor=parties.auditor)


def test_auditor_moves_their_audit_to_the_next_stage(parties: Parties, audit: object) -> None:
    moved = audit_move(actor=parties.auditor, audit=audit, status=AuditStatus.AGENCY_RETURNS)
    assert moved.status == AuditStatus.AGENCY_RETURNS
    assert moved.history.first().status == AuditStatus.AGENCY_RETURNS


def test_audit_cannot_skip_the_panel(parties: Parties, audit: object) -> None:
    with pytest.raises(InvalidTransition):
        audit_move(actor=parties.business_unit, audit=audit, status=AuditStatus.REPORTING)


@pytest.mark.parametrize("who", ["lead", "board_member", "outsider"])
def test_only_business_unit_and_auditor_move_audits(parties: Parties, audit: object, who: str) -> None:
    with pytest.raises(NotAllowed):
        audit_move(actor=getattr(parties, who), audit=audit, status=AuditStatus.AGENCY_RETURNS)


def test_agency_lead_completes_own_action_with_note_and_evidence(parties: Parties, audit: object) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency)
    evidence = ContentFile(b"Briefing delivered to team managers.", name="briefing.txt")
    action = action_move(
        actor=parties.lead, action=action, status=ActionStatus.COMPLETED, note="Done.", evidence=evidence
    )
    assert action.status == ActionStatus.COMPLETED and action.completed_at is not None
    update = action.updates.get()
    assert (update.author, update.status_from, update.status_to, update.note) == (
        parties.lead,
        "open",
        "completed",
        "Done.",
    )
    assert update.evidence.read() == b"Briefing delivered to team managers."


def test_agency_lead_cannot_move_another_agencys_action(parties: Parties, audit: object) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.other_agency)
    with pytest.raises(NotAllowed):
        action_move(actor=parties.lead, action=action, status=ActionStatus.IN_PROGRESS)
    assert not action.updates.exists()


def test_agency_lead_cannot_verify_their_own_action(parties: Parties, audit: object) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency, status=ActionStatus.COMPLETED)
    with pytest.raises(NotAllowed):
        action_move(actor=parties.lead, action=action, status=ActionStatus.VERIFIED)


def test_auditor_reopens_with_a_reason_and_completion_is_cleared(parties: Parties, audit: object) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency, status=ActionStatus.COMPLETED)
    with pytest.raises(ApplicationError) as raised:
        action_move(actor=parties.auditor, action=action, status=ActionStatus.REOPENED)
    assert raised.value.field == "note"
    action = action_move(
        actor=parties.auditor, action=action, status=ActionStatus.REOPENED, note="No change in practice yet."
    )
    assert action.status == ActionStatus.REOPENED and action.completed_at is None


def test_auditor_of_another_audit_cannot_verify(parties: Parties) -> None:
    other_audit = AuditFactory(partnership=parties.partnership)
    action = ActionFactory(audit=other_audit, owner_agency=parties.agency, status=ActionStatus.COMPLETED)
    with pytest.raises(NotAllowed):
        action_move(actor=parties.auditor, action=action, status=ActionStatus.VERIFIED)


def test_finding_agree_needs_a_panel_grade(parties: Parties, audit: object) -> None:
    finding = FindingFactory(case__audit=audit, grade=None)
    with pytest.raises(ApplicationError) as raised:
        finding_agree(actor=parties.auditor, finding=finding)
    assert raised.value.field == "grade"
    finding.grade = 2
    finding.save()
    assert finding_agree(actor=parties.auditor, finding=finding).agreed_at is not None


def test_services_refuse_fields_they_do_not_own(parties: Parties, audit: object) -> None:
    """A status moves only through its machine, with its trail; identity fields stay as recorded."""
    from audits.services.actions import action_update
    from audits.services.findings import finding_update

    action = ActionFactory(audit=audit, owner_agency=parties.agency, status=ActionStatus.COMPLETED)
    with pytest.raises(ApplicationError, match="These cannot be changed here: status"):
        action_update(actor=parties.auditor, action=action, status=ActionStatus.VERIFIED)
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED and not action.updates.exists()

    finding = FindingFactory(case__audit=audit)
    other_case = FindingFactory(case__audit=audit).case
    for field, value in [("case", other_case), ("self_grade", 1), ("agreed_at", None), ("recorded_by", None)]:
        with pytest.raises(ApplicationError, match=f"These cannot be changed here: {field}"):
            finding_update(actor=parties.auditor, finding=finding, **{field: value})
    finding.refresh_from_db()
    assert finding.case_id != other_case.pk


def test_the_named_auditor_must_hold_the_auditor_role_in_that_partnership(parties: Parties) -> None:
    """One rule, one function (is_auditor_in): an operator is not an auditor, nor is another partnership's."""
    from audits.services.audits import audit_create
    from tests.agencies.factories import UserFactory

    operator = UserFactory(is_superuser=True, is_staff=True)
    for person in (operator, parties.lead, parties.board_member):
        with pytest.raises(ApplicationError, match="not an auditor in this partnership"):
            audit_create(
                actor=parties.business_unit,
                partnership=parties.partnership,
                reference="MACFA 77",
                title="T",
                auditor=person,
            )
    made = audit_create(
        actor=parties.business_unit,
        partnership=parties.partnership,
        reference="MACFA 77",
        title="T",
        auditor=parties.auditor,
    )
    assert made.auditor == parties.auditor


def test_an_audit_joins_only_its_own_partnerships_agencies_and_themes(parties: Parties) -> None:
    """An auditor in two partnerships cannot plan an audit in one with the other's agency or theme."""
    from agencies.models import Role
    from audits.services.audits import audit_create
    from tests.agencies.factories import AgencyFactory, MembershipFactory
    from tests.audits.factories import ThemeFactory

    MembershipFactory(user=parties.auditor, partnership=parties.other_partnership, role=Role.AUDITOR)
    theirs_agency = AgencyFactory(partnerships=[parties.other_partnership])
    theirs_theme = ThemeFactory(partnership=parties.other_partnership)
    plan = {"actor": parties.auditor, "partnership": parties.partnership, "reference": "MACFA 78", "title": "T"}
    with pytest.raises(ApplicationError, match="not a partner of this partnership") as refused:
        audit_create(**plan, agencies=[parties.agency, theirs_agency])
    assert refused.value.field == "agencies"
    with pytest.raises(ApplicationError, match="belongs to another partnership") as refused:
        audit_create(**plan, focus_themes=[theirs_theme])
    assert refused.value.field == "focus_themes"


def test_an_agency_involved_in_the_audits_cases_stays_a_participant(parties: Parties, audit: object) -> None:
    from audits.services.audits import audit_update
    from tests.audits.factories import CaseFactory

    audit.agencies.set([parties.agency, parties.other_agency])
    CaseFactory(audit=audit, reference="C7").agencies.add(parties.agency)
    with pytest.raises(ApplicationError, match=r"is involved in cases of this audit \(C7\)") as refused:
        audit_update(actor=parties.auditor, audit=audit, agencies=[parties.other_agency])
    assert refused.value.field == "agencies"
    assert set(audit.agencies.all()) == {parties.agency, parties.other_agency}
    audit_update(actor=parties.auditor, audit=audit, agencies=[parties.agency])  # one no case involves may go
    assert list(audit.agencies.all()) == [parties.agency]


def test_audit_references_differ_by_more_than_their_case(parties: Parties, audit: object) -> None:
    from audits.services.audits import audit_create

    with pytest.raises(ApplicationError, match="already has an audit with this reference"):
        audit_create(
            actor=parties.business_unit, partnership=parties.partnership, reference=audit.reference.lower(), title="T"
        )


def test_an_action_is_agreed_only_with_an_agency_taking_part_in_the_audit(parties: Parties) -> None:
    from audits.services.actions import action_create, action_update

    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor)
    audit.agencies.add(parties.agency)
    due = datetime.date(2030, 1, 1)
    with pytest.raises(ApplicationError, match="not taking part in this audit") as refused:
        action_create(
            actor=parties.auditor, audit=audit, owner_agency=parties.other_agency, description="X", due_date=due
        )
    assert refused.value.field == "owner_agency"
    action = action_create(
        actor=parties.auditor, audit=audit, owner_agency=parties.agency, description="X", due_date=due
    )
    with pytest.raises(ApplicationError, match="not taking part"):
        action_update(actor=parties.auditor, action=action, owner_agency=parties.other_agency)
