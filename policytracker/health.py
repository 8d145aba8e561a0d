"""`/healthz`: is this process able to serve — database reachable, and Redis when configured."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _failure(service: str, exc: Exception) -> dict:
    # The endpoint is public: it names the kind of failure, the log keeps the details (which
    # can name internal hosts).
    logger.error("healthz: %s check failed: %s", service, exc)
    return {"ok": False, "error": type(exc).__name__}


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; report it, don't raise
        return _failure("database", exc)
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def _check_redis() -> dict:
    import redis

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:  # any failure means "not healthy"; report it, don't raise
        return _failure("redis", exc)
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
def healthz(request):
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
