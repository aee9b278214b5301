"""Deployment hardening: response headers, sessions that end after inactivity, and refusals in production."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from macfa.settings import production_problems
from tests.conftest import Parties
from tests.macfa.test_settings import GOOD_KEY, start

pytestmark = pytest.mark.django_db


def cache_directives(response: object) -> set[str]:
    header = response.headers.get("Cache-Control", "")  # type: ignore[attr-defined]
    return {part.strip() for part in header.split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz/", "/api/v1/audits/", "/api/v1/no-such-thing/"])
def test_every_response_carries_a_permissions_policy(path: str) -> None:
    policy = Client().get(path).headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


@pytest.mark.parametrize("path", ["/api/v1/audits/", "/api/v1/no-such-thing/"])
def test_api_responses_are_never_stored_even_when_refused(path: str) -> None:
    assert "no-store" in cache_directives(Client().get(path))


def test_pages_for_a_signed_in_person_are_never_stored(parties: Parties) -> None:
    client = Client()
    client.force_login(parties.auditor)
    response = client.get(reverse("pages:home"))
    assert response.status_code == 200
    assert "no-store" in cache_directives(response)


def test_a_session_ends_after_thirty_minutes_without_a_request(parties: Parties) -> None:
    home = reverse("pages:home")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client = Client()
        client.force_login(parties.auditor)
        for _ in range(3):  # each request restarts the count, so an hour and a half of work keeps one signed in
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(home).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(home)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_session_cookie_ends_with_the_browser(parties: Parties) -> None:
    client = Client()
    client.force_login(parties.auditor)
    response = client.get(reverse("pages:home"))
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]


def test_the_inactivity_limit_comes_from_the_environment() -> None:
    command = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)")
    assert start({}, *command).stdout.strip() == "1800"
    assert start({"SESSION_COOKIE_AGE": "600"}, *command).stdout.strip() == "600"


@pytest.mark.parametrize("hosts", [["*"], ["macfa.example.org", "*"], ["*.example.org"]])
def test_production_refuses_a_wildcard_in_allowed_hosts(hosts: list[str]) -> None:
    problems = production_problems(secret_key=GOOD_KEY, debug=False, allowed_hosts=hosts)
    assert problems == ["ALLOWED_HOSTS contains '*': list the host names the service answers on."]
    assert production_problems(secret_key=GOOD_KEY, debug=False, allowed_hosts=["macfa.example.org"]) == []


def test_load_demo_refuses_to_run_in_production(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="refuses to run in production"):
        call_command("load_demo")
    assert not get_user_model().objects.exists()


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    """Scripts, styles and everything else from this site only, never inline; the browser tests (tests/browser/)
    fail on any refusal the policy causes in the console, so the pages keep working under it."""
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
