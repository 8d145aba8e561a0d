"""Keyset pagination for the article list: newest first, stable while articles keep arriving.

DRF's CursorPagination keys on the first ordering field alone and cannot represent an empty one,
so an article without a publication date would break it. Here the cursor holds the full key
(published_at, id): dated articles come newest first, then undated ones newest-id first, and each
page is one or two index-ordered queries however deep the reader goes.
"""

import base64
import binascii
import json
from collections import namedtuple

from django.db.models import Q, prefetch_related_objects
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

Cursor = namedtuple("Cursor", ["published_at", "pk", "reverse"])


class NewestArticlesPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 200
    invalid_cursor_message = "Invalid cursor: use the next or previous link of a response."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        page_size = self.get_page_size(request)
        cursor = self.decode_cursor(request)

        # Prefetch once for the whole page rather than once per query that fills it.
        lookups = queryset._prefetch_related_lookups
        queryset = queryset.prefetch_related(None)
        dated = queryset.filter(published_at__isnull=False)
        undated = queryset.filter(published_at__isnull=True)

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

    @staticmethod
    def _rows_after(dated, undated, cursor, limit):
        """Up to `limit` articles following the cursor, in list order."""
        if cursor is not None and cursor.published_at is None:
            return list(undated.filter(pk__lt=cursor.pk).order_by("-pk")[:limit])
        if cursor is not None:
            at = cursor.published_at
            # The first condition bounds the index range; the second is the tie-break.
            dated = dated.filter(published_at__lte=at).filter(
                Q(published_at__lt=at) | Q(pk__lt=cursor.pk)
            )
        rows = list(dated.order_by("-published_at", "-pk")[:limit])
        if len(rows) < limit:
            rows += undated.order_by("-pk")[: limit - len(rows)]
        return rows

    @staticmethod
    def _rows_before(dated, undated, cursor, limit):
        """Up to `limit` articles preceding the cursor, nearest first."""
        if cursor.published_at is None:
            rows = list(undated.filter(pk__gt=cursor.pk).order_by("pk")[:limit])
            if len(rows) < limit:
                rows += dated.order_by("published_at", "pk")[: limit - len(rows)]
            return rows
        at = cursor.published_at
        dated = dated.filter(published_at__gte=at).filter(
            Q(published_at__gt=at) | Q(pk__gt=cursor.pk)
        )
        return list(dated.order_by("published_at", "pk")[:limit])

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        # Zero or a typo must not quietly become some other size: a client looping on `next`
        # would never learn why its pages look wrong. Above the maximum is capped, as DRF does.
        if not value.isdecimal() or int(value) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return min(int(value), self.max_page_size)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            published_at = parse_datetime(data["p"]) if data["p"] is not None else None
            if data["p"] is not None and published_at is None:
                raise ValueError(data["p"])
            cursor = Cursor(published_at, int(data["i"]), bool(data["r"]))
        except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError):
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None
        return cursor

    def encode_cursor(self, article, *, reverse):
        published_at = article.published_at.isoformat() if article.published_at else None
        data = {"p": published_at, "i": article.pk, "r": int(reverse)}
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
            "required": ["results"],
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
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Articles per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "default": self.page_size},
            },
        ]
