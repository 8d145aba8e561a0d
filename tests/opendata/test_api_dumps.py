"""/api/v1/dumps/: the current dump's manifest with download links, and its files."""

import hashlib
import json

import pytest
from django.urls import reverse

from apps.opendata import services
from tests.api_errors import errors_by_parameter

LIST_URL = reverse("api:dump-list")


def file_url(name):
    return reverse("api:dump-file", kwargs={"filename": name})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def published(record, dump_dir):
    return services.export_dump(directory=dump_dir)


def test_before_the_first_dump_the_list_is_a_404_in_the_error_shape(db, dump_dir, api_client):
    response = api_client.get(LIST_URL)

    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "No dump has been published yet."


def test_the_list_is_the_manifest_with_a_download_link_per_file(published, api_client):
    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    data = response.json()
    assert data["resources"] == published["resources"]
    assert data["created_at"] == published["created_at"]
    assert data["manifest_url"] == "http://testserver/api/v1/dumps/manifest.json"
    [agreements] = [f for f in data["files"] if f["name"] == "agreements.jsonl"]
    assert agreements["url"] == "http://testserver/api/v1/dumps/agreements.jsonl"
    assert len(data["files"]) == len(published["files"])


def test_a_file_downloads_as_written_with_its_checksum(published, api_client):
    response = api_client.get(file_url("statements.csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = body(response)
    [entry] = [f for f in published["files"] if f["name"] == "statements.csv"]
    assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    assert response["ETag"] == f'"{entry["sha256"]}"'
    assert b"'=HYPERLINK" in content


def test_a_file_is_served_whatever_the_client_accepts(record, published, api_client):
    response = api_client.get(file_url("agreements.jsonl"), HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    first = json.loads(body(response).splitlines()[0])
    assert first["slug"] == record["agreement"].slug


def test_the_manifest_downloads_too(published, api_client):
    response = api_client.get(file_url("manifest.json"))

    assert json.loads(body(response)) == published


def test_a_matching_etag_is_a_304_without_the_file(published, api_client):
    etag = api_client.get(file_url("topics.jsonl"))["ETag"]

    response = api_client.get(file_url("topics.jsonl"), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert not response.has_header("Content-Disposition")


@pytest.mark.parametrize(
    "name",
    [
        "nothing.jsonl",
        "agreements.txt",
        "..%2Fmanifest.json",
        "..%2F..%2Fsettings.py",
        "%2Fetc%2Fpasswd",
        ".lock",
        "current",
        "%2e%2e",
        "..",
        "agreements.jsonl%00",
    ],
)
def test_only_the_files_the_manifest_lists_are_served(published, client, dump_dir, name):
    (dump_dir / "secret.csv").write_text("not part of the dump")

    response = client.get(f"/api/v1/dumps/{name}")

    assert response.status_code in (404, 400)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"type", "errors"}


def test_a_file_of_no_dump_is_a_404(db, dump_dir, api_client):
    response = api_client.get(file_url("agreements.jsonl"))

    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "No dump has been published yet."


def test_an_unknown_parameter_is_a_400_naming_it(published, api_client):
    response = api_client.get(LIST_URL, {"since": "yesterday"})

    assert response.status_code == 400
    assert "since" in errors_by_parameter(response)


def test_the_list_reads_no_database(published, api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert api_client.get(LIST_URL).status_code == 200
        assert api_client.get(file_url("events.csv")).status_code == 200


def test_a_new_dump_replaces_a_cached_list(published, client, settings, dump_dir, empty_cache):
    settings.RESPONSE_CACHE_SECONDS = 300
    first = client.get(LIST_URL).json()["created_at"]
    assert client.get(LIST_URL).json()["created_at"] == first  # from the cache

    newer = services.export_dump(directory=dump_dir)

    assert client.get(LIST_URL).json()["created_at"] == newer["created_at"] != first
