"""Django admin for the news data, and the curators' review queue of suggested article links.

Article text, titles, snippets and URLs come from the open web: every one of them is escaped on
the way out here, and only http(s) URLs ever become links.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from apps.tracker.admin import (
    HTTPS_URL_FIELDS,
    RECORD_FIELDSET,
    admin_link,
    count_of,
    merge_action,
)
from apps.tracker.templatetags.tracker_tags import web_url

from . import services
from .models import Article, ArticleLink, ArticleURL, Feed, Outlet
from .tasks import request_feed_fetches


def external_link(url: str, label) -> str:
    """A new-tab link to an untrusted URL, or just the label when it is not http(s); the same
    rule as the pages' `web_url` filter."""
    url = web_url(url)
    if not url:
        return format_html("{}", label)
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, label)


def highlight_terms(text: str, terms) -> str:
    """`text` escaped, with every occurrence of `terms` wrapped in <mark>.

    The split happens on the raw text and each piece is escaped on its own, so a term can never
    match inside an HTML entity and no piece of the text is ever trusted.
    """
    terms = sorted({str(term) for term in terms or [] if str(term).strip()}, key=len, reverse=True)
    if not text:
        return ""
    if not terms:
        return format_html("{}", text)
    pattern = re.compile("(" + "|".join(re.escape(term) for term in terms) + ")", re.IGNORECASE)
    # re.split with one capturing group alternates: text, match, text, match, …, text.
    pieces = pattern.split(text)
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<mark>{}</mark>", piece) if i % 2 else piece,)
            for i, piece in enumerate(pieces)
        ),
    )


@admin.register(Outlet)
class OutletAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ("name", "domain", "homepage_link", "feed_count", "article_count")
    actions = (merge_action(lambda **kw: services.merge_outlets(**kw)),)
    search_fields = ("name", "slug", "domain")
    readonly_fields = ("created_at", "updated_at")
    ordering = ("name", "id")
    fieldsets = (
        (None, {"fields": ("name", "slug", "homepage", "domain")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                feed_count=count_of(Feed, "outlet"), article_count=count_of(Article, "outlet")
            )
        )

    @admin.display(description="Homepage")
    def homepage_link(self, obj):
        return external_link(obj.homepage, obj.homepage) if obj.homepage else "—"

    @admin.display(description="Feeds", ordering="feed_count")
    def feed_count(self, obj):
        return obj.feed_count

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Feed)
class FeedAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = (
        "__str__",
        "outlet",
        "active",
        "poll_interval_minutes",
        "last_fetched_at",
        "health",
        "next_fetch_at",
    )
    list_filter = ("active", "last_status", "outlet")
    list_select_related = ("outlet",)
    search_fields = ("url", "title", "outlet__name")
    autocomplete_fields = ("outlet",)
    actions = ("fetch_now",)
    ordering = ("url",)
    readonly_fields = (
        "last_fetched_at",
        "last_success_at",
        "next_fetch_at",
        "last_status",
        "last_error",
        "consecutive_failures",
        "etag",
        "last_modified",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("url", "title", "outlet", "active", "poll_interval_minutes")}),
        (
            "Fetching (kept by ingestion)",
            {
                "fields": (
                    ("last_fetched_at", "last_success_at"),
                    "next_fetch_at",
                    ("last_status", "consecutive_failures"),
                    "last_error",
                    ("etag", "last_modified"),
                )
            },
        ),
        RECORD_FIELDSET,
    )

    @admin.display(description="Health", ordering="consecutive_failures")
    def health(self, obj):
        if obj.last_status != "error":
            return obj.last_status or "not fetched yet"
        state = "switched off" if not obj.active else f"failing ({obj.consecutive_failures}×)"
        return format_html(
            '<span class="feed-error">{}</span>: {}', state, Truncator(obj.last_error).chars(120)
        )

    def save_model(self, request, obj, form, change):
        switched_on = change and "active" in form.changed_data and obj.active
        if switched_on:
            obj.reset_backoff()
        super().save_model(request, obj, form, change)
        if switched_on:
            # Switched back on: retried at once, not at the next beat tick.
            # With the broker down the feed is already due, and beat's next sweep polls it.
            transaction.on_commit(lambda: request_feed_fetches(feed_ids=[obj.pk]), robust=True)

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset):
        feed_ids = list(queryset.filter(active=True).values_list("pk", flat=True))
        deferred = request_feed_fetches(feed_ids=feed_ids)
        message = f"Queued {len(feed_ids) - len(deferred)} feed(s) for fetching."
        if deferred:
            message += (
                f" {len(deferred)} feed(s) could not be queued because the task queue is"
                " unreachable: they are marked due and will be fetched as soon as it is back."
            )
        inactive = queryset.filter(active=False).count()
        if inactive:
            message += f" {inactive} inactive feed(s) skipped: switch them on first."
        self.message_user(request, message)


class ArticleURLInline(admin.TabularInline):
    model = ArticleURL
    fields = ("url", "first_seen_at")
    readonly_fields = ("url", "first_seen_at")
    extra = 0
    can_delete = False
    verbose_name_plural = "URLs it was seen under"

    def has_add_permission(self, request, obj=None):
        return False


class ArticleLinkInline(admin.TabularInline):
    model = ArticleLink
    fk_name = "article"
    fields = ("target_link", "status", "matched", "score", "decided_by", "decided_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "links to the record (decide them in the review queue)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("agreement", "actor", "challenge", "decided_by")
        )

    @admin.display(description="Linked to")
    def target_link(self, obj):
        return format_html("{}: {}", obj.target_kind, admin_link(obj.target))

    @admin.display(description="Matched")
    def matched(self, obj):
        return ", ".join(str(term) for term in obj.matched_terms or [])


class HasNearDuplicateFilter(admin.SimpleListFilter):
    title = "syndicated copy"
    parameter_name = "copy"

    def lookups(self, request, model_admin):
        return [("yes", "Copy of another article"), ("no", "Original")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(near_duplicate_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(near_duplicate_of__isnull=True)
        return queryset


class AddArticleForm(forms.Form):
    url = forms.URLField(
        label="Article URL", max_length=2000, assume_scheme="https", widget=forms.URLInput()
    )
    title = forms.CharField(max_length=500, required=False)
    published_at = forms.SplitDateTimeField(
        label="Published", required=False, widget=admin.widgets.AdminSplitDateTime()
    )
    text = forms.CharField(
        label="Curated text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="For a page that cannot be fetched (paywall, PDF, offline): the text to keep. "
        "With text, the page is not fetched.",
    )
    fetch = forms.BooleanField(
        label="Fetch the page", required=False, initial=True, help_text="Through ingestion."
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = (
        "title_or_url",
        "outlet",
        "published_at",
        "language",
        "fetch_status",
        "is_copy",
        "link_count",
    )
    list_filter = ("fetch_status", "entry_method", "outlet", "language", HasNearDuplicateFilter)
    actions = ("fetch_again", merge_action(lambda **kw: services.merge_articles(**kw)))
    list_select_related = ("outlet",)
    search_fields = ("title", "canonical_url", "url", "seen_urls__url")
    autocomplete_fields = ("outlet", "feed")
    date_hierarchy = "published_at"
    ordering = ("-published_at", "-id")
    show_full_result_count = False
    inlines = (ArticleURLInline, ArticleLinkInline)
    # What the fetcher stored; curators correct the outlet or feed, not the fetched content.
    fetched_fields = (
        "canonical_url_link",
        "url_link",
        "title",
        "byline",
        "published_at",
        "language",
        "summary",
        "text_display",
        "near_duplicate_link",
        "fetch_status",
        "fetch_error",
        "fetched_at",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(link_count=count_of(ArticleLink, "article"))

    # A page that could not be fetched can be given its text, title and date by a curator.
    curated_fields = ("title", "byline", "published_at", "text")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.fetch_status != Article.FetchStatus.FETCHED:
            curated = set(self.curated_fields)
            return [name for name in self.fetched_fields if name not in curated]
        return self.fetched_fields

    def get_fieldsets(self, request, obj=None):
        text_field = (
            "text"
            if obj is not None and obj.fetch_status != Article.FetchStatus.FETCHED
            else "text_display"
        )
        return (
            (None, {"fields": ("title", "canonical_url_link", "url_link", "outlet", "feed")}),
            (
                "Fetched",
                {
                    "fields": (
                        ("byline", "published_at", "language"),
                        "near_duplicate_link",
                        ("fetch_status", "fetched_at", "entry_method"),
                        "fetch_error",
                        "summary",
                        text_field,
                    )
                },
            ),
            RECORD_FIELDSET,
        )

    def get_urls(self):
        add_by_url = self.admin_site.admin_view(self.add_by_url_view)
        return [
            path("add-by-url/", add_by_url, name="news_article_add_by_url"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return self.add_by_url_view(request)

    def add_by_url_view(self, request):
        """Paste a URL: canonicalised, deduplicated, fetched through ingestion and matched."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AddArticleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                added = services.add_article_by_url(
                    url=data["url"],
                    title=data["title"],
                    text=data["text"],
                    published_at=data["published_at"],
                    fetch=data["fetch"],
                )
            except ValueError as exc:
                form.add_error("url", str(exc))
            else:
                self._report_added(request, added)
                change_url = reverse("admin:news_article_change", args=[added.article.pk])
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add an article by URL",
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "add": True,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/news/article/add_by_url.html", context)

    def _report_added(self, request, added):
        article = Article.objects.get(pk=added.article.pk)
        if not added.created:
            self.message_user(
                request, f"Already stored as “{article}”: nothing was added.", messages.WARNING
            )
            return
        suggested = article.links.filter(status=ArticleLink.Status.SUGGESTED).count()
        if article.fetch_status == Article.FetchStatus.FAILED:
            self.message_user(
                request,
                f"Added, but the page could not be fetched: {article.fetch_error}. "
                "Give it a curated text below, or fetch it again later.",
                messages.WARNING,
            )
        elif article.fetch_status == Article.FetchStatus.PENDING:
            self.message_user(request, "Added; the page is being fetched.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                f"Added “{article}”: {suggested} link suggestion(s) wait in the review queue.",
                messages.SUCCESS,
            )

    def save_model(self, request, obj, form, change):
        if change and "text" in form.changed_data and obj.text:
            services.store_curated_text(
                article=obj, text=obj.text, title=obj.title, published_at=obj.published_at
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Fetch again", permissions=["change"])
    def fetch_again(self, request, queryset):
        queued = services.fetch_articles_again(articles=queryset)
        self.message_user(request, f"Queued {queued} article(s) to be fetched again.")

    @admin.display(description="Title", ordering="title")
    def title_or_url(self, obj):
        return Truncator(obj.title or obj.canonical_url).chars(100)

    @admin.display(description="Copy", boolean=True)
    def is_copy(self, obj):
        return obj.near_duplicate_of_id is not None

    @admin.display(description="Links", ordering="link_count")
    def link_count(self, obj):
        return obj.link_count

    @admin.display(description="Canonical URL")
    def canonical_url_link(self, obj):
        return external_link(obj.canonical_url, obj.canonical_url)

    @admin.display(description="First seen as")
    def url_link(self, obj):
        return external_link(obj.url, obj.url)

    @admin.display(description="Copy of")
    def near_duplicate_link(self, obj):
        return admin_link(obj.near_duplicate_of)

    @admin.display(description="Text")
    def text_display(self, obj):
        return format_html('<div class="article-text">{}</div>', obj.text)


@admin.register(ArticleURL)
class ArticleURLAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ("url", "article", "first_seen_at")
    list_select_related = ("article",)
    search_fields = ("url", "article__title")
    autocomplete_fields = ("article",)
    readonly_fields = ("first_seen_at",)
    date_hierarchy = "first_seen_at"


class ReviewStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the suggestions still waiting for a decision."""

    title = "status"
    parameter_name = "status"
    default = ArticleLink.Status.SUGGESTED
    everything = "all"

    def lookups(self, request, model_admin):
        return [*ArticleLink.Status.choices, (self.everything, "All")]

    def chosen(self):
        return self.value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.chosen() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.chosen() == self.everything:
            return queryset
        return queryset.filter(status=self.chosen())


class TargetKindFilter(admin.SimpleListFilter):
    title = "linked to"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("agreement", "Agreements"), ("actor", "Actors"), ("challenge", "Legal challenges")]

    def queryset(self, request, queryset):
        if self.value() in {"agreement", "actor", "challenge"}:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


# Short forms of ArticleLink.rule for the review queue's column.
RULE_LABELS = {"term": "its own name or alias", "parties": "two parties + an agreement word"}


@admin.register(ArticleLink)
class ArticleLinkAdmin(SimpleHistoryAdmin):
    """The review queue: suggestions from ingestion, decided in bulk or one at a time."""

    list_display = (
        "article_column",
        "outlet",
        "published",
        "target_column",
        "snippet_column",
        "matched_terms_column",
        "rule_column",
        "score",
        "status",
    )
    list_display_links = None
    list_filter = (ReviewStatusFilter, TargetKindFilter, "article__outlet")
    list_select_related = (
        "article__outlet",
        "agreement",
        "actor",
        "challenge",
    )
    search_fields = (
        "article__title",
        "article__canonical_url",
        "snippet",
        "agreement__title",
        "actor__name",
        "challenge__caption",
    )
    autocomplete_fields = ("article", "agreement", "actor", "challenge")
    date_hierarchy = "created_at"
    # Grouped by article, newest article first, so one reading decides all of an article's
    # suggestions; within an article, the strongest first.
    ordering = ("-article_id", "-score", "id")
    actions = ("confirm_selected", "reject_selected")
    show_full_result_count = False
    change_form_template = "admin/news/articlelink/change_form.html"
    readonly_fields = (
        "status",
        "decided_by",
        "decided_at",
        "highlighted_snippet",
        "created_at",
        "updated_at",
    )
    # What ingestion matched is evidence for the decision: shown, not edited, once it exists.
    match_fields = ("matched_terms", "snippet", "score")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, *self.match_fields, "rule")

    def get_fieldsets(self, request, obj=None):
        match = (
            self.match_fields
            if obj is None
            else ("highlighted_snippet", "matched_terms", "rule", "score")
        )
        return (
            (None, {"fields": ("article", "status", ("decided_by", "decided_at"))}),
            (
                "Linked to",
                {
                    "fields": ("agreement", "actor", "challenge"),
                    "description": "Exactly one: the agreement, actor or legal challenge.",
                },
            ),
            ("Match", {"fields": match}),
            RECORD_FIELDSET,
        )

    # --- columns ---

    @admin.display(description="Article", ordering="article__title")
    def article_column(self, obj):
        article = obj.article
        label = Truncator(article.title or article.canonical_url).chars(120)
        return format_html(
            '{} <a href="{}" title="Open in admin">[admin]</a> <a href="{}" title="Decide">'
            "[decide]</a>",
            external_link(article.url or article.canonical_url, label),
            reverse("admin:news_article_change", args=[article.pk]),
            reverse("admin:news_articlelink_change", args=[obj.pk]),
        )

    @admin.display(description="Outlet", ordering="article__outlet__name")
    def outlet(self, obj):
        return obj.article.outlet or "—"

    @admin.display(description="Published", ordering="article__published_at")
    def published(self, obj):
        return obj.article.published_at

    @admin.display(description="Linked to")
    def target_column(self, obj):
        return format_html("{}: {}", obj.target_kind, admin_link(obj.target))

    @admin.display(description="Snippet")
    def snippet_column(self, obj):
        return highlight_terms(obj.snippet, obj.matched_terms)

    @admin.display(description="Matched terms")
    def matched_terms_column(self, obj):
        return ", ".join(str(term) for term in obj.matched_terms or [])

    @admin.display(description="Why", ordering="rule")
    def rule_column(self, obj):
        return RULE_LABELS.get(obj.rule, "—")

    @admin.display(description="Snippet, matches highlighted")
    def highlighted_snippet(self, obj):
        return highlight_terms(obj.snippet, obj.matched_terms) or "—"

    # --- decisions ---

    @admin.action(description="Confirm selected suggestions", permissions=["change"])
    def confirm_selected(self, request, queryset):
        changed = services.confirm_links(links=queryset, user=request.user)
        self.message_user(request, f"Confirmed {changed} link(s).", messages.SUCCESS)

    @admin.action(description="Reject selected suggestions", permissions=["change"])
    def reject_selected(self, request, queryset):
        changed = services.reject_links(links=queryset, user=request.user)
        self.message_user(request, f"Rejected {changed} link(s).", messages.SUCCESS)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path(
                f"<int:object_id>/{decision}/",
                decide,
                {"decision": decision},
                name=f"news_articlelink_{decision}",
            )
            for decision in ("confirm", "reject")
        ] + super().get_urls()

    def decide_view(self, request, object_id, decision):
        """POST-only: confirm or reject one link from its change form."""
        decide = {"confirm": services.confirm_link, "reject": services.reject_link}[decision]
        link = get_object_or_404(ArticleLink, pk=object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:news_articlelink_change", args=[link.pk]))
        if not self.has_change_permission(request, link):
            raise PermissionDenied
        before = link.status
        link = decide(link=link, user=request.user)
        if link.status == before:
            self.message_user(request, f"The link was already {link.get_status_display().lower()}.")
        else:
            self.message_user(request, f"{link.get_status_display()}: {link}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:news_articlelink_changelist"))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["decide_urls"] = {
                decision: reverse(f"admin:news_articlelink_{decision}", args=[obj.pk])
                for decision in ("confirm", "reject")
            }
        return super().render_change_form(request, context, add, change, form_url, obj)
