"""Session rules for staff: a staff session ends after a spell of inactivity, so an admin left
open on a shared computer does not stay signed in for the whole session lifetime."""

import time

from django.conf import settings
from django.contrib.auth import logout

_LAST_SEEN_KEY = "staff_last_seen"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[_LAST_SEEN_KEY] = now
        return self.get_response(request)
