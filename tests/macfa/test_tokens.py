"""API tokens expire and can be revoked; the sign-in throttle counts the real client address, not one it was told."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Membership
from macfa.authentication import token_revoke
from macfa.errors import NotAllowed
from tests.conftest import Parties
from tests.macfa.test_settings import start

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fresh_throttle_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def sign_in(user: Any, **headers: str) -> Any:
    return APIClient().post(reverse("api-token"), {"username": user.username, "password": PASSWORD}, **headers)


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def partnerships(key: str) -> Any:
    return with_token(key).get(reverse("api:partnership-list"))


# --- Expiry ---------------------------------------------------------------------------------------------------


def test_a_token_works_until_its_lifetime_ends(parties: Parties) -> None:
    with time_machine.travel(START, tick=False) as clock:
        key = sign_in(parties.auditor).json()["token"]
        clock.shift(datetime.timedelta(days=30) - datetime.timedelta(minutes=1))
        assert partnerships(key).status_code == 200


def test_an_expired_token_is_a_401_saying_how_to_get_a_new_one(parties: Parties) -> None:
    with time_machine.travel(START, tick=False) as clock:
        key = sign_in(parties.auditor).json()["token"]
        clock.shift(datetime.timedelta(days=30))
        response = partnerships(key)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == "token_expired"
    assert "expired" in body["message"]
    assert "POST /api/v1/auth/token/" in body["message"]


def test_the_lifetime_is_a_setting(parties: Parties, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME_DAYS = 2
    with time_machine.travel(START, tick=False) as clock:
        key = sign_in(parties.auditor).json()["token"]
        clock.shift(datetime.timedelta(days=2))
        assert partnerships(key).status_code == 401


def test_the_lifetime_comes_from_the_environment() -> None:
    command = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.API_TOKEN_LIFETIME_DAYS)",
    )
    assert start({}, *command).stdout.strip() == "30"
    assert start({"API_TOKEN_LIFETIME_DAYS": "7"}, *command).stdout.strip() == "7"


def test_signing_in_again_replaces_an_expired_token(parties: Parties) -> None:
    with time_machine.travel(START, tick=False) as clock:
        old = sign_in(parties.auditor).json()["token"]
        clock.shift(datetime.timedelta(days=31))
        response = sign_in(parties.auditor)
        assert response.status_code == 200
        new = response.json()["token"]
        assert new != old
        assert partnerships(new).status_code == 200
        assert partnerships(old).status_code == 401


def test_signing_in_again_before_expiry_keeps_the_same_token(parties: Parties) -> None:
    first = sign_in(parties.auditor).json()["token"]
    assert sign_in(parties.auditor).json()["token"] == first


# --- Revocation by the owner --------------------------------------------------------------------------------------


def test_the_owner_revokes_their_token_with_it(parties: Parties) -> None:
    key = sign_in(parties.lead).json()["token"]
    client = with_token(key)
    assert client.delete(reverse("api-token")).status_code == 204
    assert not Token.objects.filter(user=parties.lead).exists()
    response = partnerships(key)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_the_owner_revokes_their_token_from_a_signed_in_session(parties: Parties) -> None:
    key = sign_in(parties.lead).json()["token"]
    client = APIClient()
    client.force_login(parties.lead)
    assert client.delete(reverse("api-token")).status_code == 204
    assert partnerships(key).status_code == 401


def test_revoking_needs_a_signed_in_person(parties: Parties) -> None:
    sign_in(parties.lead)
    response = APIClient().delete(reverse("api-token"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert Token.objects.filter(user=parties.lead).exists()


# --- Revocation by the business unit ------------------------------------------------------------------------------


def business_unit_staff(user: Any) -> Client:
    """A business unit member as the demo sets them up: staff, with every permission of the two apps."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["agencies", "audits"]))
    client = Client()
    client.force_login(user)
    return client


def revoke_in_admin(client: Client, person: Any) -> Any:
    memberships = Membership.objects.filter(user=person).values_list("pk", flat=True)
    return client.post(
        reverse("admin:agencies_membership_changelist"),
        {"action": "revoke_api_tokens", "index": 0, "_selected_action": [str(pk) for pk in memberships]},
    )


def test_the_business_unit_revokes_the_token_of_someone_in_its_partnership(parties: Parties) -> None:
    key = sign_in(parties.lead).json()["token"]
    response = revoke_in_admin(business_unit_staff(parties.business_unit), parties.lead)
    assert response.status_code == 302
    assert partnerships(key).status_code == 401


def test_another_partnerships_business_unit_cannot_revoke_our_tokens(parties: Parties) -> None:
    key = sign_in(parties.lead).json()["token"]
    revoke_in_admin(business_unit_staff(parties.outsider), parties.lead)
    assert partnerships(key).status_code == 200
    with pytest.raises(NotAllowed):
        token_revoke(actor=parties.outsider, person=parties.lead)
    assert Token.objects.filter(user=parties.lead).exists()


@pytest.mark.parametrize("role", ["auditor", "lead", "other_lead", "board_member", "outsider_lead"])
def test_no_one_but_the_business_unit_revokes_someone_elses_token(parties: Parties, role: str) -> None:
    person = parties.other_lead if role == "lead" else parties.lead
    sign_in(person)
    with pytest.raises(NotAllowed):
        token_revoke(actor=getattr(parties, role), person=person)
    assert Token.objects.filter(user=person).exists()


# --- The sign-in throttle and the client address --------------------------------------------------------------


def wrong_password(parties: Parties, forwarded_for: str) -> int:
    return (
        APIClient()
        .post(
            reverse("api-token"),
            {"username": parties.lead.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
        .status_code
    )


def test_a_forwarded_for_header_does_not_escape_the_limit_with_no_proxy(parties: Parties) -> None:
    statuses = [wrong_password(parties, f"203.0.113.{n}") for n in range(10)]
    assert statuses == [400] * 10
    assert wrong_password(parties, "198.51.100.99") == 429
    assert sign_in(parties.auditor, HTTP_X_FORWARDED_FOR="198.51.100.100").status_code == 429


def test_behind_one_proxy_the_right_most_address_is_the_client(parties: Parties, settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client writes what it likes on the left; the proxy appends the address it saw.
    statuses = [wrong_password(parties, f"203.0.113.{n}, 192.0.2.1") for n in range(10)]
    assert statuses == [400] * 10
    assert wrong_password(parties, "198.51.100.99, 192.0.2.1") == 429
    assert sign_in(parties.auditor, HTTP_X_FORWARDED_FOR="192.0.2.1, 192.0.2.2").status_code == 200


def test_the_proxy_count_comes_from_the_environment() -> None:
    command = (
        "shell",
        "--no-imports",
        "-c",
        "from rest_framework.settings import api_settings as s; print(s.NUM_PROXIES)",
    )
    assert start({}, *command).stdout.strip() == "0"
    assert start({"TRUSTED_PROXY_COUNT": "2"}, *command).stdout.strip() == "2"
