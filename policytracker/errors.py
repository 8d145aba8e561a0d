"""Error pages: an API client gets JSON, as from the API's own errors; a reader, the site's page."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request, exception):
    """A path no route serves: JSON under /api/ (a client parsing JSON must not get HTML), the
    site's 404 page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """An unexpected error: JSON under /api/, the site's styled 500 page elsewhere (rendered
    without the request context, which may be what failed)."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
