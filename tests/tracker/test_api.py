"""The agreements API: list, detail and timeline shapes on a record shaped like the IRS–ICE MOU,
its filters (and the 400s for bad values), and constant query counts however much data there is."""

import datetime
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.news.models import ArticleLink
from apps.tracker.demo import AGREEMENT_SLUG, CHALLENGE_SLUG
from apps.tracker.models import (
    Actor,
    Agreement,
    AgreementDocument,
    DatePrecision,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
)
from tests.api_errors import errors_by_parameter
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    EventFactory,
    LegalChallengeFactory,
    OutletFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:agreement-list")


def detail_url(slug):
    return reverse("api:agreement-detail", kwargs={"slug": slug})


def timeline_url(slug):
    return reverse("api:agreement-timeline", kwargs={"slug": slug})


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.fixture
def mou():
    """The IRS–ICE MOU in miniature: two agencies and their departments, two signers, a
    supporter and an opponent with statements, a lawsuit with its own events, sources."""
    immigration = TopicFactory(name="Immigration enforcement", slug="immigration-enforcement")
    privacy = TopicFactory(name="Taxpayer privacy", slug="taxpayer-privacy")
    treasury = ActorFactory(name="Department of the Treasury", slug="treasury", kind="department")
    irs = ActorFactory(name="Internal Revenue Service", slug="irs")
    dhs = ActorFactory(name="Department of Homeland Security", slug="dhs", kind="department")
    ice = ActorFactory(name="Immigration and Customs Enforcement", slug="ice")
    bessent = PersonFactory(name="Scott Bessent", slug="scott-bessent")
    noem = PersonFactory(name="Kristi Noem", slug="kristi-noem")
    public_citizen = ActorFactory(
        name="Public Citizen", slug="public-citizen", kind=Actor.Kind.ORGANIZATION
    )
    court = ActorFactory(
        name="U.S. District Court for D.C.", slug="us-district-court-dc", kind=Actor.Kind.COURT
    )

    agreement = AgreementFactory(
        title="IRS–ICE data-sharing memorandum of understanding",
        slug="irs-ice-mou",
        status=Agreement.Status.SIGNED,
        summary="The IRS shares taxpayer addresses with ICE.",
        signed_on=datetime.date(2025, 4, 7),
    )
    agreement.topics.set([immigration, privacy])
    AliasFactory(text="IRS–ICE MOU", actor=None, agreement=agreement)
    AgreementDocument.objects.create(
        agreement=agreement,
        title="Memorandum of understanding",
        url="https://court.example/mou.pdf",
    )
    PartyFactory(agreement=agreement, actor=irs, role=Party.Role.PROVIDING, sequence=0)
    PartyFactory(
        agreement=agreement,
        actor=treasury,
        role=Party.Role.SIGNATORY,
        signed_by=bessent,
        signed_on=datetime.date(2025, 4, 7),
        sequence=1,
    )
    PartyFactory(agreement=agreement, actor=ice, role=Party.Role.REQUESTING, sequence=2)
    PartyFactory(
        agreement=agreement,
        actor=dhs,
        role=Party.Role.SIGNATORY,
        signed_by=noem,
        signed_on=datetime.date(2025, 4, 7),
        sequence=3,
    )

    outlet = OutletFactory(name="Washington Examiner", slug="washington-examiner")
    article = ArticleFactory(
        title="IRS will help ICE find people ordered removed",
        canonical_url="https://examiner.example/irs-ice",
        outlet=outlet,
        published_at=datetime.datetime(2025, 4, 8, 14, 0, tzinfo=datetime.UTC),
    )
    ArticleLinkFactory(article=article, agreement=agreement, status=ArticleLink.Status.CONFIRMED)
    ArticleLinkFactory(
        article=ArticleFactory(title="Maybe about it"),
        agreement=agreement,
        status=ArticleLink.Status.SUGGESTED,
    )

    opposes = PositionFactory(
        agreement=agreement, actor=public_citizen, stance=Position.Stance.OPPOSES
    )
    StatementFactory(
        position=opposes,
        speaker=public_citizen,
        text="The agreement is unlawful.",
        said_on=None,
        source=article,
    )
    supports = PositionFactory(agreement=agreement, actor=treasury, stance=Position.Stance.SUPPORTS)
    StatementFactory(
        position=supports,
        speaker=treasury,
        speaker_label="a Treasury spokesperson",
        kind=Statement.Kind.PARAPHRASE,
        text="The memorandum rests on longstanding authorities.",
        said_on=datetime.date(2025, 4, 1),
        said_on_precision=DatePrecision.MONTH,
        venue="told CNN",
        source=None,
        source_url="https://cnn.example/treasury",
    )

    challenge = LegalChallengeFactory(
        caption="Centro de Trabajadores Unidos v. Bessent",
        slug="centro-v-bessent",
        court=court,
        docket_number="25-cv-0677",
        filed_on=datetime.date(2025, 3, 7),
    )
    challenge.agreements.add(agreement)

    events = SimpleNamespace(
        filed=EventFactory(
            agreement=None,
            challenge=challenge,
            date=datetime.date(2025, 3, 7),
            kind=Event.Kind.FILED,
            title="Lawsuit filed",
        ),
        signed=EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 4, 7),
            kind=Event.Kind.SIGNED,
            title="Bessent and Noem sign the memorandum",
            sources=[article],
        ),
        reported=EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 4, 8),
            kind=Event.Kind.REPORTED,
            title="Reported",
            sources=[article],
        ),
        hearing=EventFactory(
            agreement=None,
            challenge=challenge,
            date=datetime.date(2025, 4, 20),
            kind=Event.Kind.HEARING,
            title="Hearing on the injunction",
        ),
        ruling=EventFactory(
            agreement=agreement,
            challenge=challenge,
            date=datetime.date(2025, 5, 16),
            date_precision=DatePrecision.MONTH,
            kind=Event.Kind.RULING,
            title="Injunction denied",
        ),
    )
    return SimpleNamespace(
        agreement=agreement, challenge=challenge, article=article, events=events, court=court
    )


# --- List -------------------------------------------------------------------------------------


def test_list_summarises_each_agreement(api_client, mou):
    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["url"] == "http://testserver/api/v1/agreements/irs-ice-mou/"
    assert item["timeline_url"] == "http://testserver/api/v1/agreements/irs-ice-mou/timeline/"
    assert item["slug"] == "irs-ice-mou"
    assert item["status"] == "signed"
    assert item["kind"] == "mou"
    assert item["signed_on"] == "2025-04-07"
    assert item["topics"] == ["immigration-enforcement", "taxpayer-privacy"]
    assert [(p["actor"]["slug"], p["role"]) for p in item["parties"]] == [
        ("irs", "providing"),
        ("treasury", "signatory"),
        ("ice", "requesting"),
        ("dhs", "signatory"),
    ]
    assert item["latest_event"] == {
        "id": mou.events.ruling.pk,
        "date": "2025-05-01",
        "date_precision": "month",
        "display_date": "May 2025",
        "title": "Injunction denied",
    }


def test_list_shows_no_latest_event_for_an_agreement_without_events(api_client):
    AgreementFactory(slug="quiet")

    [item] = api_client.get(LIST_URL).json()["results"]

    assert item["latest_event"] is None


def test_anonymous_clients_cannot_write_agreements(api_client, mou):
    response = api_client.post(LIST_URL, {"title": "New", "slug": "new"}, format="json")

    assert response.status_code in (401, 405)
    assert not Agreement.objects.filter(slug="new").exists()


# --- Detail -----------------------------------------------------------------------------------


def test_detail_lists_parties_with_their_signers(api_client, mou):
    data = api_client.get(detail_url("irs-ice-mou")).json()

    treasury = data["parties"][1]
    assert treasury == {
        "actor": {"slug": "treasury", "name": "Department of the Treasury", "kind": "department"},
        "role": "signatory",
        "signed_by": {"slug": "scott-bessent", "name": "Scott Bessent", "kind": "person"},
        "signed_on": "2025-04-07",
    }
    assert data["parties"][0]["signed_by"] is None
    assert data["aliases"] == ["IRS–ICE MOU"]
    assert data["documents"] == [
        {
            "title": "Memorandum of understanding",
            "url": "https://court.example/mou.pdf",
            "published_on": None,
        }
    ]


def test_detail_lists_positions_with_statements_and_their_sources(api_client, mou):
    positions = api_client.get(detail_url("irs-ice-mou")).json()["positions"]

    by_actor = {p["actor"]["slug"]: p for p in positions}
    assert by_actor["public-citizen"]["stance"] == "opposes"
    [quote] = by_actor["public-citizen"]["statements"]
    assert quote["kind"] == "quote"
    assert quote["said_on"] is None
    assert quote["source"] == {
        "id": mou.article.pk,
        "title": "IRS will help ICE find people ordered removed",
        "url": "https://examiner.example/irs-ice",
        "canonical_url": "https://examiner.example/irs-ice",
        "outlet": {"slug": "washington-examiner", "name": "Washington Examiner"},
        "published_at": "2025-04-08T14:00:00Z",
    }
    [paraphrase] = by_actor["treasury"]["statements"]
    assert paraphrase["speaker"]["slug"] == "treasury"
    assert paraphrase["speaker_label"] == "a Treasury spokesperson"
    assert paraphrase["said_on"] == "2025-04-01"
    assert paraphrase["said_on_precision"] == "month"
    assert paraphrase["venue"] == "told CNN"
    assert paraphrase["source"] is None
    assert paraphrase["source_url"] == "https://cnn.example/treasury"


def test_an_agreements_statements_come_oldest_first_then_in_their_order_of_the_day(api_client):
    agreement = AgreementFactory()
    supporter = PositionFactory(agreement=agreement)
    opponent = PositionFactory(agreement=agreement)
    for position, day, sequence, text in [
        (supporter, 20, 0, "Latest: we will sue."),
        (opponent, 2, 1, "Second that day: it is lawful."),
        (supporter, 2, 0, "First that day: it is unprecedented."),
    ]:
        StatementFactory(
            position=position, said_on=datetime.date(2025, 4, day), sequence=sequence, text=text
        )
    url = reverse("api:agreement-statements", kwargs={"slug": agreement.slug})

    listed = [item["text"] for item in api_client.get(url).json()["results"]]

    assert listed == [
        "First that day: it is unprecedented.",
        "Second that day: it is lawful.",
        "Latest: we will sue.",
    ]


def test_detail_lists_challenges_and_only_confirmed_articles(api_client, mou):
    data = api_client.get(detail_url("irs-ice-mou")).json()

    assert data["challenges"] == [
        {
            "caption": "Centro de Trabajadores Unidos v. Bessent",
            "slug": "centro-v-bessent",
            "court": {
                "slug": "us-district-court-dc",
                "name": "U.S. District Court for D.C.",
                "kind": "court",
            },
            "docket_number": "25-cv-0677",
            "status": "pending",
            "filed_on": "2025-03-07",
        }
    ]
    assert [a["id"] for a in data["articles"]] == [mou.article.pk]
    assert data["articles"][0]["outlet"]["slug"] == "washington-examiner"


def test_detail_of_unknown_slug_is_404(api_client, mou):
    assert api_client.get(detail_url("no-such-agreement")).status_code == 404


# --- Timeline ---------------------------------------------------------------------------------


def test_timeline_interleaves_challenge_events_by_date(api_client, mou):
    events = api_client.get(timeline_url("irs-ice-mou")).json()["results"]

    e = mou.events
    assert [event["id"] for event in events] == [
        e.filed.pk,
        e.signed.pk,
        e.reported.pk,
        e.hearing.pk,
        e.ruling.pk,
    ]


def test_timeline_entry_carries_sources_and_permalink(api_client, mou):
    page = api_client.get(timeline_url("irs-ice-mou")).json()
    events = {event["id"]: event for event in page["results"]}

    signed = events[mou.events.signed.pk]
    assert signed["date"] == "2025-04-07"
    assert signed["display_date"] == "7 April 2025"
    assert signed["kind"] == "signed"
    assert signed["agreement"] == "irs-ice-mou"
    assert signed["challenge"] is None
    assert signed["sourced"] is True
    assert [s["canonical_url"] for s in signed["sources"]] == ["https://examiner.example/irs-ice"]
    assert signed["sources"][0]["outlet"]["name"] == "Washington Examiner"
    assert signed["permalink"] == f"http://testserver/events/{mou.events.signed.pk}/"

    hearing = events[mou.events.hearing.pk]
    assert hearing["agreement"] is None
    assert hearing["challenge"] == "centro-v-bessent"
    assert hearing["sourced"] is False
    assert hearing["sources"] == []
    assert hearing["permalink"] == f"http://testserver/events/{mou.events.hearing.pk}/"

    assert events[mou.events.ruling.pk]["display_date"] == "May 2025"


def test_timeline_of_unknown_agreement_is_404(api_client, mou):
    assert api_client.get(timeline_url("no-such-agreement")).status_code == 404


# --- Filters ----------------------------------------------------------------------------------


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_filter_by_status_and_kind(api_client):
    AgreementFactory(slug="signed-mou", status="signed", kind="mou")
    AgreementFactory(slug="signed-rule", status="signed", kind="rule")
    AgreementFactory(slug="proposed-mou", status="proposed", kind="mou")

    assert slugs(api_client.get(LIST_URL, {"status": "signed", "kind": "mou"})) == ["signed-mou"]


def test_filter_by_topic(api_client):
    privacy = TopicFactory(slug="taxpayer-privacy")
    AgreementFactory(slug="on-topic").topics.add(privacy, TopicFactory())
    AgreementFactory(slug="off-topic").topics.add(TopicFactory())

    assert slugs(api_client.get(LIST_URL, {"topic": "taxpayer-privacy"})) == ["on-topic"]


def test_filter_by_party_lists_an_agreement_once_whatever_the_roles(api_client):
    ice = ActorFactory(slug="ice")
    mou = AgreementFactory(slug="mou")
    PartyFactory(agreement=mou, actor=ice, role=Party.Role.REQUESTING)
    PartyFactory(agreement=mou, actor=ice, role=Party.Role.SIGNATORY)
    PartyFactory(agreement=AgreementFactory(slug="other"))

    assert slugs(api_client.get(LIST_URL, {"actor": "ice"})) == ["mou"]


def test_filter_updated_since(api_client):
    with time_machine.travel(datetime.datetime(2025, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        AgreementFactory(slug="old")
    with time_machine.travel(datetime.datetime(2025, 4, 8, 12, tzinfo=datetime.UTC), tick=False):
        AgreementFactory(slug="new")

    assert slugs(api_client.get(LIST_URL, {"updated_since": "2025-04-08T12:00:00Z"})) == ["new"]
    assert slugs(api_client.get(LIST_URL, {"updated_since": "2025-04-08T12:00:01+00:00"})) == []
    assert slugs(api_client.get(LIST_URL, {"updated_since": "2025-04-02"})) == ["new"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [("memorandum", ["by-title"]), ("addresses", ["by-summary"]), ("irs-ice", ["by-alias"])],
)
def test_search_over_title_summary_and_aliases(api_client, term, expected):
    AgreementFactory(slug="by-title", title="A Memorandum", summary="")
    AgreementFactory(slug="by-summary", title="Data deal", summary="It shares addresses.")
    by_alias = AgreementFactory(slug="by-alias", title="Pact", summary="")
    AliasFactory(text="IRS-ICE deal", actor=None, agreement=by_alias)
    AliasFactory(text="IRS-ICE pact", actor=None, agreement=by_alias)

    assert slugs(api_client.get(LIST_URL, {"search": term})) == expected


def test_ordering_puts_unknown_dates_last_and_breaks_ties_by_id(api_client):
    AgreementFactory(slug="undated", title="A", signed_on=None)
    AgreementFactory(slug="april", title="B", signed_on=datetime.date(2025, 4, 7))
    AgreementFactory(slug="march", title="C", signed_on=datetime.date(2025, 3, 1))
    AgreementFactory(slug="march-too", title="D", signed_on=datetime.date(2025, 3, 1))

    assert slugs(api_client.get(LIST_URL, {"ordering": "signed_on"})) == [
        "march",
        "march-too",
        "april",
        "undated",
    ]
    assert slugs(api_client.get(LIST_URL, {"ordering": "-signed_on"})) == [
        "april",
        "march-too",
        "march",
        "undated",
    ]
    assert slugs(api_client.get(LIST_URL, {"ordering": "-title"})) == [
        "march-too",
        "march",
        "april",
        "undated",
    ]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("status", "bogus"),
        ("kind", "treaty"),
        ("topic", "no-such-topic"),
        ("actor", "no-such-actor"),
        ("updated_since", "notadate"),
        ("updated_since", "2025-13-45"),
        ("ordering", "summary"),
    ],
)
def test_bad_filter_value_is_400_naming_the_parameter(api_client, parameter, value):
    AgreementFactory()

    response = api_client.get(LIST_URL, {parameter: value})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [parameter]


# --- Query counts -----------------------------------------------------------------------------


def add_agreement_with_related_rows():
    agreement = AgreementFactory()
    agreement.topics.add(TopicFactory(), TopicFactory())
    PartyFactory(agreement=agreement, signed_by=PersonFactory())
    PartyFactory(agreement=agreement)
    EventFactory(agreement=agreement)
    return agreement


def test_list_query_count_does_not_grow_with_rows(api_client):
    for _ in range(2):
        add_agreement_with_related_rows()
    few = count_queries(api_client, LIST_URL)
    for _ in range(18):
        add_agreement_with_related_rows()

    assert count_queries(api_client, LIST_URL) == few


def add_related_rows(agreement, count):
    for _ in range(count):
        agreement.topics.add(TopicFactory())
        AliasFactory(actor=None, agreement=agreement)
        AgreementDocument.objects.create(
            agreement=agreement,
            title="Document",
            url=f"https://docs.example/{agreement.documents.count()}.pdf",
        )
        PartyFactory(agreement=agreement, signed_by=PersonFactory())
        position = PositionFactory(agreement=agreement)
        StatementFactory(position=position)
        StatementFactory(position=position, source=None)
        challenge = LegalChallengeFactory()
        challenge.agreements.add(agreement)
        ArticleLinkFactory(agreement=agreement, status=ArticleLink.Status.CONFIRMED)


def test_detail_query_count_does_not_grow_with_related_rows(api_client):
    agreement = AgreementFactory()
    add_related_rows(agreement, 2)
    few = count_queries(api_client, detail_url(agreement.slug))
    add_related_rows(agreement, 18)

    assert count_queries(api_client, detail_url(agreement.slug)) == few


def add_events(agreement, challenge, count):
    for n in range(count):
        EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            sources=[ArticleFactory(), ArticleFactory()],
        )
        EventFactory(agreement=None, challenge=challenge, sources=[ArticleFactory()])


def test_timeline_query_count_does_not_grow_with_events(api_client):
    agreement = AgreementFactory()
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    add_events(agreement, challenge, 1)
    few = count_queries(api_client, timeline_url(agreement.slug))
    add_events(agreement, challenge, 9)

    assert count_queries(api_client, timeline_url(agreement.slug)) == few


# --- Demo data --------------------------------------------------------------------------------


def test_api_serves_the_demo_agreement_with_signatories_and_timeline(api_client):
    call_command("load_demo", stdout=io.StringIO())

    data = api_client.get(detail_url(AGREEMENT_SLUG)).json()
    signers = {
        p["actor"]["slug"]: p["signed_by"]["slug"] for p in data["parties"] if p["signed_by"]
    }
    assert signers == {"treasury": "scott-bessent", "dhs": "kristi-noem"}

    events = api_client.get(timeline_url(AGREEMENT_SLUG)).json()["results"]
    expected = Event.objects.timeline_of_agreement(Agreement.objects.get(slug=AGREEMENT_SLUG))
    assert [e["id"] for e in events] == [e.pk for e in expected]
    assert events[0]["title"] == "IRS and DHS enter into the data-sharing memorandum"
    assert events[-1]["challenge"] == CHALLENGE_SLUG
    assert LegalChallenge.objects.filter(slug=CHALLENGE_SLUG).exists()


def test_api_root_lists_the_endpoints_of_both_apps(api_client):
    response = api_client.get(reverse("api:api-root"))

    assert response.status_code == 200
    root = response.json()
    assert root["agreements"] == "http://testserver/api/v1/agreements/"
    assert root["articles"] == "http://testserver/api/v1/articles/"
    assert root["feeds"] == "http://testserver/api/v1/feeds/"


def test_list_orders_agreements_by_title_and_their_parties_by_sequence(api_client):
    zeta = AgreementFactory(title="Zeta data deal")
    for sequence, slug in [(2, "second-party"), (1, "first-party")]:
        PartyFactory(agreement=zeta, actor=ActorFactory(slug=slug), sequence=sequence)
    AgreementFactory(title="Alpha data deal")

    results = api_client.get(LIST_URL).json()["results"]

    assert [item["title"] for item in results] == ["Alpha data deal", "Zeta data deal"]
    assert [party["actor"]["slug"] for party in results[1]["parties"]] == [
        "first-party",
        "second-party",
    ]


def test_an_agreements_statements_query_count_does_not_grow_with_statements(api_client):
    agreement = AgreementFactory()
    url = reverse("api:agreement-statements", kwargs={"slug": agreement.slug})

    def add_statements(count):
        for _ in range(count):
            position = PositionFactory(agreement=agreement)
            StatementFactory(position=position, speaker=PersonFactory(), source=ArticleFactory())

    add_statements(2)
    few = count_queries(api_client, url)
    add_statements(18)

    assert count_queries(api_client, url) == few
