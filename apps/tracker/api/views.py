"""Read API over the curated record: agreements with their timelines, actors with their
statements, legal challenges with their timelines, events, statements, positions and topics."""

from collections import Counter

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ..filtersets import (
    ActorFilterSet,
    AgreementFilterSet,
    EventFilterSet,
    LegalChallengeFilterSet,
    PositionFilterSet,
    StatementFilterSet,
    TopicFilterSet,
)
from ..models import Actor, Agreement, Event, LegalChallenge, Position, Statement, Topic
from ..querysets import positions_with_first_statements
from .filters import RecordViewSetMixin
from .pagination import NewestEventsPagination, NewestStatementsPagination
from .serializers import (
    ActorSerializer,
    AgreementDetailSerializer,
    AgreementListSerializer,
    AgreementStatementSerializer,
    EventSerializer,
    EventWriteSerializer,
    LegalChallengeSerializer,
    PositionRecordSerializer,
    PositionSerializer,
    PositionWriteSerializer,
    StatementRecordSerializer,
    StatementWriteSerializer,
    TimelineEventSerializer,
    TopicSerializer,
)

TIMELINE_DESCRIPTION = (
    "oldest first (date, then date precision, then curator's sequence, then id), a page of "
    "100 at a time (page_size up to 200): follow `next`."
)


class RecordInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "protected"
    default_detail = "Other records refer to this one."


def refusal_to_delete(instance, error: ProtectedError | RestrictedError) -> RecordInUse:
    """A 409 that says what still refers to the record, as admin's delete page does."""
    counts = Counter(type(row)._meta for row in error.args[1])
    referrers = ", ".join(
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in sorted(counts.items(), key=lambda item: item[0].model_name)
    )
    name = type(instance)._meta.verbose_name
    verb = "refers" if sum(counts.values()) == 1 else "refer"
    return RecordInUse(
        f"This {name} cannot be deleted: {referrers} {verb} to it. Delete or reassign them first."
    )


class CuratedWriteMixin(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin):
    """Create (POST), update (PUT/PATCH) and delete (DELETE) for curators: a token whose user
    has the model's add, change or delete permission. The write shape names related records by
    slug or id and refuses fields it does not take; the answer is the read shape. The model's
    own save and delete run, as in admin, and its history records the user (DRF sets
    request.user, which django-simple-history reads). A record that others still refer to is
    not deleted: 409, naming what refers to it."""

    write_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return super().get_serializer_class()

    def _read_shape(self, instance, status_code):
        instance = self.get_queryset().get(pk=instance.pk)
        read = self.serializer_class(instance, context=self.get_serializer_context())
        return Response(read.data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._read_shape(serializer.save(), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self._read_shape(serializer.save(), status.HTTP_200_OK)

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as error:
            raise refusal_to_delete(instance, error) from error


def write_schema(read_serializer):
    """The schema of a curated write: the write shape in, the read shape out."""
    return extend_schema_view(
        create=extend_schema(responses={201: read_serializer}),
        update=extend_schema(responses=read_serializer),
        partial_update=extend_schema(responses=read_serializer),
        destroy=extend_schema(responses={204: None}),
    )


class SubResourcePagination(PageNumberPagination):
    """Pages of one record's long collection: 100 rows by default, at most 200, so a page
    stays well under a megabyte even for the largest record."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 200


class AgreementViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Tracked agreements: parties, stakeholders and their statements, legal challenges and the
    confirmed articles about each. A detail caps its long collections; their sub-resources
    (timeline, positions, statements) page through all of them."""

    lookup_field = "slug"
    filterset_class = AgreementFilterSet
    paged_actions = frozenset({"list", "timeline", "positions", "statements"})

    def get_queryset(self):
        if self.action == "retrieve":
            return Agreement.objects.for_api_detail()
        if self.action in ("timeline", "positions", "statements"):
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

    def known_query_parameters(self) -> set[str]:
        known = super().known_query_parameters()
        if self.action == "statements":
            known.add("position")
        return known

    def _page_of(self, rows, **context):
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page, many=True)
        serializer.context.update(context)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Timeline of an agreement",
        description=(
            "Every event of the agreement and of the legal challenges against it, "
            + TIMELINE_DESCRIPTION
        ),
        responses=TimelineEventSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=SubResourcePagination)
    def timeline(self, request, slug=None):
        events = Event.objects.timeline_of_agreement(self.get_object())
        return self._page_of(events)

    @extend_schema(
        summary="Stakeholder positions on an agreement",
        description="Every position, by actor name, each with its first statements.",
        responses=PositionSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=SubResourcePagination)
    def positions(self, request, slug=None):
        agreement = self.get_object()
        positions = positions_with_first_statements(
            Position.objects.filter(agreement=agreement).select_related("actor")
        ).order_by("actor__name", "id")
        return self._page_of(positions, agreement_slug=agreement.slug)

    @extend_schema(
        summary="Statements on an agreement",
        description="Every statement on the agreement's positions, oldest first.",
        responses=AgreementStatementSerializer(many=True),
        filters=False,
        parameters=[
            OpenApiParameter("position", int, description="Id of one of the agreement's positions.")
        ],
    )
    @action(detail=True, pagination_class=SubResourcePagination)
    def statements(self, request, slug=None):
        agreement = self.get_object()
        statements = (
            Statement.objects.filter(position__agreement=agreement)
            .for_position_listing()
            .select_related("position__actor")
        )
        position = request.query_params.get("position")
        if position is not None:
            if not position.isdigit() or not 0 < int(position) <= 2**63 - 1:
                raise ValidationError({"position": ["A position id is a whole number from 1."]})
            statements = statements.filter(position_id=int(position))
        return self._page_of(statements)


class ActorViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Everyone who acts in the record: agencies, departments, people, organisations, courts,
    committees; with their aliases and parent body."""

    lookup_field = "slug"
    filterset_class = ActorFilterSet
    paged_actions = frozenset({"list", "statements"})

    def get_queryset(self):
        return Actor.objects.for_api()

    def get_serializer_class(self):
        if self.action == "statements":
            return StatementRecordSerializer
        return ActorSerializer

    @extend_schema(
        summary="Statements an actor made",
        description=(
            "Every statement the actor made, on its own positions or speaking for another "
            "stakeholder, newest first; follow `next` for more."
        ),
        responses=StatementRecordSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=NewestStatementsPagination, filter_backends=[])
    def statements(self, request, slug=None):
        actor = self.get_object()
        statements = Statement.objects.for_api().filter(speaker=actor)
        page = self.paginate_queryset(statements)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class LegalChallengeViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Lawsuits against tracked agreements: court, docket, status, the agreements they
    challenge and their parties by role."""

    lookup_field = "slug"
    filterset_class = LegalChallengeFilterSet
    paged_actions = frozenset({"list", "timeline"})

    def get_queryset(self):
        return LegalChallenge.objects.for_api()

    def get_serializer_class(self):
        if self.action == "timeline":
            return TimelineEventSerializer
        return LegalChallengeSerializer

    @extend_schema(
        summary="Timeline of a legal challenge",
        description="Every event of the case, " + TIMELINE_DESCRIPTION,
        responses=TimelineEventSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=SubResourcePagination)
    def timeline(self, request, slug=None):
        events = Event.objects.timeline_of_challenge(self.get_object())
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@write_schema(EventSerializer)
class EventViewSet(RecordViewSetMixin, CuratedWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Every dated entry of every timeline, newest first (date, then id), with its sources.
    Pages by cursor: follow `next`."""

    serializer_class = EventSerializer
    write_serializer_class = EventWriteSerializer
    filterset_class = EventFilterSet
    pagination_class = NewestEventsPagination

    def get_queryset(self):
        return Event.objects.for_api()


@write_schema(StatementRecordSerializer)
class StatementViewSet(RecordViewSetMixin, CuratedWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Quotes and paraphrases, newest first (undated last), with speaker, stakeholder,
    agreement and source. Pages by cursor: follow `next`."""

    serializer_class = StatementRecordSerializer
    write_serializer_class = StatementWriteSerializer
    filterset_class = StatementFilterSet
    pagination_class = NewestStatementsPagination

    def get_queryset(self):
        return Statement.objects.for_api()


@write_schema(PositionRecordSerializer)
class PositionViewSet(RecordViewSetMixin, CuratedWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Stakeholders' stances on agreements (supports, opposes, concerned, neutral, unclear)."""

    serializer_class = PositionRecordSerializer
    write_serializer_class = PositionWriteSerializer
    filterset_class = PositionFilterSet

    def get_queryset(self):
        return Position.objects.for_api()


class TopicViewSet(RecordViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Topics agreements are filed under; each links to its agreements."""

    lookup_field = "slug"
    serializer_class = TopicSerializer
    filterset_class = TopicFilterSet

    def get_queryset(self):
        return Topic.objects.order_by("name", "id")
