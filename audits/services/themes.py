from __future__ import annotations

from typing import Any

from agencies.models import Partnership
from agencies.selectors import scope_of
from audits.models import Theme
from audits.permissions import require
from macfa.errors import ApplicationError


def _require_business_unit(actor: Any, partnership_id: int | None) -> None:
    require(
        partnership_id is not None and scope_of(actor).is_business_unit(partnership_id),
        "Only the partnership's business unit manages its themes; the national taxonomy is fixed.",
    )


def theme_create(*, actor: Any, partnership: Partnership, slug: str, name: str, **fields: Any) -> Theme:
    """Add a partnership's own practice theme beside the national taxonomy."""
    _require_business_unit(actor, partnership.pk)
    if (
        Theme.objects.filter(partnership=partnership, slug=slug).exists()
        or Theme.objects.filter(partnership=None, slug=slug).exists()
    ):
        raise ApplicationError("A theme with this slug already exists.", field="slug")
    return Theme.objects.create(partnership=partnership, slug=slug, name=name, **fields)


def theme_update(*, actor: Any, theme: Theme, **changes: Any) -> Theme:
    _require_business_unit(actor, theme.partnership_id)
    slug = changes.get("slug", theme.slug)
    if Theme.objects.filter(partnership=theme.partnership, slug=slug).exclude(pk=theme.pk).exists():
        raise ApplicationError("A theme with this slug already exists.", field="slug")
    for name, value in changes.items():
        setattr(theme, name, value)
    theme.save()
    return theme
