"""CSV for every list (flattened, neutralised against formula injection, streamed) and
conditional requests (ETag, Last-Modified, 304)."""

import csv
import io

import pytest
from django.urls import reverse

from apps.tracker.exports import neutralise
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LISTS = ["agreement", "actor", "challenge", "event", "statement", "position", "topic", "outlet"]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("name", [*LISTS, "article"])
def test_every_list_is_csv_by_format_or_by_accept(api_client, name):
    StatementFactory(position__agreement=AgreementFactory(), source=ArticleFactory())
    EventFactory()
    LegalChallengeFactory()
    TopicFactory()
    url = reverse(f"api:{name}-list")

    by_format = read_csv(api_client.get(url, {"format": "csv"}))
    by_accept = read_csv(api_client.get(url, HTTP_ACCEPT="text/csv"))

    assert by_format == by_accept
    assert by_format


def test_csv_is_the_whole_filtered_list_not_one_page(api_client):
    for _ in range(3):
        EventFactory(kind="signed")
    EventFactory(kind="reported")

    rows = read_csv(api_client.get(reverse("api:event-list"), {"format": "csv", "kind": "signed"}))

    assert len(rows) == 3
    assert {row["kind"] for row in rows} == {"signed"}


def test_nested_fields_are_flattened_into_dotted_columns(api_client):
    court = ActorFactory(slug="dcd", kind="court")
    challenge = LegalChallengeFactory(slug="case", court=court)
    challenge.agreements.add(AgreementFactory(slug="mou-a"), AgreementFactory(slug="mou-b"))
    agreement = AgreementFactory(slug="mou")
    PartyFactory(agreement=agreement, actor=ActorFactory(slug="irs"))
    PartyFactory(agreement=agreement, actor=ActorFactory(slug="ice"))

    [case] = read_csv(api_client.get(reverse("api:challenge-list"), {"format": "csv"}))
    mou = next(
        row
        for row in read_csv(api_client.get(reverse("api:agreement-list"), {"format": "csv"}))
        if row["slug"] == "mou"
    )

    assert case["court.slug"] == "dcd"
    assert case["agreements.slug"] == "mou-a; mou-b"
    assert mou["parties.actor.slug"] == "irs; ice"
    assert "latest_event.title" in mou


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_would_run_as_formulas_are_neutralised(api_client, start):
    StatementFactory(text=f'{start}HYPERLINK("http://evil.example","x")')

    [row] = read_csv(api_client.get(reverse("api:statement-list"), {"format": "csv"}))

    assert row["text"] == "'" + f'{start}HYPERLINK("http://evil.example","x")'


def test_plain_text_is_left_alone():
    assert neutralise("The IRS said = nothing") == "The IRS said = nothing"
    assert neutralise("-5") == "'-5"


def test_a_detail_and_a_timeline_are_csv_too(api_client):
    agreement = AgreementFactory(slug="mou")
    EventFactory(agreement=agreement, title="Signed")

    detail = api_client.get(reverse("api:actor-list"), {"format": "csv"})
    timeline = api_client.get(reverse("api:agreement-timeline", args=["mou"]), {"format": "csv"})

    assert detail.status_code == 200
    assert timeline["Content-Type"] == "text/csv; charset=utf-8"
    [row] = list(csv.DictReader(io.StringIO(timeline.content.decode())))
    assert row["title"] == "Signed"


def test_an_error_to_a_csv_client_is_json(api_client):
    response = api_client.get(reverse("api:event-list"), {"format": "csv", "kind": "nope"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "validation_error"


# --- ETag / Last-Modified ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [reverse("api:agreement-list"), reverse("api:agreement-detail", args=["mou"])],
)
def test_a_matching_etag_answers_304_and_a_change_answers_200(api_client, url):
    agreement = AgreementFactory(slug="mou")
    first = api_client.get(url)
    etag = first["ETag"]

    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    agreement.title = "Renamed"
    agreement.save()
    changed = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_is_the_newest_update_shown_and_answers_304(api_client):
    agreement = AgreementFactory(slug="mou")
    url = reverse("api:agreement-detail", args=["mou"])

    response = api_client.get(url)
    not_modified = api_client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])

    assert response["Last-Modified"] == agreement.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert not_modified.status_code == 304


def test_a_deleted_row_changes_the_list_etag(api_client):
    EventFactory()
    doomed = EventFactory()
    url = reverse("api:event-list")
    etag = api_client.get(url)["ETag"]

    doomed.sources.clear()
    doomed.delete()

    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize(
    ("name", "query"),
    [("outlet", "page=0"), ("position", "page=false"), ("event", "cursor=garbage")],
)
def test_a_csv_export_refuses_a_bad_page_parameter_it_does_not_use(api_client, db, name, query):
    response = api_client.get(reverse(f"api:{name}-list") + f"?format=csv&{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert [e["attr"] for e in response.json()["errors"]] == [query.split("=")[0]]


def test_an_error_to_the_browsable_api_is_json(api_client, db):
    response = api_client.get(reverse("api:event-list"), {"format": "api", "kind": "nope"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
