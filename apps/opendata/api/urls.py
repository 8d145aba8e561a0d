"""Open data endpoints under /api/v1/: the bulk dump and the changes feed."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ChangeViewSet, DumpFileView, DumpListView

router = SimpleRouter(trailing_slash=True)
router.register("changes", ChangeViewSet, basename="change")

urlpatterns = [
    path("dumps/", DumpListView.as_view(), name="dump-list"),
    path("dumps/<str:filename>", DumpFileView.as_view(), name="dump-file"),
    *router.urls,
]
