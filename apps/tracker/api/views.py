"""Read-only API over the curated record: agreements, their detail, and the paginated
sub-resources that hold their long collections (timeline, positions, statements)."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination

from ..filtersets import AgreementFilterSet
from ..models import Agreement, Event, Position, Statement
from ..querysets import positions_with_first_statements
from .filters import KnownParametersFilterBackend
from .serializers import (
    AgreementDetailSerializer,
    AgreementListSerializer,
    AgreementStatementSerializer,
    PositionSerializer,
    TimelineEventSerializer,
)


class SubResourcePagination(PageNumberPagination):
    """Pages of one record's long collection: 100 rows by default, at most 200, so a page
    stays well under a megabyte even for the largest record."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 200


class AgreementStatementFilterSet(django_filters.FilterSet):
    position = django_filters.NumberFilter(
        field_name="position", help_text="Id of one of the agreement's positions."
    )

    class Meta:
        model = Statement
        fields = ["position"]


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Tracked agreements: parties, stakeholders and their statements, legal challenges and the
    confirmed articles about each."""

    lookup_field = "slug"
    filter_backends = [KnownParametersFilterBackend]
    filterset_class = AgreementFilterSet

    def get_queryset(self):
        if self.action == "retrieve":
            return Agreement.objects.for_api_detail()
        if self.action == "statements":
            # The sub-resource's rows are statements, so its FilterSet filters them.
            return (
                Statement.objects.filter(position__agreement__slug=self.kwargs.get("slug"))
                .for_position_listing()
                .select_related("position__actor")
            )
        if self.action in ("timeline", "positions"):
            return Agreement.objects.all()
        return Agreement.objects.for_api_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgreementDetailSerializer
        if self.action == "timeline":
            return TimelineEventSerializer
        if self.action == "positions":
            return PositionSerializer
        if self.action == "statements":
            return AgreementStatementSerializer
        return AgreementListSerializer

    def _page_of(self, rows, **context):
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page, many=True)
        serializer.context.update(context)
        return self.get_paginated_response(serializer.data)

    def _agreement(self):
        # The sub-resources filter their own rows, not the agreements: look the agreement up
        # without the list's filter backends.
        backends, self.filter_backends = self.filter_backends, []
        try:
            return self.get_object()
        finally:
            self.filter_backends = backends

    @extend_schema(
        summary="Timeline of an agreement",
        description=(
            "Every event of the agreement and of the legal challenges against it, oldest first "
            "(date, then date precision, then curator's sequence, then id), a page at a time."
        ),
        responses=TimelineEventSerializer(many=True),
    )
    @action(
        detail=True,
        pagination_class=SubResourcePagination,
        filter_backends=[KnownParametersFilterBackend],
        filterset_class=None,
    )
    def timeline(self, request, slug=None):
        events = Event.objects.timeline_of_agreement(self._agreement())
        return self._page_of(events)

    @extend_schema(
        summary="Stakeholder positions on an agreement",
        description="Every position, by actor name, each with its first statements.",
        responses=PositionSerializer(many=True),
    )
    @action(
        detail=True,
        pagination_class=SubResourcePagination,
        filter_backends=[KnownParametersFilterBackend],
        filterset_class=None,
    )
    def positions(self, request, slug=None):
        agreement = self._agreement()
        positions = positions_with_first_statements(
            Position.objects.filter(agreement=agreement).select_related("actor")
        ).order_by("actor__name", "id")
        return self._page_of(positions, agreement_slug=agreement.slug)

    @extend_schema(
        summary="Statements on an agreement",
        description="Every statement on the agreement's positions, oldest first.",
        responses=AgreementStatementSerializer(many=True),
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        pagination_class=SubResourcePagination,
        filter_backends=[KnownParametersFilterBackend],
        filterset_class=AgreementStatementFilterSet,
    )
    def statements(self, request, slug=None):
        get_object_or_404(Agreement, slug=slug)
        return self._page_of(self.filter_queryset(self.get_queryset()))
