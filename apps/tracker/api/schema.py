"""The OpenAPI schema of every API view: drf-standardized-errors' error responses (every code an
operation can return, in the one error shape), and reads marked as needing no authentication."""

from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AutoSchema(StandardizedErrorsAutoSchema):
    def get_auth(self):
        """Reads are public: no cookie or token is required, so the schema must not say one is.
        `{}` in an OpenAPI security list means "no authentication"."""
        auth = super().get_auth()
        if self.method in SAFE_METHODS and getattr(self.view, "public_reads", True):
            return [{}]
        return [item for item in auth if item] or auth

    def _should_add_http429_error_response(self) -> bool:
        return True
