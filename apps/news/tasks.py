"""Celery tasks of ingestion: thin, idempotent, keyed by primary key; the work is in `ingest.py`."""

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import ingest
from .models import Article, Feed

logger = logging.getLogger(__name__)

RETRY_OPTIONS = {
    "autoretry_for": (ingest.TransientIngestError,),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task
def poll_due_feeds() -> int:
    """Beat's entry point: one `ingest_feed_task` per active feed that is due."""
    now = timezone.now()
    due_ids = list(Feed.objects.due(now=now).values_list("pk", flat=True))
    # Claim the feeds before enqueueing, so a beat tick that comes before the workers have
    # caught up does not enqueue the same feed twice. poll_feed sets the real next time.
    claimed = Feed.objects.filter(pk__in=due_ids).filter(
        Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
    )
    claimed.update(next_fetch_at=now + timezone.timedelta(minutes=15))
    for feed_id in due_ids:
        ingest_feed_task.delay(feed_id)
    logger.info("poll_due_feeds: %d feeds enqueued", len(due_ids))
    return len(due_ids)


@shared_task(acks_late=True)
def ingest_feed_task(feed_id: int) -> dict:
    """Poll one feed. Failures are not retried here: poll_feed backs the feed off instead."""
    feed = Feed.objects.filter(pk=feed_id, active=True).first()
    if feed is None:
        logger.info("ingest_feed_task: feed %s is gone or inactive", feed_id)
        return {"feed_id": feed_id, "status": "skipped"}
    outcome = ingest.poll_feed(feed=feed)
    for article_id in outcome.new_article_ids:
        # on_commit: a worker must never look for a row this transaction has not committed.
        transaction.on_commit(lambda pk=article_id: ingest_article_task.delay(pk))
    return {"feed_id": feed_id, "status": outcome.status, "new": len(outcome.new_article_ids)}


@shared_task(bind=True, acks_late=True, **RETRY_OPTIONS)
def ingest_article_task(self, article_id: int) -> dict:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        logger.info("ingest_article_task: article %s is gone", article_id)
        return {"article_id": article_id, "status": "skipped"}
    outcome = ingest.ingest_article(article=article)
    if outcome.transient:
        if outcome.retry_after:
            raise self.retry(countdown=min(outcome.retry_after, 3600))
        raise ingest.TransientIngestError(outcome.error)
    return {"article_id": article_id, "status": outcome.status}
