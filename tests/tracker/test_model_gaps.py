"""The record's model gaps a curator met: slugs from dashed and accented names, a state
government, a partially enjoined agreement, counsel for several parties, and events added from
the article's or actor's side."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.tracker.models import Actor, Agreement, ChallengeParty, Event, Topic
from apps.tracker.slugs import make_slug
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ChallengePartyFactory,
    EventFactory,
    LegalChallengeFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("CMS–ICE Medicaid data-sharing agreement", "cms-ice-medicaid-data-sharing-agreement"),
        ("IRS—ICE memorandum", "irs-ice-memorandum"),
        ("Département de la Sécurité intérieure", "departement-de-la-securite-interieure"),
        ("IRS/ICE & DHS", "irs-ice-dhs"),
        ("Straße − Ñandú · Łódź", "strasse-nandu-lodz"),
    ],
)
def test_make_slug_turns_dashes_into_hyphens_and_folds_accents(text, slug):
    assert make_slug(text) == slug


def test_a_blank_slug_is_made_from_the_title_and_numbered_when_taken():
    first = Agreement.objects.create(title="CMS–ICE data-sharing agreement", kind="mou")
    second = Agreement.objects.create(title="CMS—ICE data sharing agreement", kind="mou")

    assert first.slug == "cms-ice-data-sharing-agreement"
    assert second.slug == "cms-ice-data-sharing-agreement-2"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: Actor.objects.create(name="Médecins Sans Frontières", kind="organization"),
            "medecins-sans-frontieres",
        ),
        (lambda: Topic.objects.create(name="Data–sharing"), "data-sharing"),
        (
            lambda: LegalChallengeFactory(caption="State of Washington v. CMS–ICE", slug=""),
            "state-of-washington-v-cms-ice",
        ),
        (lambda: OutletFactory(name="Le Monde — Politique", slug=""), "le-monde-politique"),
    ],
)
def test_every_slugged_record_makes_its_slug_the_same_way(make, expected):
    assert make().slug == expected


def test_a_curator_given_slug_is_kept():
    assert TopicFactory(name="Privacy", slug="tax-privacy").slug == "tax-privacy"


def test_state_government_actor_and_partially_enjoined_agreement_validate():
    state = ActorFactory(kind=Actor.Kind.STATE_GOVERNMENT, name="State of California", slug="ca")
    agreement = AgreementFactory(status=Agreement.Status.PARTIALLY_ENJOINED)

    state.full_clean()
    agreement.full_clean()
    assert state.get_kind_display() == "State government"
    assert agreement.get_status_display() == "Partially enjoined"


def test_counsel_represents_several_parties_with_history():
    challenge = LegalChallengeFactory()
    plaintiffs = [ChallengePartyFactory(challenge=challenge).actor for _ in range(3)]
    counsel = ChallengePartyFactory(challenge=challenge, role=ChallengeParty.Role.COUNSEL)

    counsel.represents.set(plaintiffs)

    assert set(counsel.represents.all()) == set(plaintiffs)
    assert set(plaintiffs[0].represented_by.all()) == {counsel}
    latest = counsel.history.latest()
    assert {row.actor_id for row in latest.represents.all()} == {p.pk for p in plaintiffs}


def test_an_event_is_addable_from_the_article_and_actor_side_with_history():
    event = EventFactory()
    article = ArticleFactory()
    actor = ActorFactory()
    before = event.history.count()

    article.events.add(event)
    actor.events.add(event)

    assert list(event.sources.all()) == [article]
    assert list(event.actors.all()) == [actor]
    assert event.history.count() == before + 2
    latest = Event.history.filter(id=event.pk).latest()
    assert [row.article_id for row in latest.sources.all()] == [article.pk]
    assert [row.actor_id for row in latest.actors.all()] == [actor.pk]

    article.events.remove(event)
    actor.events.clear()
    latest = Event.history.filter(id=event.pk).latest()
    assert not latest.sources.exists() and not latest.actors.exists()
    assert event.history.count() == before + 4


def test_a_topic_and_an_agreement_link_from_either_side():
    agreement = AgreementFactory()
    topic = TopicFactory()

    topic.agreements.add(agreement)

    assert list(agreement.topics.all()) == [topic]
    assert [row.topic_id for row in agreement.history.latest().topics.all()] == [topic.pk]


@pytest.mark.django_db(transaction=True)
def test_migration_moves_the_one_represented_party_into_the_many():
    executor = MigrationExecutor(connection)
    before = [("tracker", "0001_initial"), ("news", "0002_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldActor = old.get_model("tracker", "Actor")
    OldChallenge = old.get_model("tracker", "LegalChallenge")
    OldParty = old.get_model("tracker", "ChallengeParty")
    client = OldActor.objects.create(name="Plaintiff", slug="plaintiff", kind="organization")
    firm = OldActor.objects.create(name="Counsel", slug="counsel", kind="organization")
    case = OldChallenge.objects.create(caption="Plaintiff v. United States", slug="p-v-us")
    OldParty.objects.create(challenge=case, actor=firm, role="counsel", represents=client)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    party = ChallengeParty.objects.get(actor_id=firm.pk)
    assert [actor.pk for actor in party.represents.all()] == [client.pk]
