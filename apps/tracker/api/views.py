"""Read-only API over the curated record: agreements, their detail and their timelines."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..filtersets import AgreementFilterSet
from ..models import Agreement, Event
from .filters import RecordViewSetMixin
from .serializers import AgreementDetailSerializer, AgreementListSerializer, TimelineEventSerializer


class AgreementViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Tracked agreements: parties, stakeholders and their statements, legal challenges and the
    confirmed articles about each."""

    lookup_field = "slug"
    filterset_class = AgreementFilterSet

    def get_queryset(self):
        if self.action == "retrieve":
            return Agreement.objects.for_api_detail()
        if self.action == "timeline":
            return Agreement.objects.all()
        return Agreement.objects.for_api_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgreementDetailSerializer
        if self.action == "timeline":
            return TimelineEventSerializer
        return AgreementListSerializer

    @extend_schema(
        summary="Timeline of an agreement",
        description=(
            "Every event of the agreement and of the legal challenges against it, oldest first "
            "(date, then date precision, then curator's sequence, then id). Not paginated: a "
            "timeline is written by hand, event by event, and is read and cited whole."
        ),
        responses=TimelineEventSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def timeline(self, request, slug=None):
        agreement = self.get_object()
        events = Event.objects.timeline_of_agreement(agreement)
        return Response(self.get_serializer(events, many=True).data)
