"""Who may change the partnership set-up (DESIGN.md §3): the partnership's own settings, agencies and people."""

from __future__ import annotations

from typing import Any

from agencies.selectors import scope_of


def may_manage_partnership(actor: Any, partnership_id: int | None) -> bool:
    """Agencies, people and the partnership's own settings are its business unit's."""
    return partnership_id is not None and scope_of(actor).is_business_unit(partnership_id)
