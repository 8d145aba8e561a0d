"""JSON shapes of news: articles with their links, sources as the record cites them, feeds for
staff, and the one write shape, an article a curator adds by URL."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.tracker.api.writable_fields import WritableFieldsOnlyMixin

from ..models import Article, ArticleLink, Feed, Outlet
from ..querysets import reviews_links


class OutletSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["slug", "name"]


class ArticleSourceSerializer(serializers.ModelSerializer):
    """An article as the record cites it, under an event or a statement."""

    outlet = OutletSummarySerializer(allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "title", "url", "canonical_url", "outlet", "published_at"]


class ConfirmedArticleSerializer(serializers.ModelSerializer):
    """An article a curator confirmed is about a record (serialised from its ArticleLink)."""

    id = serializers.IntegerField(source="article.id")
    title = serializers.CharField(source="article.title")
    url = serializers.URLField(source="article.url")
    canonical_url = serializers.URLField(source="article.canonical_url")
    outlet = OutletSummarySerializer(source="article.outlet", allow_null=True)
    published_at = serializers.DateTimeField(source="article.published_at", allow_null=True)

    class Meta:
        model = ArticleLink
        fields = ["id", "title", "url", "canonical_url", "outlet", "published_at"]


class ArticleLinkSerializer(serializers.ModelSerializer):
    target_kind = serializers.ChoiceField(
        choices=["agreement", "actor", "challenge"], read_only=True
    )
    target_slug = serializers.SerializerMethodField()
    target_name = serializers.SerializerMethodField()
    matched_terms = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ArticleLink
        fields = ["target_kind", "target_slug", "target_name", "status", "matched_terms"]

    def get_target_slug(self, link) -> str:
        return link.target.slug

    def get_target_name(self, link) -> str:
        return str(link.target)


class ArticleSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:article-detail")
    outlet = OutletSummarySerializer(allow_null=True)
    seen_urls = serializers.SlugRelatedField(slug_field="url", many=True, read_only=True)
    links = ArticleLinkSerializer(many=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "api_url",
            "url",
            "canonical_url",
            "title",
            "byline",
            "outlet",
            "published_at",
            "language",
            "text",
            "fetch_status",
            "entry_method",
            "near_duplicate_of",
            "seen_urls",
            "links",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleAddSerializer(WritableFieldsOnlyMixin, serializers.Serializer):
    """An article a curator adds by URL (`services.add_article_by_url`). With `text`, the page
    is not fetched: the text, title and date stand for a page that cannot be (paywall, PDF)."""

    url = serializers.URLField(max_length=Article._meta.get_field("url").max_length)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class FeedSerializer(serializers.ModelSerializer):
    outlet = OutletSummarySerializer(allow_null=True)

    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "outlet",
            "title",
            "active",
            "poll_interval_minutes",
            "last_fetched_at",
            "last_status",
            "last_error",
            "consecutive_failures",
            "next_fetch_at",
        ]
        read_only_fields = fields


class OutletSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:outlet-detail", lookup_field="slug")
    articles_url = serializers.SerializerMethodField()

    class Meta:
        model = Outlet
        fields = ["url", "articles_url", "slug", "name", "homepage", "domain", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_articles_url(self, outlet) -> str:
        path = reverse("api:article-list") + f"?outlet={outlet.slug}"
        return self.context["request"].build_absolute_uri(path)


class LinkDecisionSerializer(ArticleLinkSerializer):
    """A link as curators decide it: which article, which record, what matched, who decided."""

    url = serializers.HyperlinkedIdentityField(view_name="api:link-detail")
    article = serializers.HyperlinkedRelatedField(view_name="api:article-detail", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The curator who decided the link; shown to curators only.",
    )

    class Meta(ArticleLinkSerializer.Meta):
        fields = [
            "url",
            "id",
            "article",
            *ArticleLinkSerializer.Meta.fields,
            "snippet",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, link):
        data = super().to_representation(link)
        request = self.context.get("request")
        if not reviews_links(getattr(request, "user", None)):
            data["decided_by"] = None
        return data
