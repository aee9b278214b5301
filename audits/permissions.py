"""Who may change what (DESIGN.md §3). Services call these before they write; selectors decide what is seen."""

from __future__ import annotations

from typing import Any

from agencies.selectors import Scope, scope_of
from audits.models import Audit
from macfa.errors import NotAllowed


def may_manage_audit(scope: Scope, audit: Audit) -> bool:
    """The business unit manages every audit of its partnership; an auditor manages the audits they run."""
    return scope.is_business_unit(audit.partnership_id) or (
        audit.auditor_id == scope.user_id and scope.is_auditor(audit.partnership_id)
    )


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def require_manager(actor: Any, audit: Audit) -> Scope:
    scope = scope_of(actor)
    require(may_manage_audit(scope, audit), "Only the business unit or this audit's auditor can do this.")
    return scope
