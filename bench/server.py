"""Serving the service and the baseline under the same gunicorn on 127.0.0.1, and requesting from them."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STATIC_ROOT = "/tmp/macfa-bench-static"  # noqa: S108 - the bench's own collected static files, apart from the repo's
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # one per core on the 2-core machine the bars are set for


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def service_environment() -> dict[str, str]:
    """Production settings (no DEBUG, persistent connections), on plain HTTP on the loopback interface.

    If the static files cannot be collected (production serves them from a manifest), the development settings
    with DEBUG off: the same middleware and code paths but for how a static file's URL is made.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "macfa.settings",
        "MACFA_ENV": os.environ.get("BENCH_MACFA_ENV", "production"),
        "DEBUG": "false",
        # The same key as the bench's own process, which signs the page users' sessions.
        "SECRET_KEY": os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50)),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": STATIC_ROOT,
        "PYTHONPATH": str(ROOT),
    }


def collect_static() -> None:
    """Production serves hashed static files from a manifest: collect them once, outside the working tree."""
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=service_environment(),
        check=False,
        capture_output=True,
    )
    if done.returncode != 0:
        print("collectstatic failed, so the servers run the development settings with DEBUG off", file=sys.stderr)
        os.environ["BENCH_MACFA_ENV"] = "development"


@contextmanager
def serving(name: str, app: str, workers: int = WORKERS, **settings: str) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers, the same for the service and the baseline; stopped on exit.

    ``settings`` override the environment (CONN_MAX_AGE="0", to see what keeping connections buys).
    """
    port = free_port()
    log = open(f"/tmp/macfa-bench-{name}.log", "wb")  # noqa: SIM115, S108 - closed below, after the server stops
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**service_environment(), **settings},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} did not start: see /tmp/macfa-bench-{name}.log") from None
                time.sleep(0.2)
        yield Server(name, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str], float]:
    """One GET on a new connection (gunicorn's sync workers close each one): status, body, headers, seconds."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, dict(response.getheaders()), time.perf_counter() - start
