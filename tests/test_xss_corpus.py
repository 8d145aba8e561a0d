"""Hostile text through every path that carries outside text: DOMPurify's test payloads and the
Big List of Naughty Strings (tests/vendor) as feed and article titles, bodies, bylines, outlet
names and URLs fetched from a local site by the real ingestion; as curators' text shown on the
public pages and in the Atom feeds; in the CSV exports, digest emails and webhook payloads.

Three properties, each checked on what a client really gets:
- nothing runs: a real Chromium renders the pages with the Content-Security-Policy switched off
  (so escaping alone is tested, not the CSP that backs it up) and finds no call of alert & co.,
  no dialog, no request off the site and no element or attribute a payload could have injected;
- nothing is eaten: the text a reader sees holds every visible character of what was stored,
  and ingestion stores what the page showed;
- nothing is escaped twice: no `&amp;amp;` unless the text itself spelled `&amp;`.

The default run takes a sample of the corpus (tests/xss_corpus.py); the `slow` variants take all
of it (CI runs them).
"""

import csv
import io
import json
import os
from email.utils import format_datetime
from html import escape

import feedparser
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from apps.alerts import services as alerts
from apps.alerts.models import Webhook
from apps.news.extract import extract_article
from apps.news.ingest import ingest_feed_now, outlet_for
from apps.news.models import Article
from apps.news.text_clean import sanitize_plain_text, text_from_html
from apps.tracker.models import Event
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    LegalChallengeFactory,
    OutletFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)
from tests.news.local_site import BODY_MOU, article_page
from tests.xss_corpus import (
    DOM_CHECK,
    TRAP_SCRIPT,
    as_typed,
    full_corpus,
    sample,
    storable,
    visible,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The whole corpus tests escaping, extraction and exports, none of which depends on the
# database: it runs once, in CI's SQLite pass; the sample runs in both.
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
WHOLE_CORPUS = [
    pytest.mark.slow,
    pytest.mark.skipif(ON_POSTGRES, reason="the whole corpus runs in the SQLite pass"),
]
CORPORA = [
    pytest.param("sample", id="sample"),
    pytest.param("full", id="full", marks=WHOLE_CORPUS),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SITE_NAME = 'Ledger "><img src=x onerror=alert(1)>'
WHEN = timezone.make_aware(timezone.datetime(2026, 3, 3, 10, 0))


def payloads_of(corpus: str) -> tuple[str, ...]:
    return full_corpus() if corpus == "full" else sample()


def typed(corpus: str) -> list[str]:
    """The payloads as a curator's form would store them (the ones it can store)."""
    return list(
        dict.fromkeys(as_typed(p) for p in payloads_of(corpus) if storable(p) and p.strip())
    )


def text_of(markup: str) -> str:
    return lxml_html.fromstring(markup).text_content()


def assert_not_escaped_twice(markup: str, texts) -> None:
    if not any("&amp;" in text for text in texts):
        assert "&amp;amp;" not in markup
    if not any("&lt;" in text or "&gt;" in text for text in texts):
        assert "&amp;lt;" not in markup and "&amp;gt;" not in markup


def assert_shows(markup: str, texts) -> None:
    """Every text is on the page as a reader sees it: no character eaten or escaped twice."""
    shown = visible(text_of(markup))
    missing = [text for text in texts if visible(text) not in shown]
    assert missing == []


# --- Ingestion: extraction keeps the page's text, as the page showed it -----------------------


@pytest.mark.parametrize("corpus", CORPORA)
def test_extraction_keeps_every_payload_as_the_page_showed_it(corpus):
    wrong = []
    for payload in payloads_of(corpus):
        page = article_page(
            headline=payload,
            paragraphs=[*BODY_MOU[:2], payload, *BODY_MOU[2:]],
            published="2025-04-08T10:00:00Z",
            site=payload,
        )
        extracted = extract_article(page, url="http://127.0.0.1/a")
        expected = visible(sanitize_plain_text(payload))
        if visible(extracted.title) != expected or expected not in visible(extracted.text):
            wrong.append((payload, extracted.title))
        # trafilatura title-cases a site name written in lower case and drops a leading @.
        site = visible(sanitize_plain_text(payload)).title().casefold().lstrip("@")
        if visible(extracted.site_name).title().casefold().lstrip("@") != site:
            wrong.append((payload, extracted.site_name))
    assert wrong == []


@pytest.mark.parametrize("corpus", CORPORA)
def test_feed_text_that_is_not_markup_is_kept_whole(corpus):
    plain = [p for p in payloads_of(corpus) if "<" not in p and "&" not in p]
    assert [p for p in plain if text_from_html(p) != sanitize_plain_text(p)] == []


# --- Ingestion from a local site --------------------------------------------------------------


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters at all, escaped or not.
    return escape("".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20), quote=False)


def groups_of(payloads, size: int) -> list[tuple[str, ...]]:
    return [tuple(payloads[i : i + size]) for i in range(0, len(payloads), size)]


def serve_site(server, groups) -> str:
    """A feed with one item per group of payloads, linking to an article page that carries them:
    the group's first payload is the item's title and author and the page's headline, byline
    and URL query; every payload of the group is a paragraph of the page (as text, and once
    more as markup after the article) and a line of the item's description."""
    items = []
    for number, group in enumerate(groups):
        path = f"/story/{number}"
        query = f"?ref={escape(group[0][:40], quote=True)}"
        summary = "\n".join(group)
        items.append(
            f"<item><title>{_xml_text(group[0])}</title>"
            f"<link>{server.url_for(path)}{_xml_text(query)}</link>"
            f"<description>{_xml_text(f'Summary {number}: {summary}')}</description>"
            f"<dc:creator>{_xml_text(group[0])}</dc:creator>"
            f"<pubDate>{format_datetime(WHEN)}</pubDate></item>"
        )
        page = article_page(
            headline=group[0],
            paragraphs=[*BODY_MOU[:2], *(f"Quoted {number}: {p}" for p in group), *BODY_MOU[2:]],
            published="2026-03-02T10:00:00Z",
            author=group[0],
            site=SITE_NAME,
            extra_body="".join(f"<p>{payload}</p>" for payload in group),
        )
        server.expect_request(path).respond_with_data(page, content_type="text/html")
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Ledger</title>'
        f"<link>{server.url_for('/')}</link>{''.join(items)}</channel></rss>"
    )
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    return server.url_for("/feed.xml")


@pytest.fixture
def ingested(allow_local_server, request):
    """The corpus fetched and stored by the real ingestion from a local site: a few payloads
    an article, so the whole corpus crosses it in a few dozen fetches (every payload of the
    corpus is a headline in test_extraction_keeps_every_payload_as_the_page_showed_it)."""
    groups = groups_of(payloads_of(request.param), 4 if request.param == "sample" else 20)
    _, outcomes = ingest_feed_now(url=serve_site(allow_local_server, groups))
    assert [o.status for o in outcomes if o.status == "error"] == []
    return groups


@pytest.mark.django_db
@pytest.mark.parametrize("ingested", CORPORA, indirect=True)
def test_ingested_articles_keep_the_text_and_their_pages_show_it_escaped(ingested, client):
    articles = Article.objects.order_by("id")
    assert articles.count() == len(ingested)
    outlet = articles[0].outlet
    assert outlet.name == sanitize_plain_text(SITE_NAME)
    # Syndicated copies list each other, so a page may show any of the stored texts.
    stored = [text for a in articles for text in (a.title, a.byline, a.text)] + [outlet.name]
    for number, (article, group) in enumerate(zip(articles, ingested, strict=True)):
        assert article.fetch_status == Article.FetchStatus.FETCHED, article.fetch_error
        headline = sanitize_plain_text(group[0])[:500]
        assert visible(article.title) == visible(headline), group[0]
        assert article.summary.startswith(f"Summary {number}:"), group[0]
        body = visible(article.text)
        assert [p for p in group if visible(sanitize_plain_text(p)) not in body] == []
        page = client.get(article.get_absolute_url()).content.decode()
        assert_shows(page, [article.title, article.byline, outlet.name, article.text])
        assert_not_escaped_twice(page, stored)
        assert lxml_foreign(page, PAGE_FOREIGN) == []
    outlet_page = client.get(outlet.get_absolute_url()).content.decode()
    newest = articles.reverse()[:10]  # the first page, newest first
    assert_shows(outlet_page, [outlet.name, *(a.title for a in newest)])
    assert_not_escaped_twice(outlet_page, stored)


@pytest.mark.django_db
def test_outlet_names_are_stored_as_the_site_wrote_them():
    for number, payload in enumerate(sample()):
        outlet = outlet_for(url=f"https://site-{number}.example/a", site_name=payload)
        assert outlet.name == (sanitize_plain_text(payload)[:200] or f"site-{number}.example")


# --- Curators' text on the public pages -------------------------------------------------------


def build_record(texts: list[str], *, per_event: int = 1):
    """A record whose curated text fields carry the corpus: every payload is an event's title
    or a paragraph of its description (`per_event` payloads an event), the first forty are
    statements; the first few also name the agreement, the actor, the case, the topic, an
    outlet and an article, so each page type shows one."""
    first = (texts * 8)[:8]
    topic = TopicFactory(name=first[0], description=first[1])
    agreement = AgreementFactory(slug="mou", title=first[2], summary=first[3])
    agreement.topics.add(topic)
    actor = ActorFactory(slug="speaker", name=first[4], description=first[5])
    challenge = LegalChallengeFactory(
        slug="case", caption=first[6], summary=first[7], docket_number=first[0][:100]
    )
    challenge.agreements.add(agreement)
    article = ArticleFactory(
        title=first[1],
        byline=first[2][:500],
        text=first[3],
        outlet=OutletFactory(name=first[4][:200], slug="outlet"),
    )
    ArticleLinkFactory(article=article, agreement=agreement, status="confirmed")
    start = timezone.datetime(2020, 1, 1).date()
    Event.objects.bulk_create(
        Event(
            agreement=agreement,
            date=start + timezone.timedelta(days=number),
            kind=Event.Kind.STATEMENT,
            title=chunk[0][:300],
            description="\n\n".join(chunk),
        )
        for number, chunk in enumerate(groups_of(texts, per_event))
    )
    position = PositionFactory(agreement=agreement, actor=actor, summary=first[1])
    for text in texts[:40]:
        StatementFactory(position=position, speaker=actor, text=text, speaker_label=text[:200])
    return {
        "agreement": agreement,
        "actor": actor,
        "challenge": challenge,
        "topic": topic,
        "article": article,
    }


def record_pages(record, texts) -> list[str]:
    agreement = record["agreement"]
    pages = [
        "/",
        agreement.get_absolute_url(),
        reverse("tracker:agreement-embed", args=[agreement.slug]),
        record["actor"].get_absolute_url(),
        record["challenge"].get_absolute_url(),
        record["topic"].get_absolute_url(),
        record["article"].get_absolute_url(),
        "/agreements/",
        "/actors/",
        "/topics/",
        "/challenges/",
    ]
    timeline = reverse("tracker:agreement-timeline", args=[agreement.slug])
    events = record["agreement"].events.count()
    pages += [f"{timeline}?page={n}" for n in range(1, (events - 1) // 100 + 2)]
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("corpus", CORPORA)
def test_curated_text_is_shown_as_typed_on_every_page(client, corpus):
    texts = typed(corpus)
    record = build_record(texts)
    shown = ""
    for url in record_pages(record, texts):
        response = client.get(url)
        assert response.status_code == 200, url
        markup = response.content.decode()
        assert_not_escaped_twice(markup, texts)
        assert lxml_foreign(markup, PAGE_FOREIGN) == [], url
        shown += visible(text_of(markup))
    assert [text for text in texts if visible(text[:300]) not in shown] == []
    agreement_page = client.get(record["agreement"].get_absolute_url()).content.decode()
    title = lxml_html.fromstring(agreement_page).find(".//meta[@property='og:title']")
    assert title.get("content") == record["agreement"].title


@pytest.mark.django_db
@pytest.mark.parametrize("corpus", CORPORA)
def test_atom_feeds_carry_curated_text_as_text(client, corpus):
    texts = typed(corpus)
    record = build_record(texts)

    feed = feedparser.parse(client.get(f"{record['agreement'].get_absolute_url()}feed/").content)

    assert not feed.bozo, feed.bozo_exception
    titles = {visible(entry.title) for entry in feed.entries}
    newest = texts[::-1][: len(feed.entries)]
    assert [t for t in newest if not any(visible(t[:300]) in title for title in titles)] == []


# --- Exports: CSV never hands a spreadsheet a formula -----------------------------------------


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def as_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@pytest.mark.django_db
@pytest.mark.parametrize("corpus", CORPORA)
def test_csv_exports_neutralise_formulas_and_keep_the_text(client, corpus):
    texts = typed(corpus)
    build_record(texts)

    events = csv_rows(client.get("/api/v1/events/?format=csv"))
    statements = csv_rows(client.get("/api/v1/statements/?format=csv"))
    timeline = csv_rows(client.get(reverse("tracker:agreement-timeline-csv", args=["mou"])))

    by_description = {row["description"] for row in events}
    assert [t for t in texts if as_cell(t) not in by_description] == []
    assert {row["text"] for row in statements} == {as_cell(t) for t in texts[:40]}
    cells = [value for row in events + statements + timeline for value in row.values() if value]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    timeline_texts = {value for row in timeline for value in row.values()}
    assert [t for t in texts if as_cell(t[:300]) not in timeline_texts] == []


# --- Emails and webhooks ----------------------------------------------------------------------


@pytest.fixture
def receiver(allow_local_server):
    return allow_local_server


def record_events(agreement, texts) -> None:
    """One event a text, saved one by one as a curator would, so the outbox sees each."""
    for number, text in enumerate(texts):
        Event.objects.create(
            agreement=agreement,
            date=timezone.datetime(2026, 1, 1).date() + timezone.timedelta(days=number),
            kind=Event.Kind.STATEMENT,
            title=text[:300],
            description=text,
        )


EMAIL_FOREIGN = {"script", "iframe", "img", "object", "embed", "svg", "math", "style", "base"}
# Pages draw their timeline chart as inline SVG and load the site's script by src.
PAGE_FOREIGN = EMAIL_FOREIGN - {"svg", "script"}


def lxml_foreign(markup: str, foreign=EMAIL_FOREIGN) -> list[str]:
    """The Python side of DOM_CHECK, for HTML as the server sent it: no inline script, no
    event handler, no element or URL a payload could have injected."""
    tree = lxml_html.fromstring(markup)
    found = [el.tag for el in tree.iter() if el.tag in foreign]
    found += ["inline script" for el in tree.iter("script") if not el.get("src")]
    for element in tree.iter():
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag} {name}")
            if name in ("href", "src") and value.strip().lower().startswith(("javascript", "data")):
                found.append(f"{element.tag} {name}={value}")
    return found


@pytest.mark.django_db
def test_digest_emails_carry_the_text_escaped_in_html_and_whole_in_plain_text(member):
    texts = typed("sample")
    with time_machine.travel(WHEN, tick=False):
        agreement = AgreementFactory(slug="mou", title=texts[0])
        alerts.follow(user=member, target=agreement, kind="agreement", frequency="realtime")
        record_events(agreement, texts)
        alerts.send_alerts()

    [message] = mail.outbox
    [(html_part, _)] = message.alternatives
    assert [t for t in texts if t[:300] not in message.body] == []
    assert_shows(html_part, [t[:300] for t in texts])
    assert_not_escaped_twice(html_part, texts)
    assert lxml_foreign(html_part) == []


@pytest.mark.django_db
def test_webhook_payloads_carry_the_text_exactly(member, receiver):
    texts = typed("sample")
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    Webhook.objects.create(
        owner=member,
        url=receiver.url_for("/hook"),
        event_types=["event.created"],
        secret="whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=",
    )
    record_events(AgreementFactory(slug="mou"), texts)

    alerts.send_alerts()

    bodies = [json.loads(request.get_data()) for request, _ in receiver.log]
    assert {body["type"] for body in bodies} == {"event.created"}
    events = sorted((body["data"]["event"]["title"], body["data"]["event"]["description"])
                    for body in bodies)  # fmt: skip
    assert events == sorted((text[:300], text) for text in texts)


# --- A real browser: nothing runs -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from tests.test_browser import CHROMIUM_ARGS, _chromium_path

    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def visit(context, url: str, origin: str) -> dict:
    page = context.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("popup", lambda popup: outside.append("popup " + popup.url))

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    # Only requests off the site are intercepted; the site's own go straight through.
    page.route(lambda url: not url.startswith(origin), refuse)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)  # timers and late event handlers a payload may have set
    found = {
        "calls": page.evaluate("() => window.__xss"),
        "dialogs": dialogs,
        "outside": outside,
        "injected": page.evaluate(DOM_CHECK),
        "text": page.evaluate("() => document.documentElement.textContent"),
    }
    page.close()
    return found


def browse(browser, live_server, urls: list[str]) -> str:
    """Visit each page with the CSP switched off (escaping alone is under test) and the alert
    family trapped; assert that nothing ran, opened, left the site or was injected. Returns
    the text the pages showed."""
    context = browser.new_context(bypass_csp=True)
    context.add_init_script(TRAP_SCRIPT)
    shown = ""
    try:
        for url in urls:
            found = visit(context, live_server.url + url, live_server.url)
            assert found["calls"] == [], url
            assert found["dialogs"] == [], url
            assert found["outside"] == [], url
            assert found["injected"] == [], url
            shown += visible(found["text"])
    finally:
        context.close()
    return shown


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_sampled_payload_runs_in_a_real_browser(live_server, browser):
    texts = typed("sample")
    record = build_record(texts)
    agreement = record["agreement"]
    urls = [
        "/",
        agreement.get_absolute_url(),
        reverse("tracker:agreement-timeline", args=[agreement.slug]),
        reverse("tracker:agreement-embed", args=[agreement.slug]),
        record["actor"].get_absolute_url(),
        record["challenge"].get_absolute_url(),
        record["topic"].get_absolute_url(),
        record["article"].get_absolute_url(),
        record["article"].outlet.get_absolute_url(),
        "/search/?q=alert",
    ]

    shown = browse(browser, live_server, urls)

    assert [text for text in texts if visible(text[:300]) not in shown] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("corpus", [pytest.param("full", marks=WHOLE_CORPUS)])
def test_no_payload_of_the_corpus_runs_in_a_real_browser(live_server, browser, corpus):
    # Eight payloads an event (its title and paragraphs), so the corpus fits a timeline page.
    texts = typed(corpus)
    record = build_record(texts, per_event=8)
    agreement = record["agreement"]
    timeline = reverse("tracker:agreement-timeline", args=[agreement.slug])
    urls = [agreement.get_absolute_url(), reverse("tracker:agreement-embed", args=[agreement.slug])]
    urls += [f"{timeline}?page={n}" for n in range(1, agreement.events.count() // 100 + 2)]

    shown = browse(browser, live_server, urls)

    assert [text for text in texts if visible(text[:300]) not in shown] == []
