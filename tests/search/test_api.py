"""GET /api/v1/search/: JSON results, JSON errors, documented in the schema."""

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
