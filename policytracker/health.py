"""Health endpoints for load balancers and operators.

- `/healthz` (liveness and readiness of the web tier): 200 while this process can serve pages,
  which needs the database and nothing else. Redis being down degrades background work (feeds,
  alerts) but every page and endpoint still serves, so it must not take web servers out of rotation.
- `/status`: every dependency, with Redis reported as "degraded" rather than failing.
"""

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


def _checks() -> dict:
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    return checks


@never_cache
def healthz(request):
    database = _check_database()
    return JsonResponse(
        {"status": "ok" if database["ok"] else "error", "checks": {"database": database}},
        status=200 if database["ok"] else 503,
    )


@never_cache
def status(request):
    checks = _checks()
    if not checks["database"]["ok"]:
        overall, code = "error", 503
    elif all(check["ok"] for check in checks.values()):
        overall, code = "ok", 200
    else:
        overall, code = "degraded", 200
    return JsonResponse({"status": overall, "checks": checks}, status=code)
