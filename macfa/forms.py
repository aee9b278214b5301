"""Forms on the pages look and behave like the GOV.UK Design System's: its classes on every widget, its error state
on every field in error, and ``templates/includes/field.html`` to lay each field out with its label, hint and error."""

from __future__ import annotations

from typing import Any

from django import forms
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
        for field in self.fields.values():
            css = next((css for widget, css in WIDGET_CLASSES if isinstance(field.widget, widget)), "")
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

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


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass
