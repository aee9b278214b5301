"""The state machines of audits, agency returns, actions, concerns and summaries, written once.

Each machine is a table of allowed moves. ``StateMachine.apply`` is the only way a status changes: the services
call it (one module per machine, named in docs/architecture.md), and every interface (API, pages, admin, tasks,
commands) goes through those services. Pages, the API and the admin ask ``allowed_from`` which moves to offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from audits.choices import ActionStatus, AuditStatus, ConcernStatus, ReturnStatus, SummaryStatus
from macfa.errors import InvalidTransition


@dataclass(frozen=True, eq=False)
class StateMachine:
    label: str
    choices: type[models.TextChoices]
    transitions: Mapping[str, tuple[str, ...]]
    field: str = "status"

    def allowed_from(self, state: str) -> list[str]:
        return list(self.transitions.get(state, ()))

    def can_move(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, ())

    def label_of(self, state: str) -> str:
        """The state's label from the model's choices, as a person reads it in a sentence."""
        try:
            return str(self.choices(state).label).lower()
        except ValueError:
            return state

    def apply(self, obj: Any, target: str) -> str:
        """Set ``obj``'s status to ``target`` or raise InvalidTransition; returns the previous status.

        The caller saves ``obj`` (inside its transaction), so the move and its side effects land together.
        """
        current = getattr(obj, self.field)
        if not self.can_move(current, target):
            raise InvalidTransition(machine=self, current=current, target=target)
        setattr(obj, self.field, target)
        return current


AUDIT_MACHINE = StateMachine(
    label="audit",
    choices=AuditStatus,
    transitions={
        "planned": ("agency_returns",),
        "agency_returns": ("panel", "planned"),
        "panel": ("reporting", "agency_returns"),
        "reporting": ("closed", "panel"),
        "closed": (),
    },
)

# An agency's return is written as a draft and submitted once; after that it is part of the audit's record.
RETURN_MACHINE = StateMachine(
    label="agency return",
    choices=ReturnStatus,
    transitions={
        "draft": ("submitted",),
        "submitted": (),
    },
)

ACTION_MACHINE = StateMachine(
    label="action",
    choices=ActionStatus,
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
    choices=ConcernStatus,
    transitions={
        "raised": ("acknowledged",),
        "acknowledged": ("closed",),
        "closed": (),
    },
)

SUMMARY_MACHINE = StateMachine(
    label="learning summary",
    choices=SummaryStatus,
    transitions={
        "draft": ("compiling",),
        # compiling → compiling is the re-claim of a compile whose worker died: the claim allows it only once
        # the compile has made no progress for ABANDONED_AFTER (audits/services/summaries.py).
        "compiling": ("compiled", "failed", "compiling"),
        "failed": ("compiling",),
        "compiled": ("compiling", "in_review"),
        "in_review": ("compiled", "approved"),
        "approved": ("published",),
        "published": (),
    },
)

MACHINES = (AUDIT_MACHINE, RETURN_MACHINE, ACTION_MACHINE, CONCERN_MACHINE, SUMMARY_MACHINE)
