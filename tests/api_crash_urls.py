"""The site's routes plus two views under /api/ that fail, to see how a 500 is answered there."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from policytracker.urls import handler400, handler403, handler404, handler500, urlpatterns


@api_view(["GET"])
@permission_classes([AllowAny])
def failing_api_view(request):
    raise RuntimeError("a bug in an API view")


def failing_plain_view(request):
    raise RuntimeError("a bug outside DRF")


urlpatterns = [
    path("api/v1/failing/", failing_api_view),
    path("api/v1/failing-plain/", failing_plain_view),
    *urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
