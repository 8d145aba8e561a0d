"""The project's own app configs: the admin site replaced by PolicyTracker's (second factor),
and the project's cross-app wiring (the response cache's watch on writes)."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PolicyTrackerAdminConfig(AdminConfig):
    default_site = "policytracker.admin_site.PolicyTrackerAdminSite"


class PolicyTrackerConfig(AppConfig):
    name = "policytracker"
    verbose_name = "PolicyTracker"

    def ready(self):
        from . import response_cache

        response_cache.connect()
