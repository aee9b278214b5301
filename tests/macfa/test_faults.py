"""PostgreSQL or Redis stopping under the service: clear 503s, then recovery with no restart.

The database tests run gunicorn (as in production: one worker, kept connections) against a PostgreSQL of their own,
started here on a free port with the test database's schema, and stop and start it; the shared PostgreSQL that
`make test` starts is never touched.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test import Client
from django.urls import reverse

from macfa.faults import RETRY_AFTER_SECONDS, DegradingRedisCache, _Outage
from tests.agencies.factories import UserFactory

# Every test here needs the test database: the Redis ones use it, the PostgreSQL ones copy its schema.
pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"  # the factory's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], *, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


def pg_binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if found is None:
        pytest.fail(f"{name} not found: install the Debian package postgresql (scripts/with-services does)")
    return found


class OwnPostgres:
    """A PostgreSQL of this test's own, in a folder under /tmp, that the test stops and starts on one port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="macfa-faults-"))
        self.dir.chmod(0o755)
        self.data = self.dir / "pg"
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.as_pg:
            shutil.chown(self.dir, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/macfa"

    def run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_pg, pg_binary(command[0]), *command[1:]], check=True, capture_output=True, cwd=self.dir
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def copy_schema_of(self, settings: dict[str, object]) -> None:
        """The test database's tables (migrated by pytest-django), without its rows."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "macfa")
        source = ["-h", str(settings["HOST"]), "-p", str(settings["PORT"]), "-U", str(settings["USER"])]
        dump = subprocess.run(
            [pg_binary("pg_dump"), *source, "--schema-only", "--no-owner", str(settings["NAME"])], capture_output=True
        )
        assert dump.returncode == 0, dump.stderr.decode()
        subprocess.run(
            [pg_binary("psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url.replace("postgres://", "postgresql://")],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )

    def remove(self) -> None:
        subprocess.run(
            [*self.as_pg, pg_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """gunicorn with one worker, production's kept connections (CONN_MAX_AGE) and DEBUG off, on a free port."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "60",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_BROKER_URL": "",
        }
        command = [sys.executable, "-m", "gunicorn", "macfa.wsgi:application", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        wait_for(self.answers, what=f"gunicorn to start:\n{self.output()}")

    def answers(self) -> bool:
        try:
            requests.get(f"{self.url}/healthz/", timeout=5)
        except requests.RequestException:
            return False
        return True

    def output(self) -> str:
        return self.log.read_text()[-3000:]

    def api(self) -> requests.Response:
        """An API request that needs the database: is this token anyone's?"""
        return requests.get(f"{self.url}/api/v1/audits/", headers={"Authorization": "Token not-a-token"}, timeout=10)

    def page(self) -> requests.Response:
        """A page request that needs the database: whose session is this?"""
        return requests.get(f"{self.url}/", cookies={"sessionid": "not-a-session"}, allow_redirects=False, timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def own_postgres(django_db_setup: None) -> Iterator[OwnPostgres]:
    database = OwnPostgres()
    try:
        database.start()
        database.copy_schema_of(connection.settings_dict)
        yield database
    finally:
        database.remove()


@pytest.fixture(scope="module")
def server(own_postgres: OwnPostgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(own_postgres.url, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    yield running
    running.stop()


def assert_answers_normally(server: Server) -> None:
    api = server.api()
    assert api.status_code == 401, server.output()  # the token was looked up, and is no one's
    page = server.page()
    assert page.status_code == 302 and "/login" in page.headers["Location"], server.output()
    assert requests.get(f"{server.url}/healthz/", timeout=10).json()["database"] == "ok"


def test_with_postgresql_stopped_the_api_and_pages_answer_503_and_recover_when_it_returns(
    own_postgres: OwnPostgres, server: Server
) -> None:
    assert_answers_normally(server)
    own_postgres.stop()

    api = server.api()
    assert api.status_code == 503, server.output()
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = api.json()
    assert (body["status"], body["code"], body["errors"]) == (503, "service_unavailable", {})
    assert "cannot reach its database" in body["message"]

    page = server.page()
    assert page.status_code == 503, server.output()
    assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Sorry, the service is unavailable" in page.text
    assert "cannot reach its database" in page.text

    health = requests.get(f"{server.url}/healthz/", timeout=10)
    assert (health.status_code, health.json()["database"]) == (503, "down")

    own_postgres.start()
    assert_answers_normally(server)  # the very first requests after it returns, on the same gunicorn worker


def test_a_postgresql_restart_between_requests_costs_no_request_an_error(
    own_postgres: OwnPostgres, server: Server
) -> None:
    assert_answers_normally(server)  # the worker now keeps a connection (CONN_MAX_AGE)
    own_postgres.stop()
    own_postgres.start()
    assert_answers_normally(server)  # the dead kept connection is noticed and replaced, not used


@pytest.fixture
def cache_redis_down(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The production cache backend, pointed at a port where no Redis answers."""
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "macfa.faults.DegradingRedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/1"}
    }
    monkeypatch.setattr(DegradingRedisCache, "outage", _Outage())


def test_tokens_are_issued_with_the_cache_redis_down_and_the_outage_is_logged_once(
    cache_redis_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = UserFactory()
    with caplog.at_level(logging.WARNING, logger="macfa.faults"):
        for _ in range(2):
            response = Client().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
            assert response.status_code == 200
            assert response.json()["token"]
    outage_warnings = [r for r in caplog.records if "Cache (Redis) unavailable" in r.getMessage()]
    assert len(outage_warnings) == 1


def test_sign_in_works_with_the_cache_redis_down(cache_redis_down: None) -> None:
    user = UserFactory()
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
