"""The README's backup and restore, run for real: pg_dump of a database holding a record, restored
into a fresh database, holds the same rows."""

import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from tests.factories import EventFactory, StatementFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TABLES = ("tracker_agreement", "tracker_event", "tracker_statement", "news_article")


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES
        }


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs PostgreSQL's client tools")
def test_pg_dump_and_pg_restore_round_trip_the_record(transactional_db, tmp_path):
    EventFactory.create_batch(3)
    StatementFactory.create_batch(2)
    source = _url(connection.settings_dict["NAME"])
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    dump = tmp_path / "policytracker.dump"
    admin = _url("postgres")

    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source], check=True
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_url(restored_name)}", str(dump)], check=True
        )
        before, after = _counts(source), _counts(_url(restored_name))
        assert after == before
        assert before["tracker_event"] == 3 and before["tracker_statement"] == 2
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
