"""Read shapes of the news data, named for the page or endpoint they serve."""

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

# An article's text and fingerprint are never shown where a record cites it.
ARTICLE_HEAVY_FIELDS = ("text", "summary", "text_fingerprint", "fetch_error")
# Who sees a link before a curator has confirmed it: those who may review links.
REVIEW_PERMISSIONS = ("news.view_articlelink", "news.change_articlelink")


def reviews_links(user) -> bool:
    """Whether `user` sees suggested and rejected links (and who decided a link). Ingestion's
    suggestions are guesses until a curator confirms them, and curators' user names are half
    of an admin login: neither is published."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and any(user.has_perm(permission) for permission in REVIEW_PERMISSIONS)
    )


def has_content() -> Q:
    """The condition of `ArticleQuerySet.with_content` (search's SQL builder mirrors it)."""
    from .models import Article

    return (
        Q(fetch_status=Article.FetchStatus.FETCHED)
        | Q(fetched_at__isnull=False)
        | (Q(entry_method=Article.EntryMethod.CURATED) & ~Q(text=""))
    )


class FeedQuerySet(models.QuerySet):
    def due(self, *, now=None):
        now = now or timezone.now()
        return self.filter(active=True).filter(
            Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
        )

    def for_api(self):
        """Feeds as the staff-only /api/v1/feeds/ endpoint lists them, with their outlets."""
        return self.select_related("outlet").order_by("url", "id")


class ArticleQuerySet(models.QuerySet):
    def with_content(self):
        """Articles that have something to read, however they entered: fetched now or before (a
        fetch again that failed keeps the text it replaced), or carrying a curator's text (a
        paywalled page, a PDF, a page gone offline). Not the placeholders of fetches that never
        succeeded."""
        return self.filter(has_content())

    def for_api_list(self, *, user=None):
        """Articles as /api/v1/articles/ serves them: outlet, every URL seen, and the links
        `user` may see (confirmed ones; every link for a curator who reviews them) with their
        targets. The endpoint's keyset paginator sets the order."""
        from apps.tracker.models import Event, Statement

        from .models import ArticleLink

        # Every article a page shows or the record cites, however it entered: fetched, carrying
        # a curator's text, added by hand (no feed), or cited as a source. Not the placeholders
        # of feed fetches that are pending or failed.
        cited_by_event = Event.sources.through.objects.filter(article=OuterRef("pk"))
        cited_by_statement = Statement.objects.filter(source=OuterRef("pk"))
        return (
            self.filter(
                has_content()
                | Q(feed__isnull=True)
                | Exists(cited_by_event)
                | Exists(cited_by_statement)
            )
            .select_related("outlet")
            .prefetch_related(
                "seen_urls",
                Prefetch(
                    "links",
                    queryset=ArticleLink.objects.visible_to(user)
                    .select_related("agreement", "actor", "challenge")
                    .order_by("id"),
                ),
            )
        )

    def for_detail_page(self):
        """An article with its outlet, its original and copies, the records it is confirmed to
        be about, and the events and statements that cite it."""
        from apps.tracker.models import Event, Statement

        from .models import Article, ArticleLink

        return self.select_related("outlet", "near_duplicate_of__outlet").prefetch_related(
            Prefetch(
                "near_duplicates",
                queryset=Article.objects.select_related("outlet").order_by("published_at", "id"),
            ),
            Prefetch(
                "links",
                queryset=ArticleLink.objects.confirmed()
                .select_related("agreement", "actor", "challenge")
                .order_by("id"),
                to_attr="confirmed_links",
            ),
            Prefetch(
                "events",
                queryset=Event.objects.select_related("agreement", "challenge").chronological(),
            ),
            Prefetch(
                "statements",
                queryset=Statement.objects.select_related(
                    "speaker", "position__agreement"
                ).order_by("said_on", "id"),
            ),
        )

    def for_outlet_page(self, outlet):
        """The outlet's articles, newest first, ready to paginate."""
        return self.filter(outlet=outlet).order_by(
            models.F("published_at").desc(nulls_last=True), "-id"
        )


class ArticleLinkQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status="confirmed")

    def suggested(self):
        return self.filter(status="suggested")

    def visible_to(self, user):
        """Every link for a curator who reviews them (`reviews_links`), confirmed ones for
        everyone else."""
        return self if reviews_links(user) else self.confirmed()

    def for_api(self, *, user=None):
        """Links as /api/v1/links/ serves them to `user` (see `visible_to`): target, decider;
        newest first."""
        return (
            self.visible_to(user)
            .select_related("agreement", "actor", "challenge", "decided_by")
            .order_by("-created_at", "-id")
        )

    def for_record_page(self):
        """Links as a record's page lists them: article and outlet, newest first."""
        return (
            self.select_related("article__outlet")
            .defer(*(f"article__{name}" for name in ARTICLE_HEAVY_FIELDS))
            .order_by(models.F("article__published_at").desc(nulls_last=True), "-id")
        )
