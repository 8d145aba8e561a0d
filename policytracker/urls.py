"""Top-level routes: HTML pages, the versioned REST API and its schema, admin, health check."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.tracker.sitemaps import SITEMAPS

from . import health

api_v1 = [
    path("", include("apps.tracker.api.urls")),
    path("", include("apps.news.api.urls")),
    path("", include("apps.alerts.api.urls")),
    path("", include("apps.search.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("status", health.status, name="status"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the strict CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("news/", include("apps.news.urls")),
    path("accounts/", include("allauth.urls")),
    path("alerts/", include("apps.alerts.urls")),
    path("search/", include("apps.search.urls")),
    path("", include("apps.tracker.urls")),
]

# Not a catch-all route under api/: that would make every path valid and stop APPEND_SLASH from
# redirecting /api/v1/agreements to /api/v1/agreements/.
handler400 = "policytracker.errors.bad_request"
handler403 = "policytracker.errors.permission_denied"
handler404 = "policytracker.errors.page_not_found"
handler500 = "policytracker.errors.server_error"
