"""The outbox: a row per published change in the change's own transaction, dispatched once."""

import pytest
from django.db import transaction

from apps.alerts import services
from apps.alerts.models import Change, Follow, Notification
from apps.news.models import ArticleLink
from apps.news.services import confirm_links, reject_link
from tests.factories import (
    AgreementFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    LegalChallengeFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_the_outbox_row_commits_or_rolls_back_with_the_change():
    agreement = AgreementFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        EventFactory(agreement=agreement)
        assert Change.objects.filter(type="event.created").count() == 1
        raise RuntimeError("the curator's save fails after the event row")
    assert not Change.objects.filter(type="event.created").exists()


def test_each_published_change_writes_one_row():
    challenge = LegalChallengeFactory(status="filed")
    agreement = AgreementFactory(status="signed")
    EventFactory(agreement=agreement)
    StatementFactory()
    challenge.status = "injunction_granted"
    challenge.save()
    challenge.save()  # saved again unchanged: no second status change
    agreement.status = "enjoined"
    agreement.save()
    changes = Change.objects.exclude(type__in=["agreement.created", "challenge.created"])
    assert sorted(changes.values_list("type", flat=True)) == [
        "agreement.updated",
        "challenge.status_changed",
        "event.created",
        "statement.created",
    ]
    created = Change.objects.filter(type__in=["agreement.created", "challenge.created"])
    assert ("agreement.created", agreement.pk) in created.values_list("type", "object_id")
    assert list(created.filter(type="challenge.created").values_list("object_id", flat=True)) == [
        challenge.pk
    ]
    change = Change.objects.get(type="challenge.status_changed")
    assert change.detail == {"previous_status": "filed", "status": "injunction_granted"}


def test_saves_of_one_agreement_before_a_sweep_are_one_update():
    agreement = AgreementFactory(summary="first")
    for text in ("second", "third"):
        agreement.summary = text
        agreement.save()
    assert Change.objects.filter(type="agreement.updated").count() == 1
    services.send_alerts()
    agreement.summary = "fourth"
    agreement.save()
    assert Change.objects.filter(type="agreement.updated").count() == 2


def test_a_suggested_link_writes_nothing_and_a_confirmation_writes_one_row():
    link = ArticleLinkFactory()
    links_changes = Change.objects.filter(type="article.linked")
    assert not links_changes.exists()
    confirm_links(links=ArticleLink.objects.filter(pk=link.pk), user=CuratorFactory())
    confirm_links(links=ArticleLink.objects.filter(pk=link.pk), user=CuratorFactory())
    assert list(links_changes.values_list("object_id", flat=True)) == [link.pk]


def test_a_link_confirmed_then_rejected_before_the_sweep_never_leaks(member):
    link = ArticleLinkFactory()
    Follow.objects.create(user=member, agreement=link.agreement, frequency="realtime")
    confirm_links(links=[link], user=CuratorFactory())
    reject_link(link=link, user=CuratorFactory())
    services.send_alerts()
    change = Change.objects.get(type="article.linked")
    assert change.outcome == Change.Outcome.SKIPPED
    assert change.payload is None
    assert not Notification.objects.exists()


def test_a_change_to_a_record_deleted_before_the_sweep_is_skipped():
    event = EventFactory()
    event.delete()
    services.send_alerts()
    assert Change.objects.get(type="event.created").outcome == Change.Outcome.SKIPPED


def test_dispatch_notifies_each_matching_follow_once(member):
    topic = TopicFactory()
    agreement = AgreementFactory()
    agreement.topics.add(topic)
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    by_agreement = Follow.objects.create(user=member, agreement=agreement)
    by_topic = Follow.objects.create(user=member, topic=topic)
    by_challenge = Follow.objects.create(user=member, challenge=challenge)
    by_query = Follow.objects.create(user=member, query=f"topic={topic.slug}")
    unrelated = Follow.objects.create(user=member, agreement=AgreementFactory())
    EventFactory(agreement=None, challenge=challenge, kind="ruling")

    services.send_alerts()
    services.send_alerts()  # a duplicated sweep

    notified = set(Notification.objects.values_list("follow_id", flat=True))
    assert notified == {by_agreement.pk, by_topic.pk, by_challenge.pk, by_query.pk}
    assert unrelated.pk not in notified
    assert Notification.objects.count() == 4


def test_a_change_made_while_redis_is_down_is_delivered_once_when_it_is_back(receiver, member):
    """Nothing is sent to the broker when a change is saved: the outbox row is the message."""
    from policytracker.celery import app

    previous_broker = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.task_always_eager = False
    try:
        _change_while_broker_is_down(receiver, member)
    finally:
        app.conf.broker_url = previous_broker


def _change_while_broker_is_down(receiver, member):
    from apps.alerts import webhooks
    from apps.alerts.tasks import send_alerts

    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhooks.create_webhook(
        owner=member, url=receiver.url_for("/hook"), event_types=["event.created"]
    )
    with transaction.atomic():
        event = EventFactory()
    assert Change.objects.filter(type="event.created", object_id=event.pk).exists()

    # Redis is back: beat's next sweeps (the task body, run here in-process) deliver it, once.
    send_alerts.run()
    send_alerts.run()
    assert len(receiver.log) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_deliver_and_email_each_change_once(receiver):
    """Two beat tasks overlapping (a slow sweep, a duplicated message): SKIP LOCKED splits the
    rows between them and the unique keys stop a second fan-out."""
    import threading

    from django.core import mail
    from django.db import connection

    from apps.alerts import webhooks
    from tests.factories import UserFactory

    reader = UserFactory(email="reader@example.org")
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhooks.create_webhook(
        owner=reader, url=receiver.url_for("/hook"), event_types=["event.created"]
    )
    agreement = AgreementFactory()
    services.follow(user=reader, target=agreement, kind="agreement", frequency="realtime")
    EventFactory(agreement=agreement)
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            services.send_alerts()
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    services.send_alerts()

    assert errors == []
    assert len(receiver.log) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_a_new_agreement_and_a_new_case_reach_the_followers_of_their_parties(member):
    from tests.factories import ActorFactory, ChallengePartyFactory, PartyFactory

    irs = ActorFactory(name="Internal Revenue Service")
    follow = Follow.objects.create(user=member, actor=irs, frequency="off")
    agreement = AgreementFactory(title="IRS–ICE MOU")
    PartyFactory(agreement=agreement, actor=irs)  # parties are added after the first save
    case = LegalChallengeFactory(caption="Center for Taxpayer Rights v. Bessent")
    ChallengePartyFactory(challenge=case, actor=irs, role="defendant")

    services.send_alerts()

    titles = Notification.objects.filter(follow=follow).values_list(
        "change__payload__data__title", flat=True
    )
    assert sorted(titles) == [
        "New case: Center for Taxpayer Rights v. Bessent",
        "New on the record: IRS–ICE MOU",
    ]
