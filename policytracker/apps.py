"""The project's own app configs: the admin site replaced by PolicyTracker's (second factor)."""

from django.contrib.admin.apps import AdminConfig


class PolicyTrackerAdminConfig(AdminConfig):
    default_site = "policytracker.admin_site.PolicyTrackerAdminSite"
