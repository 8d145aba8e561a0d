"""seed_bench refuses SQLite with a reason rather than loading slowly or half-way."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite refusal")
def test_sqlite_is_refused_with_a_reason():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_bench", "--scale", "small")
