"""Deletions visible to a syncing client: a tombstone for every public record deleted, listed by
/api/v1/changes/?since=."""

import base64
import datetime
import json

import pytest
import time_machine
from django.urls import reverse

from apps.news.models import ArticleLink
from apps.opendata.models import Deletion
from apps.tracker.models import Actor
from tests.api_errors import errors_by_parameter
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    EventFactory,
    OutletFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("api:change-list")
SINCE = "2025-01-01T00:00:00Z"


def feed(client, **params):
    response = client.get(URL, {"since": SINCE, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_deleting_a_public_record_writes_a_tombstone_named_as_the_api_names_it(api_client):
    topic = TopicFactory(slug="privacy")
    event = EventFactory()
    topic_id, event_id = topic.pk, event.pk

    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        topic.delete()
        event.delete()

    assert feed(api_client)["results"] == [
        {
            "resource": "topics",
            "id": topic_id,
            "slug": "privacy",
            "deleted_at": "2025-06-01T12:00:00Z",
        },
        {"resource": "events", "id": event_id, "slug": None, "deleted_at": "2025-06-01T12:00:00Z"},
    ]


@pytest.mark.parametrize(
    "factory",
    [
        AgreementFactory,
        ActorFactory,
        StatementFactory,
        PositionFactory,
        OutletFactory,
        ArticleFactory,
    ],
)
def test_every_public_resource_leaves_a_tombstone(api_client, factory):
    record = factory()
    resource_id = record.pk

    record.delete()

    [deletion] = feed(api_client)["results"]
    assert deletion["id"] == resource_id


def test_a_cascade_leaves_tombstones_of_confirmed_links_only(api_client):
    article = ArticleFactory()
    confirmed = ArticleLinkFactory(article=article, status=ArticleLink.Status.CONFIRMED)
    ArticleLinkFactory(article=article, status=ArticleLink.Status.SUGGESTED)
    ArticleLinkFactory(article=article, status=ArticleLink.Status.REJECTED)
    article_id = article.pk

    article.delete()

    results = feed(api_client)["results"]
    assert {(d["resource"], d["id"]) for d in results} == {
        ("articles", article_id),
        ("links", confirmed.pk),
    }


def test_a_refused_delete_leaves_no_tombstone(curator, api_client):
    statement = StatementFactory()
    api_client.force_authenticate(curator)

    response = api_client.delete(reverse("api:position-detail", args=[statement.position_id]))

    assert response.status_code == 409
    assert not Deletion.objects.exists()


def test_an_api_delete_is_listed(curator, api_client):
    event = EventFactory()
    api_client.force_authenticate(curator)
    assert api_client.delete(reverse("api:event-detail", args=[event.pk])).status_code == 204
    api_client.force_authenticate(None)

    assert [d["id"] for d in feed(api_client)["results"]] == [event.pk]


def test_since_and_resource_narrow_the_list(api_client):
    for day, actor in ((1, ActorFactory()), (3, ActorFactory()), (5, TopicFactory())):
        with time_machine.travel(datetime.datetime(2025, 6, day, tzinfo=datetime.UTC)):
            actor.delete()

    later = feed(api_client, since="2025-06-03T00:00:00+00:00")["results"]
    actors = feed(api_client, resource="actors")["results"]

    assert [d["deleted_at"][:10] for d in later] == ["2025-06-03", "2025-06-05"]
    assert {d["resource"] for d in actors} == {"actors"}
    assert len(actors) == 2


def test_next_pages_through_every_deletion_in_order(api_client):
    actors = ActorFactory.create_batch(5)
    ids = [actor.pk for actor in actors]
    with time_machine.travel(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC), tick=False):
        Actor.objects.filter(pk__in=ids).delete()  # one instant: the id breaks the tie

    seen, page = [], feed(api_client, page_size=2)
    while True:
        seen += [d["id"] for d in page["results"]]
        if page["next"] is None:
            break
        response = api_client.get(page["next"])
        page = response.json()

    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(ids)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "since"),
        ({"since": ""}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2025-01-01T00:00:00-24:00"}, "since"),
        ({"since": "10000-01-01"}, "since"),
        ({"since": SINCE, "resource": "feeds"}, "resource"),
        ({"since": SINCE, "page_size": "1000"}, "page_size"),
        ({"since": SINCE, "cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"since": SINCE, "deleted_after": SINCE}, "deleted_after"),
    ],
)
def test_a_bad_or_missing_parameter_is_a_400_naming_it(api_client, params, parameter):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert parameter in errors_by_parameter(response)


@pytest.mark.parametrize(
    "cursor",
    [
        {"p": "2025-01-01T00:00:00-23:00", "i": 1, "r": 0},
        {"p": "2025-01-01T00:00:00Z", "i": float("inf"), "r": 0},
        {"p": "9999-12-31T23:59:59Z", "i": 1, "r": 0},
    ],
)
def test_a_forged_cursor_is_a_400(api_client, cursor):
    encoded = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()

    response = api_client.get(URL, {"since": SINCE, "cursor": encoded})

    assert response.status_code == 400
    assert "cursor" in errors_by_parameter(response)


def test_a_page_costs_the_same_queries_however_many_deletions(
    api_client, django_assert_num_queries
):
    TopicFactory().delete()
    with django_assert_num_queries(1):
        feed(api_client)
    for topic in TopicFactory.create_batch(20):
        topic.delete()
    with django_assert_num_queries(1):
        feed(api_client, page_size=10)


def test_the_feed_exports_as_csv_like_every_list(api_client):
    topic = TopicFactory(slug="=cmd")
    topic.delete()

    response = api_client.get(URL, {"since": SINCE, "format": "csv"})

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "resource,id,slug,deleted_at"
    assert lines[1].startswith("topics,") and ",'=cmd," in lines[1]


@pytest.mark.parametrize("since", ["2025-01-01T00:00:00-23:00", "9999-12-31"])
def test_an_offset_or_date_at_the_edge_of_iso_8601_is_read_not_refused(api_client, db, since):
    """RFC 3339 allows offsets to ±23:59 and dates to 9999-12-31: converted to UTC or clamped
    to the last instant, as every datetime filter of the API reads them."""
    response = api_client.get("/api/v1/changes/", {"since": since})

    assert response.status_code == 200
    assert response.json()["results"] == []
