"""API over news: articles for everyone (curators add them by URL), feeds for staff."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions, IsAdminUser
from rest_framework.response import Response

from apps.tracker.api.filters import RecordViewSetMixin

from .. import services
from ..filtersets import ArticleFilterSet, ArticleLinkFilterSet, FeedFilterSet, OutletFilterSet
from ..models import Article, ArticleLink, Feed, Outlet
from .pagination import NewestArticlesPagination, NewestLinksPagination
from .serializers import (
    ArticleAddSerializer,
    ArticleSerializer,
    FeedSerializer,
    LinkDecisionSerializer,
    OutletSerializer,
)


class ArticleViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Articles, newest first, with every URL they were seen under and their links to
    agreements, actors and legal challenges. Pages by cursor: follow `next` to sync.

    A curator's token (news.add_article) adds one by URL with a POST: canonicalised, the stored
    article answered (200) when the URL or a variant of it was seen before, otherwise created
    (201) and fetched through the same pipeline as feeds, its link suggestions then waiting in
    the review queue."""

    queryset = Article.objects.for_api_list()  # the schema's view; requests see get_queryset's
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    pagination_class = NewestArticlesPagination

    def get_queryset(self):
        return Article.objects.for_api_list(user=self.request.user)

    def get_serializer_class(self):
        return ArticleAddSerializer if self.action == "create" else super().get_serializer_class()

    @extend_schema(responses={200: ArticleSerializer, 201: ArticleSerializer})
    def create(self, request, *args, **kwargs):
        add = self.get_serializer(data=request.data)
        add.is_valid(raise_exception=True)
        try:
            added = services.add_article_by_url(**add.validated_data)
        except ValueError as error:
            raise serializers.ValidationError({"url": [str(error)]}) from error
        article = self.get_queryset().get(pk=added.article.pk)
        read = ArticleSerializer(article, context=self.get_serializer_context())
        return Response(
            read.data, status=status.HTTP_201_CREATED if added.created else status.HTTP_200_OK
        )


class OutletViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """News outlets; each links to its articles."""

    lookup_field = "slug"
    queryset = Outlet.objects.order_by("name", "id")
    serializer_class = OutletSerializer
    filterset_class = OutletFilterSet


class FeedViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Registered feeds and their fetch health. Staff only: errors can name internal hosts."""

    queryset = Feed.objects.for_api()
    serializer_class = FeedSerializer
    filterset_class = FeedFilterSet
    permission_classes = [IsAdminUser]


class DecideLinkPermission(DjangoModelPermissions):
    """Confirming or rejecting a link changes it: the curator needs news.change_articlelink."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }


class ArticleLinkViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Links from articles to agreements, actors and legal challenges that curators confirmed;
    a curator's token (news.view_articlelink or change_articlelink) also sees the suggested and
    rejected ones and who decided each. Curators confirm or reject one with a POST, through the
    same service as admin; the link's history records who."""

    serializer_class = LinkDecisionSerializer
    filterset_class = ArticleLinkFilterSet
    pagination_class = NewestLinksPagination

    def get_queryset(self):
        return ArticleLink.objects.for_api(user=self.request.user)

    def get_permissions(self):
        if self.action in ("confirm", "reject"):
            return [DecideLinkPermission()]
        return super().get_permissions()

    def _decide(self, decide):
        link = self.get_object()
        link = decide(link=link, user=self.request.user)
        link = self.get_queryset().get(pk=link.pk)
        return Response(self.get_serializer(link).data)

    @extend_schema(request=None, responses=LinkDecisionSerializer, summary="Confirm a link")
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        return self._decide(services.confirm_link)

    @extend_schema(request=None, responses=LinkDecisionSerializer, summary="Reject a link")
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        return self._decide(services.reject_link)
