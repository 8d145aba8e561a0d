"""A real Celery worker with embedded beat, on the real Redis, ingests a feed end to end.

Needs PostgreSQL (the worker is another process and must see the test database) and Redis.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from werkzeug import Response

from apps.news.models import Article, Feed
from tests.factories import ActorFactory, AgreementFactory, AliasFactory, PartyFactory
from tests.news.local_site import BODY_MOU, BODY_WEATHER, article_page, rss_feed

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(
    tmp_path, server, *, name: str, beat: bool = False, concurrency: int = 2, **env_extra
):
    """A Celery worker process (its own session, so it can be killed whole) on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "INGEST_ALLOWED_PRIVATE_HOSTS": f"127.0.0.1:{server.port}",
        "CONN_MAX_AGE": "0",
        **env_extra,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "policytracker", "worker", "--loglevel", "INFO",
        "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
        "--concurrency", str(concurrency),
    ]  # fmt: skip
    if beat:
        command += ["--beat", "--schedule", str(tmp_path / f"{name}-beat-schedule")]
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return {"process": process, "log": log}


def stop_worker(worker) -> None:
    process = worker["process"]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def child_pids(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@pytest.fixture
def workers(transactional_db, allow_local_server, tmp_path):
    """Start workers with `workers.start(name, ...)`; all are stopped after the test."""
    from policytracker.celery import app

    app.control.purge()  # messages left by an earlier run name rows that no longer exist
    started = []

    class Workers:
        @staticmethod
        def start(name, **options):
            worker = start_worker(tmp_path, allow_local_server, name=name, **options)
            started.append(worker)
            return worker

    yield Workers
    for worker in started:
        stop_worker(worker)
    app.control.purge()


@pytest.fixture
def worker(workers):
    return workers.start("beat-worker", beat=True, INGEST_POLL_SECONDS="1")


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


class SlowArticle:
    """Serves an article page; the first request hangs until released, so a test can kill the
    worker that is fetching it."""

    def __init__(self):
        self.requests = 0
        self.first_request_arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, request):
        self.requests += 1
        if self.requests == 1:
            self.first_request_arrived.set()
            self.release.wait(timeout=30)
        return Response(
            article_page(
                headline="IRS agrees to help ICE",
                paragraphs=BODY_MOU,
                published="2025-04-08T14:00:00+00:00",
            ),
            content_type="text/html",
        )


def enqueue_article(server, slow_article):
    from apps.news.tasks import ingest_article_task

    server.expect_request("/slow-story").respond_with_handler(slow_article)
    article = Article.objects.create(
        url=f"http://127.0.0.1:{server.port}/slow-story",
        canonical_url=f"http://127.0.0.1:{server.port}/slow-story",
    )
    ingest_article_task.delay(article.pk)
    return article


def test_a_task_whose_worker_process_is_killed_is_run_again(workers, allow_local_server):
    worker = workers.start("a", concurrency=1)
    slow_article = SlowArticle()
    article = enqueue_article(allow_local_server, slow_article)
    assert slow_article.first_request_arrived.wait(timeout=60), worker["log"].read_text()

    # The pool process running the task dies (the OOM killer, a segfault); the message was not
    # acknowledged, so the worker puts it back and a fresh pool process runs it again.
    for pid in child_pids(worker["process"].pid):
        os.kill(pid, signal.SIGKILL)
    slow_article.release.set()

    wait_for(
        lambda: Article.objects.get(pk=article.pk).fetch_status == "fetched",
        timeout=60,
        worker=worker,
    )
    assert slow_article.requests >= 2
    assert Article.objects.get(pk=article.pk).title == "IRS agrees to help ICE"


def test_a_task_whose_whole_worker_is_killed_is_taken_over_by_another(workers, allow_local_server):
    # A short visibility timeout so the broker hands the unacknowledged message on in seconds.
    timeouts = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_SECONDS": "1"}
    first = workers.start("first", concurrency=1, **timeouts)
    slow_article = SlowArticle()
    article = enqueue_article(allow_local_server, slow_article)
    assert slow_article.first_request_arrived.wait(timeout=60), first["log"].read_text()

    os.killpg(first["process"].pid, signal.SIGKILL)  # the machine goes away mid-task
    first["process"].wait()
    slow_article.release.set()
    second = workers.start("second", concurrency=1, **timeouts)

    wait_for(
        lambda: Article.objects.get(pk=article.pk).fetch_status == "fetched",
        timeout=60,
        worker=second,
    )
    assert slow_article.requests >= 2


class PoisonPage:
    """A page whose fetch kills the pool process that asks for it, every time (as a parser crash
    or a memory blow-up would); counts the requests."""

    def __init__(self, worker):
        self.worker = worker
        self.requests = 0

    def __call__(self, request):
        self.requests += 1
        for pid in child_pids(self.worker["process"].pid):
            os.kill(pid, signal.SIGKILL)
        return Response("never read", content_type="text/html")


def test_a_poison_article_is_given_up_after_three_deaths_and_the_others_go_on(
    workers, allow_local_server
):
    from apps.news.tasks import ingest_article_task

    server = allow_local_server
    worker = workers.start("poisoned", concurrency=1)
    poison = PoisonPage(worker)
    server.expect_request("/poison").respond_with_handler(poison)
    server.expect_request("/healthy").respond_with_data(
        article_page(
            headline="IRS agrees to help ICE",
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
        ),
        content_type="text/html",
    )
    base = f"http://127.0.0.1:{server.port}"
    poisoned = Article.objects.create(url=f"{base}/poison", canonical_url=f"{base}/poison")
    healthy = Article.objects.create(url=f"{base}/healthy", canonical_url=f"{base}/healthy")

    ingest_article_task.delay(poisoned.pk)
    ingest_article_task.delay(healthy.pk)

    wait_for(
        lambda: (
            Article.objects.get(pk=poisoned.pk).fetch_status == "failed"
            and Article.objects.get(pk=healthy.pk).fetch_status == "fetched"
        ),
        timeout=120,
        worker=worker,
    )
    poisoned.refresh_from_db()
    assert poison.requests == 3
    assert poisoned.fetch_error.startswith("given up: 3 fetches")
