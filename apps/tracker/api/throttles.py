"""Request rates for anonymous and authenticated API clients, answered with 429 and
Retry-After. The counts live in the cache (Redis in production); if the cache is unreachable the
throttle lets the request through and logs it, so an outage of Redis never takes the API down."""

import logging

from django.conf import settings
from rest_framework import throttling

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def get_rate(self):
        # Read at request time (DRF reads it once at import), so settings can change it.
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # any cache failure: connection refused, timeout, bad reply
            logger.warning("API throttle cache unavailable; request allowed", exc_info=True)
            return True


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    pass
