"""Services name what they may change (HackSoft's ``model_update``, with unknown fields refused)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import models

from macfa.errors import ApplicationError


def model_update(*, instance: models.Model, fields: Collection[str], data: Mapping[str, Any]) -> list[str]:
    """Set the fields named in ``data`` on ``instance``, refusing any not in the service's allow-list ``fields``.

    Returns the names that changed; the caller validates and saves. A status is never in an allow-list: it moves
    only through its state machine (audits/workflow.py).
    """
    refused = sorted(set(data) - set(fields))
    if refused:
        raise ApplicationError(f"These cannot be changed here: {', '.join(refused)}.", field=refused[0])
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
