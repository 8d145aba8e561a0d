"""The OpenAPI schema and its Swagger UI: valid OpenAPI 3, every endpoint described, responses
that match their described shapes, and docs that work without a CDN."""

import datetime
import io
import json

import jsonschema
import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from apps.news.models import ArticleLink
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_openapi_3_with_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/agreements/",
        "/api/v1/agreements/{slug}/",
        "/api/v1/agreements/{slug}/timeline/",
        "/api/v1/agreements/{slug}/positions/",
        "/api/v1/agreements/{slug}/statements/",
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/feeds/",
        "/api/v1/feeds/{id}/",
    } <= set(schema["paths"])


def test_schema_describes_the_filters(schema):
    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    agreements = parameters("/api/v1/agreements/")
    assert {"status", "kind", "topic", "actor", "updated_since", "search", "ordering"} <= set(
        agreements
    )
    assert "bogus" not in agreements["status"]["schema"]["enum"]
    assert "in_effect" in agreements["status"]["schema"]["enum"]
    articles = parameters("/api/v1/articles/")
    assert {"agreement", "link_status", "published_after", "published_before", "cursor"} <= set(
        articles
    )
    assert "page" not in articles
    # The timeline is paged, and has no filters.
    timeline = parameters("/api/v1/agreements/{slug}/timeline/")
    assert set(timeline) == {"slug", "format", "page", "page_size"}
    statements = parameters("/api/v1/agreements/{slug}/statements/")
    assert set(statements) == {"slug", "format", "page", "page_size", "position"}


def test_schema_generates_without_warnings():
    # A warning means a part of the schema was guessed (a field typed as string by default).
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO())


def to_json_schema(node):
    """OpenAPI 3.0 says `nullable: true` where JSON Schema says "or null". And a blank URL field
    is described as oneOf(uri, empty string): jsonschema does not check the uri format, so ''
    would match both branches and fail oneOf; anyOf keeps the meaning without that artefact."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        ("anyOf" if key == "oneOf" else key): to_json_schema(value) for key, value in node.items()
    }
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def validate(instance, schema, component, *, many=False):
    reference = {"$ref": f"#/components/schemas/{component}"}
    document = {
        **(({"type": "array", "items": reference}) if many else reference),
        "components": to_json_schema(schema["components"]),
    }
    jsonschema.validate(instance, document)


@pytest.fixture
def agreement():
    agreement = AgreementFactory(slug="irs-ice-mou")
    PartyFactory(agreement=agreement, signed_by=PersonFactory())
    StatementFactory(position=PositionFactory(agreement=agreement))
    StatementFactory(position=PositionFactory(agreement=agreement), source=None)
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    EventFactory(agreement=agreement, sources=[ArticleFactory(outlet=None)])
    EventFactory(agreement=None, challenge=challenge, date=datetime.date(2025, 5, 1))
    ArticleLinkFactory(agreement=agreement, status=ArticleLink.Status.CONFIRMED)
    return agreement


def test_timeline_response_matches_its_schema(api_client, schema, agreement):
    events = api_client.get(reverse("api:agreement-timeline", kwargs={"slug": agreement.slug}))

    assert len(events.json()["results"]) == 2
    validate(events.json(), schema, "PaginatedTimelineEventList")


def test_statements_and_positions_responses_match_their_schemas(api_client, schema, agreement):
    kwargs = {"slug": agreement.slug}
    statements = api_client.get(reverse("api:agreement-statements", kwargs=kwargs)).json()
    positions = api_client.get(reverse("api:agreement-positions", kwargs=kwargs)).json()

    assert (statements["count"], positions["count"]) == (2, 2)
    validate(statements, schema, "PaginatedAgreementStatementList")
    validate(positions, schema, "PaginatedPositionList")


def test_a_wrong_timeline_entry_fails_the_schema(api_client, schema, agreement):
    events = api_client.get(reverse("api:agreement-timeline", kwargs={"slug": agreement.slug}))
    broken = events.json()
    broken["results"][0]["sourced"] = "yes"

    with pytest.raises(jsonschema.ValidationError):
        validate(broken, schema, "PaginatedTimelineEventList")


def test_agreement_responses_match_their_schemas(api_client, schema, agreement):
    listing = api_client.get(reverse("api:agreement-list")).json()
    detail = api_client.get(reverse("api:agreement-detail", kwargs={"slug": agreement.slug}))

    validate(listing, schema, "PaginatedAgreementListList")
    validate(detail.json(), schema, "AgreementDetail")


def test_article_list_matches_its_schema(api_client, schema, agreement):
    ArticleURLFactory(article=ArticleFactory(near_duplicate_of=ArticleFactory(), outlet=None))

    listing = api_client.get(reverse("api:article-list")).json()

    assert len(listing["results"]) >= 3
    validate(listing, schema, "PaginatedArticleList")


def test_schema_is_served_as_json_too(client):
    response = client.get(reverse("api-schema"), {"format": "json"})

    assert json.loads(response.content)["openapi"].startswith("3.")


def test_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get(reverse("api-docs"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn.jsdelivr.net" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_schema_tells_a_client_how_article_pages_work(schema):
    # What a generated client reads: an optional opaque cursor, a page size of 50 by default and
    # at most 200, and next/previous links that are absent (null) at either end.
    operation = schema["paths"]["/api/v1/articles/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}

    assert parameters["cursor"] == {
        "name": "cursor",
        "required": False,
        "in": "query",
        "description": "Opaque position, taken from a response's next or previous link.",
        "schema": {"type": "string"},
    }
    assert parameters["page_size"] == {
        "name": "page_size",
        "required": False,
        "in": "query",
        "description": "Articles per page, from 1 to 200 (default 50).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    }
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]]
    link = {"type": "string", "format": "uri", "nullable": True}
    assert page["required"] == ["next", "previous", "results"]
    assert page["properties"]["next"] == link
    assert page["properties"]["previous"] == link
    assert page["properties"]["results"]["type"] == "array"
