"""The journalists' pages of the curated record: what they show, what they escape, and that each
runs the same number of queries however much data there is."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.news.models import ArticleLink
from apps.tracker.models import Agreement, ChallengeParty, DatePrecision, Event, Position
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ChallengePartyFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _position(html, text):
    index = html.find(text)
    assert index != -1, f"{text!r} not on the page"
    return index


# --- Home -------------------------------------------------------------------------------------


def test_agreement_index_lists_agreements_with_status_and_latest_event(client):
    agreement = AgreementFactory(
        title="IRS–ICE data-sharing MOU", status=Agreement.Status.IN_EFFECT
    )
    EventFactory(agreement=agreement, date=datetime.date(2025, 4, 7), title="Bessent and Noem sign")
    latest = EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 5, 1),
        date_precision=DatePrecision.MONTH,
        title="IRS begins sharing addresses",
    )
    quiet = AgreementFactory(title="A quiet rule", status=Agreement.Status.PROPOSED)

    html = client.get("/agreements/").content.decode()

    assert "IRS–ICE data-sharing MOU" in html
    assert 'class="badge badge--in_effect">In effect<' in html
    assert 'class="badge badge--proposed">Proposed<' in html
    assert (
        f'href="{agreement.get_absolute_url()}#event-{latest.pk}">IRS begins sharing addresses<'
        in html
    )
    assert '<time datetime="2025-05">May 2025</time>' in html
    assert quiet.title in html
    assert "No events recorded yet" in html


def test_agreement_index_latest_event_counts_events_of_challenges_against_it(client):
    agreement = AgreementFactory()
    EventFactory(agreement=agreement, date=datetime.date(2025, 4, 7), title="Signed")
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    ruling = EventFactory(
        agreement=None, challenge=challenge, date=datetime.date(2025, 5, 12), title="Court rules"
    )

    html = client.get("/agreements/").content.decode()
    latest = html[_position(html, '<div class="latest">') :].split("</div>")[0]

    assert f'#event-{ruling.pk}">Court rules<' in latest
    assert "Signed" not in latest


def test_agreement_index_latest_event_follows_the_timeline_on_a_tie(client):
    # Both on 1 May 2025: the timeline puts the day before the month it falls in, whatever the
    # curator's sequence, so the month is the latest entry.
    agreement = AgreementFactory()
    EventFactory(agreement=agreement, date=datetime.date(2025, 5, 1), sequence=5, title="On 1 May")
    EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 5, 1),
        date_precision=DatePrecision.MONTH,
        title="During May",
    )

    html = client.get("/agreements/").content.decode()
    latest = html[_position(html, '<div class="latest">') :].split("</div>")[0]

    assert "During May" in latest


def test_home_links_the_api_docs_and_admin(client):
    html = client.get("/").content.decode()

    assert 'href="/api/docs/"' in html
    assert 'href="/admin/"' in html


def test_home_query_count_does_not_grow_with_agreements(client):
    def add_agreements(n):
        topic = TopicFactory()
        for _ in range(n):
            agreement = AgreementFactory()
            agreement.topics.add(topic)
            EventFactory(agreement=agreement, sources=[ArticleFactory()])
            challenge = LegalChallengeFactory()
            challenge.agreements.add(agreement)
            EventFactory(agreement=None, challenge=challenge)

    add_agreements(2)
    few = [_count_queries(client, url) for url in ("/", "/agreements/")]
    add_agreements(18)
    many = [_count_queries(client, url) for url in ("/", "/agreements/")]

    assert few == many


# --- Agreement page ---------------------------------------------------------------------------


@pytest.fixture
def mou():
    """An agreement with a full record: parties, stakeholders, a lawsuit and a sourced timeline."""
    agreement = AgreementFactory(
        title="IRS–ICE data-sharing MOU",
        slug="irs-ice-mou",
        status=Agreement.Status.ENJOINED,
        summary="The IRS shares taxpayer addresses with ICE.",
        signed_on=datetime.date(2025, 4, 7),
    )
    agreement.topics.add(TopicFactory(name="Immigration"))
    AliasFactory(actor=None, agreement=agreement, text="data-sharing agreement")
    irs = ActorFactory(name="Internal Revenue Service")
    bessent = PersonFactory(name="Scott Bessent")
    PartyFactory(
        agreement=agreement, actor=irs, signed_by=bessent, signed_on=datetime.date(2025, 4, 7)
    )
    report = ArticleFactory(
        title="IRS agrees to share data with ICE",
        canonical_url="https://news.example/irs-ice",
        outlet__name="The Ledger",
    )
    return {
        "agreement": agreement,
        "irs": irs,
        "bessent": bessent,
        "report": report,
        "signed": EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 4, 7),
            kind=Event.Kind.SIGNED,
            title="Bessent and Noem sign the MOU",
            sources=[report],
        ),
        "reported": EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 3, 1),
            date_precision=DatePrecision.MONTH,
            kind=Event.Kind.REPORTED,
            title="Talks first reported",
        ),
    }


def test_agreement_page_shows_status_kind_dates_topics_and_aliases(client, mou):
    html = client.get("/agreements/irs-ice-mou/").content.decode()

    assert "<h1>IRS–ICE data-sharing MOU</h1>" in html
    assert 'class="badge badge--enjoined">Enjoined<' in html
    assert "Memorandum of understanding" in html
    assert '<time datetime="2025-04-07">7 April 2025</time>' in html
    assert ">Immigration</a>" in html
    assert "data-sharing agreement" in html


def test_agreement_timeline_is_in_date_order_with_precision_and_permalinks(client, mou):
    html = client.get("/agreements/irs-ice-mou/").content.decode()
    timeline = html[_position(html, '<ol class="timeline">') :]

    assert _position(timeline, "Talks first reported") < _position(
        timeline, "Bessent and Noem sign the MOU"
    )
    assert '<time datetime="2025-03">March 2025</time>' in timeline
    assert f'id="event-{mou["signed"].pk}"' in timeline
    assert f'href="/events/{mou["signed"].pk}/"' in timeline


def test_agreement_timeline_links_sources_and_marks_unsourced_events(client, mou):
    html = client.get("/agreements/irs-ice-mou/").content.decode()
    reported_start = _position(html, f'id="event-{mou["reported"].pk}"')
    signed_start = _position(html, f'id="event-{mou["signed"].pk}"')
    reported = html[reported_start:signed_start]
    signed = html[signed_start : html.index("</ol>", signed_start)]

    assert 'href="https://news.example/irs-ice"' in signed
    assert "IRS agrees to share data with ICE" in signed
    assert "The Ledger" in signed
    assert f'href="/news/articles/{mou["report"].pk}/"' in signed
    assert "Unsourced" not in signed
    assert "Unsourced" in reported


def test_agreement_timeline_includes_events_of_its_challenges(client, mou):
    challenge = LegalChallengeFactory(caption="Centro v. Bessent")
    challenge.agreements.add(mou["agreement"])
    EventFactory(
        agreement=None,
        challenge=challenge,
        date=datetime.date(2025, 5, 12),
        kind=Event.Kind.RULING,
        title="Court enjoins the MOU",
    )

    html = client.get("/agreements/irs-ice-mou/").content.decode()
    timeline = html[_position(html, '<ol class="timeline">') :]

    assert _position(timeline, "Bessent and Noem sign") < _position(timeline, "Court enjoins")


def test_agreement_page_shows_parties_and_signatories(client, mou):
    html = client.get("/agreements/irs-ice-mou/").content.decode()
    parties = html[_position(html, 'id="parties"') : _position(html, 'id="stakeholders"')]

    assert f'href="{mou["irs"].get_absolute_url()}">Internal Revenue Service<' in parties
    assert "Signatory" in parties
    assert f'href="{mou["bessent"].get_absolute_url()}">Scott Bessent<' in parties
    assert '<time datetime="2025-04-07">7 April 2025</time>' in parties


def test_agreement_page_groups_stakeholders_by_stance_with_quotes_and_speakers(client, mou):
    agreement = mou["agreement"]
    council = ActorFactory(name="American Immigration Council", kind="organization")
    StatementFactory(
        position=PositionFactory(agreement=agreement, actor=council, stance="opposes"),
        text="This turns the IRS into an arm of ICE.",
        venue="in a press release",
        source=mou["report"],
    )
    treasury = ActorFactory(name="Department of the Treasury", kind="department")
    StatementFactory(
        position=PositionFactory(agreement=agreement, actor=treasury, stance="supports"),
        speaker=treasury,
        speaker_label="a Treasury spokesperson",
        text="The agreement follows the law.",
        said_on=datetime.date(2025, 4, 1),
        said_on_precision=DatePrecision.MONTH,
        source=None,
    )

    html = client.get("/agreements/irs-ice-mou/").content.decode()
    stakeholders = html[_position(html, 'id="stakeholders"') : _position(html, 'id="challenges"')]

    assert _position(stakeholders, 'id="stance-supports"') < _position(
        stakeholders, 'id="stance-opposes"'
    )
    opposes = stakeholders[_position(stakeholders, 'id="stance-opposes"') :]
    assert "This turns the IRS into an arm of ICE." in opposes
    assert f'href="{council.get_absolute_url()}">American Immigration Council<' in opposes
    assert "in a press release" in opposes
    assert f'href="/news/articles/{mou["report"].pk}/"' in opposes
    supports = stakeholders[: _position(stakeholders, 'id="stance-opposes"')]
    assert "a Treasury spokesperson (<a" in supports
    assert f'href="{treasury.get_absolute_url()}">Department of the Treasury<' in supports
    assert '<time datetime="2025-04">April 2025</time>' in supports
    assert "Unsourced" in supports


def test_agreement_page_lists_legal_challenges(client, mou):
    court = ActorFactory(name="U.S. District Court for D.C.", kind="court")
    challenge = LegalChallengeFactory(
        caption="Centro de Trabajadores Unidos v. Bessent",
        court=court,
        docket_number="25-cv-0677",
        status="injunction_denied",
        filed_on=datetime.date(2025, 3, 7),
    )
    challenge.agreements.add(mou["agreement"])

    html = client.get("/agreements/irs-ice-mou/").content.decode()
    challenges = html[_position(html, 'id="challenges"') : _position(html, 'id="coverage"')]

    assert (
        f'href="{challenge.get_absolute_url()}">Centro de Trabajadores Unidos v. Bessent<'
        in challenges
    )
    assert "U.S. District Court for D.C." in challenges
    assert "25-cv-0677" in challenges
    assert "Injunction denied" in challenges
    assert '<time datetime="2025-03-07">7 March 2025</time>' in challenges


def test_agreement_page_says_who_sued_and_what_happened_in_each_challenge(client, mou):
    challenge = LegalChallengeFactory(
        caption="Centro de Trabajadores Unidos v. Bessent",
        summary="Four nonprofits, represented by Public Citizen, sued to stop the sharing.",
    )
    challenge.agreements.add(mou["agreement"])

    html = client.get("/agreements/irs-ice-mou/").content.decode()
    challenges = html[_position(html, 'id="challenges"') : _position(html, 'id="coverage"')]

    assert (
        '<p class="case__summary">Four nonprofits, represented by Public Citizen, sued to stop '
        "the sharing.</p>" in challenges
    )


def test_agreement_page_lists_confirmed_articles_only(client, mou):
    agreement = mou["agreement"]
    for title, status in [
        ("Confirmed coverage", ArticleLink.Status.CONFIRMED),
        ("Suggested coverage", ArticleLink.Status.SUGGESTED),
        ("Rejected coverage", ArticleLink.Status.REJECTED),
    ]:
        ArticleLinkFactory(
            agreement=agreement,
            status=status,
            article=ArticleFactory(title=title, outlet__name="Daily Wire Service"),
        )

    html = client.get("/agreements/irs-ice-mou/").content.decode()
    coverage = html[_position(html, 'id="coverage"') :]

    assert "Confirmed coverage" in coverage
    assert "Daily Wire Service" in coverage
    assert "Suggested coverage" not in html
    assert "Rejected coverage" not in html


def test_agreement_page_escapes_hostile_text(client, mou):
    hostile = ArticleFactory(title="<script>alert('title')</script>Leak")
    mou["signed"].sources.add(hostile)
    StatementFactory(
        position=PositionFactory(agreement=mou["agreement"]),
        text="<script>alert('quote')</script>Quote",
        source=hostile,
    )

    html = client.get("/agreements/irs-ice-mou/").content.decode()

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;Leak" in html
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;Quote" in html


def test_agreement_page_does_not_link_javascript_urls(client, mou):
    mou["signed"].sources.add(ArticleFactory(title="Bad link", canonical_url="javascript:alert(1)"))

    html = client.get("/agreements/irs-ice-mou/").content.decode()

    assert "Bad link" in html
    assert "javascript:" not in html


def test_agreement_page_is_404_for_an_unknown_slug(client):
    assert client.get("/agreements/no-such-agreement/").status_code == 404


def _grow_agreement(agreement, n):
    """n of everything the agreement page lists, each with its own related rows."""
    for i in range(n):
        EventFactory(
            agreement=agreement,
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            sources=[ArticleFactory(), ArticleFactory()],
        )
        PartyFactory(agreement=agreement, signed_by=PersonFactory())
        position = PositionFactory(agreement=agreement, stance=Position.Stance.values[i % 5])
        StatementFactory(position=position)
        StatementFactory(position=position, source=None, source_url="https://example.org/post")
        challenge = LegalChallengeFactory()
        challenge.agreements.add(agreement)
        EventFactory(agreement=None, challenge=challenge, sources=[ArticleFactory()])
        ArticleLinkFactory(agreement=agreement, status=ArticleLink.Status.CONFIRMED)
        AliasFactory(actor=None, agreement=agreement)
        agreement.topics.add(TopicFactory())


def test_agreement_page_query_count_does_not_grow_with_the_record(client):
    small = AgreementFactory()
    _grow_agreement(small, 2)
    large = AgreementFactory()
    _grow_agreement(large, 20)

    few = _count_queries(client, small.get_absolute_url())
    many = _count_queries(client, large.get_absolute_url())

    assert few == many


# --- Actor, challenge and topic pages ---------------------------------------------------------


def test_actor_page_shows_roles_positions_statements_and_confirmed_articles(client):
    dhs = ActorFactory(name="Department of Homeland Security", kind="department")
    ice = ActorFactory(name="Immigration and Customs Enforcement", parent=dhs)
    AliasFactory(actor=ice, text="ICE", case_sensitive=True)
    noem = PersonFactory(name="Kristi Noem")
    AffiliationFactory(person=noem, organization=dhs, role="Secretary of Homeland Security")
    agreement = AgreementFactory(title="IRS–ICE data-sharing MOU")
    PartyFactory(agreement=agreement, actor=ice, role="requesting", signed_by=noem)
    position = PositionFactory(agreement=agreement, actor=ice, stance="supports")
    StatementFactory(position=position, text="We will use the data lawfully.")
    challenge = LegalChallengeFactory(caption="Centro v. Noem")
    ChallengePartyFactory(challenge=challenge, actor=ice, role=ChallengeParty.Role.DEFENDANT)
    ArticleLinkFactory(
        agreement=None,
        actor=ice,
        status=ArticleLink.Status.CONFIRMED,
        article=ArticleFactory(title="ICE gets IRS data"),
    )
    ArticleLinkFactory(
        agreement=None, actor=ice, article=ArticleFactory(title="An ice storm hits Ohio")
    )

    html = client.get(ice.get_absolute_url()).content.decode()

    assert "<h1>Immigration and Customs Enforcement</h1>" in html
    assert "Federal agency" in html
    assert f'href="{dhs.get_absolute_url()}">Department of Homeland Security<' in html
    assert ">ICE<" in html
    assert "Requesting agency" in html
    assert "We will use the data lawfully." in html
    assert "Centro v. Noem" in html and "Defendant" in html
    assert "ICE gets IRS data" in html
    assert "An ice storm hits Ohio" not in html

    person_html = client.get(noem.get_absolute_url()).content.decode()
    assert "Secretary of Homeland Security" in person_html
    assert "signed for" in person_html and "IRS–ICE data-sharing MOU" in person_html


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (None, datetime.date(2019, 7, 31), 'until <time datetime="2019-07-31">31 July 2019</time>'),
        (datetime.date(2001, 3, 1), None, 'since <time datetime="2001-03-01">1 March 2001</time>'),
        (
            datetime.date(2001, 3, 1),
            datetime.date(2019, 7, 31),
            'from <time datetime="2001-03-01">1 March 2001</time> to '
            '<time datetime="2019-07-31">31 July 2019</time>',
        ),
    ],
    ids=["ended-start-unknown", "ongoing", "both-known"],
)
def test_actor_pages_show_the_known_span_of_a_role(client, start, end, shown):
    affiliation = AffiliationFactory(
        person=PersonFactory(name="Nina Olson"),
        organization=ActorFactory(name="Internal Revenue Service"),
        role="National Taxpayer Advocate",
        start_date=start,
        end_date=end,
    )

    for actor in (affiliation.person, affiliation.organization):
        html = client.get(actor.get_absolute_url()).content.decode()
        affiliations = html[_position(html, 'id="affiliations-heading"') :]
        assert shown in affiliations


def test_actor_page_is_404_for_an_unknown_slug(client):
    assert client.get("/actors/nobody/").status_code == 404


def _grow_actor(actor, n):
    for _ in range(n):
        agreement = AgreementFactory()
        PartyFactory(agreement=agreement, actor=actor, signed_by=PersonFactory())
        position = PositionFactory(agreement=agreement, actor=actor)
        StatementFactory(position=position)
        StatementFactory(position=PositionFactory(), speaker=actor)
        AffiliationFactory(person=PersonFactory(), organization=actor)
        ChallengePartyFactory(actor=actor)
        ActorFactory(parent=actor)
        AliasFactory(actor=actor)
        ArticleLinkFactory(agreement=None, actor=actor, status=ArticleLink.Status.CONFIRMED)


def test_actor_page_query_count_does_not_grow_with_the_record(client):
    small = ActorFactory()
    _grow_actor(small, 2)
    large = ActorFactory()
    _grow_actor(large, 20)

    few = _count_queries(client, small.get_absolute_url())
    many = _count_queries(client, large.get_absolute_url())

    assert few == many


def test_challenge_page_shows_court_parties_agreements_and_own_timeline(client):
    court = ActorFactory(name="U.S. District Court for D.C.", kind="court")
    challenge = LegalChallengeFactory(
        caption="Centro v. Bessent", court=court, docket_number="25-cv-0677"
    )
    agreement = AgreementFactory(title="IRS–ICE data-sharing MOU")
    challenge.agreements.add(agreement)
    ChallengePartyFactory(
        challenge=challenge, actor=ActorFactory(name="Public Citizen"), role="counsel"
    )
    ChallengePartyFactory(challenge=challenge, actor=ActorFactory(name="Centro"), role="plaintiff")
    EventFactory(
        agreement=None, challenge=challenge, date=datetime.date(2025, 5, 12), title="Ruling"
    )
    EventFactory(
        agreement=None, challenge=challenge, date=datetime.date(2025, 3, 7), title="Complaint"
    )
    EventFactory(agreement=agreement, title="Agreement-only event")

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert "U.S. District Court for D.C." in html and "25-cv-0677" in html
    assert _position(html, ">Plaintiff<") < _position(html, ">Counsel<")
    assert f'href="{agreement.get_absolute_url()}">IRS–ICE data-sharing MOU<' in html
    assert _position(html, "Complaint") < _position(html, "Ruling")
    assert "Agreement-only event" not in html


def test_topic_page_lists_its_agreements(client):
    topic = TopicFactory(name="Immigration", slug="immigration")
    inside = AgreementFactory(title="Inside the topic")
    inside.topics.add(topic)
    AgreementFactory(title="Outside the topic")

    html = client.get("/topics/immigration/").content.decode()

    assert "Inside the topic" in html
    assert "Outside the topic" not in html
    assert client.get("/topics/nothing/").status_code == 404


# --- What each page must never show, and the order it shows things in ------------------------


def test_challenge_page_lists_confirmed_articles_never_suggested_or_rejected_ones(client):
    challenge = LegalChallengeFactory(caption="Centro v. Bessent")
    for status, title in [
        (ArticleLink.Status.CONFIRMED, "Judge hears Centro case"),
        (ArticleLink.Status.SUGGESTED, "Suggested: ice storm in Centro county"),
        (ArticleLink.Status.REJECTED, "Rejected: unrelated Bessent speech"),
    ]:
        ArticleLinkFactory(
            agreement=None, challenge=challenge, status=status, article=ArticleFactory(title=title)
        )

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert "Judge hears Centro case" in html
    assert "Suggested: ice storm" not in html
    assert "Rejected: unrelated" not in html


def test_home_page_lists_the_five_latest_rulings_newest_first(client):
    challenge = LegalChallengeFactory(caption="Centro v. Bessent")
    for day in (3, 6, 1, 5, 2, 4):
        EventFactory(
            agreement=None,
            challenge=challenge,
            kind=Event.Kind.RULING,
            date=datetime.date(2025, 3, day),
            title=f"Ruling of {day} March",
        )
    EventFactory(
        agreement=None, challenge=challenge, date=datetime.date(2025, 3, 9), title="Hearing held"
    )

    html = client.get("/").content.decode()
    rulings = html[_position(html, 'id="rulings-heading"') :]

    shown = [day for day in range(1, 7) if f"Ruling of {day} March" in rulings]
    assert shown == [2, 3, 4, 5, 6]
    newest_first = [_position(rulings, f"Ruling of {day} March") for day in (6, 5, 4, 3, 2)]
    assert newest_first == sorted(newest_first)
    assert "Hearing held" not in rulings


def test_actor_page_with_a_parent_runs_no_more_queries_than_one_without(client):
    orphan = ActorFactory()
    _grow_actor(orphan, 2)
    child = ActorFactory(parent=ActorFactory(name="Department of Homeland Security"))
    _grow_actor(child, 2)

    without_parent = _count_queries(client, orphan.get_absolute_url())
    with_parent = _count_queries(client, child.get_absolute_url())

    assert with_parent == without_parent


def test_actor_page_lists_a_persons_roles_latest_first_and_an_organisations_people_by_name(
    client,
):
    person = PersonFactory(name="Nina Olson")
    irs = ActorFactory(name="Internal Revenue Service")
    AffiliationFactory(
        person=person, organization=irs, role="Advocate", start_date=datetime.date(2001, 3, 1)
    )
    AffiliationFactory(
        person=person,
        organization=ActorFactory(name="Center for Taxpayer Rights"),
        role="Director",
        start_date=datetime.date(2019, 8, 1),
    )
    AffiliationFactory(person=PersonFactory(name="Alan Able"), organization=irs, role="Clerk")
    AffiliationFactory(person=PersonFactory(name="Zoe Zed"), organization=irs, role="Clerk")

    person_html = client.get(person.get_absolute_url()).content.decode()
    irs_html = client.get(irs.get_absolute_url()).content.decode()

    assert _position(person_html, "Director") < _position(person_html, "Advocate")
    assert _position(irs_html, "Alan Able") < _position(irs_html, "Nina Olson")
    assert _position(irs_html, "Nina Olson") < _position(irs_html, "Zoe Zed")


def test_actor_page_lists_what_it_said_newest_first(client):
    actor = ActorFactory(name="Public Citizen")
    for day, text in [(3, "Third word."), (1, "First word."), (20, "Latest word.")]:
        # Said for a coalition's position, so only the list of its statements shows it.
        StatementFactory(
            position=PositionFactory(),
            speaker=actor,
            text=text,
            said_on=datetime.date(2025, 4, day),
        )

    html = client.get(actor.get_absolute_url()).content.decode()

    assert _position(html, "Latest word.") < _position(html, "Third word.")
    assert _position(html, "Third word.") < _position(html, "First word.")


def test_agreement_page_lists_a_stakeholders_statements_oldest_first(client, mou):
    agreement = mou["agreement"]
    position = PositionFactory(agreement=agreement, actor=ActorFactory(name="Public Citizen"))
    for day, text in [(20, "Then we sued."), (2, "First we objected.")]:
        StatementFactory(position=position, text=text, said_on=datetime.date(2025, 4, day))

    html = client.get(agreement.get_absolute_url()).content.decode()

    assert _position(html, "First we objected.") < _position(html, "Then we sued.")


def test_agreement_index_lists_by_latest_event_then_title_and_quiet_ones_last(client):
    quiet = AgreementFactory(title="A quiet rule")
    older = AgreementFactory(title="Older news")
    EventFactory(agreement=older, date=datetime.date(2025, 3, 1))
    newest_b = AgreementFactory(title="B newest")
    EventFactory(agreement=newest_b, date=datetime.date(2025, 5, 1))
    newest_a = AgreementFactory(title="A newest")
    EventFactory(agreement=newest_a, date=datetime.date(2025, 5, 1))

    html = client.get("/agreements/").content.decode()
    listed = [_position(html, a.title) for a in (newest_a, newest_b, older, quiet)]

    assert listed == sorted(listed)


def _grow_challenge(challenge, n):
    for _ in range(n):
        plaintiff = ChallengePartyFactory(challenge=challenge)
        counsel = ChallengePartyFactory(challenge=challenge, role=ChallengeParty.Role.COUNSEL)
        counsel.represents.add(plaintiff.actor)
        AliasFactory(actor=None, challenge=challenge)
        challenge.agreements.add(AgreementFactory())
        ArticleLinkFactory(agreement=None, challenge=challenge, status=ArticleLink.Status.CONFIRMED)


def test_challenge_page_query_count_does_not_grow_with_the_record_or_its_court(client):
    small = LegalChallengeFactory(court=None)
    _grow_challenge(small, 2)
    large = LegalChallengeFactory(court=ActorFactory(name="U.S. District Court for D.C."))
    _grow_challenge(large, 20)

    few, many = (_count_queries(client, case.get_absolute_url()) for case in (small, large))
    assert few == many


def test_challenge_page_lists_the_parties_of_a_role_in_their_sequence(client):
    challenge = LegalChallengeFactory()
    for sequence, name in [(2, "Second Plaintiff"), (1, "First Plaintiff")]:
        ChallengePartyFactory(challenge=challenge, actor=ActorFactory(name=name), sequence=sequence)

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert _position(html, "First Plaintiff") < _position(html, "Second Plaintiff")


@pytest.mark.parametrize("page", ["case", "event"])
def test_a_case_and_its_events_list_the_agreements_it_challenges_by_title(client, page):
    challenge = LegalChallengeFactory()
    for title in ("Zeta data deal", "Alpha data deal"):
        challenge.agreements.add(AgreementFactory(title=title))
    event = EventFactory(agreement=None, challenge=challenge, title="Complaint filed")

    url = (challenge if page == "case" else event).get_absolute_url()
    html = client.get(url).content.decode()

    assert _position(html, "Alpha data deal") < _position(html, "Zeta data deal")


def test_statement_page_reads_its_speaker_source_position_and_agreement_in_one_query(client):
    statement = StatementFactory(
        position=PositionFactory(agreement=AgreementFactory(), actor=ActorFactory()),
        speaker=PersonFactory(),
        source=ArticleFactory(),
    )

    assert _count_queries(client, statement.get_absolute_url()) == 1


def test_actor_page_lists_under_speaking_for_others_only_what_it_said_for_others(client):
    actor = ActorFactory(name="Public Citizen")
    StatementFactory(position=PositionFactory(actor=actor), speaker=actor, text="Our own view.")
    StatementFactory(position=PositionFactory(), speaker=actor, text="For the coalition.")

    html = client.get(actor.get_absolute_url()).content.decode()
    for_others = html[_position(html, "Speaking for others") :]

    assert "For the coalition." in for_others
    assert "Our own view." not in for_others
