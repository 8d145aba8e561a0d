"""News endpoints under /api/v1/. The API root view is served by the tracker router, which
lists these routes too."""

from rest_framework.routers import DefaultRouter

from .views import ArticleLinkViewSet, ArticleViewSet, FeedViewSet, OutletViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("articles", ArticleViewSet, basename="article")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("links", ArticleLinkViewSet, basename="link")
router.register("feeds", FeedViewSet, basename="feed")

urlpatterns = router.urls
