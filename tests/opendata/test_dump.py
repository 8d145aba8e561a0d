"""The bulk dump: what it holds, its files and manifest, how it is published, and loading it."""

import csv
import fcntl
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.news.models import ArticleLink
from apps.opendata import services
from apps.opendata.resources import RESOURCES
from apps.tracker.models import Actor, Agreement
from tests.factories import ActorFactory, StatementFactory
from tests.opendata.conftest import build_record


def rows(path, resource):
    with (path / f"{resource}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def csv_rows(path, resource):
    with (path / f"{resource}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_export_writes_jsonl_and_csv_per_resource_and_a_manifest(record, dump_dir):
    manifest = services.export_dump(directory=dump_dir)

    current = dump_dir / "current"
    names = {resource.name for resource in RESOURCES}
    assert {"agreements", "actors", "challenges", "events", "statements", "positions"} <= names
    assert {"topics", "outlets", "articles", "article-links", "parties"} <= names
    assert set(manifest["resources"]) == names
    assert json.loads((current / "manifest.json").read_text()) == manifest
    assert {file["name"] for file in manifest["files"]} == {
        f"{name}.{suffix}" for name in names for suffix in ("jsonl", "csv")
    }
    for file in manifest["files"]:
        content = (current / file["name"]).read_bytes()
        assert file["sha256"] == hashlib.sha256(content).hexdigest()
        assert file["bytes"] == len(content)
        resource = manifest["resources"][file["resource"]]
        if file["format"] == "jsonl":
            assert len(content.splitlines()) == resource["rows"]
        else:
            assert len(csv_rows(current, file["resource"])) == resource["rows"]
    assert manifest["resources"]["agreements"]["rows"] == Agreement.objects.count()
    assert manifest["resources"]["actors"]["rows"] == Actor.objects.count()


def test_dump_holds_only_what_the_public_api_shows(record, dump_dir):
    services.export_dump(directory=dump_dir)
    current = dump_dir / "current"

    links = rows(current, "article-links")
    assert [link["id"] for link in links] == [record["confirmed"].pk]
    assert "decided_by_id" not in links[0] and "score" not in links[0]
    articles = {article["id"]: article for article in rows(current, "articles")}
    assert record["pending"].pk not in articles
    assert {"fetch_error", "text_fingerprint", "feed_id", "unfinished_fetches"}.isdisjoint(
        next(iter(articles.values()))
    )
    seen = [url["url"] for url in rows(current, "article-urls")]
    assert seen == ["https://news.example/amp/1"]
    text = "".join(path.read_text() for path in current.iterdir())
    assert "10.0.0.7" not in text and "curator" not in text


def test_a_copy_of_an_article_the_public_does_not_see_names_no_original(record, dump_dir):
    services.export_dump(directory=dump_dir)

    articles = {a["id"]: a for a in rows(dump_dir / "current", "articles")}
    assert articles[record["copy"].pk]["near_duplicate_of_id"] is None


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(record, dump_dir):
    services.export_dump(directory=dump_dir)
    current = dump_dir / "current"

    [statement] = csv_rows(current, "statements")
    assert statement["text"] == '\'=HYPERLINK("http://evil.example")'
    titles = {row["title"] for row in csv_rows(current, "articles")}
    assert "'@copy" in titles
    # JSON Lines keep the text as it is.
    assert rows(current, "statements")[0]["text"] == '=HYPERLINK("http://evil.example")'


def _selects(dump_dir) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.export_dump(directory=dump_dir)
    # PostgreSQL streams through a server-side cursor: DECLARE … CURSOR FOR SELECT.
    reads = [query["sql"] for query in queries.captured_queries if "SELECT" in query["sql"]]
    return len(reads)


def test_export_reads_each_resource_in_one_query_whatever_the_rows(db, dump_dir):
    StatementFactory()
    assert _selects(dump_dir) == len(RESOURCES)
    StatementFactory.create_batch(5)
    assert _selects(dump_dir) == len(RESOURCES)


def test_a_new_dump_replaces_current_in_one_swap_and_one_previous_is_kept(record, dump_dir):
    services.export_dump(directory=dump_dir)
    first = (dump_dir / "current").resolve()
    services.export_dump(directory=dump_dir)
    second = (dump_dir / "current").resolve()
    services.export_dump(directory=dump_dir)
    third = (dump_dir / "current").resolve()

    assert (dump_dir / "current").is_symlink()
    assert len({first, second, third}) == 3
    assert sorted(p.name for p in dump_dir.glob("dump-*")) == sorted([second.name, third.name])
    assert not list(dump_dir.glob(".tmp-*"))


def test_what_a_crashed_export_left_is_cleared_and_never_published(record, dump_dir):
    services.export_dump(directory=dump_dir)
    published = (dump_dir / "current").resolve()
    crashed = dump_dir / ".tmp-20250101T000000000000Z-abcdef"
    crashed.mkdir()
    (crashed / "agreements.jsonl").write_text('{"id": 1')

    assert services.dump_path(dump_dir) == published
    services.export_dump(directory=dump_dir)

    assert not crashed.exists()


def test_a_second_export_while_one_is_running_is_refused(record, dump_dir):
    dump_dir.mkdir(parents=True)
    with (dump_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="Another export"):
            call_command("export_dump", str(dump_dir))
    assert services.dump_path(dump_dir) is None


def _resource_files(path):
    return {p.name: p.read_bytes() for p in path.iterdir() if p.name != "manifest.json"}


def test_round_trip_dump_into_a_fresh_database_gives_the_same_rows(
    transactional_db, curator, dump_dir, tmp_path
):
    build_record(curator=curator)
    call_command("export_dump", str(dump_dir))
    before = services.read_manifest(services.dump_path(dump_dir))

    call_command("flush", interactive=False)
    assert not Agreement.objects.exists()
    call_command("load_dump", str(dump_dir))
    again = tmp_path / "again"
    call_command("export_dump", str(again))

    after = services.read_manifest(services.dump_path(again))
    assert after["resources"] == before["resources"]
    assert _resource_files(services.dump_path(again)) == _resource_files(
        services.dump_path(dump_dir)
    )
    # Loaded ids are taken: the next row gets a new one.
    assert ActorFactory().pk > max(a["id"] for a in rows(services.dump_path(again), "actors"))
    # Derived fields are recomputed, links stay confirmed.
    agreement = Agreement.objects.get()
    assert agreement.latest_event_title
    assert ArticleLink.objects.get().status == ArticleLink.Status.CONFIRMED


def test_load_refuses_a_database_that_holds_records(record, dump_dir):
    services.export_dump(directory=dump_dir)

    with pytest.raises(CommandError, match="not empty"):
        call_command("load_dump", str(dump_dir))


def test_load_refuses_a_file_that_does_not_match_the_manifest(record, dump_dir):
    services.export_dump(directory=dump_dir)
    path = services.dump_path(dump_dir)
    with (path / "topics.jsonl").open("a") as file:
        file.write("{}\n")

    with pytest.raises(CommandError, match=r"topics\.jsonl does not match its checksum"):
        call_command("load_dump", str(path))
