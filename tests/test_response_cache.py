"""The shared response cache: anonymous GETs answered from it, and any committed write to the
published record — whichever way it reaches the database — makes the next answer fresh."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from apps.tracker.models import Agreement
from apps.tracker.services import merge_actors
from tests.factories import ActorFactory, AgreementFactory, CuratorFactory, PartyFactory

pytestmark = pytest.mark.django_db(transaction=True)

DETAIL = "/api/v1/agreements/mou/"


@pytest.fixture(autouse=True)
def response_cache_on(settings, response_cache_off, empty_cache):
    settings.RESPONSE_CACHE_SECONDS = 300


@pytest.fixture
def mou():
    return AgreementFactory(slug="mou", title="First title")


def anonymous_get(client, path, **headers):
    client.cookies.clear()
    return client.get(path, **headers)


def test_a_second_anonymous_read_is_served_without_the_database(
    client, mou, django_assert_num_queries
):
    first = anonymous_get(client, DETAIL)
    with django_assert_num_queries(0):
        second = anonymous_get(client, DETAIL)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("path", ["/", "/agreements/", "/agreements/mou/", "/api/v1/agreements/"])
def test_public_pages_are_kept(client, mou, path, django_assert_num_queries):
    assert not anonymous_get(client, path).cookies
    with django_assert_num_queries(0):
        assert anonymous_get(client, path).status_code == 200


def test_a_saved_change_is_seen_at_once(client, mou):
    assert anonymous_get(client, DETAIL).json()["title"] == "First title"
    mou.title = "Second title"
    mou.save()
    assert anonymous_get(client, DETAIL).json()["title"] == "Second title"


def test_a_bulk_update_is_seen_at_once(client, mou):
    anonymous_get(client, "/agreements/mou/")
    Agreement.objects.filter(pk=mou.pk).update(title="Renamed in bulk")
    assert "Renamed in bulk" in anonymous_get(client, "/agreements/mou/").content.decode()


def test_a_raw_statement_is_seen_at_once(client, mou):
    anonymous_get(client, DETAIL)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_agreement SET title = %s WHERE id = %s", ["Raw", mou.pk])
    assert anonymous_get(client, DETAIL).json()["title"] == "Raw"


def test_a_change_inside_a_transaction_counts_once_it_commits(client, mou):
    anonymous_get(client, DETAIL)
    with transaction.atomic():
        Agreement.objects.filter(pk=mou.pk).update(title="Committed")
        Agreement.objects.filter(pk=mou.pk).update(summary="Twice in one transaction")
        # Not committed: other readers still see the old record, so the cached answer stands.
        assert anonymous_get(client, DETAIL).json()["title"] == "First title"
    answer = anonymous_get(client, DETAIL).json()
    assert (answer["title"], answer["summary"]) == ("Committed", "Twice in one transaction")


def test_a_rolled_back_change_keeps_the_cache(client, mou, django_assert_num_queries):
    anonymous_get(client, DETAIL)
    with pytest.raises(RuntimeError), transaction.atomic():
        Agreement.objects.filter(pk=mou.pk).update(title="Never")
        raise RuntimeError
    with django_assert_num_queries(0):
        assert anonymous_get(client, DETAIL).json()["title"] == "First title"


def test_a_deletion_is_seen_at_once(client, mou):
    assert anonymous_get(client, "/api/v1/agreements/").json()["count"] == 1
    mou.delete()
    assert anonymous_get(client, "/api/v1/agreements/").json()["count"] == 0


def test_a_merged_actors_cached_page_gives_way_to_its_redirect(client, mou):
    survivor = ActorFactory(slug="ice", name="ICE")
    duplicate = ActorFactory(slug="us-ice", name="U.S. Immigration and Customs Enforcement")
    PartyFactory(agreement=mou, actor=duplicate)
    assert anonymous_get(client, "/actors/us-ice/").status_code == 200
    assert "First title" not in anonymous_get(client, "/actors/ice/").content.decode()

    merge_actors(survivor=survivor, duplicate=duplicate)

    moved = anonymous_get(client, "/actors/us-ice/")
    assert moved.status_code == 301
    assert moved["Location"] == "/actors/ice/"
    assert "First title" in anonymous_get(client, "/actors/ice/").content.decode()


def test_writes_outside_the_published_record_keep_the_cache(client, mou, django_assert_num_queries):
    anonymous_get(client, DETAIL)
    CuratorFactory(username="someone")  # auth tables: no page shows them
    with django_assert_num_queries(0):
        anonymous_get(client, DETAIL)


def test_signed_in_readers_and_token_clients_are_never_served_from_it(client, mou):
    anonymous_get(client, "/agreements/mou/")
    curator = CuratorFactory(username="curator")
    client.force_login(curator)
    Agreement.objects.filter(pk=mou.pk).update(title="Staff sees it")
    with connection.cursor() as cursor:  # a write the cache is not told about
        cursor.execute("SELECT 1")
    assert "Staff sees it" in client.get("/agreements/mou/").content.decode()


def test_the_embed_keeps_its_own_framing_rules_when_cached(client, mou):
    for _ in range(2):
        embed = anonymous_get(client, "/embed/agreements/mou/")
        assert "frame-ancestors *" in embed["Content-Security-Policy"]
        assert "X-Frame-Options" not in embed
    page = anonymous_get(client, "/agreements/mou/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_matching_etag_gets_a_304_from_the_cache(client, mou):
    etag = anonymous_get(client, DETAIL)["ETag"]
    assert anonymous_get(client, DETAIL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_cached_api_answer_still_counts_against_the_rate(client, mou, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": None}
    statuses = [anonymous_get(client, DETAIL).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_with_the_cache_unreachable_pages_are_served_fresh(client, mou, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    assert anonymous_get(client, DETAIL).status_code == 200
    mou.title = "Still fresh"
    mou.save()  # replacing the version fails too, and is only logged
    assert anonymous_get(client, DETAIL).json()["title"] == "Still fresh"


def test_a_write_the_watch_cannot_see_is_cleared_by_refresh_derived(client, mou):
    anonymous_get(client, DETAIL)
    with connection.cursor() as wrapper:  # the database driver's own cursor, as COPY uses
        wrapper.cursor.execute("UPDATE tracker_agreement SET title = 'Bulk loaded'")
    assert anonymous_get(client, DETAIL).json()["title"] == "First title"
    call_command("refresh_derived", stdout=io.StringIO())
    assert anonymous_get(client, DETAIL).json()["title"] == "Bulk loaded"
