"""A real Celery worker with embedded beat, on the real Redis, ingests a feed end to end.

Needs PostgreSQL (the worker is another process and must see the test database) and Redis.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from apps.news.models import Article, Feed
from tests.factories import ActorFactory, AgreementFactory, AliasFactory, PartyFactory
from tests.news.local_site import BODY_MOU, BODY_WEATHER, article_page, rss_feed

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, allow_local_server, tmp_path):
    from policytracker.celery import app

    app.control.purge()  # messages left by an earlier run name rows that no longer exist
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "INGEST_ALLOWED_PRIVATE_HOSTS": f"127.0.0.1:{allow_local_server.port}",
        "INGEST_POLL_SECONDS": "1",
        "CONN_MAX_AGE": "0",
    }
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "policytracker", "worker", "--beat",
            "--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "INFO",
            "--concurrency", "2", "--without-gossip", "--without-mingle",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield {"process": process, "log": log}
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition, *, timeout: float, worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker["process"].poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(
        f"condition not met in {timeout}s; worker log:\n{worker['log'].read_text()[-4000:]}"
    )


def test_beat_polls_the_feed_and_workers_ingest_its_articles(worker, allow_local_server):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    when = datetime.datetime(2025, 4, 8, 14, 0, tzinfo=datetime.UTC)
    server.expect_request("/feed.xml").respond_with_data(
        rss_feed(
            base=base,
            items=[
                ("IRS to help ICE", "/irs-ice-deal?utm_source=rss", when),
                ("Ice storm", "/ice-storm", when),
            ],
        ),
        content_type="application/rss+xml",
    )
    server.expect_request("/irs-ice-deal").respond_with_data(
        article_page(
            headline="IRS agrees to help ICE",
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
        ),
        content_type="text/html",
    )
    server.expect_request("/ice-storm").respond_with_data(
        article_page(
            headline="Ice storm", paragraphs=BODY_WEATHER, published="2025-04-09T08:00:00+00:00"
        ),
        content_type="text/html",
    )
    irs = ActorFactory(name="Internal Revenue Service", slug="irs")
    AliasFactory(actor=irs, text="IRS", case_sensitive=True)
    agreement = AgreementFactory(slug="irs-ice-mou")
    PartyFactory(agreement=agreement, actor=irs)
    feed = Feed.objects.create(url=f"{base}/feed.xml")

    wait_for(
        lambda: Article.objects.filter(fetch_status="fetched").count() == 2,
        timeout=90,
        worker=worker,
    )

    deal = Article.objects.get(canonical_url=f"{base}/irs-ice-deal")
    assert deal.title == "IRS agrees to help ICE"
    assert deal.links.filter(actor=irs, status="suggested").exists()
    assert not Article.objects.get(canonical_url=f"{base}/ice-storm").links.exists()
    feed.refresh_from_db()
    assert feed.last_status == "ok" and feed.last_success_at is not None
    assert feed.next_fetch_at > feed.last_fetched_at
