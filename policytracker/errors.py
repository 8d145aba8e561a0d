"""Error responses outside the API's views: under /api/ a client gets the API's one JSON error
shape, {"type": …, "errors": [{"code", "detail", "attr"}]}, as from the views themselves; a
reader gets the site's HTML page."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def error_body(*, type_: str, code: str, detail: str, attr: str | None = None) -> dict:
    """The body drf-standardized-errors gives every API error, for errors raised before or
    outside a DRF view (no route matched, a crash in middleware, a refused host)."""
    return {"type": type_, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception):
    if _is_api(request):
        body = error_body(type_="client_error", code="bad_request", detail="Bad request.")
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        body = error_body(
            type_="client_error",
            code="permission_denied",
            detail="You do not have permission to perform this action.",
        )
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """A path no route serves: JSON under /api/ (a client parsing JSON must not get HTML), the
    site's 404 page elsewhere."""
    if _is_api(request):
        body = error_body(type_="client_error", code="not_found", detail="Not found.")
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """An unexpected error: JSON under /api/, the site's styled 500 page elsewhere (rendered
    without the request context, which may be what failed)."""
    if _is_api(request):
        body = error_body(type_="server_error", code="error", detail="Server Error (500)")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
