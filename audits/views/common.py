"""What every page module shares."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PAGE_LIMIT = 200  # longest list a page shows before asking the reader to narrow it
DUE_SOON_DAYS = 7


def chosen_partnership(request: HttpRequest, choices: list[Any]) -> Any:
    """The only partnership the person may start this in, or the one they picked (``partnership``, sent or asked)."""
    if len(choices) == 1:
        return choices[0]
    picked = request.POST.get("partnership") or request.GET.get("partnership", "")
    return next((partnership for partnership in choices if str(partnership.pk) == picked), None)


def ask_which_partnership(
    request: HttpRequest, choices: list[Any], *, what: str, title: str, start: str, back: str, back_label: str
) -> HttpResponse:
    """The question asked first when a person could start an audit or a summary in several partnerships."""
    context = {
        "partnerships": choices,
        "what": what,
        "title": title,
        "start": start,
        "back": back,
        "back_label": back_label,
    }
    return render(request, "audits/choose_partnership.html", context)
