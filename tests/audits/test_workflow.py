"""The state machines: complete, with plain messages, and the moves DESIGN.md rules out stay ruled out.

The moves themselves are tried through the API in tests/api/test_moves.py, parametrised from these tables;
the rules below are written out independently of the tables, so a move added to a table by mistake fails here.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from audits.choices import ActionStatus, AuditStatus, ConcernStatus, ReturnStatus, SummaryStatus
from audits.workflow import (
    ACTION_MACHINE,
    AUDIT_MACHINE,
    CONCERN_MACHINE,
    MACHINES,
    RETURN_MACHINE,
    SUMMARY_MACHINE,
    StateMachine,
)
from macfa.errors import InvalidTransition

STATES = {
    AUDIT_MACHINE: AuditStatus,
    RETURN_MACHINE: ReturnStatus,
    ACTION_MACHINE: ActionStatus,
    CONCERN_MACHINE: ConcernStatus,
    SUMMARY_MACHINE: SummaryStatus,
}


def test_every_state_of_every_model_is_in_its_table() -> None:
    assert set(STATES) == set(MACHINES)
    for machine, states in STATES.items():
        assert set(machine.transitions) == set(states.values), machine.label
        assert all(set(targets) <= set(states.values) for targets in machine.transitions.values()), machine.label


def test_a_forbidden_move_says_what_the_record_is_and_where_it_can_go() -> None:
    with pytest.raises(InvalidTransition) as raised:
        ACTION_MACHINE.apply(SimpleNamespace(status="open"), "verified")
    assert raised.value.message == (
        "An action that is open cannot be moved to verified: it can only be moved to in progress or completed."
    )
    assert raised.value.extra == {"current": "open", "requested": "verified", "allowed": ["in_progress", "completed"]}


def test_a_final_state_says_so() -> None:
    with pytest.raises(InvalidTransition) as raised:
        AUDIT_MACHINE.apply(SimpleNamespace(status="closed"), "planned")
    assert raised.value.message == "An audit that is closed cannot be moved to planned: closed is final."


def test_a_move_to_where_the_record_already_is_says_so() -> None:
    with pytest.raises(InvalidTransition) as raised:
        CONCERN_MACHINE.apply(SimpleNamespace(status="acknowledged"), "acknowledged")
    assert raised.value.message == "This safeguarding concern is already acknowledged."


# What DESIGN.md says, written out by hand: a record in a final state never moves again, and these shortcuts
# never exist.
FINAL = [
    (AUDIT_MACHINE, AuditStatus.CLOSED),
    (RETURN_MACHINE, ReturnStatus.SUBMITTED),
    (CONCERN_MACHINE, ConcernStatus.CLOSED),
    (SUMMARY_MACHINE, SummaryStatus.PUBLISHED),
]
NEVER = [
    (AUDIT_MACHINE, AuditStatus.PLANNED, AuditStatus.CLOSED),
    (AUDIT_MACHINE, AuditStatus.PLANNED, AuditStatus.PANEL),
    (RETURN_MACHINE, ReturnStatus.SUBMITTED, ReturnStatus.DRAFT),
    (ACTION_MACHINE, ActionStatus.OPEN, ActionStatus.VERIFIED),
    (ACTION_MACHINE, ActionStatus.IN_PROGRESS, ActionStatus.VERIFIED),
    (ACTION_MACHINE, ActionStatus.REOPENED, ActionStatus.VERIFIED),
    (ACTION_MACHINE, ActionStatus.VERIFIED, ActionStatus.COMPLETED),
    (CONCERN_MACHINE, ConcernStatus.RAISED, ConcernStatus.CLOSED),
    (CONCERN_MACHINE, ConcernStatus.ACKNOWLEDGED, ConcernStatus.RAISED),
    (SUMMARY_MACHINE, SummaryStatus.DRAFT, SummaryStatus.IN_REVIEW),
    (SUMMARY_MACHINE, SummaryStatus.COMPILED, SummaryStatus.APPROVED),
    (SUMMARY_MACHINE, SummaryStatus.COMPILED, SummaryStatus.PUBLISHED),
    (SUMMARY_MACHINE, SummaryStatus.IN_REVIEW, SummaryStatus.PUBLISHED),
    (SUMMARY_MACHINE, SummaryStatus.APPROVED, SummaryStatus.COMPILING),
]


@pytest.mark.parametrize(("machine", "state"), FINAL, ids=[f"{m.label}:{s}" for m, s in FINAL])
def test_final_states_allow_no_move(machine: StateMachine, state: str) -> None:
    assert machine.allowed_from(state) == []


@pytest.mark.parametrize(("machine", "current", "target"), NEVER, ids=[f"{m.label}:{c}->{t}" for m, c, t in NEVER])
def test_moves_design_rules_out_are_refused(machine: StateMachine, current: str, target: str) -> None:
    record = SimpleNamespace(status=current)
    with pytest.raises(InvalidTransition):
        machine.apply(record, target)
    assert record.status == current
