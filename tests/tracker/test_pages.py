"""The journalists' pages added on top of the record: what changed, the index pages with the shared
filters, the visual timeline, change log, dockets, folded coverage, citations, feeds, the embed,
CSV downloads, sitemap and social tags — and their query counts on data with related rows."""

import csv
import datetime
import io
import re

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.news.models import ArticleLink
from apps.tracker import exports
from apps.tracker.exports import neutralise
from apps.tracker.models import Agreement, DatePrecision, Event, LegalChallenge
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def _at(hours):
    return time_machine.travel(T0 + datetime.timedelta(hours=hours), tick=False)


def _html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def _grow(n):
    """n agreements, each with a topic, a party, a statement, a lawsuit with a ruling, sourced
    events and confirmed coverage: the related rows every page lists."""
    topic = TopicFactory()
    for i in range(n):
        agreement = AgreementFactory()
        agreement.topics.add(topic)
        PartyFactory(agreement=agreement)
        EventFactory(agreement=agreement, sources=[ArticleFactory()])
        StatementFactory(position=PositionFactory(agreement=agreement))
        challenge = LegalChallengeFactory(court=ActorFactory(kind="court"), docket_number=f"{i}")
        challenge.agreements.add(agreement)
        EventFactory(agreement=None, challenge=challenge, kind=Event.Kind.RULING)
        ArticleLinkFactory(
            agreement=agreement, status=ArticleLink.Status.CONFIRMED, decided_at=timezone.now()
        )
    return topic


# --- What changed -----------------------------------------------------------------------------


def test_home_lists_what_changed_newest_recorded_first_with_the_date_it_happened(client):
    agreement = AgreementFactory(title="IRS–ICE MOU")
    with _at(0):
        # Happened last, recorded first.
        EventFactory(agreement=agreement, date=datetime.date(2025, 5, 12), title="Old news")
    with _at(1):
        statement = StatementFactory(
            position=PositionFactory(agreement=agreement),
            text="We will fight this",
            said_on=datetime.date(2025, 4, 8),
        )
    with _at(2):
        EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 3, 1),
            date_precision=DatePrecision.MONTH,
            title="Talks first reported",
        )
    with _at(3):
        link = ArticleLinkFactory(
            agreement=agreement,
            article__title="A new story",
            status=ArticleLink.Status.CONFIRMED,
            decided_at=timezone.now(),
        )
    ArticleLinkFactory(agreement=agreement, article__title="Only suggested")

    html = _html(client, "/")
    changes = html[html.index('id="recent"') :]

    order = [changes.index(t) for t in ("A new story", "Talks first reported", "We will fight")]
    assert order == sorted(order)
    assert changes.index("We will fight") < changes.index("Old news")
    assert 'happened <time datetime="2025-03">March 2025</time>' in changes
    assert f'href="{statement.get_absolute_url()}"' in changes
    assert f'href="{link.article.get_absolute_url()}"' in changes
    assert "Only suggested" not in changes


def test_home_filters_what_changed_by_topic_and_keeps_the_query_in_the_form(client):
    topic = TopicFactory(slug="immigration")
    inside = AgreementFactory()
    inside.topics.add(topic)
    EventFactory(agreement=inside, title="Inside the topic")
    challenge = LegalChallengeFactory()
    challenge.agreements.add(inside)
    EventFactory(agreement=None, challenge=challenge, title="Ruling in the lawsuit")
    EventFactory(agreement=AgreementFactory(), title="Outside the topic")

    html = _html(client, "/?topic=immigration")

    assert "Inside the topic" in html
    assert "Ruling in the lawsuit" in html
    assert "Outside the topic" not in html
    assert 'value="immigration"' in html


def test_home_refuses_an_unknown_filter_value_with_a_message(client):
    html = _html(client, "/?status=bogus", status=400)

    assert "Select a valid choice" in html


def test_home_pages_what_changed(client):
    agreement = AgreementFactory()
    for i in range(30):
        with _at(i):
            EventFactory(agreement=agreement, title=f"Entry {i:02d}")

    first = _html(client, "/")
    second = _html(client, "/?page=2")

    assert "Entry 29" in first and "Entry 05" in first and "Entry 04" not in first
    assert "Entry 04" in second and "Entry 00" in second and "Entry 05" not in second
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev"' in second


def test_home_counts_agreements_by_status_and_lists_recent_rulings(client):
    AgreementFactory(status=Agreement.Status.ENJOINED)
    AgreementFactory(status=Agreement.Status.ENJOINED)
    AgreementFactory(status=Agreement.Status.SIGNED)
    challenge = LegalChallengeFactory(caption="Centro v. Bessent")
    EventFactory(agreement=None, challenge=challenge, kind=Event.Kind.RULING, title="Denied")

    html = _html(client, "/")
    side = html[html.index('aria-label="At a glance"') :]

    assert re.search(r"badge--enjoined\">Enjoined</span>\s*</a> <span class=\"count\">2<", side)
    assert re.search(r"badge--signed\">Signed</span>\s*</a> <span class=\"count\">1<", side)
    assert "Centro v. Bessent" in side and "Denied" in side


def test_home_query_count_is_bounded(client, django_assert_max_num_queries):
    _grow(3)
    with django_assert_max_num_queries(12):
        _html(client, "/")
    _grow(20)
    with django_assert_max_num_queries(12):
        _html(client, "/?status=proposed")


# --- Index pages ------------------------------------------------------------------------------


def test_agreement_index_uses_the_shared_filters_and_sorts(client):
    irs = ActorFactory(slug="irs")
    mou = AgreementFactory(title="B IRS–ICE MOU", status=Agreement.Status.SIGNED)
    PartyFactory(agreement=mou, actor=irs)
    AgreementFactory(title="A rule", status=Agreement.Status.SIGNED)
    AgreementFactory(title="C proposed", status=Agreement.Status.PROPOSED)

    html = _html(client, "/agreements/?status=signed&ordering=title")
    assert html.index("A rule") < html.index("B IRS–ICE MOU")
    assert "C proposed" not in html
    assert "2 agreements" in html

    html = _html(client, "/agreements/?actor=irs")
    assert "B IRS–ICE MOU" in html and "A rule" not in html

    html = _html(client, "/agreements/?actor=nobody", status=400)
    assert "Select a valid choice" in html


def test_index_pagination_keeps_the_filter_in_the_url(client):
    for i in range(30):
        AgreementFactory(title=f"Agreement {i:02d}", status=Agreement.Status.SIGNED)

    html = _html(client, "/agreements/?status=signed&ordering=title")

    assert 'href="?status=signed&amp;ordering=title&amp;page=2"' in html
    assert "Agreement 26" not in html
    assert "Agreement 26" in _html(client, "/agreements/?status=signed&ordering=title&page=2")


def test_actor_challenge_and_topic_indexes_filter(client):
    ActorFactory(name="Internal Revenue Service", kind="agency")
    ActorFactory(name="Public Citizen", kind="organization")
    court = ActorFactory(name="District Court", kind="court", slug="dcd")
    LegalChallengeFactory(caption="Centro v. Bessent", court=court, status="pending")
    LegalChallengeFactory(caption="Other v. Case", status="dismissed")
    TopicFactory(name="Immigration")
    TopicFactory(name="Taxes")

    html = _html(client, "/actors/?kind=agency")
    assert "Internal Revenue Service" in html and "Public Citizen" not in html
    html = _html(client, "/challenges/?court=dcd")
    assert "Centro v. Bessent" in html and "Other v. Case" not in html
    html = _html(client, "/challenges/?status=dismissed")
    assert "Other v. Case" in html and "Centro v. Bessent" not in html
    html = _html(client, "/topics/?search=immig")
    assert "Immigration" in html and "Taxes" not in html


def test_index_slug_filters_are_text_boxes_not_a_select_of_every_record(client):
    ActorFactory.create_batch(3)

    html = _html(client, "/agreements/")

    assert re.search(r'<input type="text" name="actor"', html)
    assert '<select name="actor"' not in html


@pytest.mark.parametrize("url", ["/agreements/", "/actors/", "/challenges/", "/topics/"])
def test_index_query_count_is_bounded(client, django_assert_max_num_queries, url):
    _grow(2)
    with django_assert_max_num_queries(8):
        _html(client, url)
    _grow(20)
    with django_assert_max_num_queries(8):
        _html(client, url)


def test_index_csv_is_the_current_filter_with_formulas_neutralised(client):
    AgreementFactory(title='=HYPERLINK("https://evil.example")', status="signed")
    AgreementFactory(title="Plain", status="signed")
    AgreementFactory(title="Not signed", status="proposed")

    response = client.get("/agreements/?status=signed&ordering=title&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["title", "slug", "kind", "status"]
    titles = [row[0] for row in rows[1:]]
    assert titles == ['\'=HYPERLINK("https://evil.example")', "Plain"]


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        ("/agreements/?format=csv", "agreements.csv"),
        ("/actors/?format=csv", "actors.csv"),
        ("/challenges/?format=csv", "challenges.csv"),
        ("/topics/?format=csv", "topics.csv"),
        ("/agreements/irs-ice-mou/timeline.csv", "irs-ice-mou-timeline.csv"),
    ],
)
def test_each_csv_is_a_utf8_download_named_for_what_it_holds(client, record, url, filename):
    response = client.get(url)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(value):
    assert neutralise(value) == "'" + value


def test_csv_cells_that_are_plain_text_are_kept():
    assert neutralise("IRS – ICE") == "IRS – ICE"
    assert neutralise(None) == ""


# --- Agreement page ---------------------------------------------------------------------------


@pytest.fixture
def record():
    agreement = AgreementFactory(title="IRS–ICE MOU", slug="irs-ice-mou", summary="Sharing data.")
    court = ActorFactory(name="U.S. District Court for D.C.", kind="court")
    case = LegalChallengeFactory(
        caption="Centro v. Bessent", court=court, docket_number="25-cv-0677"
    )
    case.agreements.add(agreement)
    linked_case = LegalChallengeFactory(
        caption="Other v. Noem", docket_url="https://www.courtlistener.com/docket/1/other/"
    )
    linked_case.agreements.add(agreement)
    signed = EventFactory(
        agreement=agreement, date=datetime.date(2025, 4, 7), kind=Event.Kind.SIGNED, title="Signed"
    )
    talks = EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 3, 1),
        date_precision=DatePrecision.MONTH,
        kind=Event.Kind.REPORTED,
        title="Talks",
    )
    ruling = EventFactory(
        agreement=None,
        challenge=case,
        date=datetime.date(2025, 5, 12),
        kind=Event.Kind.RULING,
        title="Ruling",
    )
    original = ArticleFactory(title="The original story")
    copy = ArticleFactory(title="A syndicated copy", near_duplicate_of=original)
    for article in (original, copy):
        ArticleLinkFactory(
            agreement=agreement, article=article, status=ArticleLink.Status.CONFIRMED
        )
    return {"agreement": agreement, "signed": signed, "talks": talks, "ruling": ruling}


def test_agreement_page_draws_the_timeline_to_scale_on_lanes_linking_each_event(client, record):
    html = _html(client, "/agreements/irs-ice-mou/")
    svg = html[html.index("<svg") : html.index("</svg>")]

    for event in ("signed", "talks", "ruling"):
        assert f'href="#event-{record[event].pk}"' in svg
    assert svg.count('<g class="tl-lane') == 2  # the agreement and the one case with events
    assert "Centro v. Bessent" in svg
    assert 'class="tl-mark tl--signed"' in svg and 'class="tl-mark tl--ruling"' in svg
    # March 2025 is known only to the month: drawn as a span, about a month wide.
    span = re.search(
        r'<rect class="tl-span tl--reported" x="([\d.]+)" y="[\d.-]+" width="([\d.]+)"', svg
    )
    assert span is not None
    xs = {
        e: float(re.search(rf'#event-{record[e].pk}".*?d="M([\d.]+)', svg, re.S).group(1))
        for e in ("signed", "ruling")
    }
    # To scale: 7 April → 12 May is 35 days; March is 31 days.
    assert float(span.group(2)) == pytest.approx((xs["ruling"] - xs["signed"]) * 31 / 35, rel=0.05)
    # The accessible list stays under the chart.
    assert html.index("</svg>") < html.index(f'id="event-{record["signed"].pk}"')
    assert "style=" not in html
    # Scripts only from our static files, never inline.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/enhance.js" defer>']


def test_agreement_page_links_dockets_stored_or_searched(client, record):
    html = _html(client, "/agreements/irs-ice-mou/")

    assert 'href="https://www.courtlistener.com/docket/1/other/"' in html
    assert (
        "https://www.courtlistener.com/?type=r&amp;q=docketNumber%3A%2225-cv-0677%22+AND+court"
        "%3A%22U.S.+District+Court+for+D.C.%22" in html
    )


def test_agreement_page_folds_syndicated_copies_under_their_original(client, record):
    html = _html(client, "/agreements/irs-ice-mou/")
    coverage = html[html.index('id="coverage"') : html.index('id="changes"')]

    assert coverage.index("The original story") < coverage.index("1 syndicated copy")
    assert coverage.index("1 syndicated copy") < coverage.index("A syndicated copy")
    assert coverage.count("<details") == 1


def test_agreement_page_shows_last_updated_and_a_change_log_naming_staff_only_to_staff(client):
    curator = CuratorFactory(username="night-curator", is_staff=True)
    with _at(0):
        agreement = AgreementFactory(slug="mou", title="Before")
    with _at(5):
        agreement.title = "After"
        agreement._history_user = curator
        agreement.save()

    public = _html(client, "/agreements/mou/")
    assert 'Last updated <time datetime="2026-03-01">1 March 2026</time>' in public
    log = public[public.index('id="changes"') :]
    assert "1 March 2026, 17:00 UTC</time> — Agreement changed: title" in log
    assert "night-curator" not in public

    client.force_login(curator)
    assert "by night-curator" in _html(client, "/agreements/mou/")


def test_agreement_page_offers_citations_feed_csv_and_embed(client, record):
    with _at(48):
        html = _html(client, "/agreements/irs-ice-mou/")

    assert "Cite this agreement" in html and "Cite this event" in html
    assert (
        "“IRS–ICE MOU”, PolicyTracker, last updated 1 March 2026, "
        "http://testserver/agreements/irs-ice-mou/ (retrieved 3 March 2026)." in html
    ) or "(retrieved 3 March 2026)." in html
    assert "Retrieved March 3, 2026, from http://testserver/agreements/irs-ice-mou/" in html
    assert (
        '<link rel="alternate" type="application/atom+xml" title="PolicyTracker: IRS–ICE MOU" '
        'href="/agreements/irs-ice-mou/feed/">' in html
    )
    assert 'href="/agreements/irs-ice-mou/timeline.csv"' in html
    assert '&lt;iframe src="http://testserver/embed/agreements/irs-ice-mou/"' in html


def test_agreement_page_has_canonical_and_social_tags(client, record):
    html = _html(client, "/agreements/irs-ice-mou/?utm_source=x")

    assert '<link rel="canonical" href="http://testserver/agreements/irs-ice-mou/">' in html
    assert '<meta property="og:title" content="IRS–ICE MOU">' in html
    assert '<meta property="og:description" content="Sharing data.">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_agreement_page_query_count_is_bounded(client, django_assert_max_num_queries, record):
    with django_assert_max_num_queries(30):
        _html(client, "/agreements/irs-ice-mou/")
    agreement = record["agreement"]
    for _ in range(15):
        case = LegalChallengeFactory()
        case.agreements.add(agreement)
        EventFactory(agreement=None, challenge=case, sources=[ArticleFactory()])
        EventFactory(agreement=agreement, sources=[ArticleFactory()])
        agreement.save()
    with django_assert_max_num_queries(30):
        _html(client, "/agreements/irs-ice-mou/")


def test_timeline_csv_lists_events_in_order_with_sources_and_permalinks(client, record):
    record["signed"].sources.add(ArticleFactory(canonical_url="https://news.example/a"))

    response = client.get("/agreements/irs-ice-mou/timeline.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [row["title"] for row in rows] == ["Talks", "Signed", "Ruling"]
    assert rows[0]["date_as_known"] == "March 2025"
    assert rows[1]["sources"] == "https://news.example/a"
    assert rows[2]["legal_challenge"] == "Centro v. Bessent"
    assert rows[1]["permalink"] == f"http://testserver/events/{record['signed'].pk}/"


def _timeline_rows(client):
    response = client.get("/agreements/irs-ice-mou/timeline.csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_timeline_csv_row_gives_the_date_stored_and_as_known_and_the_kind_by_its_label(
    client, record
):
    Event.objects.filter(pk=record["talks"].pk).update(description="=Officials met in March.")

    talks = _timeline_rows(client)[0]

    assert talks == {
        "date": "2025-03-01",
        "precision": "month",
        "date_as_known": "March 2025",
        "kind": "Reported",
        "title": "Talks",
        "description": "'=Officials met in March.",
        "legal_challenge": "",
        "sources": "",
        "permalink": f"http://testserver/events/{record['talks'].pk}/",
    }


def test_timeline_csv_writes_a_kind_no_longer_offered_as_it_is_stored(client, record):
    Event.objects.filter(pk=record["talks"].pk).update(kind="withdrawn")

    assert _timeline_rows(client)[0]["kind"] == "withdrawn"


def test_timeline_csv_lists_an_events_sources_by_publication_then_as_stored(client, record):
    day = timezone.make_aware(datetime.datetime(2025, 4, 7, 12))
    first = ArticleFactory(canonical_url="https://news.example/first", published_at=day)
    earlier = ArticleFactory(
        canonical_url="https://news.example/earlier", published_at=day - datetime.timedelta(hours=1)
    )
    third = ArticleFactory(canonical_url="https://news.example/third", published_at=day)
    for article in (third, earlier, first):  # linked in another order than stored
        record["signed"].sources.add(article)

    signed = _timeline_rows(client)[1]

    assert signed["sources"].split() == [
        "https://news.example/earlier",
        "https://news.example/first",
        "https://news.example/third",
    ]


def test_timeline_csv_reads_sources_per_chunk_of_events_not_per_event(client, record):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            _timeline_rows(client)
        return len(captured)

    before = queries()
    for event in _timeline_of(12, agreement=record["agreement"]):
        event.sources.add(ArticleFactory())

    assert queries() == before


def test_timeline_csv_read_in_chunks_keeps_each_events_sources_and_parent(
    client, record, monkeypatch
):
    monkeypatch.setattr(exports, "TIMELINE_CHUNK", 2)
    day = timezone.make_aware(datetime.datetime(2025, 4, 7, 12))
    older = ArticleFactory(canonical_url="https://news.example/older", published_at=day)
    newer = ArticleFactory(
        canonical_url="https://news.example/newer", published_at=day + datetime.timedelta(hours=1)
    )
    record["signed"].sources.add(newer, older)

    response = client.get("/agreements/irs-ice-mou/timeline.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [(row["title"], row["sources"]) for row in rows] == [
        ("Talks", ""),
        ("Signed", "https://news.example/older https://news.example/newer"),
        ("Ruling", ""),
    ]
    assert rows[2]["permalink"] == f"http://testserver/events/{record['ruling'].pk}/"


def test_embed_is_framable_sets_no_cookie_and_loads_nothing_from_elsewhere(client, record):
    response = client.get("/embed/agreements/irs-ice-mou/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert not response.cookies
    # Every src and href is on this site.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") or url.startswith("http://testserver/"), url
    assert f'href="/agreements/irs-ice-mou/#event-{record["signed"].pk}"' in html
    assert "<script" not in html and "style=" not in html
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # Every other page refuses to be framed.
    page = client.get("/agreements/irs-ice-mou/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


# --- Feeds, sitemap, other pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected", "unexpected"),
    [
        ("/feed/", ["Signed", "Ruling", "Elsewhere"], []),
        ("/agreements/irs-ice-mou/feed/", ["Signed", "Ruling"], ["Elsewhere"]),
        ("/challenges/centro/feed/", ["Ruling"], ["Signed", "Elsewhere"]),
        ("/topics/immigration/feed/", ["Signed", "Ruling"], ["Elsewhere"]),
        ("/actors/irs/feed/", ["Signed", "Ruling"], ["Elsewhere"]),
    ],
)
def test_atom_feeds_list_the_right_events(client, record, url, expected, unexpected):
    agreement = record["agreement"]
    agreement.topics.add(TopicFactory(slug="immigration"))
    PartyFactory(agreement=agreement, actor=ActorFactory(slug="irs"))
    LegalChallenge.objects.filter(caption="Centro v. Bessent").update(slug="centro")
    EventFactory(agreement=AgreementFactory(), title="Elsewhere")

    response = client.get(url)
    feed = feedparser.parse(response.content)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10" and not feed.bozo
    titles = " | ".join(entry.title for entry in feed.entries)
    for title in expected:
        assert title in titles
    for title in unexpected:
        assert title not in titles
    assert all(entry.link.startswith("http://testserver/") for entry in feed.entries)


def test_the_feed_lists_the_latest_recorded_event_first_whatever_its_id(client):
    with _at(2):
        recorded_last = EventFactory(agreement=AgreementFactory(), title="Recorded last")
    with _at(1):
        recorded_first = EventFactory(agreement=AgreementFactory(), title="Recorded first")
    assert recorded_first.pk > recorded_last.pk

    titles = [entry.title for entry in feedparser.parse(client.get("/feed/").content).entries]

    assert [title.split(": ")[-1] for title in titles] == ["Recorded last", "Recorded first"]


def test_the_feed_query_count_does_not_grow_with_events(client):
    _grow(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/feed/")
    _grow(10)
    with CaptureQueriesContext(connection) as many:
        client.get("/feed/")

    assert len(many) == len(few)


def test_every_page_type_advertises_a_feed_and_has_a_canonical_link(client, record):
    agreement = record["agreement"]
    topic = TopicFactory(slug="t")
    agreement.topics.add(topic)
    actor = ActorFactory(slug="a")
    for url in [
        "/",
        "/agreements/",
        "/actors/",
        "/challenges/",
        "/topics/",
        "/topics/t/",
        "/actors/a/",
        LegalChallenge.objects.first().get_absolute_url(),
    ]:
        html = _html(client, url)
        assert 'rel="alternate" type="application/atom+xml"' in html, url
        assert '<link rel="canonical" href="http://testserver/' in html, url
    assert actor


def test_sitemap_lists_records_behind_an_index(client, record):
    index = _html(client, "/sitemap.xml")
    assert "http://testserver/sitemap-agreements.xml" in index

    agreements = _html(client, "/sitemap-agreements.xml")
    assert "<loc>http://testserver/agreements/irs-ice-mou/</loc>" in agreements
    assert "<lastmod>" in agreements


def test_actor_page_shows_stance_over_time_across_agreements(client):
    actor = ActorFactory(slug="pc", name="Public Citizen")
    first = AgreementFactory(title="First agreement")
    second = AgreementFactory(title="Second agreement")
    later = PositionFactory(actor=actor, agreement=second, stance="supports")
    StatementFactory(position=later, speaker=actor, said_on=datetime.date(2025, 6, 1))
    earlier = PositionFactory(actor=actor, agreement=first, stance="opposes")
    StatementFactory(position=earlier, speaker=actor, said_on=datetime.date(2025, 4, 8))
    StatementFactory(position=earlier, speaker=actor, said_on=datetime.date(2025, 5, 2))

    html = _html(client, "/actors/pc/")
    history = html[html.index('id="stance-heading"') :]

    assert history.index("First agreement") < history.index("Second agreement")
    assert 'from <time datetime="2025-04-08">8 April 2025</time> to' in history
    assert "2 statements" in history


def test_challenge_page_draws_its_own_timeline(client, record):
    html = _html(client, LegalChallenge.objects.get(caption="Centro v. Bessent").get_absolute_url())

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert f'href="#event-{record["ruling"].pk}"' in svg
    assert f'#event-{record["signed"].pk}"' not in svg
    assert "Find the docket on CourtListener" in html


def test_server_error_page_is_styled_and_api_errors_are_json(rf):
    from policytracker.errors import server_error

    page = server_error(rf.get("/agreements/x/"))
    assert page.status_code == 500
    assert b"Something went wrong" in page.content and b"site.css" in page.content

    api = server_error(rf.get("/api/v1/agreements/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


# --- Past the caps: full timelines, coverage, permalinks -------------------------------------


def _timeline_of(n, **parent):
    """n events of one record, one a day from 1 January 2020, in timeline order."""
    start = datetime.date(2020, 1, 1)
    return Event.objects.bulk_create(
        Event(
            date=start + datetime.timedelta(days=i), kind="reported", title=f"Entry {i}", **parent
        )
        for i in range(n)
    )


def test_events_before_one_follow_the_timeline_order_through_every_tie(record):
    agreement = record["agreement"]
    day = datetime.date(2025, 4, 1)
    EventFactory(agreement=agreement, date=day, date_precision=DatePrecision.MONTH)
    EventFactory(agreement=agreement, date=day, sequence=2)
    EventFactory(agreement=agreement, date=day, sequence=1)
    EventFactory(agreement=agreement, date=day, sequence=1)
    timeline = Event.objects.timeline_of_agreement(agreement)

    for position, event in enumerate(timeline):
        assert timeline.before(event).count() == position, event


def test_an_event_past_the_agreement_pages_cap_has_a_working_permalink(client, record):
    agreement = record["agreement"]
    events = _timeline_of(250, agreement=agreement)
    early = events[150]  # 151st of 253 entries: not among the latest 50, on page 2 of 100

    page = _html(client, agreement.get_absolute_url())
    assert f'id="event-{early.pk}"' not in page
    permalink = early.get_absolute_url()
    assert permalink == f"/events/{early.pk}/"

    html = _html(client, permalink)
    assert "<h1>Entry 150</h1>" in html
    assert f"http://testserver/events/{early.pk}/" in html  # Cite this
    in_context = f"/agreements/irs-ice-mou/timeline/?page=2#event-{early.pk}"
    assert f'href="{in_context}"' in html
    assert f'id="event-{early.pk}"' in _html(client, in_context.split("#")[0])


def test_a_statement_past_its_positions_cap_has_a_working_permalink(client, record):
    position = PositionFactory(agreement=record["agreement"], stance="supports")
    statements = [
        StatementFactory(position=position, said_on=datetime.date(2025, 1, day), text=f"Said {day}")
        for day in range(1, 8)
    ]
    last = statements[-1]

    assert f'id="statement-{last.pk}"' not in _html(client, "/agreements/irs-ice-mou/")
    html = _html(client, last.get_absolute_url())
    assert "Said 7" in html
    assert f"http://testserver/statements/{last.pk}/" in html
    assert f'href="/agreements/irs-ice-mou/#position-{position.pk}"' in html


def test_the_challenge_page_links_its_whole_timeline_as_pages_not_the_api(client, record):
    case = LegalChallenge.objects.get(caption="Centro v. Bessent")
    events = _timeline_of(120, agreement=None, challenge=case)

    html = _html(client, case.get_absolute_url())
    assert f"Showing 50 of {len(events) + 1}." in html
    assert "/api/v1/" not in html
    assert f'href="/challenges/{case.slug}/timeline/">The whole timeline' in html

    first, second = (_html(client, f"/challenges/{case.slug}/timeline/?page={n}") for n in (1, 2))
    assert first.count('class="timeline__event"') == 100
    assert second.count('class="timeline__event"') == 21
    assert first.index("Entry 0<") < first.index("Entry 99<")
    assert "Signed" not in second  # the agreement's own events are not the case's


@pytest.mark.parametrize("kind", ["agreement", "actor", "challenge"])
def test_a_records_coverage_past_the_cap_is_a_paged_html_list(client, kind):
    target = {
        "agreement": AgreementFactory,
        "actor": ActorFactory,
        "challenge": LegalChallengeFactory,
    }[kind]()
    for n in range(60):
        ArticleLinkFactory(
            status=ArticleLink.Status.CONFIRMED,
            article=ArticleFactory(title=f"Story {n:02}"),
            **{"agreement": None, kind: target},
        )
    ArticleLinkFactory(
        article=ArticleFactory(title="Only suggested"), **{"agreement": None, kind: target}
    )
    coverage_url = f"{target.get_absolute_url()}coverage/"

    page = _html(client, target.get_absolute_url())
    assert "Showing 20 of 60." in page
    assert f'href="{coverage_url}">Every confirmed article' in page
    assert "/api/v1/" not in page

    first, second = (_html(client, f"{coverage_url}?page={n}") for n in (1, 2))
    assert first.count("Story ") + second.count("Story ") == 60
    assert 'rel="next" href="?page=2"' in first
    assert "Only suggested" not in first + second


def _urls_past_the_caps(record):
    agreement = record["agreement"]
    case = LegalChallenge.objects.get(caption="Centro v. Bessent")
    statement = StatementFactory(position=PositionFactory(agreement=agreement))
    for target in ({"challenge": case}, {"actor": statement.speaker}):
        ArticleLinkFactory(status=ArticleLink.Status.CONFIRMED, **{"agreement": None, **target})
    return [
        f"/agreements/{agreement.slug}/timeline/?page=2",
        f"/agreements/{agreement.slug}/coverage/",
        f"/challenges/{case.slug}/timeline/",
        f"/challenges/{case.slug}/coverage/",
        f"/actors/{statement.speaker.slug}/coverage/",
        record["signed"].get_absolute_url(),
        record["ruling"].get_absolute_url(),
        statement.get_absolute_url(),
    ]


def _grow_record(record):
    """Many more events (with sources and actors), cases and confirmed articles on the record."""
    agreement = record["agreement"]
    case = LegalChallenge.objects.get(caption="Centro v. Bessent")
    for n in range(15):
        extra_case = LegalChallengeFactory()
        extra_case.agreements.add(agreement, *([] if n else [AgreementFactory()]))
        EventFactory(agreement=None, challenge=case, sources=[ArticleFactory()])
        event = EventFactory(agreement=agreement, sources=[ArticleFactory(), ArticleFactory()])
        event.actors.add(ActorFactory())
        for target in ({"agreement": agreement}, {"agreement": None, "challenge": case}):
            ArticleLinkFactory(status=ArticleLink.Status.CONFIRMED, **target)
    _timeline_of(120, agreement=agreement)
    record["signed"].actors.add(ActorFactory(), ActorFactory())
    record["ruling"].sources.add(ArticleFactory(), ArticleFactory())


def _query_counts(client, urls):
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            _html(client, url)
        counts[url] = len(captured)
    return counts


def test_pages_past_the_caps_query_count_is_bounded(client, record):
    urls = _urls_past_the_caps(record)
    before = _query_counts(client, urls)
    _grow_record(record)

    assert _query_counts(client, urls) == before
    assert max(before.values()) <= 8, before
