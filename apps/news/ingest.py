"""Ingestion services: poll a feed, fetch and store an article, suggest its links.

The same functions run from Celery tasks (`tasks.py`) and from `manage.py ingest`. Each one is
idempotent: running it twice on the same input stores nothing twice and loses nothing stored.
"""

import datetime
import logging
import random
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .canonical import canonicalize_url, host_of
from .extract import ExtractionError, extract_article
from .feeds import NotAFeed, parse_feed
from .matching import suggest_links
from .models import Article, ArticleLink, ArticleURL, Feed, Outlet
from .near_duplicates import find_near_duplicate_of, fingerprint
from .safe_fetch import FetchError, fetch
from .text_clean import sanitize_plain_text

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

# A feed that keeps failing is polled less often: its interval doubles with each consecutive
# failure, up to this ceiling, so a dead feed costs one request a day, not one every poll.
MAX_FEED_BACKOFF = datetime.timedelta(days=1)


class TransientIngestError(Exception):
    """A failure worth retrying later (timeout, 5xx, 429). Carries the server's Retry-After."""

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class FeedOutcome:
    url: str
    status: str  # "ok" | "not_modified" | "error"
    error: str = ""
    entries: int = 0
    new_article_ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    transient: bool = False
    retry_after: float | None = None

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "status": "ok" if self.status == "not_modified" else self.status,
            "error": self.error,
            "entries": self.entries,
        }


@dataclass
class ArticleOutcome:
    url: str
    canonical_url: str = ""
    status: str = "new"  # "new" | "duplicate" | "near_duplicate" | "error"
    error: str = ""
    title: str = ""
    article_id: int | None = None
    transient: bool = False
    retry_after: float | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        for internal in ("article_id", "transient", "retry_after"):
            data.pop(internal)
        return data


# --- feeds --------------------------------------------------------------------------------------


def register_feed(*, url: str, outlet: Outlet | None = None) -> Feed:
    """The Feed for this URL, created (active, due now) if it is new."""
    url = url.strip()
    canonicalize_url(url)  # refuses non-http(s) and unparseable URLs with a clear ValueError
    feed, _ = Feed.objects.get_or_create(url=url, defaults={"outlet": outlet})
    return feed


def feed_backoff(*, feed: Feed) -> datetime.timedelta:
    base = datetime.timedelta(minutes=max(feed.poll_interval_minutes, 1))
    if feed.consecutive_failures == 0:
        return base
    delay = base * (2 ** min(feed.consecutive_failures, 16))
    # Jitter spreads the retries of feeds that failed together (one outlet down) over time.
    delay *= random.uniform(0.9, 1.1)  # noqa: S311 - not cryptographic
    return min(delay, MAX_FEED_BACKOFF)


def _record_feed_failure(
    feed: Feed,
    *,
    reason: str,
    now: datetime.datetime,
    permanent: bool,
    retry_after: float | None = None,
) -> None:
    # A permanent failure (404, refused address, not a feed) is not retried: the feed is
    # switched off until a curator looks at it and switches it back on in admin.
    if permanent:
        feed.active = False
    feed.last_fetched_at = now
    feed.last_status = "error"
    feed.last_error = reason[:2000]
    feed.consecutive_failures += 1
    delay = feed_backoff(feed=feed)
    if retry_after:
        delay = max(delay, datetime.timedelta(seconds=retry_after))
    feed.next_fetch_at = now + delay
    feed.save(
        update_fields=[
            "active",
            "last_fetched_at",
            "last_status",
            "last_error",
            "consecutive_failures",
            "next_fetch_at",
            "updated_at",
        ]
    )


def poll_feed(*, feed: Feed) -> FeedOutcome:
    """Fetch one feed now and store a pending Article for every entry not seen before.

    Returns the ids of the new articles; the caller fetches them (a task per article, or
    inline from the command). Failures are recorded on the feed, never raised: a failing feed
    is retried by the beat schedule after an exponential, jittered backoff (or the server's
    Retry-After, whichever is longer), which is the one retry mechanism for feeds.
    """
    now = timezone.now()
    outcome = FeedOutcome(url=feed.url, status="ok")
    try:
        result = fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
        )
        parsed = (
            None
            if result.not_modified
            else parse_feed(
                result.content,
                url=result.url,
                content_type=result.content_type,
                encoding=result.encoding,
            )
        )
    except FetchError as exc:
        _record_feed_failure(
            feed, reason=exc.reason, now=now, permanent=exc.permanent, retry_after=exc.retry_after
        )
        outcome.status, outcome.error, outcome.transient = "error", exc.reason, not exc.permanent
        outcome.retry_after = exc.retry_after
        logger.warning("feed %s failed: %s", feed.url, exc.reason)
        return outcome
    except NotAFeed as exc:
        _record_feed_failure(feed, reason=exc.reason, now=now, permanent=True)
        outcome.status, outcome.error = "error", exc.reason
        logger.warning("feed %s is not a feed: %s", feed.url, exc.reason)
        return outcome

    if parsed is None:
        outcome.status = "not_modified"
    else:
        outcome.entries = len(parsed.entries)
        outcome.problems = list(parsed.problems)
        for entry in parsed.entries:
            article, created = _register_entry(feed=feed, entry=entry)
            if article is not None and (created or article.fetch_status == "pending"):
                outcome.new_article_ids.append(article.pk)

    feed.last_fetched_at = now
    feed.last_success_at = now
    feed.last_status = outcome.status
    feed.last_error = "; ".join(outcome.problems)[:2000]
    feed.consecutive_failures = 0
    feed.etag = result.etag[:500]
    feed.last_modified = result.last_modified[:100]
    if parsed is not None and parsed.title and not feed.title:
        feed.title = sanitize_plain_text(parsed.title)[:300]
    feed.next_fetch_at = now + feed_backoff(feed=feed)
    feed.save()
    logger.info(
        "feed %s: %s, %d entries, %d new",
        feed.url,
        outcome.status,
        outcome.entries,
        len(outcome.new_article_ids),
    )
    return outcome


def _register_entry(*, feed: Feed, entry) -> tuple[Article | None, bool]:
    try:
        canonical = canonicalize_url(entry.url)
    except ValueError:
        return None, False
    article, created = register_article_url(
        url=entry.url,
        canonical_url=canonical,
        feed=feed,
        defaults={
            "title": sanitize_plain_text(entry.title)[:500],
            "summary": sanitize_plain_text(entry.summary),
            "byline": sanitize_plain_text(entry.author)[:500],
            "published_at": entry.published_at,
        },
    )
    return article, created


# --- articles -----------------------------------------------------------------------------------


def register_article_url(
    *, url: str, canonical_url: str, feed: Feed | None = None, defaults: dict | None = None
) -> tuple[Article, bool]:
    """One Article per canonical URL, remembering every URL it was seen under.

    The unique constraint decides races: a worker that loses the insert reads the winner's row.
    """
    try:
        with transaction.atomic():
            article, created = Article.objects.get_or_create(
                canonical_url=canonical_url,
                defaults={"url": url, "feed": feed, **(defaults or {})},
            )
    except IntegrityError:
        article, created = Article.objects.get(canonical_url=canonical_url), False
    _remember_url(article=article, url=url)
    if canonical_url != url:
        _remember_url(article=article, url=canonical_url)
    return article, created


def _remember_url(*, article: Article, url: str) -> None:
    try:
        with transaction.atomic():
            ArticleURL.objects.get_or_create(url=url[:2000], defaults={"article": article})
    except IntegrityError:
        pass  # another worker recorded it first; it is stored either way


def ingest_url(*, url: str, feed: Feed | None = None) -> ArticleOutcome:
    """Fetch, extract, deduplicate and match the article at this URL (from a command or a test)."""
    outcome = ArticleOutcome(url=url)
    try:
        outcome.canonical_url = canonicalize_url(url)
    except ValueError as exc:
        outcome.status, outcome.error = "error", str(exc)
        return outcome
    article, created = register_article_url(url=url, canonical_url=outcome.canonical_url, feed=feed)
    if not created and article.fetch_status == Article.FetchStatus.FETCHED:
        outcome.status, outcome.title, outcome.article_id = "duplicate", article.title, article.pk
        return outcome
    return ingest_article(article=article, requested_url=url)


def ingest_article(*, article: Article, requested_url: str = "") -> ArticleOutcome:
    """Fetch and store one pending article. A fetched article is left as it is."""
    outcome = ArticleOutcome(
        url=requested_url or article.url,
        canonical_url=article.canonical_url,
        article_id=article.pk,
        title=article.title,
    )
    if article.fetch_status == Article.FetchStatus.FETCHED:
        outcome.status = "duplicate"
        return outcome

    try:
        result = fetch(article.url, accept=PAGE_ACCEPT)
        extracted = extract_article(result.content, url=result.url, encoding=result.encoding)
    except FetchError as exc:
        _record_article_failure(article, reason=exc.reason, permanent=exc.permanent)
        outcome.status, outcome.error, outcome.transient = "error", exc.reason, not exc.permanent
        outcome.retry_after = exc.retry_after
        return outcome
    except ExtractionError as exc:
        _record_article_failure(article, reason=exc.reason, permanent=True)
        outcome.status, outcome.error = "error", exc.reason
        return outcome

    if result.url != article.url:
        _remember_url(article=article, url=result.url)

    with transaction.atomic():
        article.title = sanitize_plain_text(extracted.title)[:500] or article.title
        article.byline = sanitize_plain_text(extracted.byline)[:500] or article.byline
        # The page's own date is the original publication date; the feed's is a fallback.
        article.published_at = extracted.published_at or article.published_at
        article.language = extracted.language[:20]
        article.text = sanitize_plain_text(extracted.text)
        article.text_fingerprint = fingerprint(article.text)
        article.outlet = article.outlet or outlet_for(url=result.url, site_name=extracted.site_name)
        article.fetch_status = Article.FetchStatus.FETCHED
        article.fetch_error = ""
        article.fetched_at = timezone.now()
        article.near_duplicate_of = find_near_duplicate_of(
            fingerprint=article.text_fingerprint,
            published_at=article.published_at,
            exclude_pk=article.pk,
        )
        article.save()
        store_link_suggestions(article=article)

    outcome.title = article.title
    outcome.status = "near_duplicate" if article.near_duplicate_of_id else "new"
    logger.info("article %s: %s", article.canonical_url, outcome.status)
    return outcome


def _record_article_failure(article: Article, *, reason: str, permanent: bool) -> None:
    # A transient failure leaves the article pending, so a later run fetches it again.
    if permanent:
        article.fetch_status = Article.FetchStatus.FAILED
    article.fetch_error = reason[:2000]
    article.save(update_fields=["fetch_status", "fetch_error", "updated_at"])
    logger.warning("article %s failed: %s", article.url, reason)


def outlet_for(*, url: str, site_name: str = "") -> Outlet:
    """The outlet that publishes at this host, created from the host and site name if new."""
    host = host_of(url)
    outlet = Outlet.objects.filter(domain=host).first()
    if outlet is not None:
        return outlet
    slug = slugify(host)[:200] or "outlet"
    try:
        with transaction.atomic():
            outlet, _ = Outlet.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": sanitize_plain_text(site_name)[:200] or host,
                    "domain": host,
                    "homepage": f"https://{host}/",
                },
            )
    except IntegrityError:
        outlet = Outlet.objects.get(slug=slug)
    return outlet


def store_link_suggestions(*, article: Article) -> list[ArticleLink]:
    """Suggested links for what the article mentions. A curator's decision is never overwritten."""
    stored = []
    for suggestion in suggest_links(title=article.title, text=article.text):
        target = {f"{suggestion.target_kind}_id": suggestion.target_id}
        values = {
            "matched_terms": suggestion.matched_terms,
            "snippet": suggestion.snippet,
            "score": suggestion.score,
        }
        link = ArticleLink.objects.filter(article=article, **target).first()
        if link is None:
            try:
                with transaction.atomic():
                    link = ArticleLink.objects.create(article=article, **target, **values)
            except IntegrityError:
                continue  # a concurrent run stored the same suggestion
        elif link.status == ArticleLink.Status.SUGGESTED:
            for name, value in values.items():
                setattr(link, name, value)
            link.save()
        stored.append(link)
    return stored
