"""The open data API: the bulk dump's manifest and files, and the changes feed of deletions."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from apps.tracker.api.filters import RecordViewSetMixin, check_query_parameters

from .. import selectors
from ..filtersets import DeletionFilterSet
from .pagination import OldestFirstPagination
from .serializers import DeletionSerializer, DumpSerializer

CONTENT_TYPES = {
    "jsonl": "application/jsonl; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
NO_DUMP = "No dump has been published yet."


class ChangeViewSet(RecordViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records deleted from the public record since a time, oldest first, for clients that
    sync: together with `updated_since` on each resource, what changed since the last sync.
    Pages by cursor: follow `next` until it is null, then keep the newest `deleted_at` seen
    as the next `since` (deletions at that very time come again)."""

    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    pagination_class = OldestFirstPagination

    def get_queryset(self):
        return selectors.deletions()


def _absolute(request, name: str) -> str:
    return request.build_absolute_uri(reverse("api:dump-file", kwargs={"filename": name}))


class DumpView(APIView):
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_parameters(request, {api_settings.URL_FORMAT_OVERRIDE})


class DumpListView(DumpView):
    @extend_schema(
        operation_id="v1_dumps_list",
        summary="The bulk dump of the public record",
        description=(
            "The latest nightly dump's manifest: every resource (rows, columns) and its files "
            "(JSON Lines and CSV), each with its size, SHA-256 and download link. Researchers "
            "load these instead of paging through the API. 404 before the first dump."
        ),
        responses={200: DumpSerializer, 404: ErrorResponse404Serializer},
    )
    def get(self, request):
        dump = selectors.published_dump()
        if dump is None:
            raise NotFound(NO_DUMP)
        _, manifest = dump
        body = {
            "format_version": manifest["format_version"],
            "created_at": manifest["created_at"],
            "manifest_url": _absolute(request, "manifest.json"),
            "resources": manifest["resources"],
            "files": [
                {**file, "url": _absolute(request, file["name"])} for file in manifest["files"]
            ],
        }
        return Response(body)


class DumpFileView(DumpView):
    # A download answers with the file whatever the client accepts; an error is JSON.
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_dumps_file_retrieve",
        summary="Download a file of the bulk dump",
        description=(
            "One file of the current dump, by the name its manifest lists "
            "(`agreements.jsonl`, `agreements.csv`, …, or `manifest.json`). CSV cells that a "
            "spreadsheet would run as a formula start with `'`. The ETag is the file's SHA-256."
        ),
        parameters=[OpenApiParameter("filename", str, OpenApiParameter.PATH)],
        responses={
            (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY),
            404: ErrorResponse404Serializer,
        },
    )
    def get(self, request, filename):
        found = selectors.published_file(filename)
        if found is None:
            raise NotFound(NO_DUMP if selectors.published_dump() is None else "No such file.")
        path, entry = found
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=path.name,
            content_type=CONTENT_TYPES[entry["format"]],
        )
        if "sha256" in entry:
            response["ETag"] = f'"{entry["sha256"]}"'
            answer = get_conditional_response(
                request._request, etag=response["ETag"], response=response
            )
            if answer is not response:  # 304: the file is not sent
                response.close()
            return answer
        return response
