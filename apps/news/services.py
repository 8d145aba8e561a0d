"""Writes on the news data: articles a curator adds by URL or fetches again, and curators'
decisions on the links that ingestion suggests."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.tracker.models import MergedRecord
from apps.tracker.services import MergeReport, merge_records
from apps.tracker.signals import touch_records_of_links

from .ingest import checked_canonical_url, register_article_url, store_link_suggestions
from .models import Article, ArticleLink, ArticleURL, Outlet
from .near_duplicates import find_near_duplicate_of, fingerprint
from .safe_fetch import FetchError, check_fetchable_url
from .signals import links_decided
from .tasks import ingest_article_task
from .text_clean import sanitize_plain_text

TITLE_LENGTH = Article._meta.get_field("title").max_length


@dataclass(frozen=True)
class AddedArticle:
    article: Article
    created: bool  # False: the URL (or a variant of it) was already stored
    fetch_queued: bool  # a fetch through the ingestion pipeline was queued


def add_article_by_url(
    *,
    url: str,
    title: str = "",
    text: str = "",
    published_at: datetime.datetime | None = None,
    fetch: bool = True,
) -> AddedArticle:
    """Add the article at `url` as a curator or an API client asks: canonicalised, deduplicated
    against every URL already seen, and fetched through the same pipeline as a feed's entries
    (`ingest_article_task`, queued when the transaction commits), whose link suggestions then
    wait in the review queue.

    A source that cannot be fetched (paywall, PDF, offline) can carry the curator's `text`,
    `title` and `published_at` instead: it is stored as curated text, not fetched, and matched
    against the record at once. An article already stored is returned as it is, except that a
    curator's text fills one that has no text yet.

    Raises ValueError, with a sentence to show, for a URL that is not http(s), too long, or
    whose host is not a public address.
    """
    url = url.strip()
    canonical = checked_canonical_url(url)
    text = sanitize_plain_text(text)
    title = sanitize_plain_text(title)[:TITLE_LENGTH]
    fetch = fetch and not text
    if fetch:
        try:
            check_fetchable_url(url)
        except FetchError as exc:
            raise ValueError(f"This URL cannot be fetched: {exc.reason}.") from exc
    with transaction.atomic():
        article, created = register_article_url(
            url=url,
            canonical_url=canonical,
            defaults={
                "entry_method": Article.EntryMethod.URL,
                "title": title,
                "published_at": published_at,
            },
        )
        article = Article.objects.select_for_update().get(pk=article.pk)
        if text and not article.text:
            store_curated_text(article=article, text=text, title=title, published_at=published_at)
        fetch = fetch and article.fetch_status in (
            Article.FetchStatus.PENDING,
            Article.FetchStatus.FAILED,
        )
        if fetch:
            _queue_fetch(article_ids=[article.pk])
    return AddedArticle(article=article, created=created, fetch_queued=fetch)


def store_curated_text(
    *,
    article: Article,
    text: str,
    title: str = "",
    published_at: datetime.datetime | None = None,
) -> Article:
    """Give an article a curator's text (and title and date) in place of a fetched page, and
    suggest its links from that text. The article says it was entered so."""
    text = sanitize_plain_text(text)
    article.text = text
    article.title = title or article.title
    article.published_at = published_at or article.published_at
    article.entry_method = Article.EntryMethod.CURATED
    if article.fetch_status != Article.FetchStatus.FAILED:
        article.fetch_status = Article.FetchStatus.NOT_FETCHED
    article.text_fingerprint = fingerprint(article.text)
    article.near_duplicate_of = find_near_duplicate_of(
        fingerprint=article.text_fingerprint,
        published_at=article.published_at,
        exclude_pk=article.pk,
    )
    article.save()
    store_link_suggestions(article=article)
    return article


def fetch_articles_again(*, articles: QuerySet | Iterable[Article]) -> int:
    """Fetch these articles again through the ingestion pipeline, whatever their state; return
    how many were queued.

    What is stored stays until the new fetch replaces it: a fetch that fails records its error
    and keeps the text, and a curator's decisions on links are never overwritten."""
    ids = (
        list(articles.values_list("pk", flat=True))
        if isinstance(articles, QuerySet)
        else [article.pk for article in articles]
    )
    with transaction.atomic():
        Article.objects.filter(pk__in=ids).update(
            fetch_status=Article.FetchStatus.PENDING, updated_at=timezone.now()
        )
        _queue_fetch(article_ids=ids)
    return len(ids)


def _queue_fetch(*, article_ids: list[int]) -> None:
    for article_id in article_ids:
        # robust: one article that cannot be queued must not keep the others from it.
        transaction.on_commit(lambda pk=article_id: ingest_article_task.delay(pk), robust=True)


_DECISION_FIELDS = ["status", "decided_by", "decided_at", "updated_at"]


def _decide_links(
    *, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser, status: str
) -> list[ArticleLink]:
    """Set `status` on every link not already in it; return the links that changed.

    Rows are re-read under a lock, so two curators deciding the same links at once cannot both
    count them, and a link already in `status` keeps its original decider and date.
    """
    selected = links.values("pk") if isinstance(links, QuerySet) else [link.pk for link in links]
    now = timezone.now()
    with transaction.atomic():
        changing = list(
            ArticleLink.objects.select_for_update()
            .filter(pk__in=selected)
            .exclude(status=status)
            .order_by("pk")
        )
        for link in changing:
            link.status = status
            link.decided_by = user
            link.decided_at = now
            # bulk_update skips auto_now, and the API's "changed since" relies on updated_at.
            link.updated_at = now
        if changing:
            bulk_update_with_history(
                changing, ArticleLink, _DECISION_FIELDS, default_user=user, default_date=now
            )
            # A bulk update sends no post_save: the linked records' "changed since" is set here.
            touch_records_of_links(links=changing)
            links_decided.send(sender=ArticleLink, links=changing, status=status)
    return changing


def confirm_links(*, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser) -> int:
    """Confirm the given links; return how many changed (already-confirmed ones do not)."""
    return len(_decide_links(links=links, user=user, status=ArticleLink.Status.CONFIRMED))


def reject_links(*, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser) -> int:
    """Reject the given links; return how many changed (already-rejected ones do not)."""
    return len(_decide_links(links=links, user=user, status=ArticleLink.Status.REJECTED))


def _decide_link(*, link: ArticleLink, user: AbstractBaseUser, status: str) -> ArticleLink:
    changed = _decide_links(links=[link], user=user, status=status)
    if changed:
        return changed[0]
    # Unchanged: it was already decided this way (or it is gone, which get() reports).
    return ArticleLink.objects.get(pk=link.pk)


def confirm_link(*, link: ArticleLink, user: AbstractBaseUser) -> ArticleLink:
    """Confirm one link and return it as stored; confirming a confirmed link changes nothing."""
    return _decide_link(link=link, user=user, status=ArticleLink.Status.CONFIRMED)


def reject_link(*, link: ArticleLink, user: AbstractBaseUser) -> ArticleLink:
    """Reject one link and return it as stored; rejecting a rejected link changes nothing."""
    return _decide_link(link=link, user=user, status=ArticleLink.Status.REJECTED)


def merge_outlets(*, survivor: Outlet, duplicate: Outlet, user=None) -> MergeReport:
    """Merge a duplicate outlet into another: its feeds and articles move, its slug redirects,
    and the survivor takes its domain and homepage if it has none."""
    with transaction.atomic():
        domain, homepage = duplicate.domain, duplicate.homepage
        report = merge_records(
            survivor=survivor,
            duplicate=duplicate,
            kind=MergedRecord.Kind.OUTLET,
            old_key=duplicate.slug,
            user=user,
        )
        survivor.domain = survivor.domain or domain
        survivor.homepage = survivor.homepage or homepage
        survivor.save(update_fields=["domain", "homepage", "updated_at"])
    return report


def merge_articles(*, survivor: Article, duplicate: Article, user=None) -> MergeReport:
    """Merge a duplicate article into another: the events and statements citing it, its links
    and every URL it was seen under move to the survivor, and its page redirects there."""
    with transaction.atomic():
        urls = {duplicate.canonical_url, duplicate.url}
        report = merge_records(
            survivor=survivor,
            duplicate=duplicate,
            kind=MergedRecord.Kind.ARTICLE,
            old_key=duplicate.pk,
            user=user,
        )
        for url in urls - {survivor.canonical_url}:
            ArticleURL.objects.get_or_create(url=url, defaults={"article": survivor})
    return report
