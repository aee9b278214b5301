"""``/healthz/``: is the database answering, and the broker?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return "down"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # tasks run in-process; there is no broker to reach
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker unreachable")
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_state(), "broker": _broker_state()}
    healthy = "down" not in checks.values()
    return JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)
