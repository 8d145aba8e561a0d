"""The news API: fetched articles with their links, filters that describe one link, keyset cursor
pages that neither skip nor repeat while articles arrive, and feeds for staff only."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.news.models import Article, ArticleLink
from tests.api_errors import errors_by_parameter
from tests.api_pages import cursor, walk
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    EventFactory,
    FeedFactory,
    LegalChallengeFactory,
    OutletFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ARTICLES_URL = reverse("api:article-list")
FEEDS_URL = reverse("api:feed-list")


def at(day, hour=12):
    return datetime.datetime(2025, 4, day, hour, tzinfo=datetime.UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


# --- Shape ------------------------------------------------------------------------------------


@pytest.fixture
def reviewer_client(api_client):
    """A curator who reviews links (news.view_articlelink): sees suggested and rejected ones."""
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="view_articlelink"))
    api_client.force_authenticate(reviewer)
    return api_client


def test_article_shows_outlet_seen_urls_duplicate_and_links(reviewer_client):
    api_client = reviewer_client
    original = ArticleFactory()
    outlet = OutletFactory(slug="examiner", name="Washington Examiner")
    article = ArticleFactory(
        canonical_url="https://examiner.example/irs-ice",
        url="https://examiner.example/irs-ice?utm_source=feed",
        title="IRS will help ICE",
        byline="Jane Doe",
        outlet=outlet,
        published_at=at(8, 14),
        near_duplicate_of=original,
    )
    ArticleURLFactory(article=article, url="https://examiner.example/irs-ice?utm_source=feed")
    ArticleURLFactory(article=article, url="https://examiner.example/amp/irs-ice")
    ArticleLinkFactory(
        article=article,
        agreement=AgreementFactory(slug="irs-ice-mou", title="IRS–ICE MOU"),
        status=ArticleLink.Status.CONFIRMED,
        matched_terms=["IRS–ICE MOU"],
    )
    ArticleLinkFactory(
        article=article,
        agreement=None,
        actor=ActorFactory(slug="ice", name="ICE"),
        status=ArticleLink.Status.SUGGESTED,
        matched_terms=["ICE"],
    )

    data = api_client.get(reverse("api:article-detail", kwargs={"pk": article.pk})).json()

    assert data["api_url"] == f"http://testserver/api/v1/articles/{article.pk}/"
    assert data["url"] == "https://examiner.example/irs-ice?utm_source=feed"
    assert data["canonical_url"] == "https://examiner.example/irs-ice"
    assert data["byline"] == "Jane Doe"
    assert data["outlet"] == {"slug": "examiner", "name": "Washington Examiner"}
    assert data["published_at"] == "2025-04-08T14:00:00Z"
    assert data["language"] == "en"
    assert data["near_duplicate_of"] == original.pk
    assert data["seen_urls"] == [
        "https://examiner.example/irs-ice?utm_source=feed",
        "https://examiner.example/amp/irs-ice",
    ]
    assert data["links"] == [
        {
            "target_kind": "agreement",
            "target_slug": "irs-ice-mou",
            "target_name": "IRS–ICE MOU",
            "status": "confirmed",
            "matched_terms": ["IRS–ICE MOU"],
        },
        {
            "target_kind": "actor",
            "target_slug": "ice",
            "target_name": "ICE",
            "status": "suggested",
            "matched_terms": ["ICE"],
        },
    ]


def test_placeholders_of_pending_or_failed_fetches_are_not_served(api_client):
    fetched = ArticleFactory()
    feed = FeedFactory()
    pending = ArticleFactory(feed=feed, fetch_status=Article.FetchStatus.PENDING, text="")
    failed = ArticleFactory(feed=feed, fetch_status=Article.FetchStatus.FAILED, text="")
    curated = ArticleFactory(
        feed=feed,
        fetch_status=Article.FetchStatus.NOT_FETCHED,
        entry_method=Article.EntryMethod.CURATED,
        text="A paywalled story, as a curator recorded it.",
    )

    assert sorted(ids(api_client.get(ARTICLES_URL))) == sorted([fetched.pk, curated.pk])
    for article in (pending, failed):
        url = reverse("api:article-detail", kwargs={"pk": article.pk})
        assert api_client.get(url).status_code == 404


def test_articles_added_by_hand_or_cited_are_served_however_they_entered(api_client):
    """A curator's article in admin has no feed and may never be fetched; a failed fetch that
    the timeline cites as a source is still what the record points at."""
    by_hand = ArticleFactory(feed=None, fetch_status=Article.FetchStatus.PENDING)
    cited = ArticleFactory(feed=FeedFactory(), fetch_status=Article.FetchStatus.FAILED)
    EventFactory(sources=[cited])
    quoted = ArticleFactory(feed=FeedFactory(), fetch_status=Article.FetchStatus.PENDING)
    StatementFactory(source=quoted)

    assert set(ids(api_client.get(ARTICLES_URL))) == {by_hand.pk, cited.pk, quoted.pk}
    for article in (by_hand, cited, quoted):
        url = reverse("api:article-detail", kwargs={"pk": article.pk})
        assert api_client.get(url).status_code == 200


def test_the_public_sees_confirmed_links_only(api_client):
    article = ArticleFactory()
    ArticleLinkFactory(article=article, agreement=AgreementFactory(slug="mou"), status="confirmed")
    ArticleLinkFactory(article=article, agreement=None, actor=ActorFactory(slug="ice"))
    ArticleLinkFactory(
        article=article, agreement=None, actor=ActorFactory(slug="irs"), status="rejected"
    )

    data = api_client.get(reverse("api:article-detail", kwargs={"pk": article.pk})).json()

    assert [(link["target_slug"], link["status"]) for link in data["links"]] == [
        ("mou", "confirmed")
    ]


def test_the_public_cannot_filter_by_a_suggested_or_rejected_link(api_client):
    mou = AgreementFactory(slug="irs-ice-mou")
    suggested = ArticleLinkFactory(agreement=mou).article
    rejected = ArticleLinkFactory(agreement=mou, status="rejected").article

    for query in (
        {"agreement": "irs-ice-mou"},
        {"link_status": "suggested"},
        {"link_status": "rejected"},
        {"agreement": "irs-ice-mou", "link_status": "suggested"},
    ):
        assert ids(api_client.get(ARTICLES_URL, query)) == [], query
    assert {suggested.pk, rejected.pk} <= set(ids(api_client.get(ARTICLES_URL)))


# --- Filters ----------------------------------------------------------------------------------


def test_agreement_and_link_status_filter_the_same_link(reviewer_client):
    api_client = reviewer_client
    mou, other = AgreementFactory(slug="irs-ice-mou"), AgreementFactory(slug="other")
    confirmed = ArticleFactory(published_at=at(3))
    ArticleLinkFactory(article=confirmed, agreement=mou, status=ArticleLink.Status.CONFIRMED)
    # Suggested for the MOU, confirmed for something else: not a confirmed link to the MOU.
    mixed = ArticleFactory(published_at=at(2))
    ArticleLinkFactory(article=mixed, agreement=mou, status=ArticleLink.Status.SUGGESTED)
    ArticleLinkFactory(article=mixed, agreement=other, status=ArticleLink.Status.CONFIRMED)
    ArticleFactory(published_at=at(1))

    assert ids(api_client.get(ARTICLES_URL, {"agreement": "irs-ice-mou"})) == [
        confirmed.pk,
        mixed.pk,
    ]
    assert ids(
        api_client.get(ARTICLES_URL, {"agreement": "irs-ice-mou", "link_status": "confirmed"})
    ) == [confirmed.pk]
    assert ids(api_client.get(ARTICLES_URL, {"link_status": "suggested"})) == [mixed.pk]


def test_filter_by_actor_and_challenge(api_client):
    ice = ActorFactory(slug="ice")
    case = LegalChallengeFactory(slug="centro-v-bessent")
    about_ice = ArticleLinkFactory(agreement=None, actor=ice, status="confirmed").article
    about_case = ArticleLinkFactory(agreement=None, challenge=case, status="confirmed").article
    ArticleLinkFactory(status="confirmed")

    assert ids(api_client.get(ARTICLES_URL, {"actor": "ice"})) == [about_ice.pk]
    assert ids(api_client.get(ARTICLES_URL, {"challenge": "centro-v-bessent"})) == [about_case.pk]


def test_filter_by_outlet_and_title_search(api_client):
    examiner = OutletFactory(slug="examiner")
    match = ArticleFactory(outlet=examiner, title="IRS to share data with ICE")
    ArticleFactory(outlet=examiner, title="Weather")
    ArticleFactory(title="IRS to share data with ICE")

    assert ids(api_client.get(ARTICLES_URL, {"outlet": "examiner", "search": "share data"})) == [
        match.pk
    ]


def test_date_bounds_are_inclusive_and_a_date_covers_its_whole_day(api_client):
    march_31 = ArticleFactory(
        published_at=datetime.datetime(2025, 3, 31, 23, 59, tzinfo=datetime.UTC)
    )
    april_1 = ArticleFactory(published_at=at(1, 0))
    april_30_late = ArticleFactory(
        published_at=datetime.datetime(2025, 4, 30, 23, 59, tzinfo=datetime.UTC)
    )
    ArticleFactory(published_at=datetime.datetime(2025, 5, 1, 0, 0, tzinfo=datetime.UTC))

    april = {"published_after": "2025-04-01", "published_before": "2025-04-30"}
    assert ids(api_client.get(ARTICLES_URL, april)) == [april_30_late.pk, april_1.pk]

    exact = {"published_after": "2025-03-31T23:59:00Z", "published_before": "2025-04-01T00:00:00Z"}
    assert ids(api_client.get(ARTICLES_URL, exact)) == [april_1.pk, march_31.pk]


def test_a_datetime_without_an_offset_is_read_in_the_sites_time_zone(api_client, settings):
    settings.TIME_ZONE = "America/New_York"  # 08:00 there is 12:00 UTC in April
    noon_utc = ArticleFactory(published_at=at(5, 12))
    ArticleFactory(published_at=datetime.datetime(2025, 4, 5, 11, 59, tzinfo=datetime.UTC))

    found = ids(api_client.get(ARTICLES_URL, {"published_after": "2025-04-05T08:00:00"}))

    assert found == [noon_utc.pk]


def test_a_date_that_does_not_parse_is_400_with_code_invalid_and_the_formats(api_client):
    response = api_client.get(ARTICLES_URL, {"published_after": "2025-04-07 noon"})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "Enter an ISO 8601 date (2025-04-07) or datetime (2025-04-07T12:00:00Z).",
            "attr": "published_after",
        }
    ]


def test_the_calendars_last_day_as_upper_bound_lists_every_dated_article(api_client):
    dated = [ArticleFactory(published_at=at(day)).pk for day in (2, 1)]
    ArticleFactory(published_at=None)

    assert ids(api_client.get(ARTICLES_URL, {"published_before": "9999-12-31"})) == dated


OUTLETS = {
    "Daily Record": "ledger-news.example",
    "Morning Post": "post.example",
    "The Ledger": "tl.example",
}


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("ledger", ["Daily Record", "The Ledger"]),  # by domain, by name
        ("  POST.example ", ["Morning Post"]),
        ("  ", list(OUTLETS)),
    ],
)
def test_outlets_are_searched_by_name_or_domain(api_client, search, found):
    for name, domain in OUTLETS.items():
        OutletFactory(name=name, domain=domain)

    response = api_client.get(reverse("api:outlet-list"), {"search": search})

    assert response.status_code == 200
    assert [outlet["name"] for outlet in response.json()["results"]] == found


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("link_status", "maybe"),
        ("agreement", "no-such-agreement"),
        ("actor", "no-such-actor"),
        ("challenge", "no-such-case"),
        ("outlet", "no-such-outlet"),
        ("published_after", "notadate"),
        ("published_before", "2025-02-30"),
        ("cursor", "garbage"),
    ],
)
def test_bad_filter_value_is_400_naming_the_parameter(api_client, parameter, value):
    ArticleFactory()

    response = api_client.get(ARTICLES_URL, {parameter: value})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [parameter]


# --- Cursor pagination ------------------------------------------------------------------------


@pytest.fixture
def timeline_of_articles():
    """Newest first: two articles at the same instant (ties broken by id), then older ones, then
    two without a publication date, which come last."""
    oldest = ArticleFactory(published_at=at(1))
    tied_a = ArticleFactory(published_at=at(5))
    tied_b = ArticleFactory(published_at=at(5))
    newest = ArticleFactory(published_at=at(9))
    undated_a = ArticleFactory(published_at=None)
    middle = ArticleFactory(published_at=at(3))
    undated_b = ArticleFactory(published_at=None)
    return [newest.pk, tied_b.pk, tied_a.pk, middle.pk, oldest.pk, undated_b.pk, undated_a.pk]


def test_cursor_pages_walk_every_article_once_in_order(api_client, timeline_of_articles):
    pages = walk(api_client, f"{ARTICLES_URL}?page_size=2", "next")

    assert [pk for page in pages for pk in page] == timeline_of_articles
    assert [len(page) for page in pages] == [2, 2, 2, 1]


def test_previous_links_walk_back_over_the_same_pages(api_client, timeline_of_articles):
    forward = walk(api_client, f"{ARTICLES_URL}?page_size=2", "next")
    last_page_url = f"{ARTICLES_URL}?page_size=2"
    for _ in range(len(forward) - 1):
        last_page_url = api_client.get(last_page_url).json()["next"]

    backward = walk(api_client, last_page_url, "previous")

    assert [pk for page in reversed(backward) for pk in page] == timeline_of_articles


def test_new_articles_do_not_shift_the_next_page(api_client, timeline_of_articles):
    first = api_client.get(ARTICLES_URL, {"page_size": 3}).json()
    ArticleFactory(published_at=at(20))
    ArticleFactory(published_at=at(5))  # ties with two already listed; newer id

    second = api_client.get(first["next"]).json()

    assert [a["id"] for a in first["results"]] == timeline_of_articles[:3]
    assert [a["id"] for a in second["results"]] == timeline_of_articles[3:6]


def test_cursor_keeps_the_filters(api_client):
    examiner = OutletFactory(slug="examiner")
    for day in range(1, 6):
        ArticleFactory(outlet=examiner, published_at=at(day))
        ArticleFactory(published_at=at(day))

    pages = walk(api_client, f"{ARTICLES_URL}?outlet=examiner&page_size=2", "next")

    assert sum(len(page) for page in pages) == 5
    next_url = api_client.get(ARTICLES_URL, {"outlet": "examiner", "page_size": 2}).json()["next"]
    assert parse_qs(urlsplit(next_url).query)["outlet"] == ["examiner"]


def add_articles_with_related_rows(count):
    for _ in range(count):
        article = ArticleFactory(near_duplicate_of=ArticleFactory(), published_at=at(2))
        ArticleURLFactory(article=article)
        ArticleLinkFactory(article=article)
        ArticleLinkFactory(article=article, agreement=None, actor=ActorFactory())
        ArticleLinkFactory(article=article, agreement=None, challenge=LegalChallengeFactory())


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_articles_list_query_count_does_not_grow_with_rows(api_client):
    add_articles_with_related_rows(2)
    few = count_queries(api_client, ARTICLES_URL)
    add_articles_with_related_rows(18)

    assert count_queries(api_client, ARTICLES_URL) == few


# --- Feeds ------------------------------------------------------------------------------------


def test_feeds_refuse_anonymous_users(api_client):
    FeedFactory()

    response = api_client.get(FEEDS_URL)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_feeds_refuse_users_who_are_not_staff(api_client):
    FeedFactory()
    api_client.force_authenticate(UserFactory())

    assert api_client.get(FEEDS_URL).status_code == 403


def test_feeds_show_fetch_health_to_staff(api_client):
    feed = FeedFactory(
        url="https://examiner.example/rss",
        outlet=OutletFactory(slug="examiner", name="Washington Examiner"),
        title="Examiner politics",
        last_status="http_503",
        last_error="Service Unavailable",
        consecutive_failures=3,
        next_fetch_at=at(9),
    )
    api_client.force_authenticate(UserFactory(is_staff=True))

    [item] = api_client.get(FEEDS_URL).json()["results"]

    assert item == {
        "id": feed.pk,
        "url": "https://examiner.example/rss",
        "outlet": {"slug": "examiner", "name": "Washington Examiner"},
        "title": "Examiner politics",
        "active": True,
        "poll_interval_minutes": 60,
        "last_fetched_at": None,
        "last_status": "http_503",
        "last_error": "Service Unavailable",
        "consecutive_failures": 3,
        "next_fetch_at": "2025-04-09T12:00:00Z",
    }


# --- Page sizes and cursors a client can get wrong --------------------------------------------


def add_undated_articles(count):
    outlet = OutletFactory()
    Article.objects.bulk_create(
        Article(
            canonical_url=f"https://bulk.example/{n}",
            url=f"https://bulk.example/{n}",
            outlet=outlet,
            title=f"Bulk {n}",
            fetch_status=Article.FetchStatus.FETCHED,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5", ""])
def test_page_size_that_is_not_a_positive_whole_number_is_400(api_client, value):
    ArticleFactory()

    response = api_client.get(ARTICLES_URL, {"page_size": value})

    assert response.status_code == 400
    assert errors_by_parameter(response) == {"page_size": ["Must be a whole number from 1 to 200."]}


def test_page_holds_fifty_articles_by_default_and_at_most_two_hundred(api_client):
    add_undated_articles(201)

    assert len(ids(api_client.get(ARTICLES_URL))) == 50
    assert len(ids(api_client.get(ARTICLES_URL, {"page_size": 200}))) == 200
    # Beyond the maximum is refused, not quietly cut: the client would miss rows it asked for.
    assert api_client.get(ARTICLES_URL, {"page_size": 1000}).status_code == 400


def test_a_page_that_holds_the_last_article_has_no_next_link(api_client):
    add_undated_articles(3)

    exactly = api_client.get(ARTICLES_URL, {"page_size": 3}).json()
    one_short = api_client.get(ARTICLES_URL, {"page_size": 2}).json()

    assert (len(exactly["results"]), exactly["next"]) == (3, None)
    assert len(one_short["results"]) == 2
    assert one_short["next"] is not None
    assert exactly["previous"] is None


def test_a_page_reached_backwards_links_forward_to_the_page_it_came_from(
    api_client, timeline_of_articles
):
    first = api_client.get(ARTICLES_URL, {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    back = api_client.get(second["previous"]).json()
    forward_again = api_client.get(back["next"]).json()

    assert ids_of(back) == timeline_of_articles[:2]
    assert back["previous"] is None
    assert ids_of(forward_again) == timeline_of_articles[2:4]


def test_an_empty_page_reached_backwards_links_to_the_first_page(api_client):
    newest = ArticleFactory(published_at=at(9))
    before_newest = cursor({"p": at(9).isoformat(), "i": newest.pk, "r": 1})

    page = api_client.get(ARTICLES_URL, {"cursor": before_newest, "page_size": 2}).json()

    assert page["results"] == []
    assert page["previous"] is None
    assert "cursor" not in parse_qs(urlsplit(page["next"]).query)
    assert parse_qs(urlsplit(page["next"]).query)["page_size"] == ["2"]


@pytest.mark.parametrize(
    "data",
    [
        {"i": 1, "r": 0},
        {"p": None, "r": 0},
        {"p": None, "i": 1},
        {"p": "yesterday", "i": 1, "r": 0},
        {"p": None, "i": "one", "r": 0},
        [None, 1, 0],
        {"p": None, "i": 0, "r": 0},
        {"p": None, "i": 2**63, "r": 0},
        {"p": None, "i": 1, "r": 2},
        {"p": 20250401, "i": 1, "r": 0},
        {"p": "9999-12-31T12:00:00Z", "i": 1, "r": 0},
    ],
    ids=[
        "no-date",
        "no-id",
        "no-direction",
        "bad-date",
        "bad-id",
        "not-an-object",
        "id-zero",
        "id-beyond-bigint",
        "direction-two",
        "date-a-number",
        "date-at-the-calendars-end",
    ],
)
def test_a_tampered_cursor_is_400_not_a_crash_or_a_guess(api_client, data):
    ArticleFactory()

    response = api_client.get(ARTICLES_URL, {"cursor": cursor(data)})

    assert response.status_code == 400
    assert errors_by_parameter(response) == {
        "cursor": ["Invalid cursor: use the next or previous link of a response."]
    }


def ids_of(page):
    return [item["id"] for item in page["results"]]


def test_an_empty_cursor_is_the_first_page(api_client, timeline_of_articles):
    page = api_client.get(ARTICLES_URL, {"cursor": "", "page_size": 2}).json()

    assert ids_of(page) == timeline_of_articles[:2]
    assert page["previous"] is None


@pytest.mark.parametrize(("pk", "undated_listed"), [(2**63 - 1, 2), (1, 0)])
def test_a_cursors_id_is_read_from_one_to_the_largest_bigint(
    api_client, timeline_of_articles, pk, undated_listed
):
    # Going forward from an undated id lists the undated articles below it, newest first.
    page = api_client.get(ARTICLES_URL, {"cursor": cursor({"p": None, "i": pk, "r": 0})}).json()

    assert ids_of(page) == timeline_of_articles[len(timeline_of_articles) - undated_listed :]


def test_a_cursor_past_the_last_article_is_an_empty_page_without_links(
    api_client, timeline_of_articles
):
    after_the_last = cursor({"p": None, "i": timeline_of_articles[-1], "r": 0})

    page = api_client.get(ARTICLES_URL, {"cursor": after_the_last}).json()

    assert page == {"next": None, "previous": None, "results": []}


def test_a_page_of_dated_and_undated_articles_prefetches_once(api_client):
    add_articles_with_related_rows(2)
    dated_only = count_queries(api_client, ARTICLES_URL)
    dated = list(Article.objects.values_list("pk", flat=True))
    add_articles_with_related_rows(2)
    Article.objects.exclude(pk__in=dated).update(published_at=None)

    assert count_queries(api_client, ARTICLES_URL) == dated_only
