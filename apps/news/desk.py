"""The curator's desk on the admin home: what waits for a curator, each with a link to the list
that shows it. One count (or one small list) per line, each served by an index."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from apps.tracker.models import Agreement, Event, Statement
from apps.tracker.querysets import STALE_AFTER

from .models import ArticleLink, Feed

FAILING_FEEDS_SHOWN = 5


@dataclass(frozen=True)
class DeskLine:
    label: str
    count: int
    url: str
    detail: str = ""


def curator_desk(*, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    suggested = ArticleLink.objects.suggested()
    oldest = suggested.order_by("created_at", "id").values_list("created_at", flat=True).first()
    failing = Feed.objects.filter(last_status="error").order_by("-consecutive_failures", "url")
    unsourced_events = Event.objects.filter(
        ~Exists(Event.sources.through.objects.filter(event_id=OuterRef("pk")))
    )
    unsourced_statements = Statement.objects.filter(source__isnull=True, source_url="")
    stale = Agreement.objects.stale(now=now)
    lines = [
        DeskLine(
            "Suggestions to review",
            suggested.count(),
            reverse("admin:news_articlelink_changelist"),
            f"oldest waiting since {oldest:%d %b %Y %H:%M}" if oldest else "",
        ),
        DeskLine(
            "Feeds failing",
            failing.count(),
            reverse("admin:news_feed_changelist") + "?last_status__exact=error",
        ),
        DeskLine(
            "Events without a source",
            unsourced_events.count(),
            reverse("admin:tracker_event_changelist") + "?has_sources=no",
        ),
        DeskLine(
            "Statements without a source",
            unsourced_statements.count(),
            reverse("admin:tracker_statement_changelist") + "?sourced=no",
        ),
        DeskLine(
            f"Agreements not updated for {STALE_AFTER.days} days",
            stale.count(),
            reverse("admin:tracker_agreement_changelist") + "?stale=yes",
        ),
    ]
    return {"lines": lines, "failing_feeds": list(failing[:FAILING_FEEDS_SHOWN])}
