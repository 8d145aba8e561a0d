"""With many tombstones and statistics, a page of the changes feed is an index range scan, from
the start and from deep in it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TOMBSTONES = 50_000


@pytest.fixture
def tombstones(db):
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO opendata_deletion (resource, record_id, slug, deleted_at)
               SELECT (ARRAY['events', 'articles', 'actors'])[1 + n %% 3], n, '',
                      '2025-01-01'::timestamptz + n * interval '10 minutes'
               FROM generate_series(1, %s) n""",
            [TOMBSTONES],
        )
        cursor.execute("ANALYZE opendata_deletion")


def plans(api_client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, params)
    assert response.status_code == 200
    found = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return response.json(), found


@pytest.mark.parametrize("resource", [None, "events"])
def test_every_page_is_an_index_scan(tombstones, api_client, resource):
    params = {"since": "2025-03-01T00:00:00Z", "page_size": 200}
    if resource:
        params["resource"] = resource
    first, [plan] = plans(api_client, reverse("api:change-list"), params)
    assert "Seq Scan" not in plan and "deletion_" in plan, plan

    _, [deep] = plans(api_client, first["next"])
    assert "Seq Scan" not in deep and "deletion_" in deep, deep
