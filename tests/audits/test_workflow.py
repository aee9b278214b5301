from __future__ import annotations

from types import SimpleNamespace

import pytest

from audits.choices import ActionStatus, AuditStatus, ConcernStatus, SummaryStatus
from audits.workflow import ACTION_MACHINE, AUDIT_MACHINE, CONCERN_MACHINE, SUMMARY_MACHINE, StateMachine
from macfa.errors import InvalidTransition

ALLOWED = {
    AUDIT_MACHINE: {
        ("planned", "agency_returns"),
        ("agency_returns", "panel"),
        ("agency_returns", "planned"),
        ("panel", "reporting"),
        ("panel", "agency_returns"),
        ("reporting", "closed"),
        ("reporting", "panel"),
    },
    ACTION_MACHINE: {
        ("open", "in_progress"),
        ("open", "completed"),
        ("in_progress", "completed"),
        ("completed", "verified"),
        ("completed", "reopened"),
        ("verified", "reopened"),
        ("reopened", "in_progress"),
        ("reopened", "completed"),
    },
    CONCERN_MACHINE: {("raised", "acknowledged"), ("acknowledged", "closed")},
    SUMMARY_MACHINE: {
        ("draft", "compiling"),
        ("compiling", "compiled"),
        ("compiling", "failed"),
        ("failed", "compiling"),
        ("compiled", "compiling"),
        ("compiled", "in_review"),
        ("in_review", "compiled"),
        ("in_review", "approved"),
        ("approved", "published"),
    },
}
STATES = {
    AUDIT_MACHINE: AuditStatus.values,
    ACTION_MACHINE: ActionStatus.values,
    CONCERN_MACHINE: ConcernStatus.values,
    SUMMARY_MACHINE: SummaryStatus.values,
}
CASES = [
    (machine, current, target, (current, target) in allowed)
    for machine, allowed in ALLOWED.items()
    for current in STATES[machine]
    for target in STATES[machine]
    if current != target
]


@pytest.mark.parametrize(
    ("machine", "current", "target", "allowed"),
    CASES,
    ids=[f"{m.label}:{c}->{t}" for m, c, t, _ in CASES],
)
def test_every_move_of_every_machine(machine: StateMachine, current: str, target: str, allowed: bool) -> None:
    obj = SimpleNamespace(status=current)
    if allowed:
        assert machine.apply(obj, target) == current
        assert obj.status == target
    else:
        with pytest.raises(InvalidTransition) as raised:
            machine.apply(obj, target)
        assert obj.status == current
        assert raised.value.extra["allowed"] == machine.allowed_from(current)


def test_every_state_of_every_model_is_in_its_table() -> None:
    for machine, states in STATES.items():
        assert set(machine.transitions) == set(states), machine.label


def test_forbidden_move_message_lists_the_allowed_moves() -> None:
    with pytest.raises(InvalidTransition) as raised:
        ACTION_MACHINE.apply(SimpleNamespace(status="open"), "verified")
    assert raised.value.message == (
        "An action cannot move from 'open' to 'verified'. Allowed from 'open': in_progress, completed."
    )


def test_final_states_say_so() -> None:
    with pytest.raises(InvalidTransition) as raised:
        AUDIT_MACHINE.apply(SimpleNamespace(status="closed"), "planned")
    assert "none (this is a final state)" in raised.value.message
