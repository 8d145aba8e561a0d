"""A shared cache of public responses, invalidated by any write to the published record.

Anonymous readers without cookies (API scripts, crawlers, a story's readers arriving from a link)
all get the same bytes for the same URL, so a page or endpoint is rendered once and then served
from the shared cache (Redis) until the record changes. Correctness rests on one rule: every
committed write to a table the public can see replaces the *record version*, a token that is part
of every cache key, so nothing rendered before the write can be served after it.

- Writes are noticed at the database connection, not in model signals: an execute wrapper on
  every connection sees each INSERT, UPDATE, DELETE or TRUNCATE of a published table (the
  record, the news, their history, search documents), whatever issued it — a save, a bulk
  update, a raw statement, admin, the API, a Celery worker, a management command. The version
  is replaced after the transaction commits (in autocommit mode, at once), so a reader never
  caches the old record under the new version. COPY and writes from outside Django (psql, a
  restore) are not seen: `manage.py refresh_derived`, which every such path ends with, replaces
  the version itself, and each entry lives at most RESPONSE_CACHE_SECONDS anyway.
- Only GET requests without cookies or credentials are served from or stored in the cache, and
  only 200 answers that set no cookie (a page that used the session or a CSRF token sets one
  and is never stored). Headers the outer middleware adds (CSP, CORS, security) are added again
  to every cached answer; API throttles still count every request.
- The cache must be shared by every process that reads or writes, so it is on by default only
  with Redis (REDIS_URL; RESPONSE_CACHE_SECONDS). If Redis fails, requests are served uncached
  and the failure is logged.
"""

import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

VERSION_KEY = "record-version"
# Tables whose rows some public page or endpoint shows (history tables included: the change
# log). Writes to sessions, login attempts, accounts, alerts or the outbox do not invalidate.
PUBLISHED_TABLE_PREFIXES = ("tracker_", "news_", "search_", "opendata_")
WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([a-z0-9_]+)',
    re.IGNORECASE,
)
# Never cached: personal, staff, health and benchmark paths.
UNCACHED_PREFIXES = ("/admin/", "/accounts/", "/alerts/", "/healthz", "/status", "/__raw__/")
MAX_CACHED_BYTES = 1024 * 1024
# Part of every key: a release that changes what _frozen() stores never reads an older entry.
ENTRY_FORMAT = 2


def enabled() -> bool:
    return settings.RESPONSE_CACHE_SECONDS > 0


def replace_record_version() -> None:
    """Make every cached response unreachable (they expire on their own)."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    except Exception:  # Redis down: entries expire on their own
        logger.warning("response cache: could not replace the record version", exc_info=True)


def _current_record_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # first use, or Redis lost it: start a new generation
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY)
    return version


def writes_published_table(sql: str) -> bool:
    match = WRITE.match(sql)
    return bool(match) and match.group(1).lower().startswith(PUBLISHED_TABLE_PREFIXES)


def _notice_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and writes_published_table(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            replace_record_version()  # autocommit: the write is committed already
        elif not any(func is replace_record_version for _, func, _ in connection.run_on_commit):
            # Once per transaction. A callback registered inside a savepoint that is rolled
            # back is dropped with it, and the next write registers it again.
            transaction.on_commit(replace_record_version, using=connection.alias)
    return result


def watch_connection(sender, connection, **kwargs):
    if _notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_notice_writes)


def connect() -> None:
    connection_created.connect(watch_connection, dispatch_uid="response-cache-watch-writes")


def _frozen(response) -> tuple:
    """What a cached answer needs: status, headers, bytes, and the per-view CSP settings that
    the outer CSP middleware reads off the response (the embed's frame-ancestors). Not the
    response object itself: unpickling a DRF Response rebuilds its data too."""
    csp = {name: value for name, value in vars(response).items() if name.startswith("_csp")}
    return response.status_code, list(response.items()), response.content, csp


def _revived(frozen) -> HttpResponse:
    status, headers, content, csp = frozen
    response = HttpResponse(content, status=status, headers=dict(headers))
    for name, value in csp.items():
        setattr(response, name, value)
    return response


class ResponseCacheMiddleware:
    """Serves and stores anonymous GET answers; see the module's docstring for the rules."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (enabled() and self._cacheable_request(request)):
            return self.get_response(request)
        try:
            key = self._key(request, _current_record_version())
            cached = cache.get(key)
        except Exception:  # Redis down: serve uncached
            logger.warning("response cache unavailable; serving uncached", exc_info=True)
            return self.get_response(request)
        if cached is not None and self._throttles_allow(request):
            response = _revived(cached)
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        response = self.get_response(request)
        if self._cacheable_response(response):
            try:
                cache.set(key, _frozen(response), settings.RESPONSE_CACHE_SECONDS)
            except Exception:
                logger.warning("response cache: could not store a response", exc_info=True)
        return response

    @staticmethod
    def _cacheable_request(request) -> bool:
        return (
            request.method == "GET"
            and not request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    @staticmethod
    def _cacheable_response(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and len(response.content) <= MAX_CACHED_BYTES
        )

    @staticmethod
    def _key(request, version: str) -> str:
        # The scheme and host too: API answers carry absolute links.
        accept = request.META.get("HTTP_ACCEPT", "")
        return f"response:{ENTRY_FORMAT}:{version}:{request.build_absolute_uri()}:{accept}"

    @staticmethod
    def _throttles_allow(request) -> bool:
        """A cached API answer still counts against the client's rate; one over it goes to the
        view, which answers 429 as it would have."""
        if not request.path.startswith("/api/"):
            return True
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return all(
            throttle().allow_request(request, None)
            for throttle in api_settings.DEFAULT_THROTTLE_CLASSES
        )
