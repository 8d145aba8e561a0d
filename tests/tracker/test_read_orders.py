"""What the read querysets promise a reader: each capped list on an actor's page says how many
there are in all, each list comes in its stated order, and rows equal on every visible key still
come in one order, by id.

A tie-break by ascending id can only fail on PostgreSQL: SQLite keeps and scans rows in id (rowid)
order and sorts stably, so it returns ties in id order with or without the tie-break. These tests
store such rows against id order (explicit ids, many-to-many links added one by one), so
PostgreSQL meets them in the other order unless the query says otherwise; CI runs them there too.
A newest-id-first tie-break fails on both backends."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tracker.models import (
    Actor,
    Affiliation,
    Agreement,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
)
from apps.tracker.querysets import POSITIONS_CAP, RELATED_CAP
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AgreementFactory,
    AliasFactory,
    ChallengePartyFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def made_in_reverse_id_order(factory, *variants, **common):
    """One row per variant (a dict of fields), each stored before any row with a lower id: so
    on PostgreSQL a table scan meets them highest id first, and only an explicit id order puts
    them back. Returned in id order, the order a tie-break by id shows."""
    base = 10**9  # far above any id the sequences hand out in a test
    rows = [
        factory(id=base + len(variants) - i, **common, **variant)
        for i, variant in enumerate(variants)
    ]
    return sorted(rows, key=lambda row: row.pk)


def shown_counts(html):
    return re.findall(r"Showing (\d+) of (\d+)[a-z ]*\.", html)


def in_page_order(html, *texts):
    positions = [html.index(text) for text in texts]
    return positions == sorted(positions)


@pytest.mark.parametrize(
    ("relation", "noun"),
    [
        ("children", ""),
        ("parties", ""),
        ("signatures", ""),
        ("positions", ""),
        ("affiliations", " roles"),
        ("members", " members"),
        ("challenge_roles", " roles in cases"),
        ("cases", " cases before this court"),
    ],
)
def test_an_actor_page_past_the_cap_says_how_many_in_all(client, relation, noun):
    kind = Actor.Kind.PERSON if relation == "affiliations" else Actor.Kind.COURT
    actor = ActorFactory(kind=kind)
    cap = POSITIONS_CAP if relation == "positions" else RELATED_CAP
    count = cap + 1
    others = Actor.objects.bulk_create(
        Actor(kind=Actor.Kind.AGENCY, name=f"Office {i:03}", slug=f"office-{i}")
        for i in range(count)
    )
    if relation == "children":
        Actor.objects.filter(pk__in=[o.pk for o in others]).update(parent=actor)
    elif relation in ("parties", "signatures", "positions"):
        agreements = Agreement.objects.bulk_create(
            Agreement(title=f"Agreement {i:03}", slug=f"agreement-{i}") for i in range(count)
        )
        if relation == "parties":
            Party.objects.bulk_create(Party(agreement=a, actor=actor) for a in agreements)
        elif relation == "signatures":
            Party.objects.bulk_create(
                Party(agreement=a, actor=other, signed_by=actor)
                for a, other in zip(agreements, others, strict=True)
            )
        else:
            Position.objects.bulk_create(
                Position(agreement=a, actor=actor, stance=Position.Stance.OPPOSES)
                for a in agreements
            )
    elif relation in ("affiliations", "members"):
        Affiliation.objects.bulk_create(
            Affiliation(person=actor, organization=other, role="Adviser")
            if relation == "affiliations"
            else Affiliation(person=other, organization=actor, role="Adviser")
            for other in others
        )
    else:
        cases = LegalChallenge.objects.bulk_create(
            LegalChallenge(caption=f"A v. B {i:03}", slug=f"case-{i}") for i in range(count)
        )
        if relation == "cases":
            LegalChallenge.objects.update(court=actor)
        else:
            ChallengeParty.objects.bulk_create(
                ChallengeParty(challenge=case, actor=actor, role=ChallengeParty.Role.PLAINTIFF)
                for case in cases
            )

    html = client.get(actor.get_absolute_url()).content.decode()

    assert f"Showing {cap} of {count}{noun}." in html


def test_speaking_for_others_counts_only_statements_for_others(client):
    actor = ActorFactory(name="Coalition spokesperson")
    StatementFactory(position=PositionFactory(actor=actor), speaker=actor, text="Our own view.")
    others = PositionFactory()
    for _ in range(POSITIONS_CAP):
        StatementFactory(position=others, speaker=actor, text="For the coalition.")

    html = client.get(actor.get_absolute_url()).content.decode()
    assert shown_counts(html) == []

    StatementFactory(position=others, speaker=actor, text="For the coalition.")
    html = client.get(actor.get_absolute_url()).content.decode()
    assert shown_counts(html) == [(str(POSITIONS_CAP), str(POSITIONS_CAP + 1))]


def test_an_actor_page_lists_each_relation_by_its_stated_key(client):
    actor = ActorFactory(kind=Actor.Kind.COURT, name="Agency")
    ActorFactory(parent=actor, name="Zulu office")
    ActorFactory(parent=actor, name="Alpha office")
    # Parties and positions by agreement title, whatever their sequence.
    PartyFactory(actor=actor, agreement=AgreementFactory(title="Zeta accord"), sequence=0)
    PartyFactory(actor=actor, agreement=AgreementFactory(title="Beta accord"), sequence=5)
    PartyFactory(signed_by=actor, agreement=AgreementFactory(title="Yankee accord"))
    PartyFactory(signed_by=actor, agreement=AgreementFactory(title="Charlie accord"))
    PositionFactory(actor=actor, agreement=AgreementFactory(title="Xray plan"))
    PositionFactory(actor=actor, agreement=AgreementFactory(title="Delta plan"))
    # Cases it is a party to by caption; cases before it newest filing first.
    ChallengePartyFactory(actor=actor, challenge=LegalChallengeFactory(caption="Whiskey v. US"))
    ChallengePartyFactory(actor=actor, challenge=LegalChallengeFactory(caption="Echo v. US"))
    LegalChallengeFactory(court=actor, caption="Alpha v. IRS", filed_on=datetime.date(2025, 1, 1))
    LegalChallengeFactory(court=actor, caption="Bravo v. IRS", filed_on=datetime.date(2025, 6, 1))

    html = client.get(actor.get_absolute_url()).content.decode()

    assert in_page_order(html, "Alpha office", "Zulu office")
    assert in_page_order(html, "Beta accord", "Zeta accord")
    assert in_page_order(html, "Charlie accord", "Yankee accord")
    positions = html[html.index('id="positions-heading"') :]
    assert in_page_order(positions, "Delta plan", "Xray plan")
    assert in_page_order(html, "Echo v. US", "Whiskey v. US")
    assert in_page_order(html, "Bravo v. IRS", "Alpha v. IRS")


def test_an_actor_page_breaks_ties_by_id(client):
    actor = ActorFactory(kind=Actor.Kind.COURT)
    children = made_in_reverse_id_order(ActorFactory, {}, {}, parent=actor, name="Same office")
    agreement = AgreementFactory(title="Same accord")
    parties = made_in_reverse_id_order(
        PartyFactory,
        {"role": Party.Role.PROVIDING},
        {"role": Party.Role.REQUESTING},
        actor=actor,
        agreement=agreement,
        sequence=1,
    )
    cases = made_in_reverse_id_order(
        LegalChallengeFactory,
        {},
        {},
        court=actor,
        caption="Same v. US",
        filed_on=datetime.date(2025, 1, 1),
    )

    response = client.get(actor.get_absolute_url())
    html = response.content.decode()

    assert in_page_order(html, *(child.get_absolute_url() for child in children))
    assert in_page_order(html, *(case.get_absolute_url() + '"' for case in cases))
    assert [p.pk for p in response.context["actor"].parties.all()] == [p.pk for p in parties]


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] if "id" in item else item["slug"] for item in response.json()["results"]]


def test_the_actors_api_lists_by_name_then_id(api_client):
    zulu = ActorFactory(name="Zulu")
    same = made_in_reverse_id_order(ActorFactory, {}, {}, name="Alpha")

    slugs = ids(api_client.get(reverse("api:actor-list")))

    assert slugs == [same[0].slug, same[1].slug, zulu.slug]


def test_the_positions_api_lists_by_agreement_stance_then_id(api_client):
    first, second = AgreementFactory(), AgreementFactory()
    later_opposes = PositionFactory(agreement=second, stance="opposes")
    supports = PositionFactory(agreement=first, stance="supports")
    opposes = made_in_reverse_id_order(PositionFactory, {}, {}, agreement=first, stance="opposes")

    listed = ids(api_client.get(reverse("api:position-list")))

    assert listed == [opposes[0].pk, opposes[1].pk, supports.pk, later_opposes.pk]


def test_the_challenges_api_lists_newest_filing_first_then_caption_then_id(api_client):
    undated = LegalChallengeFactory(caption="Alpha v. US", filed_on=None)
    older = LegalChallengeFactory(caption="Alpha v. US", filed_on=datetime.date(2024, 1, 1))
    newer_b = LegalChallengeFactory(caption="Bravo v. US", filed_on=datetime.date(2025, 1, 1))
    newer_a = made_in_reverse_id_order(
        LegalChallengeFactory, {}, {}, caption="Alpha v. US", filed_on=datetime.date(2025, 1, 1)
    )

    listed = ids(api_client.get(reverse("api:challenge-list")))

    assert listed == [
        newer_a[0].slug,
        newer_a[1].slug,
        newer_b.slug,
        older.slug,
        undated.slug,
    ]


def test_a_case_in_the_api_lists_its_agreements_by_title_and_parties_by_role(api_client):
    case = LegalChallengeFactory()
    zeta = AgreementFactory(title="Zeta accord")
    alphas = made_in_reverse_id_order(AgreementFactory, {}, {}, title="Alpha accord")
    for agreement in (zeta, *reversed(alphas)):  # linked one by one against id order
        case.agreements.add(agreement)
    # By role (its stored value, so defendant before plaintiff), then sequence, then id.
    second = ChallengePartyFactory(challenge=case, role=ChallengeParty.Role.PLAINTIFF, sequence=2)
    first, first_too = made_in_reverse_id_order(
        ChallengePartyFactory,
        {},
        {},
        challenge=case,
        role=ChallengeParty.Role.PLAINTIFF,
        sequence=1,
    )
    defendant = ChallengePartyFactory(
        challenge=case, role=ChallengeParty.Role.DEFENDANT, sequence=3
    )

    item = api_client.get(reverse("api:challenge-detail", args=[case.slug])).json()

    assert [a["slug"] for a in item["agreements"]] == [alphas[0].slug, alphas[1].slug, zeta.slug]
    expected = [defendant, first, first_too, second]
    assert [p["actor"]["slug"] for p in item["parties"]] == [p.actor.slug for p in expected]


def test_the_home_page_lists_the_five_latest_case_rulings(client):
    # The newest ruling, but on an agreement's own timeline, not in a case.
    agreement_ruling = EventFactory(
        kind=Event.Kind.RULING, title="Not a case's ruling", date=datetime.date(2025, 7, 1)
    )
    case = LegalChallengeFactory()
    rulings = [
        EventFactory(
            kind=Event.Kind.RULING,
            challenge=case,
            agreement=None,
            title=f"Ruling {day}",
            date=datetime.date(2025, 5, day),
        )
        for day in range(1, 7)
    ]
    same_day = made_in_reverse_id_order(
        EventFactory,
        {"title": "Same-day ruling 1"},
        {"title": "Same-day ruling 2"},
        kind=Event.Kind.RULING,
        challenge=case,
        agreement=None,
        date=datetime.date(2025, 6, 1),
    )
    assert agreement_ruling.challenge is None

    response = client.get(reverse("tracker:home"))
    listed = [event.pk for event in response.context["recent_rulings"]]

    assert listed == [same_day[1].pk, same_day[0].pk, *(r.pk for r in rulings[:2:-1])]


def test_the_home_page_reads_its_rulings_cases_and_courts_in_one_query(client):
    def rulings_queries():
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("tracker:home"))
        return len(queries)

    EventFactory(kind=Event.Kind.RULING, challenge=LegalChallengeFactory(), agreement=None)
    one = rulings_queries()
    for _ in range(3):
        EventFactory(kind=Event.Kind.RULING, challenge=LegalChallengeFactory(), agreement=None)

    assert rulings_queries() == one


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_person_or_court_page_runs_as_many_queries_for_one_row_as_for_five(client):
    """The lists the organisation in test_views.py lacks: a person's own roles and signatures,
    a court's cases, each with what a row shows of another record."""

    def grown(n):
        person = PersonFactory()
        court = ActorFactory(kind=Actor.Kind.COURT)
        for _ in range(n):
            AffiliationFactory(person=person, organization=ActorFactory())
            PartyFactory(signed_by=person, agreement=AgreementFactory(), actor=ActorFactory())
            LegalChallengeFactory(court=court)
            AliasFactory(actor=person)
        return person, court

    (person_one, court_one), (person_five, court_five) = grown(1), grown(5)

    assert page_queries(client, person_one.get_absolute_url()) == page_queries(
        client, person_five.get_absolute_url()
    )
    assert page_queries(client, court_one.get_absolute_url()) == page_queries(
        client, court_five.get_absolute_url()
    )


def test_agreement_lists_break_ties_by_id(client, api_client):
    same = made_in_reverse_id_order(AgreementFactory, {}, {}, title="Same accord")
    # The list page: no event on either (latest activity unknown), the same title.
    html = client.get(reverse("tracker:agreement-list")).content.decode()
    assert in_page_order(html, *(a.get_absolute_url() + '"' for a in same))
    # The API: by title, then id; each agreement's parties by sequence, then id.
    listed = [
        item["slug"] for item in api_client.get(reverse("api:agreement-list")).json()["results"]
    ]
    assert listed == [a.slug for a in same]
    parties = made_in_reverse_id_order(
        PartyFactory,
        {"role": Party.Role.PROVIDING},
        {"role": Party.Role.REQUESTING},
        agreement=same[0],
        sequence=1,
    )
    item = api_client.get(reverse("api:agreement-list")).json()["results"][0]
    assert [p["actor"]["slug"] for p in item["parties"]] == [p.actor.slug for p in parties]


def test_what_an_actor_said_for_others_on_one_day_comes_newest_id_first(client):
    actor = ActorFactory()
    # Stored in id order: only the explicit newest-id-first tie-break reverses them.
    position = PositionFactory()
    day = datetime.date(2025, 5, 1)
    said = [
        StatementFactory(position=position, speaker=actor, said_on=day, text=text)
        for text in ("First of the day.", "Second of the day.")
    ]

    html = client.get(actor.get_absolute_url()).content.decode()

    for_others = html[html.index("Speaking for others") :]
    assert in_page_order(for_others, said[1].text, said[0].text)


def test_an_event_page_lists_its_cases_agreements_by_title_then_id(client):
    case = LegalChallengeFactory()
    same = made_in_reverse_id_order(AgreementFactory, {}, {}, title="Same accord")
    for agreement in reversed(same):  # linked one by one in the other order, too
        case.agreements.add(agreement)
    event = EventFactory(agreement=None, challenge=case)

    html = client.get(event.get_absolute_url()).content.decode()

    assert in_page_order(html, *(a.get_absolute_url() + '"' for a in same))


def test_a_feed_lists_events_recorded_at_the_same_instant_newest_id_first(client):
    # Stored in id order: only the explicit newest-id-first tie-break reverses them.
    events = [EventFactory(), EventFactory()]
    Event.objects.update(created_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC))

    atom = client.get(reverse("tracker:feed")).content.decode()

    assert in_page_order(atom, *(e.get_absolute_url() + '"' for e in reversed(events)))


def test_counsel_on_a_case_page_lists_its_clients_by_name_then_id(client):
    case = LegalChallengeFactory()
    clients = made_in_reverse_id_order(ActorFactory, {}, {}, name="Same client")
    counsel = ChallengePartyFactory(challenge=case, role=ChallengeParty.Role.COUNSEL)
    for actor in reversed(clients):  # linked one by one in the other order, too
        counsel.represents.add(actor)

    html = client.get(case.get_absolute_url()).content.decode()

    assert in_page_order(html, *(c.get_absolute_url() + '"' for c in clients))


def test_an_actors_roles_signatures_positions_and_cases_break_ties_by_sequence_then_id(client):
    actor = ActorFactory(kind=Actor.Kind.ORGANIZATION)
    # Two roles in one agreement: by sequence, whatever the ids say.
    agreement = AgreementFactory(title="Same accord")
    later = PartyFactory(actor=actor, agreement=agreement, role=Party.Role.PROVIDING, sequence=2)
    sooner = PartyFactory(actor=actor, agreement=agreement, role=Party.Role.OVERSIGHT, sequence=1)
    signed = made_in_reverse_id_order(
        PartyFactory,
        {"agreement": AgreementFactory(title="Signed accord")},
        {"agreement": AgreementFactory(title="Signed accord")},
        signed_by=actor,
    )
    positions = made_in_reverse_id_order(
        PositionFactory,
        {"agreement": AgreementFactory(title="Position accord")},
        {"agreement": AgreementFactory(title="Position accord")},
        actor=actor,
    )
    roles = made_in_reverse_id_order(
        ChallengePartyFactory,
        {"challenge": LegalChallengeFactory(caption="Same v. US")},
        {"challenge": LegalChallengeFactory(caption="Same v. US")},
        actor=actor,
    )

    shown = client.get(actor.get_absolute_url()).context["actor"]

    assert [p.pk for p in shown.parties.all()] == [sooner.pk, later.pk]
    assert [p.pk for p in shown.signatures.all()] == [p.pk for p in signed]
    assert [p.pk for p in shown.positions.all()] == [p.pk for p in positions]
    assert [r.pk for r in shown.challenge_roles.all()] == [r.pk for r in roles]
