"""Shared fixtures and the marks that route tests to the services they need."""

import os

import pytest
from django.db import connection


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
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def db_vendor(db):
    return connection.vendor
