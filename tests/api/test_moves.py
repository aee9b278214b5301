"""Every move of every state machine tried through its API endpoint, from every state.

Parametrised from the machines' own tables: a move the table allows goes through (and lands in that state); any
other is refused with 409 and changes nothing. The rules the tables must keep are in tests/audits/test_workflow.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.choices import ActionStatus, AuditStatus, ConcernStatus, ReturnStatus, SummaryStatus
from audits.models import LearningSummary
from audits.workflow import ACTION_MACHINE, AUDIT_MACHINE, CONCERN_MACHINE, RETURN_MACHINE, SUMMARY_MACHINE
from tests.api.conftest import client_for
from tests.audits.factories import (
    ActionFactory,
    AgencyReturnFactory,
    AuditFactory,
    CaseFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
)
from tests.conftest import Parties

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@dataclass
class Endpoint:
    """How a person reaches a target state through the API: who, which route, what body."""

    route: str
    who: str
    body: dict[str, Any]


def _audit(parties: Parties, status: str) -> Any:
    return AuditFactory(partnership=parties.partnership, auditor=parties.auditor, status=status)


def _return(parties: Parties, status: str) -> Any:
    case = CaseFactory(audit=_audit(parties, AuditStatus.AGENCY_RETURNS))
    case.agencies.add(parties.agency)
    submitted = {"submitted_at": NOW} if status == ReturnStatus.SUBMITTED else {}
    return AgencyReturnFactory(case=case, agency=parties.agency, status=status, good_practice="Seen.", **submitted)


def _action(parties: Parties, status: str) -> Any:
    return ActionFactory(
        audit=_audit(parties, AuditStatus.PANEL),
        owner_agency=parties.agency,
        status=status,
        due_date=datetime.date(2031, 1, 1),
    )


def _concern(parties: Parties, status: str) -> Any:
    case = CaseFactory(audit=_audit(parties, AuditStatus.PANEL))
    extra: dict[str, Any] = {}
    if status != ConcernStatus.RAISED:
        extra["acknowledged_at"] = NOW
    if status == ConcernStatus.CLOSED:
        extra |= {"closed_at": NOW, "outcome": "Registered with a GP."}
    return SafeguardingConcernFactory(
        case=case, agency=parties.agency, raised_by=parties.auditor, raised_at=NOW, status=status, **extra
    )


def _summary(parties: Parties, status: str) -> Any:
    summary = LearningSummaryFactory(partnership=parties.partnership, status=status, key_messages="Voice is heard.")
    if status == SummaryStatus.COMPILING:  # a compile whose worker died: quiet for longer than ABANDONED_AFTER
        LearningSummary.objects.filter(pk=summary.pk).update(updated_at=NOW - datetime.timedelta(minutes=11))
    return summary


MACHINES: dict[str, tuple[Any, Callable[[Parties, str], Any], str, dict[str, Endpoint]]] = {
    "audit": (
        AUDIT_MACHINE,
        _audit,
        "audit-detail",
        {status: Endpoint("audit-move", "auditor", {"status": status}) for status in AuditStatus.values},
    ),
    "return": (
        RETURN_MACHINE,
        _return,
        "return-detail",
        {ReturnStatus.SUBMITTED: Endpoint("return-submit", "lead", {})},
    ),
    "action": (
        ACTION_MACHINE,
        _action,
        "action-detail",
        {
            ActionStatus.IN_PROGRESS: Endpoint("action-start", "lead", {"note": "Started."}),
            ActionStatus.COMPLETED: Endpoint("action-complete", "lead", {"note": "Done."}),
            ActionStatus.VERIFIED: Endpoint("action-verify", "auditor", {}),
            ActionStatus.REOPENED: Endpoint("action-reopen", "auditor", {"note": "Not embedded yet."}),
        },
    ),
    "concern": (
        CONCERN_MACHINE,
        _concern,
        "concern-detail",
        {
            ConcernStatus.ACKNOWLEDGED: Endpoint("concern-acknowledge", "lead", {}),
            ConcernStatus.CLOSED: Endpoint("concern-close", "business_unit", {"outcome": "Seen by a GP."}),
        },
    ),
    "summary": (
        SUMMARY_MACHINE,
        _summary,
        "summary-detail",
        {
            SummaryStatus.COMPILING: Endpoint("summary-compile", "auditor", {}),
            SummaryStatus.IN_REVIEW: Endpoint("summary-submit", "auditor", {}),
            SummaryStatus.APPROVED: Endpoint("summary-reviews", "board_member", {"decision": "approve"}),
            SummaryStatus.COMPILED: Endpoint(
                "summary-reviews", "board_member", {"decision": "request_changes", "comment": "Say more."}
            ),
            SummaryStatus.PUBLISHED: Endpoint("summary-publish", "business_unit", {}),
        },
    ),
}
# Made by the compile task, not a person: tested on a real worker in tests/audits/test_compile_task.py.
WORKER_MOVES = {("summary", SummaryStatus.COMPILING, SummaryStatus.COMPILED)}
CASES = [
    (name, current, target)
    for name, (machine, _, _, endpoints) in MACHINES.items()
    for current in machine.transitions
    for target in endpoints
    if (name, current, target) not in WORKER_MOVES
]


@pytest.mark.parametrize(("name", "current", "target"), CASES, ids=[f"{n}:{c}->{t}" for n, c, t in CASES])
def test_each_move_goes_through_its_endpoint_exactly_when_the_machine_allows_it(
    parties: Parties, name: str, current: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine, make, detail, endpoints = MACHINES[name]
    # Queued compiles and exports are not run here: only the move is under test.
    monkeypatch.setattr("audits.tasks.compile_summary.delay", lambda *args: None)
    monkeypatch.setattr("audits.tasks.export_briefing.delay", lambda *args: None)
    record = make(parties, current)
    endpoint = endpoints[target]
    client = client_for(getattr(parties, endpoint.who))
    read = client.get(reverse(f"api:{detail}", args=[record.pk]))
    assert read.status_code == 200, read.content
    response = client.post(
        reverse(f"api:{endpoint.route}", args=[record.pk]), endpoint.body, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    record.refresh_from_db()
    if machine.can_move(current, target):
        assert response.status_code in (200, 201, 202), response.json()
        assert record.status == target
    else:
        assert response.status_code == 409, response.json()
        assert record.status == current
        body = response.json()
        assert body.get("allowed", machine.allowed_from(current)) == machine.allowed_from(current)
