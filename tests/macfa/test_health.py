from __future__ import annotations

import os
import socket

import pytest
from django.test import Client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_broker(settings: object) -> None:
    url = os.environ.get("MACFA_TEST_REDIS_URL")
    if not url:
        pytest.fail("make test starts Redis and sets MACFA_TEST_REDIS_URL; run the suite with make test")
    settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[attr-defined]
    settings.CELERY_BROKER_URL = url  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_up(real_broker: None) -> None:
    response = Client().get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_is_down(real_broker: None, settings: object) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"  # type: ignore[attr-defined]
    response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_in_eager_mode_says_there_is_no_broker_to_reach(settings: object) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    assert Client().get("/healthz/").json()["broker"] == "eager"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
