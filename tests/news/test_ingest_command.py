"""`manage.py ingest` end to end against a local news site on 127.0.0.1."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from werkzeug import Response

from apps.news.models import Article, ArticleLink, ArticleURL, Feed
from tests.news.local_site import BODY_MOU, article_page, rss_feed

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def run_ingest(*args: str) -> dict:
    out = StringIO()
    call_command("ingest", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_ingest_feed_stores_articles_with_titles_dates_and_clean_text(news_site, tracked_record):
    report = run_ingest("--feed", f"{news_site}/feed.xml")

    assert report["feeds"] == [
        {"url": f"{news_site}/feed.xml", "status": "ok", "error": "", "entries": 5}
    ]
    mou = Article.objects.get(canonical_url=f"{news_site}/2025/04/08/irs-ice-deal")
    assert mou.title == "IRS agrees to help ICE find immigrants ordered deported"
    assert mou.published_at.date() == datetime.date(2025, 4, 8)
    assert mou.byline == "Jane Reporter"
    assert mou.language == "en"
    assert "memorandum of understanding" in mou.text
    for clutter in ("Recommended Stories", "newsletter", "First comment", "Copyright", "Subscribe"):
        assert clutter not in mou.text
    assert mou.outlet.domain == "127.0.0.1"


def test_ingest_collapses_tracking_parameter_variants(news_site, tracked_record):
    report = run_ingest("--feed", f"{news_site}/feed.xml")

    assert Article.objects.filter(canonical_url__contains="irs-ice-deal").count() == 1
    seen = set(ArticleURL.objects.values_list("url", flat=True))
    assert f"{news_site}/2025/04/08/irs-ice-deal?utm_source=rss&utm_medium=feed" in seen
    assert f"{news_site}/2025/04/08/irs-ice-deal?fbclid=IwAR0abc" in seen
    # The second variant is reported as a duplicate of the first, which was fetched once.
    assert report["counts"] == {"new": 3, "duplicate": 1, "near_duplicate": 0, "error": 1}


def test_ingest_records_a_missing_page_and_goes_on(news_site, tracked_record):
    report = run_ingest("--feed", f"{news_site}/feed.xml")

    failed = [a for a in report["articles"] if a["status"] == "error"]
    assert [a["url"] for a in failed] == [f"{news_site}/2025/04/11/missing"]
    assert "404" in failed[0]["error"]
    assert Article.objects.get(canonical_url__endswith="/missing").fetch_status == "failed"
    assert Article.objects.filter(fetch_status="fetched").count() == 3


def test_ingest_suggests_the_right_links_and_no_false_ones(news_site, tracked_record):
    run_ingest("--feed", f"{news_site}/feed.xml")

    def targets(path):
        article = Article.objects.get(canonical_url=f"{news_site}{path}")
        return {
            (link.target_kind, link.target.slug)
            for link in article.links.select_related("agreement", "actor", "challenge")
        }

    assert targets("/2025/04/08/irs-ice-deal") >= {
        ("agreement", "irs-ice-mou"),
        ("actor", "irs"),
        ("actor", "ice"),
        ("actor", "public-citizen"),
    }
    # "ice storm" is not ICE and "Heirs" is not the IRS.
    assert targets("/2025/04/09/ice-storm") == set()
    # Both agencies, but in unrelated sentences with no instrument between them: no agreement.
    assert targets("/2025/04/10/budget-hearings") == {("actor", "irs"), ("actor", "ice")}
    assert set(ArticleLink.objects.values_list("status", flat=True)) == {"suggested"}


def test_ingest_marks_the_syndicated_copy_as_near_duplicate(news_site, tracked_record):
    run_ingest("--feed", f"{news_site}/feed.xml")
    copy_url = news_site.replace("127.0.0.1", "localhost") + "/wire/irs-ice-copy"

    report = run_ingest("--url", copy_url)

    assert report["counts"]["near_duplicate"] == 1
    copy = Article.objects.get(canonical_url=copy_url)
    original = Article.objects.get(canonical_url=f"{news_site}/2025/04/08/irs-ice-deal")
    assert copy.near_duplicate_of == original
    assert copy.outlet != original.outlet


def test_ingest_twice_stores_nothing_twice_and_loses_nothing(news_site, tracked_record):
    run_ingest("--feed", f"{news_site}/feed.xml")
    link = ArticleLink.objects.filter(agreement=tracked_record["agreement"]).get()
    link.status = ArticleLink.Status.CONFIRMED
    link.save()
    before = {
        "articles": Article.objects.count(),
        "urls": ArticleURL.objects.count(),
        "links": ArticleLink.objects.count(),
    }

    report = run_ingest("--feed", f"{news_site}/feed.xml")

    assert report["counts"]["new"] == 0
    assert Article.objects.count() == before["articles"]
    assert ArticleURL.objects.count() == before["urls"]
    assert ArticleLink.objects.count() == before["links"]
    link.refresh_from_db()
    assert link.status == ArticleLink.Status.CONFIRMED


def test_ingest_url_of_a_known_article_reports_duplicate(news_site, tracked_record):
    run_ingest("--url", f"{news_site}/2025/04/08/irs-ice-deal?utm_campaign=x")

    report = run_ingest("--url", f"{news_site}/2025/04/08/irs-ice-deal#comments")

    assert report["articles"][0]["status"] == "duplicate"
    assert report["articles"][0]["canonical_url"] == f"{news_site}/2025/04/08/irs-ice-deal"


def test_ingest_records_every_bad_input_and_keeps_the_good(allow_local_server, tracked_record):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    server.expect_request("/not-xml.xml").respond_with_data(
        "<rss><channel><title>Broken", content_type="application/rss+xml"
    )
    server.expect_request("/page.html").respond_with_data(
        "<!doctype html><html><body><h1>Home</h1><p>Not a feed.</p></body></html>",
        content_type="text/html",
    )
    server.expect_request("/gone.xml").respond_with_response(Response("", status=410))
    server.expect_request("/busy.xml").respond_with_response(
        Response("", status=429, headers={"Retry-After": "120"})
    )
    server.expect_request("/boom.xml").respond_with_response(Response("", status=500))
    server.expect_request("/to-metadata").respond_with_response(
        Response("", status=302, headers={"Location": "http://169.254.169.254/latest/"})
    )
    server.expect_request("/hostile").respond_with_data(
        article_page(
            headline="Hostile <script>alert(1)</script> page",
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
            extra_body=(
                '<p>See <a href="javascript:alert(2)">this</a>'
                '<img src="x" onerror="alert(3)"></p><script>alert(4)</script>'
            ),
        ),
        content_type="text/html",
    )

    report = run_ingest(
        "--feed", f"{base}/not-xml.xml",
        "--feed", f"{base}/page.html",
        "--feed", f"{base}/gone.xml",
        "--feed", f"{base}/busy.xml",
        "--feed", f"{base}/boom.xml",
        "--feed", "file:///etc/passwd",
        "--url", f"{base}/to-metadata",
        "--url", f"http://127.0.0.1:{server.port + 1 if server.port < 65535 else 1}/x",
        "--url", "file:///etc/passwd",
        "--url", f"{base}/hostile",
    )  # fmt: skip

    feeds = {feed["url"].rsplit("/", 1)[-1]: feed for feed in report["feeds"]}
    assert feeds["page.html"]["status"] == "error"
    assert "HTML" in feeds["page.html"]["error"]
    assert feeds["gone.xml"]["status"] == "error" and "410" in feeds["gone.xml"]["error"]
    assert feeds["busy.xml"]["status"] == "error" and "429" in feeds["busy.xml"]["error"]
    assert feeds["boom.xml"]["status"] == "error" and "500" in feeds["boom.xml"]["error"]
    assert feeds["passwd"]["status"] == "error" and feeds["passwd"]["error"]
    # The broken feed either yields nothing usable or is refused, with a reason either way.
    assert feeds["not-xml.xml"]["entries"] == 0
    assert (
        feeds["not-xml.xml"]["status"] == "error"
        or Feed.objects.get(url=f"{base}/not-xml.xml").last_error
    )

    articles = {a["url"]: a for a in report["articles"]}
    for bad in (f"{base}/to-metadata", "file:///etc/passwd"):
        assert articles[bad]["status"] == "error" and articles[bad]["error"]
    assert "169.254.169.254" in articles[f"{base}/to-metadata"]["error"]

    hostile = Article.objects.get(canonical_url=f"{base}/hostile")
    # The headline spelled its markup with entities, so readers saw those characters: kept as
    # text (escaped on every page). The page's own markup is gone.
    assert hostile.title == "Hostile <script>alert(1)</script> page"
    for field in (hostile.text, hostile.byline):
        assert "<script" not in field and "javascript:" not in field and "onerror" not in field
    assert "alert(4)" not in hostile.text
    assert "Internal Revenue Service" in hostile.text

    busy = Feed.objects.get(url=f"{base}/busy.xml")
    assert busy.active and busy.consecutive_failures == 1
    assert (busy.next_fetch_at - busy.last_fetched_at).total_seconds() >= 120
    gone = Feed.objects.get(url=f"{base}/gone.xml")
    assert not gone.active  # permanent: not retried until a curator switches it back on


def test_ingest_without_arguments_refuses_to_run():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--feed"):
        call_command("ingest")


def test_ingest_json_report_has_exactly_the_documented_shape(news_site, tracked_record):
    report = run_ingest("--feed", f"{news_site}/feed.xml", "--url", "file:///etc/passwd")

    assert set(report) == {"feeds", "articles", "counts"}
    assert all(set(feed) == {"url", "status", "error", "entries"} for feed in report["feeds"])
    assert all(
        set(article) == {"url", "canonical_url", "status", "error", "title"}
        for article in report["articles"]
    )
    assert set(report["counts"]) == {"new", "duplicate", "near_duplicate", "error"}
    statuses = [article["status"] for article in report["articles"]]
    assert {status: statuses.count(status) for status in report["counts"]} == report["counts"]
    assert len(report["articles"]) == 5 + 1  # every feed entry, and the refused URL


def test_ingest_again_reports_known_entries_without_fetching_them(
    news_site, allow_local_server, tracked_record
):
    run_ingest("--feed", f"{news_site}/feed.xml")
    requests_before = len(allow_local_server.log)

    report = run_ingest("--feed", f"{news_site}/feed.xml")

    assert report["counts"] == {"new": 0, "duplicate": 4, "near_duplicate": 0, "error": 1}
    missing = next(a for a in report["articles"] if a["status"] == "error")
    assert missing["url"].endswith("/missing") and "404" in missing["error"]
    # Only the feed itself was fetched again.
    assert [r.path for r, _ in allow_local_server.log[requests_before:]] == ["/feed.xml"]


def test_ingest_human_summary_lists_what_happened_and_counts_the_rest(news_site, tracked_record):
    run_ingest("--feed", f"{news_site}/feed.xml")
    out = StringIO()

    call_command("ingest", "--feed", f"{news_site}/feed.xml", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"feed ok     {news_site}/feed.xml: 5 entries (4 duplicate, 1 failed)"
    # Already-stored entries are counted, not listed; the one that keeps failing is listed.
    assert len(lines) == 3
    assert lines[1].split()[0] == "error" and "/2025/04/11/missing" in lines[1]
    assert "HTTP 404 Not Found" in lines[1]
    assert lines[2] == "0 new, 4 duplicate, 0 near-duplicate, 1 failed"


def test_ingest_resolves_relative_links_in_rss_atom_and_json_feeds(allow_local_server):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    server.expect_request("/rss.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>R</title><link>/</link>'
        "<item><title>Root-relative</title><link>/news/one</link></item>"
        "<item><title>Path-relative</title><link>news/two</link></item>"
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    server.expect_request("/feeds/atom.xml").respond_with_data(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/section/">'
        "<title>A</title><id>urn:a</id><updated>2025-04-08T00:00:00Z</updated>"
        '<entry><title>Three</title><id>urn:3</id><link href="../news/three"/>'
        "<updated>2025-04-08T00:00:00Z</updated></entry></feed>",
        content_type="application/atom+xml",
    )
    server.expect_request("/feed.json").respond_with_data(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "J",
                "items": [{"id": "4", "url": "news/four?utm_source=json", "title": "Four"}],
            }
        ),
        content_type="application/feed+json",
    )
    for name in ("one", "two", "three", "four"):
        server.expect_request(f"/news/{name}").respond_with_data(
            article_page(
                headline=f"Story {name}", paragraphs=BODY_MOU, published="2025-04-08T14:00:00Z"
            ),
            content_type="text/html",
        )

    feeds = (f"{base}/rss.xml", f"{base}/feeds/atom.xml", f"{base}/feed.json")
    report = run_ingest(*(arg for url in feeds for arg in ("--feed", url)))

    assert [feed["entries"] for feed in report["feeds"]] == [2, 1, 1]
    assert {article["canonical_url"] for article in report["articles"]} == {
        f"{base}/news/{name}" for name in ("one", "two", "three", "four")
    }
    assert report["counts"]["error"] == 0


def test_ingest_stores_a_redirected_entry_under_the_url_it_ends_at(allow_local_server):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    server.expect_request("/feed.xml").respond_with_data(
        rss_feed(base=base, items=[("Via a redirect", "/r/123", datetime.datetime.now(UTC))]),
        content_type="application/rss+xml",
    )
    server.expect_request("/r/123").respond_with_response(
        Response("", status=301, headers={"Location": "/news/story?utm_source=redirect"})
    )
    server.expect_request("/news/story").respond_with_data(
        article_page(headline="A story", paragraphs=BODY_MOU, published="2025-04-08T14:00:00Z"),
        content_type="text/html",
    )

    first = run_ingest("--feed", f"{base}/feed.xml")
    again = run_ingest("--url", f"{base}/news/story", "--url", f"{base}/r/123")

    assert first["articles"][0]["canonical_url"] == f"{base}/news/story"
    assert [a["status"] for a in again["articles"]] == ["duplicate", "duplicate"]
    article = Article.objects.get()
    assert article.canonical_url == f"{base}/news/story"
    assert {f"{base}/r/123", f"{base}/news/story"} <= set(
        article.seen_urls.values_list("url", flat=True)
    )


def test_ingest_folds_a_page_into_the_article_its_rel_canonical_names(
    news_site, allow_local_server, tracked_record
):
    original = f"{news_site}/2025/04/08/irs-ice-deal"
    run_ingest("--url", original)
    stored_at = Article.objects.get(canonical_url=original).updated_at
    server = allow_local_server

    def serve(path: str, canonical: str) -> None:
        server.expect_request(path).respond_with_data(
            article_page(
                headline="IRS agrees to help ICE find immigrants ordered deported",
                paragraphs=BODY_MOU,
                published="2025-04-08T14:00:00+00:00",
                extra_head=f'<link rel="canonical" href="{canonical}">',
            ),
            content_type="text/html",
        )

    serve("/amp/irs-ice-deal", original)
    serve("/copied", original)  # fetched through another host name: only a claim
    serve("/2025/04/12/other", "/")  # a template that names the front page on every page
    copy_url = news_site.replace("127.0.0.1", "localhost") + "/copied"

    report = run_ingest(
        "--url", f"{news_site}/amp/irs-ice-deal",
        "--url", copy_url,
        "--url", f"{news_site}/2025/04/12/other",
    )  # fmt: skip

    amp, copy, other = report["articles"]
    assert (amp["status"], amp["canonical_url"]) == ("duplicate", original)
    folded_into = Article.objects.get(canonical_url=original)
    assert f"{news_site}/amp/irs-ice-deal" in set(
        folded_into.seen_urls.values_list("url", flat=True)
    )
    assert folded_into.updated_at > stored_at  # its new URL shows in ?updated_since=
    assert (copy["status"], copy["canonical_url"]) == ("near_duplicate", copy_url)
    assert other["canonical_url"] == f"{news_site}/2025/04/12/other"
    assert Article.objects.count() == 3


def test_ingest_skips_an_entry_whose_url_cannot_be_stored_and_keeps_the_rest(
    allow_local_server,
):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    when = datetime.datetime(2025, 4, 8, tzinfo=UTC)
    server.expect_request("/feed.xml").respond_with_data(
        rss_feed(
            base=base,
            items=[("Too long", "/news/" + "a" * 2100, when), ("Fine", "/news/fine", when)],
        ),
        content_type="application/rss+xml",
    )
    server.expect_request("/news/fine").respond_with_data(
        article_page(headline="Fine", paragraphs=BODY_MOU, published="2025-04-08T14:00:00Z"),
        content_type="text/html",
    )

    report = run_ingest("--feed", f"{base}/feed.xml")

    assert report["feeds"][0]["status"] == "ok"
    assert "1 entry was skipped" in report["feeds"][0]["error"]
    assert [a["canonical_url"] for a in report["articles"]] == [f"{base}/news/fine"]
    assert Article.objects.get().title == "Fine"
