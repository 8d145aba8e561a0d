"""Fixtures of the alerts tests: a member with a confirmed address, and a local receiver."""

import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory


@pytest.fixture
def member(db):
    user = UserFactory(username="reporter", email="reporter@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def receiver(httpserver, settings):
    """A webhook receiver on 127.0.0.1, which the address rules allow for this port only."""
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{httpserver.port}"]
    return httpserver
