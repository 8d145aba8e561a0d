"""What every API view checks before it reads anything: the query parameters it does not read,
and values no database can take, are a 400 naming the parameter."""

import copy
import hashlib
import itertools
import re

from django.db.models import F
from django.http import StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .pagination import MAX_ID, NewestFirstPagination
from .renderers import CSVRenderer, columns_of, csv_line, row_of

CSV_CHUNK = 500

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


def last_updated(data):
    """The latest `updated_at` among the records of a response body, if they carry one."""
    rows = data.get("results", [data]) if isinstance(data, dict) else data
    stamps = [
        parse_datetime(row["updated_at"])
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("updated_at"), str)
    ]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


class RecordViewSetMixin:
    """The rules every API viewset shares: parameters, CSV, and conditional requests.

    Parameters:
    A list reads its FilterSet's filters and its paginator's parameters; a detail or nested view
    reads only what it declares. Anything else is a 400 naming it: otherwise a misspelt filter
    (?agreements=irs-ice-mou) answers with the whole unfiltered list, which a script cannot tell
    from a filtered one, and a list filter on a detail URL would turn into a 404.
    """

    filter_backends = [KnownParametersFilterBackend]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
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

    # --- CSV ----------------------------------------------------------------------------------

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = context.get("request")
        if request is not None and isinstance(request.accepted_renderer, CSVRenderer):
            # DRF carries ?format= into every link it builds; a CSV's links point at JSON.
            plain = copy.copy(request._request)
            plain.GET = plain.GET.copy()
            plain.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)
            context["request"] = plain
        return context

    def list(self, request, *args, **kwargs):
        """As CSV (?format=csv or Accept: text/csv), a list is the whole filtered collection,
        streamed in chunks so a large export never sits in memory; as JSON, one page."""
        if not isinstance(request.accepted_renderer, CSVRenderer):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if isinstance(self.paginator, NewestFirstPagination):
            key = self.paginator.key_field
            queryset = queryset.order_by(F(key).desc(nulls_last=True), "-pk")
        columns = columns_of(self.get_serializer())

        def lines():
            yield csv_line(columns)
            rows = queryset.iterator(chunk_size=CSV_CHUNK)
            while chunk := list(itertools.islice(rows, CSV_CHUNK)):
                for item in self.get_serializer(chunk, many=True).data:
                    yield csv_line(row_of(item, columns))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}s.csv"'
        return response

    def handle_exception(self, exc):
        # An error is JSON in the API's one error shape, even to a client that asked for CSV.
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    # --- Conditional requests -----------------------------------------------------------------

    def finalize_response(self, request, response, *args, **kwargs):
        """ETag (a digest of the body, so any change, a deletion included, changes it) and
        Last-Modified (the newest updated_at shown) on every successful read; a matching
        If-None-Match or If-Modified-Since answers 304 with no body."""
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        if not (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
        ):
            return response
        response.render()
        etag = '"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
        response["ETag"] = etag
        last_modified = last_updated(response.data)
        timestamp = None
        if last_modified is not None:
            timestamp = int(last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(
            request._request, etag=etag, last_modified=timestamp, response=response
        )
