"""Every error under /api/ is one JSON shape naming the parameter at fault, and the values that
once reached the database and answered 500 are refused as 400s."""

import base64
import json

import pytest
from django.urls import reverse

from tests.api_errors import errors_by_parameter
from tests.factories import AgreementFactory, ArticleFactory

pytestmark = pytest.mark.django_db

AGREEMENTS_URL = reverse("api:agreement-list")
ARTICLES_URL = reverse("api:article-list")


def cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.fixture
def records():
    AgreementFactory(slug="irs-ice-mou")
    ArticleFactory()


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        (AGREEMENTS_URL, "updated_since", "2025-01-01T00:00:00+24:00"),
        (ARTICLES_URL, "published_after", "2025-01-01T00:00:00+99:00"),
        (ARTICLES_URL, "cursor", cursor({"p": None, "i": float("inf"), "r": 0})),
        (ARTICLES_URL, "cursor", cursor({"p": None, "i": 10**30, "r": 0})),
        (ARTICLES_URL, "cursor", cursor({"p": "2025-01-01T00:00:00-23:00", "i": 1, "r": 0})),
        (ARTICLES_URL, "cursor", cursor([1, 2])),
        (AGREEMENTS_URL, "search", "a\x00b"),
        (AGREEMENTS_URL, "topic", "a\x00b"),
        (AGREEMENTS_URL, "page", "0"),
        (AGREEMENTS_URL, "page", "abc"),
    ],
)
def test_values_the_database_cannot_take_are_400_naming_the_parameter(
    api_client, records, url, parameter, value
):
    response = api_client.get(url, {parameter: value})

    assert response.status_code == 400, response.content
    assert list(errors_by_parameter(response)) == [parameter]
    assert response.json()["type"] == "validation_error"


@pytest.mark.parametrize(
    ("url", "parameter", "value", "found"),
    [
        # PostgreSQL refuses an offset beyond ±15:59 and these once answered 500; ISO 8601 and
        # RFC 3339 allow up to ±23:59, so they are read, as UTC.
        (AGREEMENTS_URL, "updated_since", "2025-01-01T00:00:00-23:00", 1),
        (AGREEMENTS_URL, "updated_since", "2025-01-01T00:00:00+16:00", 1),
        (ARTICLES_URL, "updated_since", "2025-01-01T00:00:00-23:00", 1),
        (ARTICLES_URL, "published_after", "2025-01-01T00:00:00+23:59", 1),
        # The calendar's last day and an instant before its first are bounds like any other: the
        # article, published yesterday, is within both.
        (ARTICLES_URL, "published_before", "9999-12-31", 1),
        (ARTICLES_URL, "published_after", "0001-01-01T00:00:00+05:00", 1),
        (AGREEMENTS_URL, "updated_since", "9999-12-31T23:00:00-05:00", 0),
        (AGREEMENTS_URL, "updated_since", "0001-01-01T00:00:00+05:00", 1),
    ],
)
# Each bound reaches the database as an instant with its zone: a naive datetime would be read in
# the server's zone, which Django warns of with a RuntimeWarning, an error here.
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_every_offset_and_date_iso_8601_allows_is_read(
    api_client, records, url, parameter, value, found
):
    response = api_client.get(url, {parameter: value})

    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == found


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (AGREEMENTS_URL, "updated_since"),
        (AGREEMENTS_URL, "status"),
        (ARTICLES_URL, "published_before"),
        (reverse("api:event-list"), "date_after"),
        (AGREEMENTS_URL, "format"),
    ],
)
def test_an_empty_typed_value_is_400_not_an_unfiltered_list(api_client, records, url, parameter):
    response = api_client.get(url, {parameter: ""})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [parameter]


def test_an_empty_slug_or_ordering_still_means_any(api_client, records):
    response = api_client.get(AGREEMENTS_URL, {"topic": "", "ordering": ""})

    assert response.status_code == 200


@pytest.mark.parametrize("value", ["null", "maybe", "", "1"])
def test_a_boolean_filter_takes_only_true_or_false(admin_client, value):
    response = admin_client.get(reverse("api:feed-list"), {"active": value})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == ["active"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agreements/a%00b/timeline/?page=0",
        "/api/v1/agreements/irs-ice-mou/?unknown=1",
        "/api/v1/articles/0/?format=csv",
    ],
)
def test_a_method_an_endpoint_does_not_take_is_405_whatever_the_parameters(
    admin_client, records, path
):
    response = admin_client.put(path)

    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=0", "page_size=201"])
def test_a_timeline_page_out_of_range_is_400_naming_it(api_client, records, query):
    response = api_client.get(f"/api/v1/agreements/irs-ice-mou/timeline/?{query}")

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [query.split("=")[0]]


def test_a_utc_offset_within_range_is_read(api_client, records):
    response = api_client.get(AGREEMENTS_URL, {"updated_since": "2000-01-01T00:00:00+14:00"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/agreements/a%00b/", "/api/v1/agreements/a%00b/timeline/"]
)
def test_a_nul_byte_in_a_slug_is_400_naming_it(api_client, records, path):
    response = api_client.get(path)

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == ["slug"]


@pytest.mark.parametrize("path", ["/api/v1/articles/99999999999999999999/"])
def test_an_id_beyond_a_bigint_is_400_naming_it(api_client, records, path):
    response = api_client.get(path)

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == ["pk"]


@pytest.mark.parametrize("url", [AGREEMENTS_URL, ARTICLES_URL])
@pytest.mark.parametrize("value", ["abc", "-5", "0", "1000000", "2.5", "٣"])
def test_a_bad_page_size_is_400_on_every_list(api_client, records, url, value):
    response = api_client.get(url, {"page_size": value})

    assert response.status_code == 400
    [message] = errors_by_parameter(response)["page_size"]
    assert message == "Must be a whole number from 1 to 200."


@pytest.mark.parametrize("url", [AGREEMENTS_URL, ARTICLES_URL])
def test_page_size_up_to_the_maximum_is_read(api_client, url):
    for _ in range(3):
        AgreementFactory()
        ArticleFactory()

    assert len(api_client.get(url, {"page_size": "2"}).json()["results"]) == 2
    assert len(api_client.get(url, {"page_size": "200"}).json()["results"]) == 3


def test_list_filters_do_not_apply_to_a_detail_url(api_client, records):
    response = api_client.get("/api/v1/agreements/irs-ice-mou/", {"status": "expired"})

    assert response.status_code == 400
    [message] = errors_by_parameter(response)["status"]
    assert message == "Unknown parameter. This endpoint reads: format."


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/agreements/irs-ice-mou/", "page_size"),
        ("/api/v1/agreements/irs-ice-mou/timeline/", "status"),
    ],
)
def test_detail_and_nested_views_refuse_unknown_parameters(api_client, records, path, parameter):
    assert api_client.get(path, {"format": "json"}).status_code == 200
    response = api_client.get(path, {parameter: "5"})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [parameter]


def test_a_method_not_allowed_is_the_same_shape(api_client, records):
    response = api_client.delete(ARTICLES_URL)

    assert response.status_code in (401, 405)
    assert set(response.json()) == {"type", "errors"}


@pytest.fixture
def failing_routes(settings, client):
    settings.ROOT_URLCONF = "tests.api_crash_urls"
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("path", ["/api/v1/failing/", "/api/v1/failing-plain/"])
def test_a_crash_under_api_answers_500_in_json(failing_routes, path):
    response = failing_routes.get(path)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "server_error"
    assert "a bug" not in response.content.decode()


STATEMENTS_URL = reverse("api:statement-list")


@pytest.mark.parametrize(
    ("url", "date", "status"),
    [
        (ARTICLES_URL, "0001-01-01T12:00:00Z", 400),
        (ARTICLES_URL, "0001-01-02T00:00:00Z", 200),
        (ARTICLES_URL, "9999-12-30T23:59:59Z", 200),
        (ARTICLES_URL, "9999-12-31T00:00:00Z", 400),
        (ARTICLES_URL, "2025-01-01T00:00:00+15:59", 200),
        (ARTICLES_URL, "2025-01-01T00:00:00-15:59", 200),
        (ARTICLES_URL, "2025-01-01T00:00:00+16:00", 400),
        (STATEMENTS_URL, "0001-01-01", 400),
        (STATEMENTS_URL, "0001-01-02", 200),
        (STATEMENTS_URL, "9999-12-30", 200),
        (STATEMENTS_URL, "9999-12-31", 400),
    ],
)
def test_a_cursors_date_is_read_from_the_calendars_second_day_to_its_last_but_one(
    api_client, records, url, date, status
):
    # A whole-day bound adds a day and converting to UTC may cross one, so the calendar's edges
    # are refused; an offset is read up to the ±15:59 PostgreSQL takes.
    response = api_client.get(url, {"cursor": cursor({"p": date, "i": 1, "r": 0})})

    assert response.status_code == status, response.content
    if status == 400:
        assert list(errors_by_parameter(response)) == ["cursor"]
