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
