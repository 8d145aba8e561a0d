"""The whole record over the API: every resource has a list and a detail, links to the others,
nested views where users think that way, its FilterSet's filters, and a query count that does not
grow with the rows or their related rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tracker.demo import AGREEMENT_SLUG, CHALLENGE_SLUG, load_demo_data
from apps.tracker.models import Actor, ChallengeParty, Event, LegalChallenge, Party, Position
from tests.api_errors import errors_by_parameter
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
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

LISTS = ["actor", "challenge", "event", "statement", "position", "topic", "outlet", "article"]


@pytest.fixture
def demo():
    load_demo_data()


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_and_each_of_its_details_answer_on_the_demo(api_client, demo, name):
    items = results(api_client.get(reverse(f"api:{name}-list"), {"page_size": 200}))

    assert items
    for item in items:
        detail = item.get("api_url") or item["url"]
        response = api_client.get(detail)
        assert response.status_code == 200, detail
        assert response.json() == item


def test_api_root_lists_every_resource(api_client):
    root = api_client.get(reverse("api:api-root")).json()

    assert {"agreements", "actors", "challenges", "events", "statements"} <= set(root)
    assert {"positions", "topics", "outlets", "articles", "feeds"} <= set(root)


def test_a_challenge_lists_its_parties_with_roles_and_links_to_its_agreements(api_client, demo):
    challenge = api_client.get(reverse("api:challenge-detail", args=[CHALLENGE_SLUG])).json()

    expected = ChallengeParty.objects.filter(challenge__slug=CHALLENGE_SLUG)
    assert sorted((p["actor"]["slug"], p["role"]) for p in challenge["parties"]) == sorted(
        (p.actor.slug, p.role) for p in expected
    )
    [agreement] = challenge["agreements"]
    assert agreement["slug"] == AGREEMENT_SLUG
    assert api_client.get(agreement["url"]).json()["slug"] == AGREEMENT_SLUG


def test_challenge_timeline_is_its_own_events_in_order(api_client, demo):
    events = api_client.get(reverse("api:challenge-timeline", args=[CHALLENGE_SLUG])).json()[
        "results"
    ]

    challenge = LegalChallenge.objects.get(slug=CHALLENGE_SLUG)
    assert [e["id"] for e in events] == [
        e.pk for e in Event.objects.timeline_of_challenge(challenge)
    ]
    assert events


def test_actor_statements_are_every_statement_it_made_newest_first(api_client):
    speaker = PersonFactory(slug="scott-bessent")
    old = StatementFactory(speaker=speaker, said_on=datetime.date(2025, 4, 1))
    new = StatementFactory(speaker=speaker, said_on=datetime.date(2025, 5, 1))
    undated = StatementFactory(speaker=speaker, said_on=None)
    StatementFactory()

    url = reverse("api:actor-statements", args=["scott-bessent"])
    first = api_client.get(url, {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    assert [s["id"] for s in first["results"] + second["results"]] == [
        new.pk,
        old.pk,
        undated.pk,
    ]
    assert second["next"] is None


def test_actor_statements_refuse_list_filters(api_client):
    PersonFactory(slug="noem")

    response = api_client.get(reverse("api:actor-statements", args=["noem"]), {"kind": "quote"})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == ["kind"]


def test_statement_links_to_speaker_stakeholder_agreement_and_position(api_client):
    statement = StatementFactory(position=PositionFactory(agreement=AgreementFactory(slug="mou")))

    [item] = results(api_client.get(reverse("api:statement-list")))

    assert item["agreement"]["slug"] == "mou"
    assert item["actor"]["slug"] == statement.position.actor.slug
    assert api_client.get(item["position"]).json()["id"] == statement.position_id
    assert api_client.get(item["speaker"]["url"]).json()["slug"] == statement.speaker.slug


# --- Filters ----------------------------------------------------------------------------------


def slugs(response, key="slug"):
    return sorted(item[key] for item in results(response))


def test_actor_filters(api_client):
    dhs = ActorFactory(slug="dhs", kind=Actor.Kind.DEPARTMENT, name="Homeland Security")
    ActorFactory(slug="ice", parent=dhs, name="Immigration and Customs Enforcement")
    ActorFactory(slug="public-citizen", kind=Actor.Kind.ORGANIZATION, name="Public Citizen")
    url = reverse("api:actor-list")

    assert slugs(api_client.get(url, {"kind": "department"})) == ["dhs"]
    assert slugs(api_client.get(url, {"parent": "dhs"})) == ["ice"]
    assert slugs(api_client.get(url, {"search": "citizen"})) == ["public-citizen"]
    ordered = results(api_client.get(url, {"ordering": "-name"}))
    assert [a["slug"] for a in ordered] == ["public-citizen", "ice", "dhs"]


def test_challenge_filters_by_status_court_party_role_and_filing_date(api_client):
    court = ActorFactory(slug="dcd", kind=Actor.Kind.COURT)
    plaintiff = ActorFactory(slug="ctu")
    pending = LegalChallengeFactory(
        slug="pending-case", court=court, status="pending", filed_on=datetime.date(2025, 4, 7)
    )
    ChallengeParty.objects.create(challenge=pending, actor=plaintiff, role="plaintiff")
    other = LegalChallengeFactory(
        slug="other-case", status="dismissed", filed_on=datetime.date(2024, 1, 1)
    )
    ChallengeParty.objects.create(challenge=other, actor=plaintiff, role="amicus")
    url = reverse("api:challenge-list")

    assert slugs(api_client.get(url, {"status": "pending"})) == ["pending-case"]
    assert slugs(api_client.get(url, {"court": "dcd"})) == ["pending-case"]
    assert slugs(api_client.get(url, {"party": "ctu"})) == ["other-case", "pending-case"]
    assert slugs(api_client.get(url, {"party": "ctu", "role": "plaintiff"})) == ["pending-case"]
    assert slugs(api_client.get(url, {"filed_after": "2025-01-01"})) == ["pending-case"]
    # A case the actor is no party to is left out (not every case has the party).
    LegalChallengeFactory(slug="unrelated-case")
    assert slugs(api_client.get(url, {"party": "ctu"})) == ["other-case", "pending-case"]


def test_actors_and_cases_filtered_by_agreement_are_only_its_parties_and_its_cases(api_client):
    mou, other = AgreementFactory(slug="mou"), AgreementFactory(slug="other")
    ice = ActorFactory(slug="ice")
    # Two roles in one agreement: listed once.
    PartyFactory(agreement=mou, actor=ice, role=Party.Role.SIGNATORY)
    PartyFactory(agreement=mou, actor=ice, role=Party.Role.OVERSIGHT)
    PartyFactory(agreement=other, actor=ActorFactory(slug="irs"))
    ActorFactory(slug="no-party")
    challenging = LegalChallengeFactory(slug="against-mou")
    challenging.agreements.add(mou)
    LegalChallengeFactory(slug="against-other").agreements.add(other)
    LegalChallengeFactory(slug="against-nothing")

    assert slugs(api_client.get(reverse("api:actor-list"), {"agreement": "mou"})) == ["ice"]
    challenges = reverse("api:challenge-list")
    assert slugs(api_client.get(challenges, {"agreement": "mou"})) == ["against-mou"]
    assert slugs(api_client.get(challenges, {"agreement": "other"})) == ["against-other"]


def test_events_filtered_by_actor_are_only_those_it_is_involved_in(api_client):
    ice, irs = ActorFactory(slug="ice"), ActorFactory(slug="irs")
    both = EventFactory()
    both.actors.set([ice, irs])
    EventFactory().actors.set([irs])
    EventFactory()

    found = results(api_client.get(reverse("api:event-list"), {"actor": "ice"}))
    assert [e["id"] for e in found] == [both.pk]


def test_topic_search_matches_the_name_or_the_description_in_any_case(api_client):
    TopicFactory(slug="by-name", name="Immigration enforcement")
    TopicFactory(slug="by-description", name="Borders", description="Who does IMMIGRATION work.")
    TopicFactory(slug="neither", name="Taxes", description="Returns and audits.")
    url = reverse("api:topic-list")

    assert slugs(api_client.get(url, {"search": "immigration"})) == ["by-description", "by-name"]
    assert slugs(api_client.get(url, {"search": "audits"})) == ["neither"]


def test_position_search_matches_words_in_the_summary(api_client):
    found = PositionFactory(summary="Calls the data sharing UNLAWFUL.")
    PositionFactory(summary="Supports the agreement.")

    positions = results(api_client.get(reverse("api:position-list"), {"search": "unlawful"}))
    assert [p["id"] for p in positions] == [found.pk]


def test_event_filters_by_kind_agreement_and_date_range(api_client):
    mou = AgreementFactory(slug="mou")
    signed = EventFactory(agreement=mou, kind="signed", date=datetime.date(2025, 4, 7))
    EventFactory(agreement=mou, kind="reported", date=datetime.date(2025, 5, 1))
    EventFactory(kind="signed", date=datetime.date(2024, 1, 1))
    url = reverse("api:event-list")

    def ids(**params):
        return [e["id"] for e in results(api_client.get(url, params))]

    assert ids(kind="signed", agreement="mou") == [signed.pk]
    assert ids(date_after="2025-04-01", date_before="2025-04-30") == [signed.pk]


def test_statement_and_position_filters(api_client):
    mou = AgreementFactory(slug="mou")
    opposes = PositionFactory(agreement=mou, stance=Position.Stance.OPPOSES)
    said = StatementFactory(position=opposes, text="This is unlawful.")
    StatementFactory(
        position=PositionFactory(stance=Position.Stance.SUPPORTS), text="Something else."
    )

    statements = reverse("api:statement-list")
    assert [s["id"] for s in results(api_client.get(statements, {"agreement": "mou"}))] == [said.pk]
    assert [s["id"] for s in results(api_client.get(statements, {"stance": "opposes"}))] == [
        said.pk
    ]
    assert [s["id"] for s in results(api_client.get(statements, {"search": "unlawful"}))] == [
        said.pk
    ]
    positions = results(api_client.get(reverse("api:position-list"), {"agreement": "mou"}))
    assert [p["id"] for p in positions] == [opposes.pk]


@pytest.mark.parametrize(
    ("name", "parameter", "value"),
    [
        ("actor", "kind", "wizard"),
        ("challenge", "court", "no-such-court"),
        ("challenge", "filed_after", "2025-02-30"),
        ("event", "date_before", "2025-13-01"),
        ("statement", "said_after", "yesterday"),
        ("position", "stance", "maybe"),
        ("topic", "ordering", "description"),
        ("outlet", "updated_since", "2025-01-01T00:00:00+24:00"),
        ("event", "cursor", "garbage"),
        ("event", "page", "2"),
        ("actor", "cursor", "x"),
    ],
)
def test_bad_values_and_unknown_parameters_are_400_naming_them(api_client, name, parameter, value):
    response = api_client.get(reverse(f"api:{name}-list"), {parameter: value})

    assert response.status_code == 400
    assert list(errors_by_parameter(response)) == [parameter]


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200} if params is None else params)
    assert response.status_code == 200, response.content
    return len(queries)


def grow_record():
    """One more of everything, each with related rows of its own."""
    mou = AgreementFactory()
    mou.topics.add(TopicFactory())
    actor = ActorFactory(parent=ActorFactory())
    challenge = LegalChallengeFactory(court=ActorFactory(kind=Actor.Kind.COURT))
    challenge.agreements.add(mou)
    ChallengeParty.objects.create(challenge=challenge, actor=actor, role="plaintiff")
    event = EventFactory(agreement=mou, sources=[ArticleFactory(outlet=OutletFactory())])
    event.actors.add(actor)
    StatementFactory(position=PositionFactory(agreement=mou, actor=actor), speaker=actor)


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_does_not_grow_with_rows(api_client, name):
    grow_record()
    url = reverse(f"api:{name}-list")
    few = count_queries(api_client, url)
    for _ in range(4):
        grow_record()

    assert count_queries(api_client, url) == few


def test_nested_view_query_counts_do_not_grow(api_client):
    speaker = PersonFactory(slug="speaker")
    challenge = LegalChallengeFactory(slug="case")
    StatementFactory(speaker=speaker)
    EventFactory(agreement=None, challenge=challenge, sources=[ArticleFactory()])
    statements = reverse("api:actor-statements", args=["speaker"])
    timeline = reverse("api:challenge-timeline", args=["case"])
    few = (count_queries(api_client, statements), count_queries(api_client, timeline, {}))
    for _ in range(4):
        StatementFactory(speaker=speaker)
        EventFactory(agreement=None, challenge=challenge, sources=[ArticleFactory()])

    assert (
        count_queries(api_client, statements),
        count_queries(api_client, timeline, {}),
    ) == few
