"""Read-only API over fetched news: articles for everyone, feeds for staff."""

from rest_framework import viewsets
from rest_framework.permissions import IsAdminUser

from apps.tracker.api.filters import RecordViewSetMixin

from ..filtersets import ArticleFilterSet, FeedFilterSet
from ..models import Article, Feed
from .pagination import NewestArticlesPagination
from .serializers import ArticleSerializer, FeedSerializer


class ArticleViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Fetched articles, newest first, with every URL they were seen under and their links to
    agreements, actors and legal challenges. Pages by cursor: follow `next` to sync."""

    queryset = Article.objects.for_api_list()
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    pagination_class = NewestArticlesPagination


class FeedViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Registered feeds and their fetch health. Staff only: errors can name internal hosts."""

    queryset = Feed.objects.for_api()
    serializer_class = FeedSerializer
    filterset_class = FeedFilterSet
    permission_classes = [IsAdminUser]
