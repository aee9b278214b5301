"""One table of a learning summary, printed in Python rather than through the template engine.

A national summary has about two thousand table rows (eighteen themes, a hundred comparisons with earlier audits
each); printed cell by cell through ``{% for %}`` and ``{% include %}`` they took most of the page's time. The markup
is exactly what the template printed before: a scrolling, labelled region around a GOV.UK table with the row names
as row headers and numeric cells aligned right, and the disclosure note under a table that can hold a hidden figure
when the figures are protected. Every text is escaped here.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()


def _escaped(value: Any) -> str:
    return str(value) if isinstance(value, SafeData) else escape(str(value))


@register.simple_tag
def briefing_table(table: Any, document: Any) -> SafeString:
    """``table``: audits.summaries.briefing.Table; ``document``: the Briefing (is it exact, and its note)."""
    caption = _escaped(table.caption)
    header = "".join(
        f'<th scope="col" class="govuk-table__header{"" if index == 0 else " govuk-table__header--numeric"}">'
        f"{_escaped(heading)}</th>"
        for index, heading in enumerate(table.header)
    )
    rows = "".join(
        '\n      <tr class="govuk-table__row">'
        + "".join(
            f'<th scope="row" class="govuk-table__header">{_escaped(cell)}</th>'
            if index == 0
            else f'<td class="govuk-table__cell govuk-table__cell--numeric">{_escaped(cell)}</td>'
            for index, cell in enumerate(row)
        )
        + "</tr>\n      "
        for row in table.text_rows
    )
    note = (
        f'<p class="govuk-body-s macfa-suppression-note">{_escaped(document.note)}</p>'
        if table.can_hide and not document.exact
        else ""
    )
    return mark_safe(  # noqa: S308 - every text above goes through _escaped
        "\n"
        f'<div class="macfa-table-wrap macfa-table-wrapper" tabindex="0" role="region" aria-label="{caption}">\n'
        '  <table class="govuk-table macfa-briefing-table">\n'
        f'    <caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>\n'
        '    <thead class="govuk-table__head">\n'
        f'      <tr class="govuk-table__row">{header}</tr>\n'
        "    </thead>\n"
        f'    <tbody class="govuk-table__body">\n      {rows}\n'
        "    </tbody>\n"
        "  </table>\n"
        "</div>\n"
        f"{note}\n"
    )
