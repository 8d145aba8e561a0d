"""What every API view checks before it reads anything: the query parameters it does not read,
and values no database can take, are a 400 naming the parameter."""

import re

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from .pagination import MAX_ID

# Where DRF's paginators keep the names of the query parameters they read.
PAGINATOR_PARAMETERS = (
    "page_query_param",
    "page_size_query_param",
    "cursor_query_param",
    "limit_query_param",
    "offset_query_param",
)
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+\Z")
ID_PATTERN = re.compile(r"^[0-9]{1,19}\Z")


def paginator_parameters(paginator) -> set[str]:
    return {name for name in (getattr(paginator, a, None) for a in PAGINATOR_PARAMETERS) if name}


def check_path_values(kwargs: dict) -> None:
    """A slug or id in the path that no record can have (a NUL byte, an id beyond a bigint) is a
    400 naming it, not a database error."""
    for name, value in kwargs.items():
        if name in ("pk", "id"):
            valid = bool(ID_PATTERN.match(value)) and 0 < int(value) <= MAX_ID
            message = "An id is a whole number from 1."
        else:
            valid = bool(SLUG_PATTERN.match(value))
            message = "A slug has only letters, digits, hyphens and underscores."
        if not valid:
            raise ValidationError({name: [message]})


def check_query_parameters(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        reads = ", ".join(sorted(known))
        message = f"Unknown parameter. This endpoint reads: {reads}."
        raise ValidationError({name: [message] for name in unknown})
    # PostgreSQL cannot store or compare a NUL character; nothing we hold contains one.
    for name, values in request.query_params.lists():
        if any("\x00" in value for value in values):
            raise ValidationError({name: ["Must not contain a NUL character."]})


class KnownParametersFilterBackend(DjangoFilterBackend):
    """django-filter's backend, naming the parameters it reads so the view can refuse others."""

    def known_parameters(self, view, queryset) -> set[str]:
        filterset_class = self.get_filterset_class(view, queryset)
        return set(filterset_class.base_filters) if filterset_class else set()


class RecordViewSetMixin:
    """The parameter rules of every API viewset.

    A list reads its FilterSet's filters and its paginator's parameters; a detail or nested view
    reads only what it declares. Anything else is a 400 naming it: otherwise a misspelt filter
    (?agreements=irs-ice-mou) answers with the whole unfiltered list, which a script cannot tell
    from a filtered one, and a list filter on a detail URL would turn into a 404.
    """

    filter_backends = [KnownParametersFilterBackend]
    # Actions that are paginated lists and read the paginator's parameters.
    paged_actions: frozenset[str] = frozenset({"list"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_path_values(kwargs)
        check_query_parameters(request, self.known_query_parameters())

    def known_query_parameters(self) -> set[str]:
        known = {api_settings.URL_FORMAT_OVERRIDE}
        if self.action == "list":
            for backend in self.filter_backends:
                if hasattr(backend, "known_parameters"):
                    known |= backend().known_parameters(self, self.get_queryset())
        if self.action in self.paged_actions and self.paginator is not None:
            known |= paginator_parameters(self.paginator)
        return known

    def filter_queryset(self, queryset):
        # A detail URL names one record: list filters have no say in whether it exists.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
