from __future__ import annotations

from typing import Any

from agencies.models import Partnership
from audits.models import Theme
from audits.permissions import may_manage_themes, require
from macfa.errors import ApplicationError
from macfa.updates import model_update

EDITABLE_THEME_FIELDS = ("slug", "name", "description", "is_active")


def _require_business_unit(actor: Any, partnership_id: int | None) -> None:
    require(
        may_manage_themes(actor, partnership_id),
        "Only the partnership's business unit manages its themes; the national taxonomy is fixed.",
    )


def _validate(theme: Theme) -> None:
    taken = Theme.objects.filter(slug=theme.slug, partnership__in=[theme.partnership_id]) | Theme.objects.filter(
        slug=theme.slug, partnership=None
    )
    if taken.exclude(pk=theme.pk).exists():
        raise ApplicationError("A theme with this slug already exists.", field="slug")


def theme_create(*, actor: Any, partnership: Partnership, slug: str, name: str, **fields: Any) -> Theme:
    """Add a partnership's own practice theme beside the national taxonomy."""
    _require_business_unit(actor, partnership.pk)
    theme = Theme(partnership=partnership, slug=slug, name=name)
    model_update(instance=theme, fields=EDITABLE_THEME_FIELDS, data=fields)
    _validate(theme)
    theme.save()
    return theme


def theme_update(*, actor: Any, theme: Theme, **changes: Any) -> Theme:
    _require_business_unit(actor, theme.partnership_id)
    model_update(instance=theme, fields=EDITABLE_THEME_FIELDS, data=changes)
    _validate(theme)
    theme.save()
    return theme
