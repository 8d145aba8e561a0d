"""The filter backend of every list endpoint: django-filter's, refusing parameters nothing reads."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

# Where DRF's paginators keep the names of the query parameters they read.
PAGINATOR_PARAMETERS = (
    "page_query_param",
    "page_size_query_param",
    "cursor_query_param",
    "limit_query_param",
    "offset_query_param",
)


class KnownParametersFilterBackend(DjangoFilterBackend):
    """A query parameter that no filter, paginator or renderer reads is a 400 naming it.

    Otherwise a misspelt filter (?agreements=irs-ice-mou, ?updated_after=…) answers with the
    whole unfiltered list, which a script cannot tell from a filtered one.
    """

    def filter_queryset(self, request, queryset, view):
        known = self.known_parameters(view, queryset)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = f"Unknown parameter. This endpoint reads: {', '.join(sorted(known))}."
            raise ValidationError({name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)

    def known_parameters(self, view, queryset) -> set[str]:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        paginator = getattr(view, "paginator", None)
        for attribute in PAGINATOR_PARAMETERS:
            name = getattr(paginator, attribute, None)
            if name:
                known.add(name)
        known.add(api_settings.URL_FORMAT_OVERRIDE)
        return known
