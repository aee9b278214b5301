"""Every move of the audit and action machines tried through the admin's actions and the action page's form.

Parametrised from the machines' own tables, like tests/api/test_moves.py for the API: a move the table allows goes
through; any other is refused with the reason shown and changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audits.choices import ActionStatus, AuditStatus
from audits.models import Action
from audits.workflow import ACTION_MACHINE, AUDIT_MACHINE
from tests.audits.factories import ActionFactory, AuditFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db

ADMIN_ACTION_MOVES = {"in_progress": "start", "completed": "complete", "verified": "verify", "reopened": "reopen"}


def staff(user: Any) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["agencies", "audits"]))
    client = Client()
    client.force_login(user)
    return client


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


AUDIT_CASES = [(current, target) for current in AUDIT_MACHINE.transitions for target in AuditStatus.values]


@pytest.mark.parametrize(("current", "target"), AUDIT_CASES, ids=[f"{c}->{t}" for c, t in AUDIT_CASES])
def test_audit_stage_actions_move_exactly_as_the_machine_allows(parties: Parties, current: str, target: str) -> None:
    audit = AuditFactory(partnership=parties.partnership, status=current)
    page = staff(parties.business_unit).post(
        reverse("admin:audits_audit_changelist"),
        {"action": f"move_to_{target}", "_selected_action": [audit.pk]},
        follow=True,
    )
    audit.refresh_from_db()
    if AUDIT_MACHINE.can_move(current, target):
        assert audit.status == target
    else:
        assert audit.status == current
        assert f"{audit.reference}: " in page.content.decode()  # the reason, per record


ACTION_CASES = [(current, target) for current in ACTION_MACHINE.transitions for target in ADMIN_ACTION_MOVES]


def _action(parties: Parties, status: str) -> Action:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, status=AuditStatus.PANEL)
    return ActionFactory(audit=audit, owner_agency=parties.agency, status=status, due_date=datetime.date(2031, 1, 1))


@pytest.mark.parametrize(("current", "target"), ACTION_CASES, ids=[f"{c}->{t}" for c, t in ACTION_CASES])
def test_action_admin_moves_exactly_as_the_machine_allows(parties: Parties, current: str, target: str) -> None:
    action = _action(parties, current)
    staff(parties.business_unit).post(
        reverse("admin:audits_action_changelist"),
        {"action": ADMIN_ACTION_MOVES[target], "_selected_action": [action.pk], "note": "Checked with the team."},
        follow=True,
    )
    action.refresh_from_db()
    assert action.status == (target if ACTION_MACHINE.can_move(current, target) else current)
    assert action.updates.exists() == ACTION_MACHINE.can_move(current, target)


@pytest.mark.parametrize(("current", "target"), ACTION_CASES, ids=[f"{c}->{t}" for c, t in ACTION_CASES])
def test_action_page_offers_and_makes_exactly_the_moves_the_machine_allows(
    parties: Parties, current: str, target: str
) -> None:
    action = _action(parties, current)
    auditor = signed_in(parties.auditor)
    url = reverse("pages:action", args=[action.pk])
    offered = [value for value, _ in auditor.get(url).context["moves"] if value]
    assert offered == ACTION_MACHINE.allowed_from(current)
    answer = auditor.post(url, {"move": target, "note": "Checked with the team."})
    action.refresh_from_db()
    if ACTION_MACHINE.can_move(current, target):
        assert answer.status_code == 302 and action.status == target
    else:
        assert answer.status_code == 400 and action.status == current
        assert "This action was changed after you opened the page" in answer.content.decode()
        assert "Checked with the team." in answer.content.decode()  # the typed note is kept


def test_a_lead_is_offered_only_the_moves_a_lead_may_make(parties: Parties) -> None:
    action = _action(parties, ActionStatus.COMPLETED)
    offered = [
        value for value, _ in signed_in(parties.lead).get(reverse("pages:action", args=[action.pk])).context["moves"]
    ]
    assert offered == [""]  # a note only: verifying and reopening are the auditor's
    refused = signed_in(parties.lead).post(reverse("pages:action", args=[action.pk]), {"move": "verified"})
    action.refresh_from_db()
    assert refused.status_code == 400 and action.status == ActionStatus.COMPLETED
