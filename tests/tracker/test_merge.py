"""Merging a duplicate actor: every reference re-pointed in one transaction, what the survivor
already had folded into its own, aliases kept, the old slug redirecting, both histories noting
it."""

import pytest
from django.urls import reverse

from apps.news.models import ArticleLink
from apps.tracker import services
from apps.tracker.models import Actor, MergedRecord, Party, Position
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ChallengePartyFactory,
    EventFactory,
    PartyFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    survivor = ActorFactory(name="Immigration and Customs Enforcement", slug="ice")
    duplicate = ActorFactory(name="U.S. Immigration and Customs Enforcement", slug="us-ice")
    return survivor, duplicate


def test_every_reference_moves_to_the_survivor(pair):
    survivor, duplicate = pair
    agreement = AgreementFactory()
    party = PartyFactory(agreement=agreement, actor=duplicate, role="requesting")
    child = ActorFactory(parent=duplicate)
    event = EventFactory(agreement=agreement)
    event.actors.add(duplicate)
    statement = StatementFactory(speaker=duplicate)
    counsel = ChallengePartyFactory(role="counsel")
    counsel.represents.add(duplicate)
    link = ArticleLinkFactory(agreement=None, actor=duplicate)
    AliasFactory(actor=duplicate, text="ICE", case_sensitive=True)

    report = services.merge_actors(survivor=survivor, duplicate=duplicate)

    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    party.refresh_from_db()
    child.refresh_from_db()
    statement.refresh_from_db()
    link.refresh_from_db()
    assert party.actor == survivor and child.parent == survivor
    assert statement.speaker == survivor and link.actor == survivor
    assert list(event.actors.all()) == [survivor]
    assert list(counsel.represents.all()) == [survivor]
    assert set(survivor.aliases.values_list("text", flat=True)) == {
        "ICE",
        "U.S. Immigration and Customs Enforcement",
    }
    assert sum(report.moved.values()) >= 7


def test_rows_the_survivor_already_has_are_folded_into_its_own(pair):
    survivor, duplicate = pair
    agreement = AgreementFactory()
    PartyFactory(agreement=agreement, actor=survivor, role="signatory")
    PartyFactory(agreement=agreement, actor=duplicate, role="signatory")
    kept = PositionFactory(agreement=agreement, actor=survivor, stance="opposes")
    folded = PositionFactory(agreement=agreement, actor=duplicate, stance="opposes")
    statement = StatementFactory(position=folded, speaker=duplicate)
    article = ArticleFactory()
    suggested = ArticleLinkFactory(article=article, agreement=None, actor=survivor)
    ArticleLinkFactory(article=article, agreement=None, actor=duplicate, status="confirmed")
    AliasFactory(actor=survivor, text="ICE")
    AliasFactory(actor=duplicate, text="ICE")

    report = services.merge_actors(survivor=survivor, duplicate=duplicate)

    assert Party.objects.filter(agreement=agreement).count() == 1
    assert list(Position.objects.all()) == [kept]
    statement.refresh_from_db()
    assert statement.position == kept and statement.speaker == survivor
    suggested.refresh_from_db()
    assert ArticleLink.objects.count() == 1 and suggested.status == "confirmed"
    assert survivor.aliases.filter(text="ICE").count() == 1
    assert sum(report.folded.values()) == 4


def test_the_old_slug_redirects_to_the_survivor_even_after_a_second_merge(client, pair):
    survivor, duplicate = pair
    services.merge_actors(survivor=survivor, duplicate=duplicate)
    final = ActorFactory(slug="ice-agency")
    services.merge_actors(survivor=final, duplicate=survivor)

    for old in ("us-ice", "ice"):
        response = client.get(reverse("tracker:actor-detail", kwargs={"slug": old}))
        assert response.status_code == 301
        assert response["Location"] == final.get_absolute_url()
    assert client.get("/actors/never-existed/").status_code == 404


def test_both_histories_note_the_merge(pair):
    survivor, duplicate = pair
    duplicate_pk = duplicate.pk

    services.merge_actors(survivor=survivor, duplicate=duplicate)

    note = survivor.history.latest().history_change_reason
    assert "Merged U.S. Immigration and Customs Enforcement" in note
    gone = Actor.history.filter(id=duplicate_pk).latest()
    assert gone.history_type == "-" and gone.history_change_reason == note


def test_merging_a_record_into_itself_or_another_kind_is_refused(pair):
    survivor, duplicate = pair

    with pytest.raises(services.MergeError):
        services.merge_actors(survivor=survivor, duplicate=survivor)
    with pytest.raises(services.MergeError):
        services.merge_records(
            survivor=survivor, duplicate=AgreementFactory(), kind="actor", old_key="x"
        )
    assert Actor.objects.filter(pk=duplicate.pk).exists()


def test_plan_counts_what_will_move(pair):
    survivor, duplicate = pair
    PartyFactory(actor=duplicate)
    PartyFactory(actor=duplicate)
    StatementFactory(speaker=duplicate)

    plan = services.plan_merge(survivor=survivor, duplicate=duplicate)

    assert plan["parties (actor)"] == 2
    assert plan["statements (speaker)"] == 1


def test_admin_merge_previews_then_merges(curator_client, pair):
    survivor, duplicate = pair
    PartyFactory(actor=duplicate)
    url = reverse("admin:tracker_actor_changelist")
    selected = {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]}

    preview = curator_client.post(url, selected)

    assert preview.status_code == 200
    assert "1 × parties (actor)" in preview.content.decode()
    assert Actor.objects.count() == 2

    done = curator_client.post(url, {**selected, "confirm": "yes", "survivor": survivor.pk})

    assert done.status_code == 302
    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    assert MergedRecord.objects.get().old_key == "us-ice"


def test_merging_two_articles_keeps_every_citation_and_url(client):
    from apps.news import services as news_services
    from apps.news.models import Article, ArticleURL

    survivor = ArticleFactory(canonical_url="https://news.example/story")
    duplicate = ArticleFactory(canonical_url="https://news.example/story-amp")
    copy = ArticleFactory(near_duplicate_of=duplicate)
    event = EventFactory()
    event.sources.add(duplicate)
    statement = StatementFactory(source=duplicate)
    ArticleLinkFactory(article=duplicate, agreement=event.agreement, status="confirmed")
    old_url = duplicate.get_absolute_url()

    news_services.merge_articles(survivor=survivor, duplicate=duplicate)

    assert not Article.objects.filter(pk=duplicate.pk).exists()
    assert list(event.sources.all()) == [survivor]
    statement.refresh_from_db()
    copy.refresh_from_db()
    assert statement.source == survivor and copy.near_duplicate_of == survivor
    assert survivor.links.get().status == "confirmed"
    assert ArticleURL.objects.get(url="https://news.example/story-amp").article == survivor
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == survivor.get_absolute_url()


def test_merging_two_outlets_moves_feeds_and_articles_and_redirects(client):
    from apps.news import services as news_services
    from tests.factories import FeedFactory, OutletFactory

    survivor = OutletFactory(slug="ap", domain="")
    duplicate = OutletFactory(slug="associated-press", domain="apnews.example")
    feed = FeedFactory(outlet=duplicate)
    article = ArticleFactory(outlet=duplicate)

    news_services.merge_outlets(survivor=survivor, duplicate=duplicate)

    feed.refresh_from_db()
    article.refresh_from_db()
    survivor.refresh_from_db()
    assert feed.outlet == survivor and article.outlet == survivor
    assert survivor.domain == "apnews.example"
    response = client.get(reverse("news:outlet-detail", kwargs={"slug": "associated-press"}))
    assert response.status_code == 301 and response["Location"] == survivor.get_absolute_url()
