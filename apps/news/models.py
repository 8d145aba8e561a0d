"""Where news comes from and what was fetched: outlets, feeds, articles and their links to the
curated record."""

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.tracker.models import SLUG_HELP, SluggedModel, exactly_one_of

from .canonical import canonicalize_url
from .querysets import ArticleLinkQuerySet, ArticleQuerySet, FeedQuerySet
from .safe_fetch import FetchError, check_fetchable_url


class Outlet(SluggedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True, help_text=SLUG_HELP)
    homepage = models.URLField(blank=True)
    domain = models.CharField(
        max_length=253,
        blank=True,
        db_index=True,
        help_text="Host name without www., used to attribute fetched articles to this outlet.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="outlet_unique_slug",
                violation_error_message="Another outlet already uses this slug.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:outlet-detail", kwargs={"slug": self.slug})


class Feed(models.Model):
    url = models.URLField(max_length=1000)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="feeds"
    )
    title = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    poll_interval_minutes = models.PositiveIntegerField(default=60)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Empty: due now."
    )
    last_status = models.CharField(max_length=40, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "last_fetched_at",
            "last_success_at",
            "next_fetch_at",
            "last_status",
            "last_error",
            "consecutive_failures",
            "etag",
            "last_modified",
        ]
    )

    class Meta:
        ordering = ["url"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                name="feed_unique_url",
                violation_error_message="This feed is already registered.",
            ),
        ]

    def __str__(self):
        return self.title or self.url

    def get_absolute_url(self):
        return reverse("admin:news_feed_change", args=[self.pk])

    def clean(self):
        super().clean()
        if self.url:
            try:
                check_fetchable_url(self.url)
            except FetchError as exc:
                raise ValidationError(
                    {"url": f"This feed cannot be fetched: {exc.reason}."}, code="unfetchable"
                ) from exc

    def reset_backoff(self) -> None:
        """Forget past failures so the feed is due now: a curator switched it back on."""
        self.consecutive_failures = 0
        self.next_fetch_at = None


class Article(models.Model):
    class FetchStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        FETCHED = "fetched", "Fetched"
        FAILED = "failed", "Failed"
        NOT_FETCHED = "not_fetched", "Not fetched: text entered by a curator"

    class EntryMethod(models.TextChoices):
        FEED = "feed", "From a feed"
        URL = "url", "Added by URL and fetched"
        CURATED = "curated", "Text entered by a curator"

    canonical_url = models.URLField(max_length=2000)
    url = models.URLField(max_length=2000, help_text="The URL it was first seen under.")
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    # The feed that brought it in is bookkeeping, not part of the record: losing it loses nothing.
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    title = models.CharField(max_length=500, blank=True)
    byline = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=20, blank=True)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="Clean main text, sanitised.")
    text_fingerprint = models.JSONField(
        default=list, blank=True, help_text="MinHash signature for near-duplicate detection."
    )
    # A copy pointing at its original is derived data: if the original goes, the copy stands alone.
    near_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="near_duplicates",
        help_text="The original of which this is a syndicated copy.",
    )
    fetch_status = models.CharField(
        max_length=20, choices=FetchStatus.choices, default=FetchStatus.PENDING, db_index=True
    )
    fetch_error = models.TextField(blank=True)
    entry_method = models.CharField(
        "how it was entered",
        max_length=20,
        choices=EntryMethod.choices,
        default=EntryMethod.FEED,
        help_text="A curator's text stands for a page that cannot be fetched (paywall, PDF, gone).",
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    # Kept in the database, not in the task: a page that kills the worker process every time it
    # is fetched (a crash in a parser, memory blown) takes its counter with it otherwise.
    unfinished_fetches = models.PositiveSmallIntegerField(
        default=0, help_text="Fetches that started and never finished: the worker died."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["-published_at", "-id"], name="article_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_url"],
                name="article_unique_canonical_url",
                violation_error_message="An article with this canonical URL already exists.",
            ),
        ]

    def __str__(self):
        return self.title or self.canonical_url

    def get_absolute_url(self):
        return reverse("news:article-detail", kwargs={"pk": self.pk})

    def clean(self):
        """Canonicalise the URL and refuse one already stored, as any URL an article was seen
        under: a hand-added `?utm_source=x` copy of a stored story is that story."""
        super().clean()
        try:
            self.canonicalize()
        except ValueError as exc:
            raise ValidationError({"canonical_url": str(exc)}) from exc
        # The same canonical URL is the unique constraint's to report; a URL an article was
        # seen under (before a redirect, with a content parameter) is only known here.
        urls = {self.canonical_url, self.url}
        seen = (
            ArticleURL.objects.filter(url__in=urls)
            .exclude(article_id=self.pk)
            .exclude(article__canonical_url=self.canonical_url)
            .first()
        )
        if seen is not None:
            raise ValidationError(
                {"canonical_url": f"This article is already stored: it was seen as {seen.url}."},
                code="duplicate",
            )

    def canonicalize(self) -> None:
        """Fill and normalise `canonical_url` from `url` (ValueError for a non-http(s) URL)."""
        if self.url and not self.canonical_url:
            self.canonical_url = self.url
        if self.canonical_url:
            self.canonical_url = canonicalize_url(self.canonical_url)
        if not self.url:
            self.url = self.canonical_url

    def save(self, *args, **kwargs):
        # Every write, from a form, the API or a script, stores the canonical form; the unique
        # constraint then makes a tracking-parameter variant the same row, not a second one.
        # A URL that cannot be canonicalised is refused by clean() and by the services; one
        # written past them (an import of old data) is stored as it is rather than lost.
        with contextlib.suppress(ValueError):
            self.canonicalize()
        super().save(*args, **kwargs)


class ArticleURL(models.Model):
    """Every URL an article was seen under (feed links with tracking parameters, AMP pages…)."""

    # A seen-URL is a fact about its article and nothing else.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="seen_urls")
    url = models.URLField(max_length=2000)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "article URL"
        ordering = ["first_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                name="articleurl_unique_url",
                violation_error_message="This URL is already recorded for an article.",
            ),
        ]

    def __str__(self):
        return self.url


class ArticleLink(models.Model):
    """An article's link to an agreement, actor or legal challenge, suggested or decided."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    # A link has no meaning without its article; its history keeps the decision.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    agreement = models.ForeignKey(
        "tracker.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="article_links",
    )
    actor = models.ForeignKey(
        "tracker.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="article_links",
    )
    challenge = models.ForeignKey(
        "tracker.LegalChallenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="article_links",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUGGESTED, db_index=True
    )
    matched_terms = models.JSONField(default=list, blank=True, help_text="Aliases that matched.")
    snippet = models.TextField(blank=True, help_text="Text around the first match.")
    score = models.FloatField(default=0)
    rule = models.CharField(
        "why suggested",
        max_length=10,
        choices=[
            ("term", "Its name, title or an alias matched"),
            ("parties", "Two of its parties and a word for an agreement, close together"),
        ],
        blank=True,
        help_text="Which part of the matching rule suggested it; empty for a curator's own link.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # a departed curator's decisions stand; history names them
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ArticleLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        # A record's coverage (its confirmed links) and the review queue read links by target
        # and status; the unique constraints lead with the article, so they cannot serve that.
        indexes = [
            # "What changed": coverage newest-confirmed first.
            models.Index(
                fields=["-decided_at", "-id"],
                condition=Q(status="confirmed"),
                name="articlelink_confirmed_latest",
            ),
            # /api/v1/links/: newest first, confirmed ones for the public, all for curators.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status="confirmed"),
                name="articlelink_confirmed_recorded",
            ),
            models.Index(fields=["-created_at", "-id"], name="articlelink_recorded"),
            models.Index(fields=["agreement", "status"], name="articlelink_agreement_status"),
            models.Index(fields=["actor", "status"], name="articlelink_actor_status"),
            models.Index(fields=["challenge", "status"], name="articlelink_challenge_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of("agreement", "actor", "challenge"),
                name="articlelink_exactly_one_target",
                violation_error_message=(
                    "A link points at exactly one agreement, actor or legal challenge."
                ),
            ),
            models.UniqueConstraint(
                fields=["article", "agreement"],
                condition=Q(agreement__isnull=False),
                name="articlelink_unique_agreement",
                violation_error_message="This article is already linked to this agreement.",
            ),
            models.UniqueConstraint(
                fields=["article", "actor"],
                condition=Q(actor__isnull=False),
                name="articlelink_unique_actor",
                violation_error_message="This article is already linked to this actor.",
            ),
            models.UniqueConstraint(
                fields=["article", "challenge"],
                condition=Q(challenge__isnull=False),
                name="articlelink_unique_challenge",
                violation_error_message="This article is already linked to this legal challenge.",
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.target} ({self.get_status_display()})"

    @property
    def target(self):
        return self.agreement or self.actor or self.challenge

    @property
    def target_kind(self) -> str:
        if self.agreement_id:
            return "agreement"
        if self.actor_id:
            return "actor"
        return "challenge"

    def get_absolute_url(self):
        return self.article.get_absolute_url()
