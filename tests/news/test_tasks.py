"""The ingestion tasks, run eagerly in-process against a local news site on 127.0.0.1."""

import datetime

import pytest
from django.utils import timezone
from werkzeug import Response

from apps.news import ingest
from apps.news.models import Article, ArticleLink, ArticleURL, Feed
from apps.news.tasks import ingest_article_task, ingest_feed_task, poll_due_feeds
from tests.factories import ArticleFactory, EventFactory, FeedFactory
from tests.news.local_site import BODY_MOU, article_page, rss_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a task eagerly and return its result. Tasks enqueue others on commit, which the
    test's own transaction never reaches: the callbacks run as the task returns."""

    def run_task(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            result = task.delay(*args)
        return result.get()

    return run_task


@pytest.fixture
def eager_retries():
    """Celery's eager mode runs a retry at once, unless a raised Retry propagates to the test."""
    from policytracker.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


WHEN = datetime.datetime(2025, 4, 8, 14, 0, tzinfo=datetime.UTC)


def requested_paths(server) -> list[str]:
    return [request.path for request, _response in server.log]


def serve_feed(server, path: str, items: list[str]) -> str:
    base = f"http://127.0.0.1:{server.port}"
    server.expect_request(path).respond_with_data(
        rss_feed(base=base, items=[(item, item, WHEN) for item in items]),
        content_type="application/rss+xml",
    )
    return base + path


def serve_page(server, path: str, *, headline: str = "IRS agrees to help ICE", head: str = ""):
    server.expect_request(path).respond_with_data(
        article_page(
            headline=headline,
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
            extra_head=head,
        ),
        content_type="text/html",
    )


def pending_article(server, path: str) -> Article:
    url = f"http://127.0.0.1:{server.port}{path}"
    return Article.objects.create(url=url, canonical_url=url)


# --- poll_due_feeds -----------------------------------------------------------------------------


def test_poll_due_feeds_polls_only_active_feeds_that_are_due(allow_local_server, run):
    server = allow_local_server
    now = timezone.now()
    never = Feed.objects.create(url=serve_feed(server, "/never.xml", []))
    overdue = Feed.objects.create(
        url=serve_feed(server, "/overdue.xml", []),
        next_fetch_at=now - datetime.timedelta(minutes=1),
    )
    Feed.objects.create(
        url=serve_feed(server, "/later.xml", []), next_fetch_at=now + datetime.timedelta(hours=1)
    )
    Feed.objects.create(url=serve_feed(server, "/off.xml", []), active=False)

    assert run(poll_due_feeds) == 2

    assert sorted(requested_paths(server)) == ["/never.xml", "/overdue.xml"]
    for feed in (never, overdue):
        feed.refresh_from_db()
        assert feed.last_status == "ok"
        assert feed.next_fetch_at > now


def test_poll_due_feeds_run_again_at_once_enqueues_nothing(allow_local_server, run):
    Feed.objects.create(url=serve_feed(allow_local_server, "/feed.xml", []))
    run(poll_due_feeds)

    assert run(poll_due_feeds) == 0
    assert requested_paths(allow_local_server) == ["/feed.xml"]


def test_poll_due_feeds_leaves_a_claimed_feed_alone_until_its_claim_runs_out(
    allow_local_server, run
):
    # A feed whose task was enqueued but not run yet (a busy worker) is not enqueued again.
    feed = Feed.objects.create(url=serve_feed(allow_local_server, "/feed.xml", []))
    Feed.objects.filter(pk=feed.pk).update(
        next_fetch_at=timezone.now() + datetime.timedelta(minutes=10)
    )

    assert run(poll_due_feeds) == 0
    assert requested_paths(allow_local_server) == []


# --- ingest_feed_task ---------------------------------------------------------------------------


def test_ingest_feed_task_skips_an_inactive_feed(allow_local_server, run):
    feed = Feed.objects.create(url=serve_feed(allow_local_server, "/feed.xml", []), active=False)

    result = run(ingest_feed_task, feed.pk)

    assert result == {"feed_id": feed.pk, "status": "skipped"}
    assert requested_paths(allow_local_server) == []


def test_ingest_feed_task_fetches_every_new_article_once(allow_local_server, run):
    server = allow_local_server
    feed = Feed.objects.create(
        url=serve_feed(server, "/feed.xml", ["/deal?utm_source=rss", "/deal?fbclid=x"])
    )
    serve_page(server, "/deal")

    result = run(ingest_feed_task, feed.pk)

    assert result == {"feed_id": feed.pk, "status": "ok", "new": 1}
    assert requested_paths(server).count("/deal") == 1
    assert Article.objects.get().fetch_status == Article.FetchStatus.FETCHED


def test_ingest_feed_task_run_twice_stores_nothing_twice(allow_local_server, run):
    server = allow_local_server
    feed = Feed.objects.create(url=serve_feed(server, "/feed.xml", ["/deal"]))
    serve_page(server, "/deal")
    run(ingest_feed_task, feed.pk)
    stored = (Article.objects.count(), ArticleURL.objects.count(), ArticleLink.objects.count())

    result = run(ingest_feed_task, feed.pk)

    assert result["new"] == 0
    assert requested_paths(server).count("/deal") == 1
    assert (Article.objects.count(), ArticleURL.objects.count(), ArticleLink.objects.count()) == (
        stored
    )


def test_poll_feed_keeps_a_curators_edit_made_while_it_was_fetching(allow_local_server):
    feed = Feed.objects.create(url=serve_feed(allow_local_server, "/feed.xml", []))
    # The curator switches the feed off and renames it after the worker has read the row.
    Feed.objects.filter(pk=feed.pk).update(active=False, title="Renamed", poll_interval_minutes=5)

    ingest.poll_feed(feed=feed)

    feed.refresh_from_db()
    assert (feed.active, feed.title, feed.poll_interval_minutes) == (False, "Renamed", 5)
    assert feed.last_status == "ok"


def test_a_transient_feed_failure_keeps_a_curators_switch_off(allow_local_server):
    allow_local_server.expect_request("/feed.xml").respond_with_response(Response(status=503))
    feed = Feed.objects.create(url=f"http://127.0.0.1:{allow_local_server.port}/feed.xml")
    Feed.objects.filter(pk=feed.pk).update(active=False)

    ingest.poll_feed(feed=feed)

    feed.refresh_from_db()
    assert not feed.active
    assert feed.consecutive_failures == 1 and "503" in feed.last_error


# --- ingest_article_task ------------------------------------------------------------------------


def test_ingest_article_task_retries_a_503_and_then_stores_the_article(
    allow_local_server, eager_retries, run
):
    server = allow_local_server
    server.expect_oneshot_request("/deal").respond_with_response(Response(status=503))
    serve_page(server, "/deal")
    article = pending_article(server, "/deal")

    result = run(ingest_article_task, article.pk)

    assert result == {"article_id": article.pk, "status": "new"}
    assert requested_paths(server) == ["/deal", "/deal"]
    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.FETCHED
    assert article.fetch_error == ""


def test_ingest_article_task_retries_a_429_after_its_retry_after(
    allow_local_server, eager_retries, run
):
    server = allow_local_server
    server.expect_oneshot_request("/deal").respond_with_response(
        Response(status=429, headers={"Retry-After": "120"})
    )
    serve_page(server, "/deal")
    article = pending_article(server, "/deal")

    assert run(ingest_article_task, article.pk)["status"] == "new"
    assert requested_paths(server) == ["/deal", "/deal"]


def test_ingest_article_task_gives_up_after_its_retries_and_leaves_the_article_pending(
    allow_local_server, eager_retries, run
):
    server = allow_local_server
    server.expect_request("/deal").respond_with_response(Response(status=500))
    article = pending_article(server, "/deal")

    with pytest.raises(ingest.TransientIngestError):
        run(ingest_article_task, article.pk)

    assert len(requested_paths(server)) == 1 + ingest_article_task.max_retries
    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.PENDING
    assert "500" in article.fetch_error


def test_ingest_article_task_does_not_retry_a_404(allow_local_server, run):
    server = allow_local_server
    server.expect_request("/gone").respond_with_response(Response("gone", status=404))
    article = pending_article(server, "/gone")

    result = run(ingest_article_task, article.pk)

    assert result == {"article_id": article.pk, "status": "error"}
    assert requested_paths(server) == ["/gone"]
    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.FAILED
    assert "404" in article.fetch_error


def test_ingest_article_task_run_twice_stores_nothing_twice(
    allow_local_server, tracked_record, run
):
    serve_page(allow_local_server, "/deal")
    article = pending_article(allow_local_server, "/deal")
    run(ingest_article_task, article.pk)
    links = list(ArticleLink.objects.order_by("pk").values_list("pk", flat=True))

    result = run(ingest_article_task, article.pk)

    assert result == {"article_id": article.pk, "status": "duplicate"}
    assert requested_paths(allow_local_server) == ["/deal"]
    assert links and list(ArticleLink.objects.order_by("pk").values_list("pk", flat=True)) == links


def test_ingest_article_task_for_a_deleted_article_does_nothing(allow_local_server, run):
    article = pending_article(allow_local_server, "/deal")
    article_id = article.pk
    article.delete()

    assert run(ingest_article_task, article_id) == {
        "article_id": article_id,
        "status": "skipped",
    }
    assert requested_paths(allow_local_server) == []


# --- two workers on the same article ------------------------------------------------------------


def test_a_second_worker_with_a_stale_row_stores_nothing_twice(allow_local_server, tracked_record):
    serve_page(allow_local_server, "/deal")
    article = pending_article(allow_local_server, "/deal")
    stale = Article.objects.get(pk=article.pk)  # read before the first worker stored it
    ingest.ingest_article(article=article)
    links = ArticleLink.objects.count()

    outcome = ingest.ingest_article(article=stale)

    assert outcome.status == "duplicate"
    assert Article.objects.count() == 1
    assert ArticleLink.objects.count() == links


def test_a_failing_worker_never_undoes_a_fetch_another_worker_stored(allow_local_server):
    server = allow_local_server
    server.expect_oneshot_request("/deal").respond_with_response(Response(status=404))
    serve_page(server, "/deal")
    article = pending_article(server, "/deal")
    stale = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(
        fetch_status=Article.FetchStatus.FETCHED, text="Stored by the other worker."
    )

    outcome = ingest.ingest_article(article=stale)

    assert outcome.status == "error"
    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.FETCHED
    assert article.text == "Stored by the other worker."
    assert article.fetch_error == ""


# --- a page that turns out to be another URL ----------------------------------------------------


def test_an_article_cited_by_a_curator_is_never_folded_away(allow_local_server):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    serve_page(server, "/deal")
    serve_page(server, "/amp/deal", head=f'<link rel="canonical" href="{base}/deal">')
    ArticleFactory(canonical_url=f"{base}/deal", url=f"{base}/deal", outlet=None)
    amp = pending_article(server, "/amp/deal")
    EventFactory(sources=[amp])

    outcome = ingest.ingest_article(article=amp)

    assert outcome.status in {"new", "near_duplicate"}
    assert Article.objects.filter(pk=amp.pk).exists()
    assert amp.events.count() == 1


def test_ingest_feed_task_enqueues_no_article_of_a_feed_that_failed(allow_local_server, run):
    allow_local_server.expect_request("/feed.xml").respond_with_response(Response(status=404))
    feed = FeedFactory(url=f"http://127.0.0.1:{allow_local_server.port}/feed.xml", outlet=None)

    result = run(ingest_feed_task, feed.pk)

    assert result == {"feed_id": feed.pk, "status": "error", "new": 0}
    feed.refresh_from_db()
    assert not feed.active  # a 404 is permanent: switched off until a curator looks


def test_one_article_that_fails_eagerly_does_not_stop_the_feed_or_the_others(
    allow_local_server, run
):
    # Without a broker (the embedded mode) an article task runs inside the feed task, and a
    # retry it asks for is raised there: the other articles are still fetched.
    server = allow_local_server
    feed = Feed.objects.create(url=serve_feed(server, "/feed.xml", ["/busy", "/deal"]))
    server.expect_request("/busy").respond_with_response(Response(status=503))
    serve_page(server, "/deal")

    result = run(ingest_feed_task, feed.pk)

    assert result["status"] == "ok"
    statuses = dict(Article.objects.values_list("canonical_url", "fetch_status"))
    base = f"http://127.0.0.1:{server.port}"
    assert statuses == {f"{base}/busy": "pending", f"{base}/deal": "fetched"}


def test_polling_a_known_feed_again_costs_the_same_few_queries_for_any_number_of_entries(
    allow_local_server, django_assert_max_num_queries
):
    paths = [f"/news/{n}?utm_source=rss" for n in range(40)]
    feed = Feed.objects.create(url=serve_feed(allow_local_server, "/feed.xml", paths))
    ingest.poll_feed(feed=feed)

    with django_assert_max_num_queries(5):
        outcome = ingest.poll_feed(feed=feed)

    assert len(outcome.entry_results) == 40


# --- poison pages -------------------------------------------------------------------------------


def test_an_article_whose_fetch_killed_three_workers_is_given_up_without_a_fetch(
    allow_local_server, run
):
    server = allow_local_server
    serve_page(server, "/poison")
    article = pending_article(server, "/poison")
    # What three workers that died mid-fetch leave in the database.
    Article.objects.filter(pk=article.pk).update(unfinished_fetches=3)

    result = run(ingest_article_task, article.pk)

    assert result == {"article_id": article.pk, "status": "error"}
    assert requested_paths(server) == []
    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.FAILED
    assert article.fetch_error.startswith("given up: 3 fetches of this page never finished")
    assert article.unfinished_fetches == 0


def test_two_deaths_still_leave_the_article_a_third_try(allow_local_server, run):
    server = allow_local_server
    serve_page(server, "/twice-unlucky")
    article = pending_article(server, "/twice-unlucky")
    Article.objects.filter(pk=article.pk).update(unfinished_fetches=2)

    run(ingest_article_task, article.pk)

    article.refresh_from_db()
    assert article.fetch_status == Article.FetchStatus.FETCHED
    assert article.unfinished_fetches == 0


def test_a_fetch_that_ends_in_a_recorded_failure_is_not_counted_as_unfinished(
    allow_local_server, run
):
    server = allow_local_server
    server.expect_request("/gone").respond_with_response(Response("gone", status=404))
    article = pending_article(server, "/gone")

    run(ingest_article_task, article.pk)

    article.refresh_from_db()
    assert article.unfinished_fetches == 0
