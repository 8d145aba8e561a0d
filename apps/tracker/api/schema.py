"""The OpenAPI schema of every API view: drf-standardized-errors' error responses (every code an
operation can return, in the one error shape), and reads marked as needing no authentication."""

from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ValidationErrorResponseSerializer

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AutoSchema(StandardizedErrorsAutoSchema):
    def get_auth(self):
        """Reads are public: no cookie or token is required, so the schema must not say one is.
        `{}` in an OpenAPI security list means "no authentication"."""
        auth = super().get_auth()
        if self.method in SAFE_METHODS and getattr(self.view, "public_reads", True):
            return [{}]
        return [item for item in auth if item] or auth

    # Every view checks its query parameters and path values (a 400 naming the parameter), any
    # request may carry a bad token (401), and any may be throttled (429).
    def _should_add_validation_error_response(self) -> bool:
        return True

    def _get_serializer_for_validation_error_response(self):
        # The generic shape: `attr` names any parameter, including an unknown one the client
        # sent, which a per-operation enumeration of known fields could not list.
        return ValidationErrorResponseSerializer

    def _should_add_http401_error_response(self) -> bool:
        return True

    def _should_add_http403_error_response(self) -> bool:
        return True

    def _should_add_http429_error_response(self) -> bool:
        return True
