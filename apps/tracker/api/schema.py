"""The OpenAPI schema of every API view: drf-standardized-errors' error responses (every code an
operation can return, in the one error shape), and reads marked as needing no authentication."""

from django.db import models
from django_filters import ModelChoiceFilter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ValidationErrorResponseSerializer,
)
from rest_framework import serializers

from .filters import SLUG_PATTERN
from .pagination import MAX_ID
from .writable_fields import WritableFieldsOnlyMixin

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
QUERY_SLUG_PATTERN = "^[-a-zA-Z0-9_]*$"
NO_NUL_PATTERN = "^[^\\u0000]*$"


class AutoSchema(StandardizedErrorsAutoSchema):
    def get_auth(self):
        """Reads are public: no cookie or token is required, so the schema must not say one is.
        `{}` in an OpenAPI security list means "no authentication"."""
        auth = super().get_auth()
        if self.method in SAFE_METHODS and getattr(self.view, "public_reads", True):
            return [{}]
        return [item for item in auth if item] or auth

    def _resolve_path_parameters(self, variables):
        """A path's slug or id says which values it takes (check_path_values refuses others with a
        400), so a client, and schemathesis, can tell a malformed path from a missing record."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                schema.update(minimum=1, maximum=MAX_ID)
            elif schema.get("type") == "string":
                schema["pattern"] = SLUG_PATTERN.pattern.replace("\\Z", "$")
        return parameters

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, WritableFieldsOnlyMixin):
            # Such a write refuses a field it does not take with a 400 naming it.
            schema["additionalProperties"] = False
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class and self._is_list_view() else {}
        for parameter in (operation or {}).get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "query" or schema.get("type") != "string":
                continue
            if isinstance(filters.get(parameter["name"]), ModelChoiceFilter):
                # A record's slug, or empty for any record.
                schema.setdefault("pattern", QUERY_SLUG_PATTERN)
            elif not ({"enum", "format", "pattern", "anyOf"} & set(schema)):
                # check_query_parameters refuses a NUL character in any value.
                schema["pattern"] = NO_NUL_PATTERN
        return operation

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


class ErrorCode409Enum(models.TextChoices):
    PROTECTED = "protected"


class Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode409Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    """A delete refused because other records still refer to the record (see RecordInUse)."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error409Serializer(many=True)
