"""Shared fixtures and the marks that route tests to the services they need."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://… (runs in CI's PostgreSQL pass)"
    )
    skip_redis = pytest.mark.skip(
        reason="needs Redis and a Celery worker: set REDIS_URL=redis://… (CI sets it)"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)


@pytest.fixture
def curator(db):
    from tests.factories import CuratorFactory

    return CuratorFactory(username="curator")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def member(db):
    """A reader with a confirmed email address, as the alerts need."""
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    user = UserFactory(username="reporter", email="reporter@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def celery_runs_eagerly(request):
    """Tasks run in-process unless a test is marked `redis` and talks to a real worker.

    With REDIS_URL set (CI's PostgreSQL pass) tasks would otherwise be queued in Redis, and a
    later worker test would pick up messages that name rows of another test.
    """
    from policytracker.celery import app

    if "redis" in request.keywords:
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """The local test web server listens on 127.0.0.1 (a random free port)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def allow_local_server(httpserver, settings):
    """Let the ingestion client fetch from the local test server, and only from it."""
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [
        f"127.0.0.1:{httpserver.port}",
        f"localhost:{httpserver.port}",
    ]
    return httpserver


@pytest.fixture(autouse=True)
def fresh_alias_matcher(settings):
    """Start every test without the per-process alias matcher: its staleness stamp (row counts
    and latest updates) could repeat across rolled-back tests under frozen time. Tests see a
    new alias at once (workers look every MATCHER_RECHECK_SECONDS)."""
    from apps.news.matching import forget_matcher

    settings.MATCHER_RECHECK_SECONDS = 0
    forget_matcher()


@pytest.fixture(autouse=True)
def api_throttles_off(settings):
    """No request rate limits unless a test sets them: the suite makes hundreds of API requests a
    minute from one address, often under frozen time, and the counts would leak across tests."""
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    """No shared response cache unless a test switches it on (tests/test_response_cache.py):
    tests change the record inside a transaction that never commits, so a cached page would
    never be invalidated."""
    settings.RESPONSE_CACHE_SECONDS = 0


@pytest.fixture
def empty_cache():
    """This test process's cache entries removed, and only those. With Redis every xdist worker
    shares one database, and `cache.clear()` is FLUSHDB: it would empty another worker's cache
    (and the Celery broker's queue) in the middle of that worker's test."""
    from django.core.cache import cache

    if not os.environ.get("REDIS_URL"):
        cache.clear()  # local memory: this process's own
        return cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return cache


def pytest_configure(config):
    """Hash the test users' passwords with a fast hasher. The production hasher (PBKDF2, a
    million rounds) costs about a second per user on this machine, and the suite makes hundreds;
    no test is about the hash's strength, and login, lock-out and sign-up work the same."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("REDIS_URL"):
        # Each xdist worker keeps its own keys in the shared Redis (the response cache's record
        # version among them): another worker's write or cleared cache must not reach this one's.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        settings.CACHES["default"]["KEY_PREFIX"] = f"test-{worker}"
