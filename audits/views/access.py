"""The access report: who read which child's case, when, what of it and through which door.

The business unit sees its partnership's cases; an agency lead the cases their agency was involved in (the
``case_accesses_for`` selector). Anyone else gets 404, as for any record they may not see.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from audits.models import CaseAccess
from audits.permissions import may_see_access_log
from audits.selectors import case_accesses_for
from audits.views.common import PAGE_LIMIT
from macfa.forms import GovukDateInput, GovukForm

DATE_INPUT = GovukDateInput()


class AccessFilterForm(GovukForm):
    person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Person")
    case = forms.CharField(required=False, max_length=50, label="Case reference", help_text="For example, C12")
    since = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    until = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(self, *args: Any, people: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            *((person.pk, person.get_full_name() or person.username) for person in people),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the period must be on or after its start.")
        return data


def _filtered(accesses: QuerySet[CaseAccess], data: dict[str, Any]) -> QuerySet[CaseAccess]:
    if data.get("person"):
        accesses = accesses.filter(user_id=data["person"])
    if data.get("case"):
        accesses = accesses.filter(case__reference__iexact=data["case"].strip())
    since: datetime.date | None = data.get("since")
    until: datetime.date | None = data.get("until")
    if since:
        accesses = accesses.filter(at__date__gte=since)
    if until:
        accesses = accesses.filter(at__date__lte=until)
    return accesses


@login_required
def access_report(request: HttpRequest) -> HttpResponse:
    if not may_see_access_log(request.user):
        raise Http404("No such page.")
    visible = case_accesses_for(request.user)
    people = get_user_model().objects.filter(pk__in=visible.values("user_id")).order_by("last_name", "username")
    form = AccessFilterForm(request.GET or None, people=people)
    accesses = visible
    if form.is_bound:
        accesses = _filtered(visible, form.cleaned_data) if form.is_valid() else visible.none()
    rows = list(accesses.select_related("user", "case__audit").order_by("-at", "-pk")[: PAGE_LIMIT + 1])
    context = {"form": form, "accesses": rows[:PAGE_LIMIT], "truncated": len(rows) > PAGE_LIMIT}
    return render(request, "audits/access.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("access/", access_report, name="access"),
]
