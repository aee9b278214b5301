"""Forms on the pages look and behave like the GOV.UK Design System's: its classes on every widget, its error state
on every field in error, and ``templates/includes/field.html`` to lay each field out with its label, hint and error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.forms.widgets import Input

from macfa.errors import ApplicationError

# The most specific widget first: RadioSelect and CheckboxSelectMultiple are laid out by the template instead.
WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.RadioSelect, ""),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.FileInput, "govuk-file-upload"),
    (Input, "govuk-input"),
]


class GovukFormMixin:
    """Give every widget its GOV.UK class; after validation, mark the fields in error."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = next((css for widget, css in WIDGET_CLASSES if isinstance(field.widget, widget)), "")
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            _say_what_to_do(name, field)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)
            css = field.widget.attrs.get("class", "") if field else ""
            if field and css and "--error" not in css:
                field.widget.attrs["class"] = f"{css} {css.split()[-1]}--error"

    def add_service_error(self, error: ApplicationError) -> None:
        """Show a service's refusal on the field it names, or above the form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)  # type: ignore[attr-defined]


CHOSEN = (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput, forms.FileInput)


def _say_what_to_do(name: str, field: forms.Field) -> None:
    """Django's default messages ("This field is required.") as the GOV.UK Design System words them: the question
    named, and what to do ("Enter the title", "Choose the agency")."""
    label = str(field.label or pretty_name(name)).strip().rstrip("?")
    words = label[0].lower() + label[1:] if label[1:2].islower() else label
    defaults = forms.Field.default_error_messages
    if field.error_messages.get("required") == defaults["required"]:
        verb = "Choose" if isinstance(field.widget, CHOSEN) else "Enter"
        field.error_messages["required"] = f"{verb} {words.removesuffix(' (optional)')}."
    limits = {
        "max_length": ("max_length", "{label} must be {limit} characters or fewer."),
        "min_length": ("min_length", "{label} must be {limit} characters or more."),
        "min_value": ("min_value", "{label} must be {limit} or more."),
        "max_value": ("max_value", "{label} must be {limit} or less."),
    }
    for code, (attribute, text) in limits.items():
        limit = getattr(field, attribute, None)
        if limit is not None and code not in field.error_messages:
            field.error_messages[code] = text.format(label=label, limit=limit)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


class GovukDateInput(forms.Widget):
    """GOV.UK's date input pattern: day, month and year in three boxes, inside a fieldset (see includes/field.html).

    The three boxes come back as one "YYYY-MM-DD" value for a ``forms.DateField`` to check, so an impossible date
    (31 February) is that field's "Enter a valid date". A single ``name=YYYY-MM-DD`` value is accepted too.
    """

    PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        parts = [str(data.get(f"{name}_{part}", "")).strip() for part, _, _ in self.PARTS]
        if not any(parts):
            return data.get(name)
        day, month, year = parts
        return f"{year}-{month.zfill(2)}-{day.zfill(2)}" if all(parts) else "-".join(parts)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part, _, _ in self.PARTS)

    def _parts(self, value: Any) -> dict[str, str]:
        if hasattr(value, "year"):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        pieces = str(value or "").split("-")
        if len(pieces) == 3:  # sent back as typed, e.g. "2026-02-31"
            return {"year": pieces[0], "month": pieces[1].lstrip("0"), "day": pieces[2].lstrip("0")}
        return {}

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html, format_html_join

        attrs = {**self.attrs, **(attrs or {})}
        base_id = attrs.get("id", name)
        error = "govuk-input--error" if attrs.get("aria-invalid") else ""  # Django marks a field in error
        values = self._parts(value)
        items = format_html_join(
            "",
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            '<label class="govuk-label govuk-date-input__label" for="{0}_{1}">{2}</label>'
            '<input class="govuk-input govuk-date-input__input govuk-input--width-{3} {4}" id="{0}_{1}" '
            'name="{5}_{1}" type="text" inputmode="numeric" value="{6}"></div></div>',
            ((base_id, part, label, width, error, name, values.get(part, "")) for part, label, width in self.PARTS),
        )
        return format_html('<div class="govuk-date-input" id="{}">{}</div>', base_id, items)
