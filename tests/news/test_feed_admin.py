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

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:news_feed_changelist"),
            {"action": "fetch_now", "_selected_action": [feed.pk]},
        )

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
