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
    def __init__(self, *, current: str, target: str, allowed: list[str], label: str):
        allowed_text = ", ".join(allowed) if allowed else "none (this is a final state)"
        article = "An" if label[0] in "aeiou" else "A"
        super().__init__(
            f"{article} {label} cannot move from '{current}' to '{target}'. Allowed from '{current}': {allowed_text}.",
            field="status",
            extra={"current": current, "requested": target, "allowed": allowed},
        )
