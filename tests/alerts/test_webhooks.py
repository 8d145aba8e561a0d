"""Webhook deliveries to a real local receiver: signed, retried on schedule, disabled when gone."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from standardwebhooks.webhooks import Webhook as ReferenceVerifier
from werkzeug import Response

from apps.alerts import services, webhooks
from apps.alerts.models import Delivery, DeliveryAttempt, Webhook
from tests.factories import AgreementFactory, EventFactory, UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


def _webhook(receiver, owner=None, types=("event.created",)):
    owner = owner or UserFactory(email="bot@example.org")
    return webhooks.create_webhook(
        owner=owner, url=receiver.url_for("/hook"), event_types=list(types)
    )


def _verified(request, secret):
    headers = {key.lower(): value for key, value in request.headers.items()}
    return ReferenceVerifier(secret).verify(request.get_data(as_text=True), headers)


def test_event_is_delivered_signed_and_the_reference_library_verifies_it(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver)
    agreement = AgreementFactory(title="IRS–ICE MOU", slug="irs-ice-mou")
    event = EventFactory(agreement=agreement, title="Court hears arguments", kind="hearing")

    services.send_alerts()

    [(request, _response)] = receiver.log
    body = _verified(request, webhook.secret)
    assert body["type"] == "event.created"
    assert body["version"] == "1"
    assert body["id"].startswith("evt_")
    assert body["data"]["event"]["id"] == event.pk
    assert body["data"]["url"] == f"http://127.0.0.1:8000/events/{event.pk}/"
    assert request.headers["webhook-id"].startswith("msg_")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert DeliveryAttempt.objects.get().response_status == 200


def test_a_webhook_gets_only_the_event_types_it_asked_for(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    _webhook(receiver, types=["statement.created"])
    EventFactory()
    services.send_alerts()
    assert receiver.log == []
    assert not Delivery.objects.exists()


def test_during_a_rotation_both_secrets_verify(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver)
    old_secret = webhook.secret
    webhooks.rotate_secret(webhook=webhook)
    EventFactory()
    services.send_alerts()
    [(request, _response)] = receiver.log
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert _verified(request, old_secret)["type"] == "event.created"
    assert _verified(request, webhook.secret)["type"] == "event.created"


def test_after_the_overlap_only_the_new_secret_signs(receiver, settings):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver)
    with time_machine.travel(START, tick=False):
        webhooks.rotate_secret(webhook=webhook)
    later = START + datetime.timedelta(
        hours=settings.ALERTS_SECRET_ROTATION_OVERLAP_HOURS, seconds=1
    )
    with time_machine.travel(later, tick=False):
        EventFactory()
        services.send_alerts()
        [(request, _response)] = receiver.log
        assert len(request.headers["webhook-signature"].split(" ")) == 1
        assert _verified(request, webhook.secret)


def test_failures_are_retried_on_the_schedule_then_the_webhook_is_disabled_and_owner_emailed_once(
    receiver,
):
    receiver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    webhook = _webhook(receiver)
    with time_machine.travel(START, tick=False) as clock:
        EventFactory()
        services.send_alerts()
        delivery = Delivery.objects.get()
        waits = []
        for _ in range(webhooks.MAX_ATTEMPTS - 1):
            delivery.refresh_from_db()
            assert delivery.status == Delivery.Status.PENDING
            wait = delivery.next_attempt_at - datetime.datetime.now(tz=datetime.UTC)
            waits.append(wait)
            # Just before it is due, a sweep does not post.
            clock.shift(wait - datetime.timedelta(seconds=1))
            services.send_alerts()
            assert len(receiver.log) == len(waits)
            clock.shift(datetime.timedelta(seconds=1))
            services.send_alerts()
        # A later sweep finds nothing left to post.
        clock.shift(datetime.timedelta(days=3))
        services.send_alerts()

    for wait, planned in zip(waits, webhooks.RETRY_DELAYS, strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    assert len(receiver.log) == webhooks.MAX_ATTEMPTS == 9
    delivery.refresh_from_db()
    webhook.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert not webhook.is_active
    assert "9 attempts failed" in webhook.disabled_reason
    assert [m.subject for m in mail.outbox] == ["[PolicyTracker] Your webhook was disabled"]
    assert mail.outbox[0].to == ["bot@example.org"]
    assert DeliveryAttempt.objects.filter(webhook=webhook).count() == 9


def test_a_retry_that_succeeds_stops_the_retries(receiver):
    answers = iter([Response("no", status=500), Response("ok", status=200)])
    receiver.expect_request("/hook", method="POST").respond_with_handler(lambda r: next(answers))
    _webhook(receiver)
    with time_machine.travel(START, tick=False) as clock:
        EventFactory()
        services.send_alerts()
        clock.shift(datetime.timedelta(seconds=6))
        services.send_alerts()
        clock.shift(datetime.timedelta(hours=1))
        services.send_alerts()
    assert len(receiver.log) == 2
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SUCCEEDED, 2)
    # Every attempt of one delivery carries the same webhook-id: the receiver's idempotency key.
    ids = {request.headers["webhook-id"] for request, _ in receiver.log}
    assert len(ids) == 1


def test_410_disables_the_webhook_at_once(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("gone", status=410)
    webhook = _webhook(receiver)
    EventFactory()
    services.send_alerts()
    EventFactory()
    services.send_alerts()
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert "410" in webhook.disabled_reason
    assert len(receiver.log) == 1
    assert len(mail.outbox) == 1


def test_redirects_are_not_followed(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_response(
        Response("", status=307, headers={"Location": receiver.url_for("/elsewhere")})
    )
    receiver.expect_request("/elsewhere").respond_with_data("ok")
    _webhook(receiver)
    EventFactory()
    services.send_alerts()
    assert [request.path for request, _ in receiver.log] == ["/hook"]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert "redirect" in delivery.last_error


def test_a_private_address_is_refused_at_registration(httpserver, settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(webhooks.WebhookURLError, match="loopback"):
        webhooks.create_webhook(
            owner=UserFactory(), url=httpserver.url_for("/hook"), event_types=["event.created"]
        )


def test_a_target_that_became_private_is_refused_at_delivery(receiver, settings):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    _webhook(receiver)
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    EventFactory()
    services.send_alerts()
    assert receiver.log == []
    assert "loopback" in Delivery.objects.get().last_error


def test_test_event_goes_through_the_outbox_to_that_webhook_only(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver, types=["statement.created"])
    _webhook(receiver, owner=UserFactory(), types=["statement.created"])
    webhooks.queue_test_event(webhook=webhook)
    assert receiver.log == []  # queued, not sent inline
    services.send_alerts()
    [(request, _response)] = receiver.log
    body = _verified(request, webhook.secret)
    assert body["type"] == "webhook.test"
    assert body["data"]["webhook_id"] == webhook.pk


def test_sweeps_run_twice_deliver_once(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    _webhook(receiver)
    EventFactory()
    services.send_alerts()
    services.send_alerts()
    assert len(receiver.log) == 1


def test_a_disabled_webhook_gets_nothing_until_enabled(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
    EventFactory()
    services.send_alerts()
    assert receiver.log == []
    webhooks.enable_webhook(webhook=webhook)
    EventFactory()
    services.send_alerts()
    assert len(receiver.log) == 1
    assert json.loads(receiver.log[0][0].get_data())["type"] == "event.created"


def test_an_account_an_admin_disabled_gets_no_delivery_and_no_retry(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("no", status=500)
    webhook = _webhook(receiver)
    with time_machine.travel(START, tick=False) as clock:
        EventFactory()
        services.send_alerts()  # tried once, failed, a retry is due in 5 s
        webhook.owner.is_active = False
        webhook.owner.save(update_fields=["is_active"])
        EventFactory()
        clock.shift(datetime.timedelta(minutes=1))
        services.send_alerts()

    assert len(receiver.log) == 1  # the first attempt only
    [delivery] = Delivery.objects.all()  # the change made after the disabling went nowhere
    assert (delivery.status, delivery.last_error) == (
        Delivery.Status.FAILED,
        "owner's account disabled",
    )
