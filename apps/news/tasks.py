"""Celery tasks of ingestion: thin, idempotent, keyed by primary key; the work is in `ingest.py`."""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import ingest
from .models import Article, Feed

logger = logging.getLogger(__name__)

# How long a feed handed to a worker stays out of the due list. poll_feed sets the real next
# time; if the task is lost, the feed is due again after this.
FEED_CLAIM = datetime.timedelta(minutes=15)
# A retry waits in the worker unacknowledged; it must come due before the broker's visibility
# timeout (an hour) hands the same message to another worker.
MAX_RETRY_DELAY = 30 * 60

RETRY_OPTIONS = {
    "autoretry_for": (ingest.TransientIngestError,),
    "retry_backoff": 30,
    "retry_backoff_max": MAX_RETRY_DELAY,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task
def poll_due_feeds() -> int:
    """Beat's entry point: one `ingest_feed_task` per active feed that is due."""
    now = timezone.now()
    with transaction.atomic():
        # Claimed under a lock before they are enqueued, so a second run of this task (a late
        # beat tick, a manual call) skips them instead of enqueueing them twice.
        due_ids = list(
            Feed.objects.due(now=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        Feed.objects.filter(pk__in=due_ids).update(next_fetch_at=now + FEED_CLAIM)
        for feed_id in due_ids:
            # robust: a feed that cannot be enqueued (broker down) must not keep the others
            # from it; its claim runs out and it is due again.
            transaction.on_commit(lambda pk=feed_id: ingest_feed_task.delay(pk), robust=True)
    logger.info("poll_due_feeds: %d feeds enqueued", len(due_ids))
    return len(due_ids)


def request_feed_fetches(*, feed_ids: list[int]) -> list[int]:
    """Enqueue a poll of each feed now, for a curator's "Fetch now". Returns the ids the broker
    would not take (it is down): those are marked due at once instead, so the first beat sweep
    after the broker is back polls them. Nothing the curator asked for is lost either way."""
    deferred = []
    for feed_id in feed_ids:
        try:
            ingest_feed_task.delay(feed_id)
        except BrokerUnavailable as exc:
            logger.warning("request_feed_fetches: broker unavailable for feed %s: %s", feed_id, exc)
            deferred.append(feed_id)
    if deferred:
        Feed.objects.filter(pk__in=deferred).update(next_fetch_at=timezone.now())
    return deferred


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
        # robust: one article that cannot be enqueued (or, run eagerly without a broker, fails
        # or asks for a retry) must not keep the others from it; it stays pending and the
        # feed's next poll enqueues it again.
        transaction.on_commit(lambda pk=article_id: ingest_article_task.delay(pk), robust=True)
    return {"feed_id": feed_id, "status": outcome.status, "new": len(outcome.new_article_ids)}


@shared_task(bind=True, acks_late=True, **RETRY_OPTIONS)
def ingest_article_task(self, article_id: int) -> dict:
    """Fetch one article. Transient failures (timeouts, 5xx, 429) are retried with exponential
    backoff and jitter, or after the server's Retry-After; permanent ones (404, refused address,
    no article text) are recorded on the article and not retried."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        logger.info("ingest_article_task: article %s is gone", article_id)
        return {"article_id": article_id, "status": "skipped"}
    outcome = ingest.ingest_article(article=article)
    if outcome.transient:
        if outcome.retry_after:
            raise self.retry(countdown=min(outcome.retry_after, MAX_RETRY_DELAY))
        raise ingest.TransientIngestError(outcome.error)
    return {"article_id": article_id, "status": outcome.status}
