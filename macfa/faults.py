"""What the service does when PostgreSQL or Redis stops: answer clearly, change nothing by halves, recover alone.

- PostgreSQL down: every page and API request that needs the database answers 503 with ``Retry-After`` (the API's
  one error shape on /api/ paths, a plain page elsewhere) instead of 500. Django closes a connection that failed at
  the end of the request, and ``CONN_HEALTH_CHECKS`` checks a kept connection before reusing it, so the first request
  after PostgreSQL returns is answered normally, with no restart.
- Redis down for the cache: ``DegradingRedisCache`` answers as an empty cache and logs a warning once per outage.
  The cache only holds the API's sign-in throttle, so throttling pauses while Redis is away; the sign-in lockout
  (django-axes) counts failures in the database and still applies.
- Redis down for the broker: tasks go through the outbox (audits/outbox.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from macfa.api import error_body

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
DATABASE_DOWN_MESSAGE = (
    "The service cannot reach its database at the moment, so this request was not completed. "
    "Try again in a minute; if you were saving something, check that it was saved."
)


def is_database_fault(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's error shape on /api/ paths, otherwise a page that needs no database.

    The page is rendered without the request, so no context processor (several query the database) runs.
    """
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = error_body(503, "service_unavailable", DATABASE_DOWN_MESSAGE)
        response = JsonResponse(body, status=503)
    else:
        page = render_to_string("503.html", {"message": DATABASE_DOWN_MESSAGE, "retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database connection fault raised by a view (DRF re-raises it) into a 503.

    A fault raised inside another middleware (the session or the signed-in user, loaded lazily) reaches
    ``macfa.errors_views.server_error``, which gives the same answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_fault(exception):
            return None
        logger.warning("Database unavailable, answering 503 to %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)


class _Outage:
    """Whether the cache is known to be down: warn once per outage, and skip Redis for a few seconds after a failure.

    Without the pause every request would wait for Redis to refuse (or time out) several times over.
    """

    RETRY_AFTER_SECONDS = 5.0

    def __init__(self) -> None:
        self._down = False
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def skipping(self) -> bool:
        return self._down and time.monotonic() < self._retry_at

    def failed(self, exc: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.RETRY_AFTER_SECONDS
            if self._down:
                return
            self._down = True
        logger.warning(
            "Cache (Redis) unavailable: answering as an empty cache, so API sign-in throttling is paused until it "
            "returns; the sign-in lockout counts in the database and still applies. %s",
            exc,
        )

    def answered(self) -> None:
        if self._down:
            with self._lock:
                self._down = False
            logger.warning("Cache (Redis) is answering again: throttling resumes.")


CACHE_FAULTS = (RedisConnectionError, RedisTimeoutError, OSError)


class DegradingRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache that stores nothing while Redis cannot be reached.

    Django's own backend raises on a connection error, which made every request that touches the cache (getting an
    API token: its throttle) answer 500 while Redis was down.
    """

    outage = _Outage()

    def _degrade(self, call: Callable[[], Any], fallback: Any) -> Any:
        if self.outage.skipping():
            return fallback
        try:
            result = call()
        except CACHE_FAULTS as exc:
            self.outage.failed(exc)
            return fallback
        self.outage.answered()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._degrade(lambda: super(DegradingRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._degrade(lambda: super(DegradingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._degrade(lambda: super(DegradingRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._degrade(lambda: super(DegradingRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        # False ("already there") is the answer that grants nothing to a caller using add() as a lock.
        return self._degrade(lambda: super(DegradingRedisCache, self).add(key, value, timeout, version), False)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._degrade(lambda: super(DegradingRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._degrade(lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._degrade(lambda: super(DegradingRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._degrade(lambda: super(DegradingRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        result = self._degrade(lambda: super(DegradingRedisCache, self).incr(key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")  # what incr says of a missing key
        return int(result)

    def clear(self) -> None:
        self._degrade(lambda: super(DegradingRedisCache, self).clear(), None)
