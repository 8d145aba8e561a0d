"""Ingestion services: poll a feed, fetch and store an article, suggest its links.

The same functions run from Celery tasks (`tasks.py`) and from `manage.py ingest`. Each one is
idempotent: running it twice on the same input stores nothing twice and loses nothing stored.
"""

import datetime
import logging
import random
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from apps.tracker.signals import touch_records

from .canonical import canonicalize_url, host_of
from .extract import ExtractionError, extract_article
from .feeds import NotAFeed, parse_feed
from .matching import suggest_links
from .models import Article, ArticleLink, ArticleURL, Feed, Outlet
from .near_duplicates import find_near_duplicate_of, fingerprint
from .safe_fetch import FetchError, check_fetchable_url, fetch
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
FEED_BACKOFF_STATUSES = frozenset({403, 429})
# Real feeds carry tens of entries. A 5 MB feed of bare links could name a hundred thousand
# pages, each a row and a fetch: the first entries (the newest, in every feed format) are read
# and the rest noted as a problem.
MAX_ENTRIES_PER_POLL = 500
# Fetches of one article that may kill their worker before it is given up as a poison page.
MAX_UNFINISHED_FETCHES = 3
MAX_URL_LENGTH = Article._meta.get_field("canonical_url").max_length
MAX_FEED_URL_LENGTH = Feed._meta.get_field("url").max_length
MAX_HOMEPAGE_LENGTH = Outlet._meta.get_field("homepage").max_length


class TransientIngestError(Exception):
    """A failure worth retrying later (timeout, 5xx, 429)."""


@dataclass(frozen=True)
class FeedEntryResult:
    url: str
    article_id: int
    to_fetch: bool  # new, or stored but still pending


@dataclass
class FeedOutcome:
    url: str
    status: str  # "ok" | "not_modified" | "error"
    error: str = ""
    entries: int = 0
    entry_results: list[FeedEntryResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def new_article_ids(self) -> list[int]:
        """The articles to fetch, each once, in feed order."""
        return list(dict.fromkeys(e.article_id for e in self.entry_results if e.to_fetch))

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "status": "ok" if self.status == "not_modified" else self.status,
            # A feed that was read despite its problems says what they were.
            "error": self.error or "; ".join(self.problems),
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

    @classmethod
    def stored(cls, article: Article, *, url: str) -> "ArticleOutcome":
        """An article already in the database: a duplicate once fetched, else the failure that
        keeps it from being fetched."""
        outcome = cls(
            url=url,
            canonical_url=article.canonical_url,
            status="duplicate",
            title=article.title,
            article_id=article.pk,
        )
        if article.fetch_status == Article.FetchStatus.FAILED:
            outcome.status = "error"
            outcome.error = f"{article.fetch_error} (failed before: not fetched again)"
        elif article.fetch_status == Article.FetchStatus.PENDING:
            outcome.status, outcome.error = "error", article.fetch_error or "not fetched yet"
        return outcome

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "status": self.status,
            "error": self.error,
            "title": self.title,
        }


# --- feeds --------------------------------------------------------------------------------------


def register_feed(*, url: str, outlet: Outlet | None = None) -> Feed:
    """The Feed for this URL, created (active, due now) if it is new."""
    url = url.strip()
    canonicalize_url(url)  # refuses non-http(s) and unparseable URLs with a clear ValueError
    if len(url) > MAX_FEED_URL_LENGTH:
        raise ValueError(f"The feed URL is longer than {MAX_FEED_URL_LENGTH} characters.")
    try:
        check_fetchable_url(url)  # the fetcher's address rules, before the feed is stored
    except FetchError as exc:
        raise ValueError(f"This feed cannot be fetched: {exc.reason}.") from exc
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


# Only what ingestion keeps is saved: a curator who edits the feed in admin while it is being
# fetched (switches it off, changes its interval or title) keeps the edit.
_FEED_FETCH_FIELDS = [
    "last_fetched_at",
    "last_status",
    "last_error",
    "consecutive_failures",
    "next_fetch_at",
    "updated_at",
]


def _record_feed_failure(
    feed: Feed,
    *,
    reason: str,
    now: datetime.datetime,
    permanent: bool,
    retry_after: float | None = None,
) -> None:
    fields = list(_FEED_FETCH_FIELDS)
    # A permanent failure (404, refused address, not a feed) is not retried: the feed is
    # switched off until a curator looks at it and switches it back on in admin.
    if permanent:
        feed.active = False
        fields.append("active")
    feed.last_fetched_at = now
    feed.last_status = "error"
    feed.last_error = reason[:2000]
    feed.consecutive_failures += 1
    delay = feed_backoff(feed=feed)
    if retry_after:
        delay = max(delay, datetime.timedelta(seconds=retry_after))
    feed.next_fetch_at = now + delay
    feed.save(update_fields=fields)


def poll_feed(*, feed: Feed) -> FeedOutcome:
    """Fetch one feed now and store a pending Article for every entry not seen before.

    Returns what became of every entry; the caller fetches `new_article_ids` (a task per
    article, or inline from the command). Failures are recorded on the feed, never raised: a
    failing feed is retried by the beat schedule after an exponential, jittered backoff (or the
    server's Retry-After, whichever is longer), which is the one retry mechanism for feeds.
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
        reason, permanent, retry_after = exc.reason, exc.permanent, exc.retry_after
        # A 403 is most often bot protection and a 429 a rate limit: both pass, so the feed is
        # backed off rather than switched off.
        if exc.status_code in FEED_BACKOFF_STATUSES:
            permanent = False
    except NotAFeed as exc:
        reason, permanent, retry_after = exc.reason, True, None
    except Exception as exc:
        # A parser bug met on hostile input must not leave the feed claimed and unexplained; it
        # is backed off like any failure, with the traceback in the log.
        logger.exception("feed %s: unexpected error", feed.url)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
        permanent, retry_after = False, None
    else:
        reason = None
    if reason is not None:
        _record_feed_failure(
            feed, reason=reason, now=now, permanent=permanent, retry_after=retry_after
        )
        outcome.status, outcome.error = "error", reason
        logger.warning(
            "feed %s failed (%s): %s", feed.url, "permanent" if permanent else "transient", reason
        )
        return outcome

    fields = [*_FEED_FETCH_FIELDS, "last_success_at", "etag", "last_modified"]
    if parsed is None:
        outcome.status = "not_modified"
    else:
        outcome.entries = len(parsed.entries)
        outcome.problems = list(parsed.problems)
        entries = parsed.entries[:MAX_ENTRIES_PER_POLL]
        if len(parsed.entries) > len(entries):
            outcome.problems.append(
                f"the feed has {len(parsed.entries)} entries; only the first "
                f"{MAX_ENTRIES_PER_POLL} were read"
            )
        outcome.entry_results = _register_entries(
            feed=feed, entries=entries, problems=outcome.problems
        )
        title = sanitize_plain_text(parsed.title)[:300]
        # The feed's own title only fills an empty one: a curator's title is never replaced,
        # even one given while this fetch ran.
        if title and Feed.objects.filter(pk=feed.pk, title="").update(title=title):
            feed.title = title

    feed.last_fetched_at = now
    feed.last_success_at = now
    feed.last_status = outcome.status
    feed.last_error = "; ".join(outcome.problems)[:2000]
    feed.consecutive_failures = 0
    feed.etag = result.etag[:500]
    feed.last_modified = result.last_modified[:100]
    feed.next_fetch_at = now + feed_backoff(feed=feed)
    feed.save(update_fields=fields)
    logger.info(
        "feed %s: %s, %d entries, %d to fetch",
        feed.url,
        outcome.status,
        outcome.entries,
        len(outcome.new_article_ids),
    )
    return outcome


def _register_entries(*, feed: Feed, entries: list, problems: list[str]) -> list[FeedEntryResult]:
    # Most entries of a feed polled again are known under the very URL the feed gives: two
    # queries find them all, and only the new ones cost a row each.
    known = dict(
        ArticleURL.objects.filter(url__in={entry.url for entry in entries}).values_list(
            "url", "article_id"
        )
    )
    pending = set(
        Article.objects.filter(
            pk__in=set(known.values()), fetch_status=Article.FetchStatus.PENDING
        ).values_list("pk", flat=True)
    )
    results, refused = [], 0
    for entry in entries:
        if entry.url in known:
            article_id = known[entry.url]
            results.append(FeedEntryResult(entry.url, article_id, article_id in pending))
            continue
        try:
            canonical = checked_canonical_url(entry.url)
        except ValueError:
            refused += 1
            continue
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
        to_fetch = created or article.fetch_status == Article.FetchStatus.PENDING
        results.append(FeedEntryResult(entry.url, article.pk, to_fetch))
    if refused:
        noun = "entry was" if refused == 1 else "entries were"
        problems.append(f"{refused} {noun} skipped for having an unusable link")
    return results


def ingest_feed_now(*, url: str) -> tuple[FeedOutcome, list[ArticleOutcome]]:
    """Poll a feed and fetch its new articles in this process (`manage.py ingest`), creating the
    Feed if needed. Every entry gets an outcome; those already stored are duplicates."""
    try:
        feed = register_feed(url=url)
    except ValueError as exc:
        logger.warning("feed %s refused: %s", url, exc)
        return FeedOutcome(url=url, status="error", error=str(exc)), []
    feed_outcome = poll_feed(feed=feed)
    entries = feed_outcome.entry_results
    articles = Article.objects.in_bulk({entry.article_id for entry in entries})
    done: dict[int, ArticleOutcome] = {}
    outcomes = []
    for entry in entries:
        article = articles[entry.article_id]
        if entry.to_fetch and article.pk not in done:
            done[article.pk] = outcome = ingest_article(article=article, requested_url=entry.url)
        elif article.pk in done:  # a second link to a page fetched a moment ago
            first = done[article.pk]
            outcome = replace(first, url=entry.url)
            if first.status != "error":
                outcome.status = "duplicate"
        else:
            outcome = ArticleOutcome.stored(article, url=entry.url)
        outcomes.append(outcome)
    return feed_outcome, outcomes


# --- articles -----------------------------------------------------------------------------------


def checked_canonical_url(url: str) -> str:
    """The canonical URL, or ValueError for one that is not http(s) or does not fit a row."""
    canonical = canonicalize_url(url)
    if len(canonical) > MAX_URL_LENGTH:
        raise ValueError(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    return canonical


def stored_article(*urls: str) -> Article | None:
    """The article stored under any of these URLs: as its canonical URL, or one it was seen
    under (a feed link with tracking parameters, the start of a redirect)."""
    urls = [url for url in dict.fromkeys(urls) if url]
    article = Article.objects.filter(canonical_url__in=urls).order_by("pk").first()
    if article is None:
        seen = ArticleURL.objects.filter(url__in=urls).select_related("article").first()
        article = seen.article if seen else None
    return article


def register_article_url(
    *, url: str, canonical_url: str, feed: Feed | None = None, defaults: dict | None = None
) -> tuple[Article, bool]:
    """One Article per canonical URL, remembering every URL it was seen under.

    The unique constraint decides races: a worker that loses the insert reads the winner's row.
    """
    article = stored_article(canonical_url, url)
    created = False
    if article is None:
        first_url = url if len(url) <= MAX_URL_LENGTH else canonical_url
        article, created = Article.objects.get_or_create(
            canonical_url=canonical_url,
            defaults={"url": first_url, "feed": feed, **(defaults or {})},
        )
    _remember_url(article=article, url=url)
    if canonical_url != url:
        _remember_url(article=article, url=canonical_url)
    return article, created


def _remember_url(*, article: Article, url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        return  # cut short it would be another URL; the canonical one is remembered
    try:
        with transaction.atomic():
            ArticleURL.objects.get_or_create(url=url, defaults={"article": article})
    except IntegrityError:
        pass  # another worker recorded it first; it is stored either way


def ingest_url(*, url: str, feed: Feed | None = None) -> ArticleOutcome:
    """Fetch, extract, deduplicate and match the article at this URL (from a command or a test).

    An article that failed before is fetched again: asking for it by URL is the way to retry."""
    outcome = ArticleOutcome(url=url)
    try:
        outcome.canonical_url = checked_canonical_url(url)
    except ValueError as exc:
        outcome.status, outcome.error = "error", str(exc)
        logger.warning("article %s refused: %s", url, exc)
        return outcome
    article, _ = register_article_url(url=url, canonical_url=outcome.canonical_url, feed=feed)
    return ingest_article(article=article, requested_url=url)


def ingest_article(*, article: Article, requested_url: str = "") -> ArticleOutcome:
    """Fetch and store one pending or failed article. A fetched article is left as it is.

    An article whose fetch killed the worker `MAX_UNFINISHED_FETCHES` times is given up
    (failed, with the reason) instead of being fetched again: acks-late delivery would otherwise
    hand the poison page to a worker after another, for ever.
    """
    url = requested_url or article.url
    if article.fetch_status == Article.FetchStatus.FETCHED:
        logger.info("article %s: duplicate", article.canonical_url)
        return ArticleOutcome.stored(article, url=url)
    outcome = ArticleOutcome(
        url=url, canonical_url=article.canonical_url, article_id=article.pk, title=article.title
    )
    unfinished = _start_fetch(article)
    if unfinished > MAX_UNFINISHED_FETCHES:
        reason = (
            f"given up: {MAX_UNFINISHED_FETCHES} fetches of this page never finished "
            "(the worker died each time)"
        )
        _record_article_failure(article, reason=reason, permanent=True)
        _finish_fetch(article)
        outcome.status, outcome.error = "error", reason
        return outcome
    try:
        return _fetch_and_store(article, outcome=outcome)
    finally:
        # Any ending the process lives through, success or a recorded failure, clears the count.
        _finish_fetch(article)


def _start_fetch(article: Article) -> int:
    """Count this attempt as unfinished, committed before the risky work; returns the count."""
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(unfinished_fetches=F("unfinished_fetches") + 1)
        return (
            Article.objects.filter(pk=article.pk)
            .values_list("unfinished_fetches", flat=True)
            .first()
            or 0
        )


def _finish_fetch(article: Article) -> None:
    Article.objects.filter(pk=article.pk).exclude(unfinished_fetches=0).update(unfinished_fetches=0)


def _fetch_and_store(article: Article, *, outcome: ArticleOutcome) -> ArticleOutcome:
    url = outcome.url
    try:
        result = fetch(article.url, accept=PAGE_ACCEPT)
        extracted = extract_article(result.content, url=result.url, encoding=result.encoding)
    except FetchError as exc:
        reason, permanent, outcome.retry_after = exc.reason, exc.permanent, exc.retry_after
    except ExtractionError as exc:
        reason, permanent = exc.reason, True
    except Exception as exc:
        # Extraction libraries meet every kind of hostile page; a crash on one is recorded on
        # that article, with the traceback in the log, and the run goes on.
        logger.exception("article %s: unexpected error", article.url)
        reason, permanent = f"unexpected error: {type(exc).__name__}: {exc}", True
    else:
        reason = None
    if reason is not None:
        _record_article_failure(article, reason=reason, permanent=permanent)
        outcome.status, outcome.error, outcome.transient = "error", reason, not permanent
        return outcome

    page_url = _page_canonical_url(
        known=article.canonical_url, fetched=result.url, declared=extracted.canonical_url
    )
    with transaction.atomic():
        # Locked and read again: another worker may have stored or merged it meanwhile.
        current = Article.objects.select_for_update().filter(pk=article.pk).first()
        if current is not None and page_url != current.canonical_url:
            current = _settle_canonical_url(current, page_url)
        if current is None or current.fetch_status == Article.FetchStatus.FETCHED:
            stored = current or stored_article(article.canonical_url, article.url)
            if stored is None:
                outcome.status, outcome.error = "error", "deleted while it was being fetched"
                logger.warning("article %s: %s", article.canonical_url, outcome.error)
                return outcome
            _remember_url(article=stored, url=result.url)
            logger.info("article %s: duplicate of %s", article.url, stored.canonical_url)
            return ArticleOutcome.stored(stored, url=url)
        _remember_url(article=current, url=result.url)
        _store_extracted(current, extracted=extracted, fetched_url=result.url)

    outcome.article_id, outcome.canonical_url = current.pk, current.canonical_url
    outcome.title = current.title
    outcome.status = "near_duplicate" if current.near_duplicate_of_id else "new"
    logger.info("article %s: %s", current.canonical_url, outcome.status)
    return outcome


def _store_extracted(article: Article, *, extracted, fetched_url: str) -> None:
    article.title = sanitize_plain_text(extracted.title)[:500] or article.title
    article.byline = sanitize_plain_text(extracted.byline)[:500] or article.byline
    # The page's own date is the original publication date; the feed's is a fallback.
    article.published_at = extracted.published_at or article.published_at
    article.language = extracted.language[:20]
    article.text = sanitize_plain_text(extracted.text)
    article.text_fingerprint = fingerprint(article.text)
    article.outlet = article.outlet or outlet_for(url=fetched_url, site_name=extracted.site_name)
    article.fetch_status = Article.FetchStatus.FETCHED
    if article.entry_method == Article.EntryMethod.CURATED:
        # The fetched page replaces the curator's text.
        article.entry_method = Article.EntryMethod.URL
    article.fetch_error = ""
    article.fetched_at = timezone.now()
    article.near_duplicate_of = find_near_duplicate_of(
        fingerprint=article.text_fingerprint,
        published_at=article.published_at,
        exclude_pk=article.pk,
    )
    article.save()
    store_link_suggestions(article=article)


def _page_canonical_url(*, known: str, fetched: str, declared: str) -> str:
    """The canonical URL of the page as fetched: where its redirects ended, or the URL its
    rel=canonical names on that same host.

    A redirect is the server's word, so it may cross hosts (a feed proxy's links). A declared
    canonical is only the page's claim, so it may not: a page elsewhere claiming another
    outlet's URL would take that URL's place. A redirect or claim to the site's front page
    (a removed story, a template that gives every page the same canonical) is ignored."""
    chosen = known
    try:
        fetched_canonical = canonicalize_url(fetched)
    except ValueError:
        return known
    candidates = [fetched_canonical]
    try:
        declared_canonical = canonicalize_url(declared) if declared else ""
    except ValueError:
        declared_canonical = ""
    if declared_canonical and host_of(declared_canonical) == host_of(fetched_canonical):
        candidates.append(declared_canonical)
    for candidate in candidates:
        if len(candidate) > MAX_URL_LENGTH:
            continue
        if _is_front_page(candidate) and not _is_front_page(known):
            break
        chosen = candidate
    return chosen


def _is_front_page(url: str) -> bool:
    # A canonical URL always has a path; the front page's is "/" with no query.
    return url.split("/", 3)[3:] == [""]


def _settle_canonical_url(article: Article, page_url: str) -> Article | None:
    """Give the article the canonical URL its page turned out to have.

    When another article already holds it, this one is folded into that one (its URLs move
    there) and that one is returned, locked; unless a curator has already cited this one, which
    then keeps its URL and is later marked as the other's near-duplicate."""
    holder = stored_article(page_url)
    if holder is None or holder.pk == article.pk:
        try:
            with transaction.atomic():
                Article.objects.filter(pk=article.pk).update(
                    canonical_url=page_url, updated_at=timezone.now()
                )
        except IntegrityError:
            holder = Article.objects.get(canonical_url=page_url)  # stored a moment ago
        else:
            _remember_url(article=article, url=article.canonical_url)
            article.canonical_url = page_url
            return article
    if article.links.exists() or article.statements.exists() or article.events.exists():
        return article
    ArticleURL.objects.filter(article=article).update(article=holder)
    # A bulk update sends no signal: the holder's new URLs change it for ?updated_since=.
    touch_records(articles=Q(pk=holder.pk))
    _remember_url(article=holder, url=article.canonical_url)
    article.delete()
    return Article.objects.select_for_update().filter(pk=holder.pk).first()


def _record_article_failure(article: Article, *, reason: str, permanent: bool) -> None:
    # A transient failure leaves the article as it was (pending), so a later run fetches it
    # again. The update never touches an article another worker has fetched meanwhile.
    changes = {"fetch_error": reason[:2000], "updated_at": timezone.now()}
    if permanent:
        changes["fetch_status"] = Article.FetchStatus.FAILED
    Article.objects.filter(pk=article.pk).exclude(fetch_status=Article.FetchStatus.FETCHED).update(
        **changes
    )
    logger.warning(
        "article %s failed (%s): %s", article.url, "permanent" if permanent else "transient", reason
    )


def outlet_for(*, url: str, site_name: str = "") -> Outlet:
    """The outlet that publishes at this host, created from the host and site name if new."""
    host = host_of(url)
    outlet = Outlet.objects.filter(domain=host).first()
    if outlet is not None:
        return outlet
    slug = slugify(host)[:200] or "outlet"
    homepage = f"https://{host}/"
    try:
        with transaction.atomic():
            outlet, _ = Outlet.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": sanitize_plain_text(site_name)[:200] or host,
                    "domain": host,
                    "homepage": homepage if len(homepage) <= MAX_HOMEPAGE_LENGTH else "",
                },
            )
    except IntegrityError:
        outlet = Outlet.objects.get(slug=slug)
    return outlet


def store_link_suggestions(*, article: Article) -> list[ArticleLink]:
    """Suggested links for what the article mentions. A curator's decision is never overwritten."""
    # The article's links, read once rather than once per suggestion.
    existing = {
        (link.target_kind, link.agreement_id or link.actor_id or link.challenge_id): link
        for link in ArticleLink.objects.filter(article=article)
    }
    stored = []
    for suggestion in suggest_links(title=article.title, text=article.text):
        target = {f"{suggestion.target_kind}_id": suggestion.target_id}
        values = {
            "matched_terms": suggestion.matched_terms,
            "snippet": suggestion.snippet,
            "score": suggestion.score,
            "rule": suggestion.rule,
        }
        link = existing.get((suggestion.target_kind, suggestion.target_id))
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
