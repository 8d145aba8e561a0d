"""parse_feed over small hand-written samples: each feed format, broken and hostile input."""

import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apps.news.feeds import NotAFeed, parse_feed

SAMPLES = Path(__file__).parent / "feed_samples"
FEED_URL = "https://feeds.example.org/sub/feed.xml"


def _parse(name: str, **kwargs):
    return parse_feed((SAMPLES / name).read_bytes(), url=FEED_URL, **kwargs)


def _all_text(feed) -> str:
    parts = [feed.title, feed.link, *feed.problems]
    for entry in feed.entries:
        parts += [entry.url, entry.title, entry.summary, entry.author, entry.guid]
    return "\n".join(parts)


def test_rss20_entries_have_plain_text_and_utc_dates():
    feed = _parse("rss20.xml", content_type="application/rss+xml")

    assert feed.title == "Policy Desk & Friends"
    assert feed.link == "https://news.example.org/"
    first = feed.entries[0]
    assert first.url == "https://news.example.org/2025/04/irs-ice-mou"
    assert first.title == "IRS & ICE sign data-sharing agreement"
    assert first.published_at == datetime(2025, 4, 8, 18, 30, tzinfo=UTC)
    assert first.author == "Jane Reporter"
    assert first.guid == "urn:example:1001"
    assert first.summary == "The memorandum lets ICE request taxpayer addresses."


def test_rss20_relative_link_is_resolved_against_the_feed_url():
    feed = _parse("rss20.xml")

    assert feed.entries[1].url == "https://feeds.example.org/2025/05/hearing"


def test_rss20_entries_without_an_http_link_are_skipped_and_noted():
    feed = _parse("rss20.xml")

    assert [e.title for e in feed.entries] == [
        "IRS & ICE sign data-sharing agreement",
        "Court hears challenge to the agreement",
    ]
    assert feed.problems == [
        "2 entries were skipped for having no http(s) link: "
        "'An item without a link', 'A script link'"
    ]


def test_rss10():
    feed = _parse("rss10.rdf")

    assert feed.title == "Agency Press Releases"
    [entry] = feed.entries
    assert entry.url == "https://agency.example.gov/press/2025-04-07"
    assert entry.title == "Treasury statement on the memorandum"
    assert entry.published_at == datetime(2025, 4, 7, 14, 0, tzinfo=UTC)
    assert entry.author == "Press Office"
    assert feed.problems == []


def test_atom():
    feed = _parse("atom.xml", content_type="application/atom+xml")

    assert feed.title == "Court Watch"
    [entry] = feed.entries
    assert entry.url == "https://feeds.example.org/sub/posts/injunction-denied"
    assert entry.published_at == datetime(2025, 6, 1, 17, 15, tzinfo=UTC)
    assert entry.summary == "The motion was denied."
    assert entry.author == "Sam Clerk"
    assert entry.guid == "tag:courts.example.net,2025:1"
    assert feed.problems == []


def test_json_feed():
    feed = _parse("jsonfeed.json", content_type="application/feed+json")

    assert feed.title == "Advocacy Updates"
    assert feed.link == "https://advocates.example.org/"
    [entry] = feed.entries
    assert entry.url == "https://feeds.example.org/updates/mou-lawsuit"
    assert entry.title == "We are suing over the MOU"
    assert entry.summary == "Our complaint & exhibits."
    assert entry.published_at == datetime(2025, 4, 10, 13, 0, tzinfo=UTC)
    assert entry.author == "Alex Counsel"
    assert entry.guid == "42"
    assert feed.problems == ["1 entry was skipped for having no http(s) link: 'Item without a URL'"]


def test_json_that_is_not_a_json_feed_is_not_a_feed():
    with pytest.raises(NotAFeed) as caught:
        parse_feed(b'{"version": 2, "items": []}', content_type="application/json")

    assert caught.value.reason == "the document is JSON but not a JSON Feed"


def test_malformed_xml_yields_what_it_can_and_notes_the_problem():
    feed = _parse("malformed.xml")

    assert [e.url for e in feed.entries] == [
        "https://broken.example.com/first",
        "https://broken.example.com/second",
    ]
    assert feed.title == "Broken & Still Useful"
    assert len(feed.problems) == 1
    assert feed.problems[0].startswith("feed is not well-formed XML: ")


def test_html_page_is_not_a_feed():
    with pytest.raises(NotAFeed) as caught:
        _parse("html_page.html", content_type="text/html")

    assert caught.value.reason == "the document is an HTML page, not a feed"


def test_billion_laughs_is_not_expanded():
    content = (SAMPLES / "billion_laughs.xml").read_bytes()
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            feed = parse_feed(content, url=FEED_URL)
        except NotAFeed as rejected:
            feed = None
            reason = rejected.reason
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024
    if feed is None:
        assert "entities" in reason
    else:
        assert "lollol" not in _all_text(feed)
        assert (
            "the feed declares its own XML entities; they were removed, not expanded"
            in feed.problems
        )


def test_external_entity_does_not_leak_local_files():
    feed = _parse("xxe.xml")

    text = _all_text(feed)
    assert "root:" not in text
    assert "/bin/" not in text
    assert "the feed declares its own XML entities; they were removed, not expanded" in (
        feed.problems
    )
    assert [e.url for e in feed.entries] == ["https://leaky.example.com/1"]


def test_content_that_looks_like_a_path_is_not_opened():
    with pytest.raises(NotAFeed):
        parse_feed(b"/etc/passwd")


def test_wrong_declared_encoding_falls_back_and_notes_the_problem():
    feed = _parse("wrong_encoding.xml", content_type="application/rss+xml", encoding="utf-8")

    assert feed.title == "Café des politiques"
    assert feed.entries[0].title == "Résumé de l’accord"
    assert any("character encoding" in problem for problem in feed.problems)


def test_unknown_declared_encoding_does_not_crash():
    content = (SAMPLES / "rss20.xml").read_bytes().replace(b'"utf-8"', b'"no-such-charset"')

    feed = parse_feed(content, url=FEED_URL, content_type="text/xml", encoding="x-bogus")

    assert feed.entries[0].url == "https://news.example.org/2025/04/irs-ice-mou"


def test_empty_document_is_not_a_feed():
    with pytest.raises(NotAFeed) as caught:
        parse_feed(b"  \n")

    assert caught.value.reason == "the document is empty"
