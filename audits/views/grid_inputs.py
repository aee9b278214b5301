"""The findings grid's inputs, written out without a template per widget.

The case page draws six inputs for every theme × agency cell, a hundred or more on one page, and Django renders each
widget through templates of its own (the widget's, its attributes', each option's): that was over a third of the
page's time. ``InputDrawer`` writes the same tags with the same attributes in Python. It reads everything it draws
from a prototype of the form (names, choices, rows, length limits, the GOV.UK class), so the form stays the one
statement of them; only what differs between cells (prefix, value, errors) is worked out per cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class DrawnInput:
    """One input as a template needs it: the name and id its label and error point to, its errors, and the tag."""

    html_name: str
    auto_id: str
    errors: list[str]
    tag: SafeString

    def __html__(self) -> SafeString:
        return self.tag

    def __str__(self) -> str:
        return self.tag


@dataclass(frozen=True)
class _Drawing:
    """How one field is drawn, worked out once from the prototype's field."""

    element: str  # "select", "textarea" or "hidden"
    fixed: str  # the attributes no cell changes, written out: ' cols="40" rows="3" maxlength="10000"'
    css: str  # the GOV.UK class, which gains its "--error" modifier when the field is in error
    options: tuple[tuple[str, str, str], ...] = ()  # (value, the option, the option selected)

    @classmethod
    def of(cls, name: str, field: forms.Field) -> _Drawing:
        widget = field.widget
        attrs = dict(widget.attrs)
        css = str(attrs.pop("class", ""))
        if attrs.pop("aria-describedby", None):
            raise ValueError(f"{name}: pass aria-describedby to draw(), so that an error id can follow it.")
        fixed = "".join(_attribute(key, value) for key, value in attrs.items() if value is not False)
        if isinstance(widget, forms.HiddenInput):
            return cls("hidden", fixed, css)
        if type(widget) is forms.Textarea:
            return cls("textarea", fixed, css)
        if type(widget) is forms.Select:  # exactly: a multiple select or radios are drawn differently
            return cls("select", fixed, css, tuple(_option(value, label) for value, label in widget.choices))
        raise TypeError(f"{name}: no drawing for {type(widget).__name__}; add one here or render it with Django.")

    def tag(self, html_name: str, auto_id: str, value: Any, errors: Sequence[str], described_by: str) -> SafeString:
        value = "" if value is None else str(value)
        attributes = self.fixed
        if self.css:
            attributes += _attribute("class", f"{self.css} {self.css.split()[-1]}--error" if errors else self.css)
        if self.element != "hidden":
            described = " ".join(filter(None, [described_by, f"{auto_id}_error" if errors else ""]))
            attributes += _attribute("aria-describedby", described) if described else ""
            attributes += ' aria-invalid="true"' if errors else ""
        attributes += _attribute("id", auto_id)
        name = escape(html_name)
        if self.element == "hidden":
            shown = _attribute("value", value) if value else ""
            markup = f'<input type="hidden" name="{name}"{shown}{attributes}>'
        elif self.element == "textarea":  # the newline keeps a value's own leading newline (HTML drops the first)
            markup = f'<textarea name="{name}"{attributes}>\n{escape(value)}</textarea>'
        else:
            chosen = next((index for index, option in enumerate(self.options) if option[0] == value), None)
            options = "".join(option[2] if index == chosen else option[1] for index, option in enumerate(self.options))
            markup = f'<select name="{name}"{attributes}>{options}</select>'
        return mark_safe(markup)  # noqa: S308 - every name, value and label above goes through escape()


class InputDrawer:
    """Draws a form's inputs under any prefix, exactly as Django's widgets would (GOV.UK classes and error state
    included), for forms whose fields are plain selects, textareas and hidden inputs."""

    def __init__(self, prototype: forms.BaseForm) -> None:
        self._drawings = {name: _Drawing.of(name, field) for name, field in prototype.fields.items()}

    def draw(
        self,
        *,
        prefix: str,
        values: Mapping[str, Any],
        errors: Mapping[str, Sequence[Any]],
        described_by: Mapping[str, str],
    ) -> dict[str, DrawnInput]:
        drawn = {}
        for name, drawing in self._drawings.items():
            html_name = f"{prefix}-{name}"
            auto_id = f"id_{html_name}"
            field_errors = [str(error) for error in errors.get(name, ())]
            tag = drawing.tag(html_name, auto_id, values.get(name), field_errors, described_by.get(name, ""))
            drawn[name] = DrawnInput(html_name=html_name, auto_id=auto_id, errors=field_errors, tag=tag)
        return drawn


def _attribute(key: str, value: Any) -> str:
    return f" {key}" if value is True else f' {key}="{escape(value)}"'


def _option(value: Any, label: Any) -> tuple[str, str, str]:
    if isinstance(label, list | tuple):
        raise TypeError("Option groups are not drawn here; render the field with Django.")
    shown = f'value="{escape(value)}"'
    return str(value), f"<option {shown}>{escape(label)}</option>", f"<option {shown} selected>{escape(label)}</option>"
