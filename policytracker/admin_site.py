"""The admin site: Django's, plus a second factor for staff when `ADMIN_REQUIRE_OTP` says so.

Any staff member can add a TOTP device (django-otp) in admin at any time; with the setting on,
the login form asks for its code and a session that has not passed it sees no admin page.
"""

from django.conf import settings
from django.contrib import admin


class PolicyTrackerAdminSite(admin.AdminSite):
    site_header = "PolicyTracker administration"
    site_title = "PolicyTracker admin"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_OTP or request.user.is_verified()

    def login(self, request, extra_context=None):
        from django_otp.forms import OTPAuthenticationForm

        self.login_form = OTPAuthenticationForm if settings.ADMIN_REQUIRE_OTP else None
        return super().login(request, extra_context)
