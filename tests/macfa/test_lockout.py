"""Guessing a password: after ten wrong ones for one username from one address, sign-in pauses for that pair."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import Parties

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # the factories' password


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10") -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_pause_sign_in_for_that_user_from_that_address(parties: Parties) -> None:
    username = parties.lead.username
    with time_machine.travel(datetime.datetime(2026, 3, 11, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        statuses = [sign_in(Client(), username, "wrong").status_code for _ in range(10)]
        assert statuses == [200] * 9 + [429]  # the form again with its error, then the pause on the tenth
        locked = sign_in(Client(), username, PASSWORD)
        assert locked.status_code == 429
        assert "Too many sign-in attempts" in locked.content.decode()
        # Others at the same address, and the same person from elsewhere, are not locked out.
        assert sign_in(Client(), parties.auditor.username, PASSWORD).status_code == 302
        assert sign_in(Client(), username, PASSWORD, address="198.51.100.7").status_code == 302
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(Client(), username, PASSWORD).status_code == 302  # the pause has ended
