"""The state machines of audits, actions, concerns and summaries, written once.

Each machine is a table of allowed moves. ``StateMachine.apply`` is the only way a status changes:
services call it, and every interface (API, pages, admin, tasks) goes through those services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from macfa.errors import InvalidTransition


@dataclass(frozen=True, eq=False)
class StateMachine:
    label: str
    transitions: Mapping[str, tuple[str, ...]]
    field: str = "status"

    def allowed_from(self, state: str) -> list[str]:
        return list(self.transitions.get(state, ()))

    def can_move(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, ())

    def apply(self, obj: Any, target: str) -> str:
        """Set ``obj``'s status to ``target`` or raise InvalidTransition; returns the previous status.

        The caller saves ``obj`` (inside its transaction), so the move and its side effects land together.
        """
        current = getattr(obj, self.field)
        if not self.can_move(current, target):
            raise InvalidTransition(
                current=current, target=target, allowed=self.allowed_from(current), label=self.label
            )
        setattr(obj, self.field, target)
        return current


AUDIT_MACHINE = StateMachine(
    label="audit",
    transitions={
        "planned": ("agency_returns",),
        "agency_returns": ("panel", "planned"),
        "panel": ("reporting", "agency_returns"),
        "reporting": ("closed", "panel"),
        "closed": (),
    },
)

ACTION_MACHINE = StateMachine(
    label="action",
    transitions={
        "open": ("in_progress", "completed"),
        "in_progress": ("completed",),
        "completed": ("verified", "reopened"),
        "verified": ("reopened",),
        "reopened": ("in_progress", "completed"),
    },
)

CONCERN_MACHINE = StateMachine(
    label="safeguarding concern",
    transitions={
        "raised": ("acknowledged",),
        "acknowledged": ("closed",),
        "closed": (),
    },
)

SUMMARY_MACHINE = StateMachine(
    label="learning summary",
    transitions={
        "draft": ("compiling",),
        "compiling": ("compiled", "failed"),
        "failed": ("compiling",),
        "compiled": ("compiling", "in_review"),
        "in_review": ("compiled", "approved"),
        "approved": ("published",),
        "published": (),
    },
)
