"""People, for the business unit: who holds which role in its partnership, inviting someone new, giving and taking
away roles. Only the business unit's own partnerships are shown or changed; a person's roles elsewhere stay unseen."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from agencies.models import Agency, Membership, Partnership, Role
from agencies.permissions import may_manage_partnership
from agencies.selectors import agencies_for, memberships_for, partnerships_for
from agencies.services import membership_create, membership_remove, person_invite, person_reinvite
from macfa.errors import ApplicationError
from macfa.forms import GovukForm

app_name = "people"


def _managed(user: Any) -> list[Partnership]:
    return [p for p in partnerships_for(user).order_by("name") if may_manage_partnership(user, p.pk)]


class RoleForm(GovukForm):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), empty_label=None)
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Agency (for an agency lead)",
        empty_label="Choose the agency they lead for",
    )

    def __init__(self, *args: Any, user: Any, partnerships: list[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership_field = cast(forms.ModelChoiceField, self.fields["partnership"])
        partnership_field.queryset = Partnership.objects.filter(pk__in=[p.pk for p in partnerships])
        agency_field = cast(forms.ModelChoiceField, self.fields["agency"])
        agency_field.queryset = agencies_for(user).filter(partnerships__in=partnerships).distinct().order_by("name")
        self.only = partnerships[0] if len(partnerships) == 1 else None
        if self.only is not None:  # nothing to choose: the business unit's one partnership
            del self.fields["partnership"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.only is not None:
            data["partnership"] = self.only
        if data.get("role") == Role.AGENCY_LEAD and not data.get("agency"):
            self.add_error("agency", "Choose the agency this person leads for.")
        if data.get("role") and data.get("role") != Role.AGENCY_LEAD:
            data["agency"] = None  # only an agency lead's role names an agency
        return data


class PersonForm(RoleForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address", help_text="The invitation to choose a password goes here.")

    field_order = ["first_name", "last_name", "email", "partnership", "role", "agency"]


@login_required
def people(request: HttpRequest) -> HttpResponse:
    partnerships = _managed(request.user)
    if not partnerships:
        return render(request, "agencies/people_forbidden.html", status=403)
    rows = (
        memberships_for(request.user)
        .filter(partnership__in=partnerships)
        .select_related("user", "agency", "partnership")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    by_person: dict[int, dict[str, Any]] = {}
    for membership in rows:
        entry = by_person.setdefault(membership.user_id, {"person": membership.user, "roles": []})
        entry["roles"].append(membership)
    context = {"people": list(by_person.values()), "several": len(partnerships) > 1}
    return render(request, "agencies/people.html", context)


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    partnerships = _managed(request.user)
    if not partnerships:
        return render(request, "agencies/people_forbidden.html", status=403)
    form = PersonForm(user=request.user, partnerships=partnerships)
    if request.method == "POST":
        form = PersonForm(request.POST, user=request.user, partnerships=partnerships)
        if form.is_valid():
            try:
                membership = person_invite(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                person = membership.user
                said = (
                    f"{person.get_full_name()} is now {membership.get_role_display().lower()}"
                    f"{' for ' + str(membership.agency) if membership.agency else ''}."
                )
                if not person.has_usable_password():
                    said += f" An invitation to choose a password was sent to {person.email}."
                messages.success(request, said)
                return redirect("people:person", pk=person.pk)
    context = {"form": form}
    return render(request, "agencies/person_new.html", context, status=400 if form.errors else 200)


def _person_page(
    request: HttpRequest,
    person: Any,
    partnerships: list[Partnership],
    *,
    form: RoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = (
        memberships_for(request.user)
        .filter(user=person, partnership__in=partnerships)
        .select_related("agency", "partnership")
        .order_by("partnership__name", "role")
    )
    context = {
        "person": person,
        "roles": roles,
        "form": form or RoleForm(user=request.user, partnerships=partnerships),
        "several": len(partnerships) > 1,
        "invited": not person.has_usable_password(),
    }
    return render(request, "agencies/person.html", context, status=status)


def _person(request: HttpRequest, pk: int, partnerships: list[Partnership]) -> Any:
    """Someone who holds a role in one of the business unit's partnerships; 404 for anyone else."""
    people = get_user_model().objects.filter(memberships__partnership__in=partnerships).distinct()
    return get_object_or_404(people, pk=pk)


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    partnerships = _managed(request.user)
    person = _person(request, pk, partnerships)
    if request.method == "POST":
        form = RoleForm(request.POST, user=request.user, partnerships=partnerships)
        if form.is_valid():
            try:
                membership = membership_create(actor=request.user, user=person, **form.cleaned_data)
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    f"{person.get_full_name() or person.username}: {membership.get_role_display().lower()} added.",
                )
                return redirect("people:person", pk=person.pk)
        return _person_page(request, person, partnerships, form=form, status=400)
    return _person_page(request, person, partnerships)


@login_required
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    partnerships = _managed(request.user)
    membership = get_object_or_404(
        memberships_for(request.user).filter(partnership__in=partnerships).select_related("user"), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    person = membership.user
    try:
        membership_remove(actor=request.user, membership=membership)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{person.get_full_name() or person.username} is no longer {membership.get_role_display().lower()}.",
        )
    if Membership.objects.filter(user=person, partnership__in=partnerships).exists():
        return redirect("people:person", pk=person.pk)
    return redirect("people:list")


@login_required
def person_reinvite_view(request: HttpRequest, pk: int) -> HttpResponse:
    partnerships = _managed(request.user)
    person = _person(request, pk, partnerships)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    partnership = next(p for p in partnerships if Membership.objects.filter(user=person, partnership=p).exists())
    try:
        person_reinvite(actor=request.user, person=person, partnership=partnership)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation was sent again to {person.email}.")
    return redirect("people:person", pk=person.pk)


urlpatterns = [
    path("", people, name="list"),
    path("new/", person_new, name="new"),
    path("<int:pk>/", person, name="person"),
    path("<int:pk>/invite/", person_reinvite_view, name="reinvite"),
    path("roles/<int:pk>/remove/", role_remove, name="role-remove"),
]
