"""The bare WSGI baseline: token authentication, the hand-written SQL of bench/baseline.py, and JSON.

Served by the same gunicorn as the service (``gunicorn bench.baseline_app:application``), with one persistent
psycopg connection per worker (the service runs with CONN_MAX_AGE, so it keeps its connection too). No Django.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib import parse

import psycopg

from bench import baseline

_connection: psycopg.Connection[Any] | None = None
DETAIL = re.compile(r"^/api/v1/findings/(\d+)/$")


def connection() -> psycopg.Connection[Any]:
    global _connection
    if _connection is None or _connection.closed:
        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        _connection = psycopg.connect(url, autocommit=True)
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    with connection().cursor() as cursor:
        actor = baseline.authenticate(cursor, environ.get("HTTP_AUTHORIZATION", ""))
        if actor is None:
            return _respond(start_response, 401, {"message": "Authentication credentials were not provided."})
        if path == "/api/v1/findings/":
            query_string = environ.get("QUERY_STRING", "")
            host = environ.get("HTTP_HOST", "localhost")
            url = f"http://{host}{path}" + (f"?{query_string}" if query_string else "")
            status, body = baseline.finding_list(cursor, actor, query=parse.parse_qs(query_string), url=url)
            return _respond(start_response, status, body)
        match = DETAIL.match(path)
        if match:
            status, body, etag = baseline.finding_detail(cursor, actor, int(match.group(1)))
            return _respond(start_response, status, body, [("ETag", etag)] if etag else [])
    return _respond(start_response, 404, {"message": "Not found."})


def _respond(
    start_response: Callable[..., Any], status: int, body: Any, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    # As DRF's JSONRenderer writes it: compact, UTF-8, no NaN.
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *(headers or [])],
    )
    return [payload]
