"""Read shapes of the news data, named for the page or endpoint they serve."""

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone


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
        """Articles that have something to read: fetched, or carrying a curator's text (a
        paywalled page, a PDF, a page gone offline), however they entered."""
        from .models import Article

        return self.filter(Q(fetch_status=Article.FetchStatus.FETCHED) | ~Q(text=""))

    def for_api_list(self):
        """Fetched articles as /api/v1/articles/ serves them: outlet, every URL seen, and every
        link (suggested, confirmed or rejected) with its target. The endpoint's keyset paginator
        sets the order."""
        from .models import ArticleLink

        return (
            self.with_content()
            .select_related("outlet")
            .prefetch_related(
                "seen_urls",
                Prefetch(
                    "links",
                    queryset=ArticleLink.objects.select_related(
                        "agreement", "actor", "challenge"
                    ).order_by("id"),
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

    def for_record_page(self):
        """Links as a record's page lists them: article and outlet, newest first."""
        return self.select_related("article__outlet").order_by(
            models.F("article__published_at").desc(nulls_last=True), "-id"
        )
