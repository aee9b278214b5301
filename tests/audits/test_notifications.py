"""Reminders, escalations and the digest with frozen time, across a weekend and bank holidays, never sent twice."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail

from agencies.models import Role
from audits.choices import ActionStatus, ConcernStatus
from audits.models import Notification, SafeguardingConcern
from audits.notifications import escalate_unacknowledged_concerns, send_action_reminders, send_weekly_digest
from macfa.celery import app as celery_app
from tests.agencies.factories import AgencyFactory, MembershipFactory
from tests.audits.factories import ActionFactory, AuditFactory, CaseFactory, SafeguardingConcernFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db
LONDON = datetime.timezone(datetime.timedelta(0))  # Greenwich Mean Time in November and December


def at(day: str, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


@pytest.fixture
def audit(parties: Parties) -> Any:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference="MACFA 31")
    audit.agencies.add(parties.agency, parties.other_agency)
    return audit


def action(audit: Any, agency: Any, due: str, status: str = ActionStatus.OPEN, text: str = "Refresh guidance.") -> Any:
    return ActionFactory(
        audit=audit,
        owner_agency=agency,
        raised_on=datetime.date(2026, 1, 5),
        due_date=datetime.date.fromisoformat(due),
        status=status,
        description=text,
    )


def test_one_daily_reminder_per_lead_lists_overdue_and_due_soon(parties: Parties, audit: Any) -> None:
    today = datetime.date(2026, 11, 27)
    action(audit, parties.agency, "2026-11-20", text="Overdue: embed the neglect toolkit.")
    action(audit, parties.agency, "2026-12-04", status=ActionStatus.IN_PROGRESS, text="Due soon: audit supervision.")
    action(audit, parties.agency, "2026-12-05", text="Not yet: due in eight days.")
    action(audit, parties.agency, "2026-11-01", status=ActionStatus.COMPLETED, text="Done already.")
    action(audit, parties.other_agency, "2026-11-20", text="Another agency's action.")

    assert send_action_reminders(today=today) == 2  # the lead, and the other agency's lead
    mine = next(m for m in mail.outbox if m.to == [parties.lead.email])
    assert mine.subject == "MACFA: 1 overdue action and 1 due this week"
    assert "Overdue: embed the neglect toolkit." in mine.body and "Due soon: audit supervision." in mine.body
    assert "Not yet" not in mine.body and "Done already" not in mine.body and "Another agency" not in mine.body
    assert "http://127.0.0.1:8000/actions/" in mine.body
    html, mime = mine.alternatives[0]
    assert mime == "text/html" and "<strong>MACFA 31</strong>" in html

    mail.outbox.clear()
    assert send_action_reminders(today=today) == 0  # never twice for the same day
    assert mail.outbox == []
    assert send_action_reminders(today=datetime.date(2026, 11, 28)) == 0  # Saturday: no reminders
    assert send_action_reminders(today=datetime.date(2026, 11, 30)) == 2  # Monday: the next reminder
    assert send_action_reminders(today=datetime.date(2026, 12, 28)) == 0  # Boxing Day bank holiday (substitute)


def test_a_lead_of_two_agencies_gets_one_email(parties: Parties, audit: Any) -> None:
    second = AgencyFactory(partnerships=[parties.partnership])
    MembershipFactory(user=parties.lead, partnership=parties.partnership, role=Role.AGENCY_LEAD, agency=second)
    action(audit, parties.agency, "2026-11-20")
    action(audit, second, "2026-11-21")
    send_action_reminders(today=datetime.date(2026, 11, 27))
    assert [m.subject for m in mail.outbox if m.to == [parties.lead.email]] == ["MACFA: 2 overdue actions"]


def test_no_reminder_when_nothing_is_due(parties: Parties, audit: Any) -> None:
    action(audit, parties.agency, "2027-03-01")
    assert send_action_reminders(today=datetime.date(2026, 11, 27)) == 0
    assert not Notification.objects.exists()


def raised(parties: Parties, audit: Any, when: datetime.datetime) -> SafeguardingConcern:
    return SafeguardingConcernFactory(
        case=CaseFactory(audit=audit), agency=parties.agency, raised_by=parties.auditor, raised_at=when
    )


def test_concern_raised_on_friday_escalates_only_after_monday(parties: Parties, audit: Any) -> None:
    concern = raised(parties, audit, at("2026-11-20", 15))  # a Friday afternoon
    for moment in (at("2026-11-21", 12), at("2026-11-22", 12), at("2026-11-23", 23)):  # Saturday, Sunday, Monday
        assert escalate_unacknowledged_concerns(now=moment) == 0
    assert escalate_unacknowledged_concerns(now=at("2026-11-24", 0) + datetime.timedelta(minutes=5)) == 1
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    (email,) = mail.outbox
    assert email.to == [parties.business_unit.email]
    assert email.subject == f"MACFA: safeguarding concern in MACFA 31 not acknowledged by {parties.agency}"
    assert f"/concerns/{concern.pk}/" in email.body
    assert concern.case.reference not in email.body  # no child is named, not even by reference
    assert escalate_unacknowledged_concerns(now=at("2026-11-25", 12)) == 0  # never twice


def test_christmas_bank_holidays_are_not_working_days(parties: Parties, audit: Any) -> None:
    raised(parties, audit, at("2026-12-24", 10))  # Christmas Eve: next working day is Tuesday 29 December
    assert escalate_unacknowledged_concerns(now=at("2026-12-28", 18)) == 0  # Boxing Day (substitute), Monday
    assert escalate_unacknowledged_concerns(now=at("2026-12-29", 23)) == 0
    assert escalate_unacknowledged_concerns(now=at("2026-12-30", 1)) == 1


def test_acknowledged_concerns_are_not_escalated(parties: Parties, audit: Any) -> None:
    concern = raised(parties, audit, at("2026-11-20", 15))
    SafeguardingConcern.objects.filter(pk=concern.pk).update(
        status=ConcernStatus.ACKNOWLEDGED, acknowledged_at=at("2026-11-23", 10)
    )
    assert escalate_unacknowledged_concerns(now=at("2026-12-01")) == 0
    assert mail.outbox == []


def test_weekly_digest_once_a_week_for_the_business_unit(parties: Parties, audit: Any) -> None:
    action(audit, parties.agency, "2026-11-20")
    action(audit, parties.agency, "2026-11-21")
    action(audit, parties.other_agency, "2026-11-22")
    raised(parties, audit, at("2026-11-25"))
    monday = datetime.date(2026, 11, 30)
    assert send_weekly_digest(today=monday) == 2  # each partnership's business unit (the outsider's too)
    digest = next(m for m in mail.outbox if m.to == [parties.business_unit.email])
    assert "Overdue actions: 3" in digest.body
    assert f"{parties.agency}: 2" in digest.body
    assert "waiting for acknowledgement: 1" in digest.body
    assert send_weekly_digest(today=monday + datetime.timedelta(days=2)) == 0  # same ISO week
    assert send_weekly_digest(today=monday + datetime.timedelta(days=7)) == 2


def test_schedules_are_declared_in_code_for_registered_tasks() -> None:
    schedule = celery_app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "audits.tasks.send_action_reminders",
        "audits.tasks.escalate_concerns",
        "audits.tasks.send_weekly_digest",
        "audits.tasks.drain_outbox",
        "audits.tasks.apply_retention",
    }
    celery_app.loader.import_default_modules()
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks


def test_scheduled_tasks_use_the_clock_across_a_weekend(parties: Parties, audit: Any, time_machine: Any) -> None:
    from audits import tasks

    action(audit, parties.agency, "2026-11-20")
    concern = raised(parties, audit, at("2026-11-20", 15))  # Friday afternoon
    time_machine.move_to(at("2026-11-21", 7))  # Saturday 07:00, when beat runs the reminders
    assert tasks.send_action_reminders() == 0
    assert tasks.escalate_concerns() == 0
    time_machine.move_to(at("2026-11-23", 7))  # Monday
    assert tasks.send_action_reminders() == 1  # the lead whose agency has the overdue action
    assert tasks.escalate_concerns() == 0  # due by the end of today
    assert tasks.send_weekly_digest() == 2
    time_machine.move_to(at("2026-11-24", 0) + datetime.timedelta(minutes=5))
    assert tasks.escalate_concerns() == 1
    assert tasks.escalate_concerns() == 0
    concern.refresh_from_db()
    assert concern.escalated_at == at("2026-11-24", 0) + datetime.timedelta(minutes=5)
