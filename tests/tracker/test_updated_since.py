"""?updated_since= finds a record when anything its API shows changed, not only its own row.

Each case builds an agreement (and whatever the change needs) on 1 April, then makes one change
on 8 April; asking for what changed since 5 April must name that agreement and no other.
"""

import datetime

import pytest
import time_machine
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.news.models import ArticleLink
from apps.news.services import confirm_link, confirm_links, reject_link
from apps.tracker import signals
from apps.tracker.models import (
    Agreement,
    AgreementDocument,
    ChallengeParty,
    LegalChallenge,
    Party,
    Position,
)
from tests.api_errors import errors_by_parameter
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    ChallengePartyFactory,
    CuratorFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

from .test_load_demo import load_demo

pytestmark = pytest.mark.django_db

AGREEMENTS_URL = reverse("api:agreement-list")
ARTICLES_URL = reverse("api:article-list")
BUILT = datetime.datetime(2025, 4, 1, 12, tzinfo=datetime.UTC)
SINCE = "2025-04-05T00:00:00Z"
CHANGED = datetime.datetime(2025, 4, 8, 12, tzinfo=datetime.UTC)


def on(moment):
    return time_machine.travel(moment, tick=False)


def agreements_changed_since(api_client, since=SINCE) -> list[str]:
    response = api_client.get(AGREEMENTS_URL, {"updated_since": since, "ordering": "title"})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def articles_changed_since(api_client, since=SINCE) -> list[int]:
    response = api_client.get(ARTICLES_URL, {"updated_since": since})
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["results"])


def stamps(*rows) -> tuple:
    """Each row's updated_at as stored now."""
    for row in rows:
        row.refresh_from_db()
    return tuple(row.updated_at for row in rows)


def challenge_of(agreement) -> LegalChallenge:
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    return challenge


# Each case runs on 1 April with the agreement "mou" and returns the change made on 8 April.


def party_added(agreement):
    actor = ActorFactory()
    return lambda: PartyFactory(agreement=agreement, actor=actor)


def party_changed(agreement):
    party = PartyFactory(agreement=agreement)

    def change():
        party.role = Party.Role.OVERSIGHT
        party.save()

    return change


def party_deleted(agreement):
    return PartyFactory(agreement=agreement).delete


def position_added(agreement):
    actor = ActorFactory()
    return lambda: PositionFactory(agreement=agreement, actor=actor)


def position_changed(agreement):
    position = PositionFactory(agreement=agreement)

    def change():
        position.stance = Position.Stance.SUPPORTS
        position.save()

    return change


def statement_added(agreement):
    position = PositionFactory(agreement=agreement)
    source = ArticleFactory()
    return lambda: StatementFactory(position=position, source=source)


def statement_changed(agreement):
    statement = StatementFactory(position=PositionFactory(agreement=agreement))

    def change():
        statement.text = "Corrected quote."
        statement.save()

    return change


def statement_deleted(agreement):
    return StatementFactory(position=PositionFactory(agreement=agreement)).delete


def parties_deleted_through_a_queryset(agreement):
    # The rows are read by the deletion collector, never saved in this process.
    PartyFactory(agreement=agreement)
    return lambda: Party.objects.filter(agreement=agreement).delete()


def document_added(agreement):
    return lambda: AgreementDocument.objects.create(
        agreement=agreement, title="The signed MOU", url="https://example.gov/mou.pdf"
    )


def alias_added(agreement):
    return lambda: AliasFactory(actor=None, agreement=agreement, text="the data deal")


def alias_deleted(agreement):
    return AliasFactory(actor=None, agreement=agreement).delete


def topic_added(agreement):
    topic = TopicFactory()
    return lambda: agreement.topics.add(topic)


def topic_removed_from_the_topics_side(agreement):
    topic = TopicFactory()
    agreement.topics.add(topic)
    return lambda: topic.agreements.remove(agreement)


def topics_cleared(agreement):
    agreement.topics.add(TopicFactory())
    return agreement.topics.clear


def event_added(agreement):
    return lambda: EventFactory(agreement=agreement)


def event_changed(agreement):
    event = EventFactory(agreement=agreement)

    def change():
        event.title = "Signed, as the court filing shows"
        event.save()

    return change


def event_deleted(agreement):
    return EventFactory(agreement=agreement).delete


def event_source_added(agreement):
    event = EventFactory(agreement=agreement)
    article = ArticleFactory()
    return lambda: event.sources.add(article)


def event_actor_added_from_the_actors_side(agreement):
    event = EventFactory(agreement=agreement)
    actor = ActorFactory()
    return lambda: actor.events.add(event)


def event_sources_cleared(agreement):
    event = EventFactory(agreement=agreement, sources=[ArticleFactory()])
    return event.sources.clear


def events_cleared_from_the_articles_side(agreement):
    article = ArticleFactory()
    EventFactory(agreement=agreement, sources=[article])
    return article.events.clear


def events_cleared_from_the_actors_side(agreement):
    actor = ActorFactory()
    EventFactory(agreement=agreement).actors.add(actor)
    return actor.events.clear


def actor_added_to_an_event_of_a_challenge_against_it(agreement):
    event = EventFactory(agreement=None, challenge=challenge_of(agreement))
    actor = ActorFactory()
    return lambda: actor.events.add(event)


def event_of_a_challenge_against_it_added(agreement):
    challenge = challenge_of(agreement)
    return lambda: EventFactory(agreement=None, challenge=challenge)


def challenge_status_changed(agreement):
    challenge = challenge_of(agreement)

    def change():
        challenge.status = LegalChallenge.Status.INJUNCTION_DENIED
        challenge.save()

    return change


def challenge_deleted(agreement):
    return challenge_of(agreement).delete


def challenge_filed_against_it(agreement):
    challenge = LegalChallengeFactory()
    return lambda: challenge.agreements.add(agreement)


def challenge_added_from_the_agreements_side(agreement):
    challenge = LegalChallengeFactory()
    return lambda: agreement.challenges.add(challenge)


def challenge_no_longer_against_it(agreement):
    challenge = challenge_of(agreement)
    return lambda: challenge.agreements.remove(agreement)


def challenges_cleared_from_the_agreements_side(agreement):
    challenge_of(agreement)
    return agreement.challenges.clear


def challenge_party_added(agreement):
    challenge = challenge_of(agreement)
    return lambda: ChallengePartyFactory(challenge=challenge)


def challenge_party_deleted(agreement):
    challenge = challenge_of(agreement)
    return ChallengePartyFactory(challenge=challenge).delete


def article_link_confirmed(agreement):
    link = ArticleLinkFactory(agreement=agreement)
    curator = CuratorFactory()
    return lambda: confirm_link(link=link, user=curator)


def article_link_rejected(agreement):
    link = ArticleLinkFactory(agreement=agreement)
    curator = CuratorFactory()
    return lambda: reject_link(link=link, user=curator)


def article_links_confirmed_in_bulk(agreement):
    ArticleLinkFactory(agreement=agreement)
    curator = CuratorFactory()
    return lambda: confirm_links(links=ArticleLink.objects.all(), user=curator)


def article_link_status_saved(agreement):
    link = ArticleLinkFactory(agreement=agreement)

    def change():
        link.status = ArticleLink.Status.CONFIRMED
        link.save()

    return change


def confirmed_article_link_deleted(agreement):
    return ArticleLinkFactory(agreement=agreement, status=ArticleLink.Status.CONFIRMED).delete


@pytest.mark.parametrize(
    "prepare",
    [
        party_added,
        party_changed,
        party_deleted,
        parties_deleted_through_a_queryset,
        position_added,
        position_changed,
        statement_added,
        statement_changed,
        statement_deleted,
        document_added,
        alias_added,
        alias_deleted,
        topic_added,
        topic_removed_from_the_topics_side,
        topics_cleared,
        event_added,
        event_changed,
        event_deleted,
        event_source_added,
        event_actor_added_from_the_actors_side,
        event_sources_cleared,
        events_cleared_from_the_articles_side,
        events_cleared_from_the_actors_side,
        actor_added_to_an_event_of_a_challenge_against_it,
        event_of_a_challenge_against_it_added,
        challenge_status_changed,
        challenge_deleted,
        challenge_filed_against_it,
        challenge_added_from_the_agreements_side,
        challenge_no_longer_against_it,
        challenges_cleared_from_the_agreements_side,
        challenge_party_added,
        challenge_party_deleted,
        article_link_confirmed,
        article_link_rejected,
        article_links_confirmed_in_bulk,
        article_link_status_saved,
        confirmed_article_link_deleted,
    ],
    ids=lambda prepare: prepare.__name__,
)
def test_agreement_is_changed_since_when(api_client, prepare):
    with on(BUILT):
        agreement = AgreementFactory(slug="mou", title="A")
        AgreementFactory(slug="unrelated", title="B")
        change = prepare(agreement)
    assert agreements_changed_since(api_client) == []

    with on(CHANGED):
        change()

    assert agreements_changed_since(api_client) == ["mou"]
    agreement.refresh_from_db()
    assert agreement.updated_at == CHANGED


@pytest.mark.parametrize("update_fields", [None, ["agreement"], ["agreement_id"]])
def test_a_party_moved_to_another_agreement_changes_both(update_fields):
    with on(BUILT):
        old, new, unrelated = AgreementFactory.create_batch(3)
        party = PartyFactory(agreement=old)

    with on(CHANGED):
        party.agreement = new
        party.save(update_fields=update_fields)

    changed = set(Agreement.objects.filter(updated_at=CHANGED))
    assert changed == {old, new}
    assert unrelated not in changed


def _reads_of_the_stored_agreement(captured) -> int:
    return sum(
        query["sql"].startswith("SELECT") and '"tracker_party"."agreement_id"' in query["sql"]
        for query in captured.captured_queries
    )


def test_a_save_of_fields_that_cannot_move_a_row_reads_nothing_back():
    with on(BUILT):
        agreement = AgreementFactory()
        party = PartyFactory(agreement=agreement)

    with on(CHANGED), CaptureQueriesContext(connection) as captured:
        party.role = Party.Role.OVERSIGHT
        party.save(update_fields=["role"])

    assert _reads_of_the_stored_agreement(captured) == 0
    agreement.refresh_from_db()
    assert agreement.updated_at == CHANGED


def test_loading_a_fixture_of_stored_rows_changes_nothing_and_reads_nothing_back(tmp_path):
    with on(BUILT):
        agreement = AgreementFactory()
        party = PartyFactory(agreement=agreement)
        challenge = challenge_of(agreement)
    fixture = tmp_path / "rows.json"
    fixture.write_text(serializers.serialize("json", [agreement, party, challenge]))

    with on(CHANGED), CaptureQueriesContext(connection) as captured:
        call_command("loaddata", str(fixture), verbosity=0)

    assert _reads_of_the_stored_agreement(captured) == 0
    agreement.refresh_from_db()
    challenge.refresh_from_db()
    assert (agreement.updated_at, challenge.updated_at) == (BUILT, BUILT)


def test_a_new_suggested_link_leaves_the_agreement_unchanged(api_client):
    """Ingestion suggests links all day; only a curator's decision changes the agreement."""
    with on(BUILT):
        agreement = AgreementFactory(slug="mou")
        article = ArticleFactory()

    with on(CHANGED):
        ArticleLinkFactory(article=article, agreement=agreement)

    assert agreements_changed_since(api_client) == []


def test_the_timeline_of_a_challenged_agreement_changes_with_the_case_not_others():
    with on(BUILT):
        challenged, other = AgreementFactory.create_batch(2)
        challenge = challenge_of(challenged)
        EventFactory(agreement=other)

    with on(CHANGED):
        EventFactory(agreement=None, challenge=challenge)

    challenged.refresh_from_db()
    other.refresh_from_db()
    assert (challenged.updated_at, other.updated_at) == (CHANGED, BUILT)


@pytest.mark.parametrize(
    "change",
    [
        lambda challenge: EventFactory(agreement=None, challenge=challenge),
        lambda challenge: ChallengePartyFactory(challenge=challenge),
        lambda challenge: AliasFactory(actor=None, challenge=challenge),
        lambda challenge: challenge.agreements.add(AgreementFactory()),
    ],
    ids=["event", "party", "alias", "agreement"],
)
def test_challenge_changes_with_its_events_parties_and_aliases(change):
    with on(BUILT):
        challenge, other = LegalChallengeFactory.create_batch(2)

    with on(CHANGED):
        change(challenge)

    challenge.refresh_from_db()
    other.refresh_from_db()
    assert (challenge.updated_at, other.updated_at) == (CHANGED, BUILT)


def test_a_case_changes_when_an_agreement_it_challenges_is_deleted():
    with on(BUILT):
        agreement = AgreementFactory()
        AliasFactory(actor=None, agreement=agreement)
        challenge, other = challenge_of(agreement), LegalChallengeFactory()

    with on(CHANGED):
        agreement.delete()

    assert stamps(challenge, other) == (CHANGED, BUILT)


def test_clearing_the_events_of_an_actor_in_none_changes_nothing():
    with on(BUILT):
        agreement = AgreementFactory()
        EventFactory(agreement=agreement)
        actor = ActorFactory()

    with on(CHANGED):
        actor.events.clear()

    assert stamps(agreement) == (BUILT,)


def test_actor_changes_with_its_aliases():
    with on(BUILT):
        actor, other = ActorFactory.create_batch(2)
        alias = AliasFactory(actor=actor, text="ICE")

    with on(CHANGED):
        alias.delete()

    actor.refresh_from_db()
    other.refresh_from_db()
    assert (actor.updated_at, other.updated_at) == (CHANGED, BUILT)


def test_person_and_organisation_change_with_an_affiliation():
    with on(BUILT):
        person, organization, other = ActorFactory.create_batch(3)

    with on(CHANGED):
        AffiliationFactory(person=person, organization=organization)

    stamps = {actor.pk: actor.updated_at for actor in type(person).objects.all()}
    assert stamps == {person.pk: CHANGED, organization.pk: CHANGED, other.pk: BUILT}


@pytest.mark.parametrize("connected_again", [False, True], ids=["once", "connected-again"])
def test_one_update_per_touched_model_per_write(connected_again):
    """Also after the receivers are connected a second time, as a second AppConfig.ready()
    would: their dispatch uids keep each one wired once."""
    if connected_again:
        signals.connect()
    with on(BUILT):
        agreement, paired, deleted = AgreementFactory.create_batch(3)
        challenge, doomed = challenge_of(agreement), challenge_of(agreement)
        challenge.agreements.add(deleted)
        actor, topic, article = ActorFactory(), TopicFactory(), ArticleFactory()
        event = EventFactory(agreement=agreement)

    writes = {
        "party": lambda: Party.objects.create(
            agreement=agreement, actor=actor, role=Party.Role.SIGNATORY
        ),
        "case party": lambda: ChallengeParty.objects.create(
            challenge=challenge, actor=actor, role=ChallengeParty.Role.PLAINTIFF
        ),
        "topic": lambda: agreement.topics.add(topic),
        "event source": lambda: event.sources.add(article),
        "case saved": challenge.save,
        "case paired": lambda: challenge.agreements.add(paired),
        "case deleted": doomed.delete,
        "agreement deleted": deleted.delete,
    }
    updates = {}
    for name, write in writes.items():
        with CaptureQueriesContext(connection) as captured:
            write()
        # The records' own tables: the search index keeps its documents with its own writes.
        updates[name] = sorted(
            table
            for query in captured.captured_queries
            if query["sql"].startswith("UPDATE")
            and (table := query["sql"].split()[1].strip('"`')).startswith("tracker_")
        )

    agreements, both = ["tracker_agreement"], ["tracker_agreement", "tracker_legalchallenge"]
    assert updates == {
        "party": agreements,
        "case party": both,
        "topic": agreements,
        "event source": agreements,
        "case saved": both,  # its own row, and the agreements it challenges
        "case paired": both,
        "case deleted": agreements,
        "agreement deleted": ["tracker_legalchallenge"],
    }


def test_a_second_demo_load_changes_nothing_since():
    with on(BUILT):
        load_demo()

    with on(CHANGED):
        load_demo()

    assert not Agreement.objects.filter(updated_at__gt=BUILT).exists()


def test_article_changed_since_when_a_link_is_suggested(api_client):
    with on(BUILT):
        article = ArticleFactory()
        ArticleFactory()
        agreement = AgreementFactory()
    assert articles_changed_since(api_client) == []

    with on(CHANGED):
        ArticleLinkFactory(article=article, agreement=agreement)

    assert articles_changed_since(api_client) == [article.pk]


def test_article_changed_since_when_its_link_is_confirmed(api_client):
    with on(BUILT):
        link = ArticleLinkFactory()
        ArticleFactory()
        curator = CuratorFactory()

    with on(CHANGED):
        confirm_link(link=link, user=curator)

    assert articles_changed_since(api_client) == [link.article_id]


def _confirm_by_service(link):
    confirm_link(link=link, user=CuratorFactory())


def _confirm_by_saving(link):
    link.status = ArticleLink.Status.CONFIRMED
    link.save()


@pytest.mark.parametrize(
    "decide", [_confirm_by_service, _confirm_by_saving], ids=["service", "save"]
)
@pytest.mark.parametrize(
    "record_factory", [ActorFactory, LegalChallengeFactory], ids=["actor", "challenge"]
)
def test_a_confirmed_link_changes_its_article_and_the_record_it_names(record_factory, decide):
    with on(BUILT):
        record, other = record_factory.create_batch(2)
        field = "actor" if record_factory is ActorFactory else "challenge"
        link = ArticleLinkFactory(agreement=None, **{field: record})

    with on(CHANGED):
        decide(link)

    assert stamps(record, other, link.article) == (CHANGED, BUILT, CHANGED)


def test_article_changed_since_when_seen_under_another_url(api_client):
    with on(BUILT):
        article = ArticleFactory()
        ArticleFactory()

    with on(CHANGED):
        ArticleURLFactory(article=article, url=article.canonical_url + "?utm_source=feed")

    assert articles_changed_since(api_client) == [article.pk]


def test_article_changed_since_its_own_edit(api_client):
    with on(BUILT):
        article = ArticleFactory()
        ArticleFactory()

    with on(CHANGED):
        article.title = "Corrected headline"
        article.save()

    assert articles_changed_since(api_client) == [article.pk]
    assert articles_changed_since(api_client, since="2025-04-08T12:00:01Z") == []


def test_article_updated_since_must_be_a_date(api_client):
    response = api_client.get(ARTICLES_URL, {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert "updated_since" in errors_by_parameter(response)
