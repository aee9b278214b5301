"""People, for the business unit: add someone with a role and an invitation to choose a password, give and remove
roles, in its own partnership only."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from agencies.models import Membership, Role
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def add(client: Client, **fields: Any) -> Any:
    data = {"first_name": "Sam", "last_name": "Ortiz", "email": "sam.ortiz@example.org", "role": Role.BOARD_MEMBER}
    return client.post(reverse("people:new"), {**data, **fields}, follow=True)


def test_the_business_unit_adds_a_person_who_chooses_a_password_from_the_invitation(
    parties: Parties, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = add(signed_in(parties.business_unit))
    assert "An invitation to choose a password was sent to sam.ortiz@example.org" in text(response)
    person = get_user_model().objects.get(email="sam.ortiz@example.org")
    assert not person.has_usable_password()
    assert Membership.objects.get(user=person).partnership == parties.partnership
    (invitation,) = mail.outbox
    link = re.search(r"http://[^\s]+/accounts/reset/[^\s]+/", invitation.body)
    assert link, invitation.body

    visitor = Client()
    form = visitor.get(urlparse(link.group(0)).path, follow=True)
    assert "Choose your password" in text(form)
    chosen = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long safe phrase 2026", "new_password2": "a long safe phrase 2026"},
        follow=True,
    )
    assert "Your password is saved" in text(chosen)
    signed = Client().post(
        reverse("login"), {"username": "sam.ortiz@example.org", "password": "a long safe phrase 2026"}, follow=True
    )
    assert "Sign out" in text(signed)


def test_an_agency_lead_needs_their_agency_and_mistakes_are_named(parties: Parties) -> None:
    client = signed_in(parties.business_unit)
    response = client.post(
        reverse("people:new"),
        {"first_name": "Ali", "last_name": "Khan", "email": "not-an-email", "role": "agency_lead"},
    )
    assert response.status_code == 400
    words = text(response)
    assert "Enter a valid email address" in words
    assert "Choose the agency this person leads for" in words
    assert "Ali" in response.content.decode()  # what was typed is kept
    assert not get_user_model().objects.filter(first_name="Ali").exists()


def test_an_agency_from_another_partnership_cannot_be_chosen(parties: Parties) -> None:
    response = add(
        signed_in(parties.business_unit),
        role=Role.AGENCY_LEAD,
        agency=parties.outsider_agency.pk,
        email="x@example.org",
    )
    assert "Select a valid choice" in text(response)
    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_someone_with_an_account_gets_the_role_without_a_new_account(
    parties: Parties, django_capture_on_commit_callbacks: Any
) -> None:
    existing = parties.outsider_board_member
    with django_capture_on_commit_callbacks(execute=True):
        add(signed_in(parties.business_unit), email=existing.email.upper(), role=Role.AUDITOR)
    assert get_user_model().objects.filter(email__iexact=existing.email).count() == 1
    assert Membership.objects.filter(user=existing, partnership=parties.partnership, role=Role.AUDITOR).exists()
    (notice,) = mail.outbox  # told of the new role; no invitation: they already sign in
    assert "new role" in notice.subject and "reset" not in notice.body


def test_the_list_and_a_persons_page_show_only_this_partnerships_roles(parties: Parties) -> None:
    shared = parties.outsider_board_member
    Membership.objects.create(user=shared, partnership=parties.partnership, role=Role.AUDITOR)
    client = signed_in(parties.business_unit)
    listing = text(client.get(reverse("people:list")))
    assert shared.username in listing or shared.get_full_name() in listing
    assert parties.outsider.username not in listing.split()  # the other partnership's business unit
    page = text(client.get(reverse("people:person", args=[shared.pk])))
    assert "Independent auditor" in page
    roles = page.split("Roles", 1)[1].split("Give another role", 1)[0]
    assert "Board sub-group member" not in roles  # their role in the other partnership stays unseen
    assert client.get(reverse("people:person", args=[parties.outsider.pk])).status_code == 404


def test_removing_the_last_role_stops_the_persons_api_token(parties: Parties) -> None:
    person = parties.other_lead
    token = Token.objects.create(user=person)
    membership = Membership.objects.get(user=person)
    client = signed_in(parties.business_unit)
    response = client.post(reverse("people:role-remove", args=[membership.pk]), follow=True)
    assert "is no longer agency lead" in text(response)
    assert not Token.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("who", ["auditor", "lead", "board_member", "outsider"])
def test_only_the_partnerships_business_unit_manages_its_people(parties: Parties, who: str) -> None:
    client = signed_in(getattr(parties, who))
    membership = Membership.objects.get(user=parties.board_member)
    assert client.post(reverse("people:role-remove", args=[membership.pk])).status_code in (403, 404)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert client.get(reverse("people:person", args=[parties.board_member.pk])).status_code in (403, 404)
    add(client, email="intruder@example.org")
    assert not Membership.objects.filter(user__email="intruder@example.org", partnership=parties.partnership).exists()


def test_the_business_unit_cannot_remove_its_own_business_unit_role(parties: Parties) -> None:
    own = Membership.objects.get(user=parties.business_unit, role=Role.BUSINESS_UNIT)
    response = signed_in(parties.business_unit).post(reverse("people:role-remove", args=[own.pk]), follow=True)
    assert "You cannot remove your own business unit role" in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()
