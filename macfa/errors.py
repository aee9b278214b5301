"""The one application error type.

Services raise ``ApplicationError``; the API's exception handler turns it into a 400/409/412 answer and the
pages into a form error. ``field`` names the input at fault when there is one.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class NotAllowed(ApplicationError):
    """The actor can see the object but may not make this change (HTTP 403)."""

    status_code = 403


class PreconditionFailed(ApplicationError):
    """The record changed since the client read it (HTTP 412)."""

    status_code = 412


class ConflictError(ApplicationError):
    """The record changed or is in a state that forbids the move (HTTP 409)."""

    status_code = 409


class InvalidTransition(ConflictError):
    """A move the record's state machine does not allow; ``extra`` carries the codes for API clients."""

    def __init__(self, *, machine: Any, current: str, target: str):
        allowed = machine.allowed_from(current)
        article = "An" if machine.label[0] in "aeiou" else "A"
        now = f"{article} {machine.label} that is {machine.label_of(current)}"
        if current == target:
            message = f"This {machine.label} is already {machine.label_of(current)}."
        elif allowed:
            options = " or ".join(machine.label_of(state) for state in allowed)
            message = f"{now} cannot be moved to {machine.label_of(target)}: it can only be moved to {options}."
        else:
            message = f"{now} cannot be moved to {machine.label_of(target)}: {machine.label_of(current)} is final."
        super().__init__(message, field="status", extra={"current": current, "requested": target, "allowed": allowed})
