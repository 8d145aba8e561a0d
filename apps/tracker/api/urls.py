"""Curated-record endpoints under /api/v1/, and the one API root view for the whole version."""

from rest_framework.routers import DefaultRouter

from apps.news.api.urls import router as news_router

from .views import (
    ActorViewSet,
    AgreementViewSet,
    EventViewSet,
    LegalChallengeViewSet,
    PositionViewSet,
    StatementViewSet,
    TopicViewSet,
)


class VersionRootRouter(DefaultRouter):
    """A router whose root view also lists the news endpoints, so /api/v1/ shows every resource
    while each app keeps its own router (the news router serves no root view of its own)."""

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        api_root_dict = {
            prefix: list_name.format(basename=basename)
            for prefix, _viewset, basename in [*self.registry, *news_router.registry]
        }
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = VersionRootRouter(trailing_slash=True)
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("actors", ActorViewSet, basename="actor")
router.register("challenges", LegalChallengeViewSet, basename="challenge")
router.register("events", EventViewSet, basename="event")
router.register("statements", StatementViewSet, basename="statement")
router.register("positions", PositionViewSet, basename="position")
router.register("topics", TopicViewSet, basename="topic")

urlpatterns = router.urls
