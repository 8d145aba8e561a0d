"""GET /api/v1/search/: JSON results, JSON errors, documented in the schema."""

import json

import pytest
from django.urls import reverse

from tests.api_errors import errors_by_parameter

URL = reverse("api:search")


def test_counts_every_type_and_returns_the_best_of_each(api_client, corpus):
    body = api_client.get(URL, {"q": "memorandum"}).json()
    counts = {c["type"]: c["count"] for c in body["counts"]}
    assert counts == {
        "agreement": 1,
        "actor": 0,
        "challenge": 0,
        "event": 1,
        "statement": 1,
        "article": 0,
    }
    first = body["results"][0]
    assert first["type"] == "agreement"
    assert first["id"] == corpus["mou"].pk
    assert first["url"] == "http://testserver/agreements/irs-ice-mou/"
    assert body["next"] is None


def test_one_type_pages_with_next_links(api_client, corpus):
    body = api_client.get(URL, {"q": "ITIN", "type": "article"}).json()
    assert [r["id"] for r in body["results"]] == [corpus["itin"].pk, corpus["body_only"].pk]
    assert "<mark>" in body["results"][0]["snippet"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "-ITIN"}, "q"),
        ({"q": "\x00"}, "q"),
        ({"q": '"'}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "ITIN", "type": "planets"}, "type"),
        ({"q": "ITIN", "page": "0"}, "page"),
        ({"q": "ITIN", "date_from": "2025-05-01", "date_to": "2025-04-01"}, "date_to"),
        ({"q": "ITIN", "actor": "nobody"}, "actor"),
        ({"q": "ITIN", "serach": "typo"}, "serach"),
    ],
)
def test_bad_parameters_are_a_400_with_a_json_body_naming_them(api_client, db, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in errors_by_parameter(response)


def test_the_endpoint_is_documented(api_client, db):
    schema = api_client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "type", "agreement", "actor"}
    assert "400" in operation["responses"]


def test_the_lists_search_through_the_index(api_client, corpus):
    articles = api_client.get("/api/v1/articles/", {"search": '"data sharing" -lawsuit'}).json()
    assert [a["id"] for a in articles["results"]] == [corpus["itin"].pk]
    agreements = api_client.get("/api/v1/agreements/", {"search": "taxpayer"}).json()
    assert [a["slug"] for a in agreements["results"]] == ["irs-ice-mou"]


def test_a_refused_list_search_is_a_400(api_client, db):
    response = api_client.get("/api/v1/articles/", {"search": "-ITIN"})
    assert response.status_code == 400
    assert "search" in errors_by_parameter(response)


def test_every_record_list_searches_through_the_index_with_the_box_syntax(api_client, corpus):
    from tests.factories import LegalChallengeFactory

    case = LegalChallengeFactory(caption="Centro v. Bessent", docket_number="25-cv-0677")

    def found(resource, text, key="id"):
        body = api_client.get(f"/api/v1/{resource}/", {"search": text}).json()
        return [row[key] for row in body["results"]]

    assert found("actors", "IRS", "slug") == ["irs"]  # by its alias
    assert found("actors", "Noem -Kristi", "slug") == []
    assert found("challenges", "Bessent", "slug") == [case.slug]
    assert found("events", '"memorandum signed"') == [corpus["mou"].events.get().pk]
    assert found("events", "memorandum -Noem") == []
    assert found("statements", "privacy OR visas") == [corpus["statement"].pk]
    assert found("statements", '"privacy memorandum"') == []


@pytest.mark.parametrize("resource", ["actors", "challenges", "events", "statements"])
def test_a_refused_search_on_any_record_list_is_a_400(api_client, db, resource):
    response = api_client.get(f"/api/v1/{resource}/", {"search": "-ITIN"})
    assert response.status_code == 400
    assert "search" in errors_by_parameter(response)


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"q": "ITIN", "actor": "nobody"}, "actor", "invalid_choice"),
        (
            {"q": "ITIN", "date_from": "2025-05-01", "date_to": "2025-04-01"},
            "date_to",
            "invalid_range",
        ),
    ],
)
def test_a_refusal_keeps_the_code_of_its_error(api_client, db, params, field, code):
    response = api_client.get(URL, params)

    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_the_400_is_documented_in_the_one_error_shape(api_client, db):
    schema = api_client.get(reverse("api-schema"), {"format": "json"}).json()
    response = schema["paths"]["/api/v1/search/"]["get"]["responses"]["400"]

    assert "schema" in response["content"]["application/json"]
    page = next(
        p for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"] if p["name"] == "page"
    )
    assert page["schema"]["minimum"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"q": "memorandum"},  # every type, dated and undated hits
        {"q": "ITIN", "type": "article"},  # one type: snippets with <mark>
        {"q": "ITIN", "type": "article", "page": 2},  # a previous link, no results
        {"q": "Noam"},  # name matches only (on PostgreSQL; nothing on SQLite)
    ],
)
def test_the_response_is_what_the_documented_serializer_gives(api_client, corpus, params):
    """The endpoint writes its JSON without DRF's serializers (for speed); the serializers
    document it in the schema, so the two must give the same output, field for field."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from apps.search.api.serializers import SearchResponseSerializer
    from apps.search.forms import SearchForm
    from apps.search.selectors import search

    body = api_client.get(URL, params).json()
    request = Request(APIRequestFactory().get(URL, params))
    form = SearchForm(request.query_params)
    assert form.is_valid()
    documented = SearchResponseSerializer(
        search(**form.search_arguments()), context={"request": request}
    ).data
    assert body == json.loads(json.dumps(documented))
