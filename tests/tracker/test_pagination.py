"""The API paginators beyond the article list: what their schema hooks tell a client (read
without building the whole OpenAPI document, which tests/test_schema.py checks), a cursor over a
date rather than a datetime, and the checks a CSV export makes of the parameters it ignores."""

import datetime

import pytest
from django.urls import reverse

from apps.news.api.pagination import NewestArticlesPagination
from apps.tracker.api.pagination import NumberedPagination
from tests.api_errors import errors_by_parameter
from tests.api_pages import cursor, walk
from tests.factories import AgreementFactory, ArticleFactory, EventFactory, StatementFactory

LINK = {"type": "string", "format": "uri", "nullable": True}


def by_name(parameters):
    return {parameter["name"]: parameter for parameter in parameters}


def test_a_cursor_list_describes_an_optional_cursor_and_its_page_size():
    parameters = by_name(NewestArticlesPagination().get_schema_operation_parameters(view=None))

    assert parameters == {
        "cursor": {
            "name": "cursor",
            "required": False,
            "in": "query",
            "description": "Opaque position, taken from a response's next or previous link.",
            "schema": {"type": "string"},
        },
        "page_size": {
            "name": "page_size",
            "required": False,
            "in": "query",
            "description": "Articles per page, from 1 to 200 (default 50).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        },
    }


def test_a_numbered_list_describes_its_page_from_one_to_the_largest_id():
    parameters = by_name(NumberedPagination().get_schema_operation_parameters(view=None))

    assert parameters == {
        "page": {
            "name": "page",
            "required": False,
            "in": "query",
            "description": "Page number from 1; beyond the last page is a 404.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        },
        "page_size": {
            "name": "page_size",
            "required": False,
            "in": "query",
            "description": "Results per page, from 1 to 200 (default 50).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        },
    }


def test_a_cursor_page_always_has_both_links_null_at_either_end():
    results = {"type": "array", "items": {"type": "object"}}

    page = NewestArticlesPagination().get_paginated_response_schema(results)

    assert page == {
        "type": "object",
        "required": ["next", "previous", "results"],
        "properties": {"next": LINK, "previous": LINK, "results": results},
    }


@pytest.mark.django_db
def test_statements_page_by_their_day_then_id_undated_last_and_back_again(api_client):
    def said_on(day):
        return StatementFactory(said_on=day and datetime.date(2025, 4, day)).pk

    # Recorded out of order, so that neither id order alone nor recording order is the answer.
    tied_a, oldest, newest, tied_b, undated_a, undated_b = map(said_on, [5, 1, 9, 5, None, None])
    first = f"{reverse('api:statement-list')}?page_size=2"

    forward = walk(api_client, first, "next")
    last = first
    for _ in forward[:-1]:
        last = api_client.get(last).json()["next"]
    backward = walk(api_client, last, "previous")

    assert forward == [[newest, tied_b], [tied_a, oldest], [undated_b, undated_a]]
    assert backward == forward[::-1]


@pytest.mark.django_db
def test_a_cursor_on_a_list_of_days_refuses_a_time_of_day(api_client):
    statement = StatementFactory(said_on=datetime.date(2025, 4, 5))
    url = reverse("api:statement-list")
    day = cursor({"p": "2025-04-05", "i": statement.pk, "r": 1})
    instant = cursor({"p": "2025-04-05T12:00:00", "i": statement.pk, "r": 1})

    assert api_client.get(url, {"cursor": day}).status_code == 200
    response = api_client.get(url, {"cursor": instant})
    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == ["cursor"]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "status"), [(2**63 - 1, 404), (2**63, 400), ("last", 200)])
def test_a_page_number_is_read_up_to_the_largest_bigint(api_client, page, status):
    AgreementFactory()

    response = api_client.get(reverse("api:agreement-list"), {"page": page})

    assert response.status_code == status
    if status == 400:
        assert errors_by_parameter(response) == {"page": ["A page number from 1, or 'last'."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("article", {"page_size": "0"}),
        ("article", {"cursor": "e30="}),  # {}
        ("agreement", {"page": "0"}),
    ],
)
def test_a_csv_export_refuses_the_page_parameters_a_json_page_refuses(api_client, name, query):
    response = api_client.get(reverse(f"api:{name}-list"), {"format": "csv", **query})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == list(query)


@pytest.mark.django_db
def test_a_csv_export_reads_the_largest_page_size_and_still_lists_everything(api_client):
    for _ in range(3):
        ArticleFactory()
        EventFactory()

    for name in ["article", "event"]:
        response = api_client.get(reverse(f"api:{name}-list"), {"format": "csv", "page_size": 200})
        lines = b"".join(response.streaming_content).decode().splitlines()

        assert response.status_code == 200
        assert len(lines) == 1 + 3
