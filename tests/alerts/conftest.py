"""Fixtures of the alerts tests: a member signed in, and a local receiver (the member, with a
confirmed address, is in tests/conftest.py)."""

import pytest


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def receiver(httpserver, settings):
    """A webhook receiver on 127.0.0.1, which the address rules allow for this port only."""
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{httpserver.port}"]
    return httpserver
