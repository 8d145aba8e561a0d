"""The admin home opens on the curator's desk: what waits, each linking to its filtered list."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.news.desk import curator_desk
from tests.factories import (
    AgreementFactory,
    ArticleLinkFactory,
    EventFactory,
    FeedFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def test_the_desk_counts_what_waits_for_a_curator():
    with time_machine.travel(datetime.datetime(2025, 1, 2, 9, 30, tzinfo=datetime.UTC)):
        stale = AgreementFactory(title="Old MOU")
        ArticleLinkFactory(agreement=stale)
    with time_machine.travel(datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC), tick=False):
        ArticleLinkFactory()
        ArticleLinkFactory(status="confirmed")
        FeedFactory(last_status="error", last_error="HTTP 403 Forbidden", consecutive_failures=2)
        FeedFactory(last_status="ok")
        EventFactory()
        EventFactory().sources.add(ArticleLinkFactory().article)
        StatementFactory(source=None)
        StatementFactory()
        desk = curator_desk()

    counts = {line.label: line.count for line in desk["lines"]}
    assert counts == {
        "Suggestions to review": 3,
        "Feeds failing": 1,
        "Events without a source": 1,
        "Statements without a source": 1,
        "Agreements not updated for 180 days": 1,
    }
    assert desk["lines"][0].detail == "oldest waiting since 02 Jan 2025 09:30"
    assert [feed.last_error for feed in desk["failing_feeds"]] == ["HTTP 403 Forbidden"]


def test_the_admin_home_links_each_line_to_its_filtered_list(curator_client):
    EventFactory()

    page = curator_client.get(reverse("admin:index")).content.decode()

    assert "Curator&#x27;s desk" in page or "Curator's desk" in page
    events = curator_client.get(reverse("admin:tracker_event_changelist") + "?has_sources=no")
    assert events.status_code == 200
    assert 'href="/admin/tracker/event/?has_sources=no"' in page
    assert 'href="/admin/tracker/agreement/?stale=yes"' in page
    stale = curator_client.get(reverse("admin:tracker_agreement_changelist") + "?stale=yes")
    assert stale.status_code == 200
