"""The feed admin's "Fetch now" action polls the chosen feeds through the Celery task path."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.news.models import Article, Feed

pytestmark = pytest.mark.django_db


def test_fetch_now_polls_active_feeds_and_skips_inactive_ones(
    news_site, tracked_record, curator_client, django_capture_on_commit_callbacks
):
    active = Feed.objects.create(url=f"{news_site}/feed.xml")
    inactive = Feed.objects.create(url=f"{news_site}/old.xml", active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:news_feed_changelist"),
            {"action": "fetch_now", "_selected_action": [active.pk, inactive.pk]},
            follow=True,
        )

    assert "Queued 1 feed(s) for fetching. 1 inactive feed(s) skipped" in response.content.decode()
    active.refresh_from_db()
    inactive.refresh_from_db()
    assert active.last_status == "ok"
    assert inactive.last_fetched_at is None
    assert Article.objects.filter(feed=active, fetch_status="fetched").count() == 3


def test_fetch_now_is_not_offered_to_a_curator_who_may_only_view_feeds(
    news_site, client, django_user_model, django_capture_on_commit_callbacks
):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_feed"))
    client.force_login(viewer)
    feed = Feed.objects.create(url=f"{news_site}/feed.xml")

    changelist = client.get(reverse("admin:news_feed_changelist"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:news_feed_changelist"),
            {"action": "fetch_now", "_selected_action": [feed.pk]},
        )

    assert changelist.status_code == 200
    assert feed.url in changelist.content.decode()
    assert 'value="fetch_now"' not in changelist.content.decode()
    feed.refresh_from_db()
    assert feed.last_fetched_at is None


def test_switching_a_failed_feed_back_on_makes_it_due_now(curator_client):
    feed = Feed.objects.create(
        url="https://feeds.example/gone.xml",
        active=False,
        consecutive_failures=6,
        next_fetch_at=timezone.now() + datetime.timedelta(days=1),
        last_error="HTTP 410 Gone",
    )
    url = reverse("admin:news_feed_change", args=[feed.pk])

    response = curator_client.post(
        url,
        {"url": feed.url, "title": "", "outlet": "", "active": "on", "poll_interval_minutes": 60},
    )

    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.active and feed.consecutive_failures == 0
    assert list(Feed.objects.due()) == [feed]
    assert feed.last_error == "HTTP 410 Gone"  # kept for the record until the next fetch


@pytest.fixture
def broker_down():
    """The Celery app publishes to a Redis that nothing listens on (a real refused connection),
    as when Redis is down in production."""
    from policytracker.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _forget_broker_connections(app)
    yield
    app.conf.task_always_eager, app.conf.broker_url = previous
    _forget_broker_connections(app)


def _forget_broker_connections(app):
    # Celery keeps its connection and producer pools; the next publish builds them anew from
    # the broker URL.
    app._pool = None
    app.amqp._producer_pool = None


def test_fetch_now_with_the_broker_down_marks_the_feed_due_and_says_so(curator_client, broker_down):
    later = timezone.now() + datetime.timedelta(hours=6)
    feed = Feed.objects.create(url="https://news.example.org/feed.xml", next_fetch_at=later)

    response = curator_client.post(
        reverse("admin:news_feed_changelist"),
        {"action": "fetch_now", "_selected_action": [feed.pk]},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Queued 0 feed(s)" in page
    assert "1 feed(s) could not be queued because the task queue is unreachable" in page
    feed.refresh_from_db()
    assert feed.next_fetch_at <= timezone.now()
    assert list(Feed.objects.due(now=timezone.now())) == [feed]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://127.0.0.1:8000/feed.xml", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.5/rss", "10.0.0.5 is a private address"),
    ],
)
def test_a_feed_at_a_non_public_address_is_refused_when_saved(curator_client, url, reason):
    response = curator_client.post(
        reverse("admin:news_feed_add"),
        {"url": url, "title": "", "outlet": "", "active": "on", "poll_interval_minutes": 60},
    )

    assert response.status_code == 200
    assert f"This feed cannot be fetched: refused: {reason}." in response.content.decode()
    assert not Feed.objects.exists()


def test_register_feed_applies_the_same_address_rules():
    from apps.news.ingest import register_feed

    with pytest.raises(ValueError, match="link-local"):
        register_feed(url="http://169.254.169.254/feed")
    assert not Feed.objects.exists()


def test_an_allowed_local_feed_can_be_saved(allow_local_server, curator_client):
    url = f"http://127.0.0.1:{allow_local_server.port}/feed.xml"

    curator_client.post(
        reverse("admin:news_feed_add"),
        {"url": url, "title": "", "outlet": "", "active": "on", "poll_interval_minutes": 60},
    )

    assert Feed.objects.filter(url=url).exists()


@pytest.mark.parametrize("status", [403, 429])
def test_403_and_429_back_the_feed_off_instead_of_switching_it_off(allow_local_server, status):
    from werkzeug import Response

    from apps.news.ingest import poll_feed

    server = allow_local_server
    server.expect_request("/feed.xml").respond_with_response(Response("no", status=status))
    feed = Feed.objects.create(url=f"http://127.0.0.1:{server.port}/feed.xml")
    now = timezone.now()

    poll_feed(feed=feed)
    poll_feed(feed=feed)

    feed.refresh_from_db()
    assert feed.active
    assert feed.consecutive_failures == 2
    assert str(status) in feed.last_error
    # Twice the hour of a first failure, doubled again: about four hours away.
    assert feed.next_fetch_at - now > datetime.timedelta(hours=3)


def test_404_still_switches_the_feed_off(allow_local_server):
    from werkzeug import Response

    from apps.news.ingest import poll_feed

    server = allow_local_server
    server.expect_request("/feed.xml").respond_with_response(Response("no", status=404))
    feed = Feed.objects.create(url=f"http://127.0.0.1:{server.port}/feed.xml")

    poll_feed(feed=feed)

    feed.refresh_from_db()
    assert not feed.active and "404" in feed.last_error


def test_switching_a_feed_back_on_fetches_it_at_once(
    news_site, curator_client, django_capture_on_commit_callbacks
):
    feed = Feed.objects.create(
        url=f"{news_site}/feed.xml",
        active=False,
        consecutive_failures=3,
        last_status="error",
        last_error="HTTP 403 Forbidden",
        next_fetch_at=timezone.now() + datetime.timedelta(days=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(
            reverse("admin:news_feed_change", args=[feed.pk]),
            {
                "url": feed.url,
                "title": "",
                "outlet": "",
                "active": "on",
                "poll_interval_minutes": 60,
            },
        )

    feed.refresh_from_db()
    assert feed.last_status == "ok" and feed.consecutive_failures == 0
    assert Article.objects.filter(feed=feed).count() >= 3


def test_the_feed_list_shows_why_a_feed_fails(curator_client):
    Feed.objects.create(
        url="https://feeds.example/blocked.xml",
        last_status="error",
        last_error="HTTP 403 Forbidden",
        consecutive_failures=2,
    )
    Feed.objects.create(
        url="https://feeds.example/gone.xml",
        active=False,
        last_status="error",
        last_error="HTTP 410 Gone",
        consecutive_failures=1,
    )

    page = curator_client.get(reverse("admin:news_feed_changelist")).content.decode()

    assert "failing (2×)</span>: HTTP 403 Forbidden" in page
    assert "switched off</span>: HTTP 410 Gone" in page
