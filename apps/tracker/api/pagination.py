"""Pagination of every API list: page numbers where a count is cheap, a keyset cursor (newest
first) for the large growing collections. `page_size` is read the same way by both, with one
documented maximum; a value that is not a whole number from 1 to that maximum is a 400.

DRF's CursorPagination keys on the first ordering field alone and cannot represent an empty one,
so a row without a date would break it. The keyset cursor here holds the full key (date, id):
dated rows come newest first, then undated ones newest-id first, and each page is one or two
index-ordered queries however deep the reader goes.
"""

import base64
import binascii
import json
from collections import namedtuple

from django import forms
from django.conf import settings
from django.db.models import Q, prefetch_related_objects
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..filtersets import check_date_or_datetime

MAX_ID = 2**63 - 1  # the largest primary key a bigint column holds


def read_page_size(request, *, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ValidationError({name: [f"Must be a whole number from 1 to {maximum}."]})
    return int(raw)


def page_size_parameter(name: str, *, default: int, maximum: int, what: str) -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": f"{what} per page, from 1 to {maximum} (default {default}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
    }


class NumberedPagination(PageNumberPagination):
    """Page numbers with a count, for collections small enough to count cheaply."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        return read_page_size(
            request,
            name=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        valid = raw is None or raw in self.last_page_strings
        if not valid and (not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID):
            message = "A page number from 1, or 'last'."
            raise ValidationError({self.page_query_param: [message]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number from 1; beyond the last page is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            page_size_parameter(
                self.page_size_query_param,
                default=self.page_size,
                maximum=self.max_page_size,
                what="Results",
            ),
        ]


Cursor = namedtuple("Cursor", ["key", "pk", "reverse"])


class NewestFirstPagination(BasePagination):
    """Keyset pagination newest first on (key_field, id), for a nullable date or datetime."""

    key_field: str = "published_at"
    key_is_datetime: bool = True
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    invalid_cursor_message = "Invalid cursor: use the next or previous link of a response."
    what = "Results"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        page_size = read_page_size(
            request,
            name=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )
        cursor = self.decode_cursor(request)

        # Prefetch once for the whole page rather than once per query that fills it.
        lookups = queryset._prefetch_related_lookups
        queryset = queryset.prefetch_related(None)
        dated = queryset.filter(**{f"{self.key_field}__isnull": False})
        undated = queryset.filter(**{f"{self.key_field}__isnull": True})

        if cursor is None or not cursor.reverse:
            rows = self._rows_after(dated, undated, cursor, page_size + 1)
            self.has_next = len(rows) > page_size
            self.has_previous = cursor is not None
            rows = rows[:page_size]
        else:
            rows = self._rows_before(dated, undated, cursor, page_size + 1)
            self.has_previous = len(rows) > page_size
            self.has_next = True
            rows = rows[:page_size][::-1]
        prefetch_related_objects(rows, *lookups)
        self.page = rows
        return rows

    def _rows_after(self, dated, undated, cursor, limit):
        """Up to `limit` rows following the cursor, in list order."""
        key = self.key_field
        if cursor is not None and cursor.key is None:
            return list(undated.filter(pk__lt=cursor.pk).order_by("-pk")[:limit])
        if cursor is not None:
            # The first condition bounds the index range; the second is the tie-break.
            dated = dated.filter(**{f"{key}__lte": cursor.key}).filter(
                Q(**{f"{key}__lt": cursor.key}) | Q(pk__lt=cursor.pk)
            )
        rows = list(dated.order_by(f"-{key}", "-pk")[:limit])
        if len(rows) < limit:
            rows += undated.order_by("-pk")[: limit - len(rows)]
        return rows

    def _rows_before(self, dated, undated, cursor, limit):
        """Up to `limit` rows preceding the cursor, nearest first."""
        key = self.key_field
        if cursor.key is None:
            rows = list(undated.filter(pk__gt=cursor.pk).order_by("pk")[:limit])
            if len(rows) < limit:
                rows += dated.order_by(key, "pk")[: limit - len(rows)]
            return rows
        dated = dated.filter(**{f"{key}__gte": cursor.key}).filter(
            Q(**{f"{key}__gt": cursor.key}) | Q(pk__gt=cursor.pk)
        )
        return list(dated.order_by(key, "pk")[:limit])

    def _parse_key(self, raw):
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ValueError(raw)
        key = parse_datetime(raw) if self.key_is_datetime else parse_date(raw)
        if key is None:
            raise ValueError(raw)
        try:
            return check_date_or_datetime(key)
        except forms.ValidationError as error:
            raise ValueError(raw) from error

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            if not isinstance(data, dict):
                raise ValueError(data)
            pk, reverse = data["i"], data["r"]
            # JSON allows Infinity, 1e400 and 10**30; a primary key is a whole number in range.
            if type(pk) is not int or not 0 < pk <= MAX_ID or reverse not in (0, 1):
                raise ValueError(data)
            return Cursor(self._parse_key(data["p"]), pk, bool(reverse))
        except (binascii.Error, ValueError, TypeError, KeyError, RecursionError):
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None

    def encode_cursor(self, row, *, reverse):
        key = getattr(row, self.key_field)
        data = {"p": key.isoformat() if key else None, "i": row.pk, "r": int(reverse)}
        encoded = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        return replace_query_param(self.base_url, self.cursor_query_param, encoded.decode("ascii"))

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.page:
            # An empty page reached backwards: the next page starts from the top.
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(self.page[-1], reverse=False)

    def get_previous_link(self):
        if not self.has_previous or not self.page:
            return None
        return self.encode_cursor(self.page[0], reverse=True)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position, taken from a response's next or previous link.",
                "schema": {"type": "string"},
            },
            page_size_parameter(
                self.page_size_query_param,
                default=self.page_size,
                maximum=self.max_page_size,
                what=self.what,
            ),
        ]


class NewestEventsPagination(NewestFirstPagination):
    key_field = "date"
    key_is_datetime = False
    what = "Events"


class NewestStatementsPagination(NewestFirstPagination):
    key_field = "said_on"
    key_is_datetime = False
    what = "Statements"
