"""Read-only JSON shapes of the curated record. The list shape of an agreement is a summary; the
detail shape adds everything its page shows except the timeline, which has its own endpoint."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from apps.news.api.serializers import ArticleSourceSerializer, ConfirmedArticleSerializer

from ..models import (
    Actor,
    Agreement,
    AgreementDocument,
    ChallengeParty,
    DatePrecision,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
    format_date_with_precision,
)
from .writable_fields import WritableFieldsOnlyMixin


class ActorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind"]


class PartySummarySerializer(serializers.ModelSerializer):
    actor = ActorSummarySerializer()

    class Meta:
        model = Party
        fields = ["actor", "role"]


class PartySerializer(serializers.ModelSerializer):
    actor = ActorSummarySerializer()
    signed_by = ActorSummarySerializer(allow_null=True)

    class Meta:
        model = Party
        fields = ["actor", "role", "signed_by", "signed_on"]


class LatestEventSerializer(serializers.Serializer):
    """The newest entry of an agreement's timeline, as the agreement's row keeps it."""

    id = serializers.IntegerField()
    date = serializers.DateField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    display_date = serializers.CharField()
    title = serializers.CharField()


class AgreementListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-detail", lookup_field="slug"
    )
    timeline_url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-timeline", lookup_field="slug"
    )
    html_url = serializers.SerializerMethodField()
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    parties = PartySummarySerializer(many=True)
    latest_event = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "url",
            "timeline_url",
            "html_url",
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "announced_on",
            "signed_on",
            "effective_on",
            "expires_on",
            "topics",
            "parties",
            "latest_event",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, agreement) -> str:
        return self.context["request"].build_absolute_uri(agreement.get_absolute_url())

    @extend_schema_field(LatestEventSerializer(allow_null=True))
    def get_latest_event(self, agreement):
        if agreement.latest_event_id is None:
            return None
        return {
            "id": agreement.latest_event_id,
            "date": agreement.latest_event_date,
            "date_precision": agreement.latest_event_precision,
            "display_date": format_date_with_precision(
                agreement.latest_event_date, agreement.latest_event_precision
            ),
            "title": agreement.latest_event_title,
        }


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementDocument
        fields = ["title", "url", "published_on"]


class StatementSerializer(serializers.ModelSerializer):
    speaker = ActorSummarySerializer()
    source = ArticleSourceSerializer(allow_null=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "speaker",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source",
            "source_url",
        ]


def _absolute(serializer, name: str, slug: str, query: str = "") -> str:
    """An absolute URL of this API by route name; reverse() once per call, not per row."""
    return serializer.context["request"].build_absolute_uri(
        reverse(name, kwargs={"slug": slug}) + query
    )


def _permalink(serializer, route: str, pk: int) -> str:
    """The absolute URL of an event's or statement's own page, as its HTML "Cite this" gives
    it; reversed once per response and route, not once per row."""
    marker = "987654321"
    parts = serializer.context.setdefault("permalink_parts", {})
    if route not in parts:
        url = reverse(route, kwargs={"pk": marker})
        parts[route] = serializer.context["request"].build_absolute_uri(url).split(marker)
    prefix, suffix = parts[route]
    return f"{prefix}{pk}{suffix}"


class PositionSerializer(serializers.ModelSerializer):
    """A stakeholder's position with its first statements (at most
    STATEMENTS_PER_POSITION_CAP); `statements_url` pages through all `statements_count`."""

    actor = ActorSummarySerializer()
    statements = StatementSerializer(many=True)
    statements_count = serializers.IntegerField(read_only=True)
    statements_url = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "id",
            "actor",
            "stance",
            "summary",
            "statements_count",
            "statements_url",
            "statements",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_statements_url(self, position) -> str:
        slug = self.context["agreement_slug"]
        return _absolute(self, "api:agreement-statements", slug, f"?position={position.pk}")


class PositionSummarySerializer(serializers.ModelSerializer):
    actor = ActorSummarySerializer()

    class Meta:
        model = Position
        fields = ["id", "actor", "stance"]


class AgreementStatementSerializer(StatementSerializer):
    """A statement as the agreement's statements endpoint pages through them."""

    position = PositionSummarySerializer()

    class Meta(StatementSerializer.Meta):
        fields = ["position", *StatementSerializer.Meta.fields]


class ChallengeSummarySerializer(serializers.ModelSerializer):
    court = ActorSummarySerializer(allow_null=True)

    class Meta:
        model = LegalChallenge
        fields = ["caption", "slug", "court", "docket_number", "status", "filed_on"]


class AgreementDetailSerializer(AgreementListSerializer):
    """The list shape plus the record's collections. Long ones are capped (see
    apps/tracker/querysets.py): each comes with its full count and the URL that pages through
    it, so the response stays small whatever the size of the record."""

    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    documents = DocumentSerializer(many=True)
    parties = PartySerializer(many=True)
    positions_count = serializers.IntegerField(read_only=True)
    positions_url = serializers.SerializerMethodField()
    statements_url = serializers.SerializerMethodField()
    positions = serializers.SerializerMethodField()
    challenges_count = serializers.IntegerField(read_only=True)
    challenges = ChallengeSummarySerializer(many=True)
    articles_count = serializers.IntegerField(source="coverage_count", read_only=True)
    articles_url = serializers.SerializerMethodField()
    articles = ConfirmedArticleSerializer(source="confirmed_links", many=True)

    class Meta(AgreementListSerializer.Meta):
        fields = [
            *AgreementListSerializer.Meta.fields,
            "aliases",
            "documents",
            "positions_count",
            "positions_url",
            "statements_url",
            "positions",
            "challenges_count",
            "challenges",
            "articles_count",
            "articles_url",
            "articles",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_positions_url(self, agreement) -> str:
        return _absolute(self, "api:agreement-positions", agreement.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_statements_url(self, agreement) -> str:
        return _absolute(self, "api:agreement-statements", agreement.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_articles_url(self, agreement) -> str:
        url = reverse("api:article-list") + f"?agreement={agreement.slug}&link_status=confirmed"
        return self.context["request"].build_absolute_uri(url)

    @extend_schema_field(PositionSerializer(many=True))
    def get_positions(self, agreement):
        context = {**self.context, "agreement_slug": agreement.slug}
        return PositionSerializer(agreement.positions.all(), many=True, context=context).data


class TimelineEventSerializer(serializers.ModelSerializer):
    display_date = serializers.CharField(read_only=True)
    agreement = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    sources = ArticleSourceSerializer(many=True)
    sourced = serializers.SerializerMethodField()
    permalink = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "date",
            "date_precision",
            "display_date",
            "kind",
            "title",
            "description",
            "agreement",
            "challenge",
            "sources",
            "sourced",
            "permalink",
        ]

    def get_sourced(self, event) -> bool:
        return bool(event.sources.all())

    @extend_schema_field(OpenApiTypes.URI)
    def get_permalink(self, event) -> str:
        return _permalink(self, "tracker:event-detail", event.pk)


# --- The rest of the record: actors, cases, events, statements, positions, topics ------------
# Each resource links to the others by API URL and slug, so a client can follow the record
# without building URLs.


class HtmlUrlMixin(serializers.Serializer):
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, record) -> str:
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


class ActorLinkSerializer(ActorSummarySerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:actor-detail", lookup_field="slug")

    class Meta(ActorSummarySerializer.Meta):
        fields = ["url", *ActorSummarySerializer.Meta.fields]


class AgreementLinkSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:agreement-detail", lookup_field="slug"
    )

    class Meta:
        model = Agreement
        fields = ["url", "slug", "title"]


class ChallengeLinkSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:challenge-detail", lookup_field="slug"
    )

    class Meta:
        model = LegalChallenge
        fields = ["url", "slug", "caption"]


class ActorSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:actor-detail", lookup_field="slug")
    statements_url = serializers.HyperlinkedIdentityField(
        view_name="api:actor-statements", lookup_field="slug"
    )
    parent = ActorLinkSerializer(allow_null=True)
    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Actor
        fields = [
            "url",
            "statements_url",
            "html_url",
            "slug",
            "name",
            "kind",
            "description",
            "parent",
            "aliases",
            "wikidata_qid",
            "website",
            "updated_at",
        ]


class ChallengePartySerializer(serializers.ModelSerializer):
    actor = ActorLinkSerializer()
    represents = ActorLinkSerializer(many=True)

    class Meta:
        model = ChallengeParty
        fields = ["actor", "role", "represents"]


class LegalChallengeSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:challenge-detail", lookup_field="slug"
    )
    timeline_url = serializers.HyperlinkedIdentityField(
        view_name="api:challenge-timeline", lookup_field="slug"
    )
    court = ActorLinkSerializer(allow_null=True)
    agreements = AgreementLinkSerializer(many=True)
    parties = ChallengePartySerializer(many=True)
    aliases = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = LegalChallenge
        fields = [
            "url",
            "timeline_url",
            "html_url",
            "slug",
            "caption",
            "court",
            "docket_number",
            "filed_on",
            "status",
            "summary",
            "agreements",
            "parties",
            "aliases",
            "updated_at",
        ]


class EventSerializer(TimelineEventSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:event-detail")
    agreement = AgreementLinkSerializer(allow_null=True)
    challenge = ChallengeLinkSerializer(allow_null=True)
    actors = ActorLinkSerializer(many=True)

    class Meta(TimelineEventSerializer.Meta):
        fields = ["url", *TimelineEventSerializer.Meta.fields, "actors", "updated_at"]


class StatementRecordSerializer(serializers.ModelSerializer):
    """A statement on its own: who said it, on whose position, about which agreement."""

    url = serializers.HyperlinkedIdentityField(view_name="api:statement-detail")
    speaker = ActorLinkSerializer()
    actor = ActorLinkSerializer(source="position.actor")
    agreement = AgreementLinkSerializer(source="position.agreement")
    stance = serializers.ChoiceField(source="position.stance", choices=Position.Stance.choices)
    position = serializers.HyperlinkedRelatedField(view_name="api:position-detail", read_only=True)
    source = ArticleSourceSerializer(allow_null=True)
    permalink = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "url",
            "id",
            "speaker",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source",
            "source_url",
            "position",
            "actor",
            "agreement",
            "stance",
            "permalink",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_permalink(self, statement) -> str:
        return _permalink(self, "tracker:statement-detail", statement.pk)


class PositionRecordSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:position-detail")
    actor = ActorLinkSerializer()
    agreement = AgreementLinkSerializer()
    statements_url = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "url",
            "id",
            "actor",
            "agreement",
            "stance",
            "summary",
            "statements_url",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_statements_url(self, position) -> str:
        path = reverse("api:statement-list")
        query = f"?actor={position.actor.slug}&agreement={position.agreement.slug}"
        return self.context["request"].build_absolute_uri(path + query)


class TopicSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:topic-detail", lookup_field="slug")
    agreements_url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "url",
            "html_url",
            "agreements_url",
            "slug",
            "name",
            "description",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_agreements_url(self, topic) -> str:
        path = reverse("api:agreement-list") + f"?topic={topic.slug}"
        return self.context["request"].build_absolute_uri(path)


# --- Writes (curators with a token and the model's add/change permission) --------------------


class ModelRulesMixin(WritableFieldsOnlyMixin):
    """Runs the model's own validation (fields, clean, named constraints) before saving, so a
    write that breaks a rule is a 400 with the constraint's message, as in admin, not a 500."""

    many_to_many: tuple[str, ...] = ()

    def validate(self, attrs):
        plain = {k: v for k, v in attrs.items() if k not in self.many_to_many}
        instance = self.instance or self.Meta.model()
        for name, value in plain.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self.many_to_many, validate_unique=True)
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            # A rule of the whole record (Model.clean) is Django's "__all__"; the API names it as
            # every other serializer does.
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from None
        finally:
            if self.instance is not None:
                self.instance.refresh_from_db()
        return attrs


class EventWriteSerializer(ModelRulesMixin, serializers.ModelSerializer):
    many_to_many = ("actors", "sources")
    agreement = serializers.SlugRelatedField(
        slug_field="slug", queryset=Agreement.objects.all(), allow_null=True, required=False
    )
    challenge = serializers.SlugRelatedField(
        slug_field="slug", queryset=LegalChallenge.objects.all(), allow_null=True, required=False
    )
    actors = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), many=True, required=False
    )

    class Meta:
        model = Event
        fields = [
            "date",
            "date_precision",
            "kind",
            "title",
            "description",
            "agreement",
            "challenge",
            "actors",
            "sources",
            "sequence",
        ]


class StatementWriteSerializer(ModelRulesMixin, serializers.ModelSerializer):
    speaker = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())

    class Meta:
        model = Statement
        fields = [
            "position",
            "speaker",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source",
            "source_url",
            "sequence",
        ]


class PositionWriteSerializer(ModelRulesMixin, serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    agreement = serializers.SlugRelatedField(slug_field="slug", queryset=Agreement.objects.all())

    class Meta:
        model = Position
        fields = ["actor", "agreement", "stance", "summary"]
