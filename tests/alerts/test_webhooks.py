"""Webhook deliveries to a real local receiver: signed, retried on schedule, disabled when gone."""

import base64
import datetime
import json
import socket
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as ReferenceVerifier
from werkzeug import Response

from apps.alerts import services, webhooks
from apps.alerts.models import Delivery, DeliveryAttempt, Webhook
from apps.alerts.outbox import dispatch_pending_changes
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
    assert webhook.disabled_at == delivery.last_attempt_at
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
    _event_sent_at(START)
    EventFactory()
    services.send_alerts()
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert webhook.disabled_reason == "the receiver answered 410 Gone"
    assert webhook.disabled_at == webhook.owner_notified_at == START
    assert len(receiver.log) == 1
    [message] = mail.outbox
    assert message.body == (
        f"Deliveries to {webhook.url} were stopped: the receiver answered 410 Gone.\n\n"
        f"See the delivery log and switch it back on at "
        f"http://127.0.0.1:8000/alerts/webhooks/{webhook.pk}/\n"
    )


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


@pytest.mark.parametrize(
    ("switched_off", "error"),
    [("owner", "owner's account disabled"), ("webhook", "webhook disabled")],
)
def test_a_retry_due_after_the_account_or_webhook_was_switched_off_is_not_sent(
    receiver, switched_off, error
):
    receiver.expect_request("/hook", method="POST").respond_with_data("no", status=500)
    webhook = _webhook(receiver)
    with time_machine.travel(START, tick=False) as clock:
        EventFactory()
        services.send_alerts()  # tried once, failed, a retry is due in 5 s
        target = webhook.owner if switched_off == "owner" else webhook
        target.is_active = False
        target.save(update_fields=["is_active"])
        EventFactory()
        clock.shift(datetime.timedelta(minutes=1))
        services.send_alerts()

    assert len(receiver.log) == 1  # the first attempt only
    [delivery] = Delivery.objects.all()  # the change made after the switch-off went nowhere
    assert (delivery.status, delivery.last_error, delivery.next_attempt_at) == (
        Delivery.Status.FAILED,
        error,
        None,
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _event_sent_at(when):
    """An event recorded at `when` and the sweep of that moment."""
    with time_machine.travel(when, tick=False):
        EventFactory()
        services.send_alerts()


REDIRECT = "a redirect (not followed: update the webhook's URL)"


@pytest.mark.parametrize(
    ("answer", "outcome", "error"),
    [
        (200, Delivery.Status.SUCCEEDED, ""),
        (299, Delivery.Status.SUCCEEDED, ""),
        (300, Delivery.Status.PENDING, f"answered 300, {REDIRECT}"),
        (399, Delivery.Status.PENDING, f"answered 399, {REDIRECT}"),
        (400, Delivery.Status.PENDING, "answered 400"),
    ],
)
def test_an_answer_is_a_success_a_redirect_or_a_failure_by_its_status(
    receiver, caplog, answer, outcome, error
):
    receiver.expect_request("/hook", method="POST").respond_with_data("", status=answer)
    webhook = _webhook(receiver)
    EventFactory()
    sweep = timezone.now() + datetime.timedelta(hours=1)  # the sweep's time, not the clock's
    services.send_alerts(now=sweep)

    delivery = Delivery.objects.get()
    attempt = DeliveryAttempt.objects.get()
    assert (delivery.status, delivery.last_error, delivery.last_response_status) == (
        outcome,
        error,
        answer,
    )
    assert delivery.last_attempt_at == sweep
    assert (attempt.number, attempt.attempted_at, attempt.response_status, attempt.error) == (
        1,
        sweep,
        answer,
        error,
    )
    line = f"delivery {delivery.pk} attempt 1 to webhook {webhook.pk}: {error or outcome}"
    assert line in [r.getMessage() for r in caplog.records if r.name == webhooks.__name__]


def _event_sent_to_a_slow_receiver(receiver, seconds):
    """One event posted to a receiver that answers 200 after `seconds`. Returns once the receiver
    has logged the request, so one the client gave up on cannot land in the next test's log."""

    def slow(request):
        time.sleep(seconds)
        return Response("ok")

    receiver.expect_request("/hook", method="POST").respond_with_handler(slow)
    _webhook(receiver)
    EventFactory()
    services.send_alerts()
    deadline = time.monotonic() + seconds + 5
    while not receiver.log and time.monotonic() < deadline:
        time.sleep(0.01)


def test_an_attempt_logs_how_long_the_receiver_took(receiver):
    _event_sent_to_a_slow_receiver(receiver, 0.3)

    assert 300 <= DeliveryAttempt.objects.get().duration_ms < 3000


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt_retried_later(receiver, settings):
    settings.ALERTS_WEBHOOK_TIMEOUT = 0.3

    _event_sent_to_a_slow_receiver(receiver, 1)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_response_status, delivery.last_error) == (
        Delivery.Status.PENDING,
        None,
        "timed out",
    )


def test_a_receiver_that_refuses_the_connection_is_logged_with_the_reason(settings):
    port = _closed_port()
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{port}"]
    webhooks.create_webhook(
        owner=UserFactory(), url=f"http://127.0.0.1:{port}/hook", event_types=["event.created"]
    )
    EventFactory()
    services.send_alerts()

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error.startswith("could not connect: ")
    assert "refused" in delivery.last_error.lower()


def _gone(receiver, owner=None):
    """A webhook whose receiver answers 410, disabled by one sweep at START."""
    receiver.expect_request("/hook", method="POST").respond_with_data("gone", status=410)
    webhook = _webhook(receiver, owner=owner)
    _event_sent_at(START)
    webhook.refresh_from_db()
    return webhook


def test_an_owner_without_an_email_address_is_not_mailed_when_the_webhook_is_disabled(receiver):
    webhook = _gone(receiver, owner=UserFactory(email=""))

    assert (webhook.is_active, webhook.disabled_at, webhook.owner_notified_at) == (
        False,
        START,
        None,
    )
    assert mail.outbox == []


def test_a_mail_outage_leaves_the_webhook_disabled_logged_and_the_owner_not_yet_told(
    receiver, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )

    webhook = _gone(receiver)

    assert (webhook.is_active, webhook.disabled_at, webhook.owner_notified_at) == (
        False,
        START,
        None,
    )
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == webhooks.__name__]
    assert ("ERROR", f"could not email the owner of webhook {webhook.pk}") in logged
    assert ("WARNING", f"webhook {webhook.pk} disabled: the receiver answered 410 Gone") in logged


def test_a_webhook_switched_back_on_is_clean_and_its_owner_is_told_again_next_time(receiver):
    webhook = _gone(receiver)
    webhooks.enable_webhook(webhook=webhook)
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.disabled_reason, webhook.disabled_at) == (True, "", None)
    assert webhook.owner_notified_at is None

    EventFactory()
    services.send_alerts()

    webhook.refresh_from_db()
    assert not webhook.is_active
    assert len(mail.outbox) == 2


def test_the_body_is_compact_utf8_json_sent_as_such_by_our_user_agent(receiver, settings):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    _webhook(receiver)
    EventFactory(agreement=AgreementFactory(title="IRS–ICE MOU"), title="Court hears “arguments”")
    services.send_alerts()

    [(request, _response)] = receiver.log
    body = request.get_data()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == settings.INGEST_USER_AGENT
    assert "Court hears “arguments”".encode() in body
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()


def test_retry_delays_are_spread_by_up_to_a_tenth_either_way():
    waits = [webhooks.next_delay(1) / datetime.timedelta(seconds=5) for _ in range(2000)]

    assert 0.9 <= min(waits) < 0.95
    assert 1.05 < max(waits) <= 1.1


@pytest.mark.parametrize(("before_expiry", "signatures"), [(1, 2), (0, 1)])
def test_the_previous_secret_signs_until_the_instant_it_expires(
    receiver, settings, before_expiry, signatures
):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook = _webhook(receiver)
    webhooks.rotate_secret(webhook=webhook, now=START)
    expiry = START + datetime.timedelta(hours=settings.ALERTS_SECRET_ROTATION_OVERLAP_HOURS)
    _event_sent_at(expiry - datetime.timedelta(seconds=before_expiry))

    [(request, _response)] = receiver.log
    assert len(request.headers["webhook-signature"].split(" ")) == signatures


def test_rotating_a_secret_does_not_switch_back_on_a_webhook_disabled_meanwhile(receiver):
    webhook = _webhook(receiver)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_reason="gone")

    webhooks.rotate_secret(webhook=webhook)  # an instance read before the sweep disabled it

    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.disabled_reason) == (False, "gone")


def test_switching_a_webhook_on_keeps_a_secret_rotated_meanwhile(receiver):
    webhook = _webhook(receiver)
    rotated = webhooks.rotate_secret(webhook=Webhook.objects.get(pk=webhook.pk))

    webhooks.enable_webhook(webhook=webhook)  # an instance read before the rotation

    webhook.refresh_from_db()
    assert webhook.secret == rotated.secret


def test_disabling_a_webhook_keeps_a_url_its_owner_changed_while_the_attempt_was_in_flight(
    receiver,
):
    receiver.expect_request("/hook", method="POST").respond_with_data("gone", status=410)
    webhook = _webhook(receiver)
    EventFactory()
    dispatch_pending_changes()
    delivery = Delivery.objects.select_related("webhook__owner", "change").get()
    Webhook.objects.filter(pk=webhook.pk).update(url=receiver.url_for("/new-hook"))

    webhooks.attempt_delivery(delivery, now=START)

    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.url) == (False, receiver.url_for("/new-hook"))


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "https://127.0.0.1/hook", "HTTPS://127.0.0.1/hook"],
)
def test_a_url_without_a_port_is_checked_on_its_schemes_default_port(settings, url):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1:80", "127.0.0.1:443"]
    webhooks.check_target_url(url)  # allowed: no error

    port = "443" if url.lower().startswith("https") else "80"
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{'80' if port == '443' else '443'}"]
    with pytest.raises(webhooks.WebhookURLError, match="loopback"):
        webhooks.check_target_url(url)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "http:///hook", "127.0.0.1/hook"])
def test_a_url_that_is_not_http_or_https_to_a_host_is_refused_saying_so(settings, url):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1:80", "127.0.0.1:443", "127.0.0.1:21"]
    with pytest.raises(webhooks.WebhookURLError) as refused:
        webhooks.check_target_url(url)
    assert str(refused.value) == "Use an http:// or https:// URL."


def test_a_new_secret_is_32_random_bytes():
    secret = webhooks.generate_secret()
    assert len(base64.b64decode(secret.removeprefix(webhooks.SECRET_PREFIX))) == 32
    assert webhooks.generate_secret() != secret


def _due_deliveries(receiver, count):
    """`count` deliveries to one webhook, due at START, oldest change first; their event ids."""
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    _webhook(receiver)
    events = [EventFactory().pk for _ in range(count)]
    dispatch_pending_changes()
    Delivery.objects.update(next_attempt_at=START)
    return events


def _posted_events(receiver):
    return [json.loads(r.get_data())["data"]["event"]["id"] for r, _ in receiver.log]


def test_a_sweep_posts_at_most_its_limit_and_says_how_many_it_tried(receiver):
    _due_deliveries(receiver, 3)

    assert webhooks.deliver_due(now=START, limit=2) == 2
    assert len(receiver.log) == 2
    assert webhooks.deliver_due(now=START, limit=2) == 1
    assert webhooks.deliver_due(now=START, limit=2) == 0
    assert len(receiver.log) == 3


def test_a_sweep_posts_the_longest_due_first_then_the_oldest(receiver):
    first, second, third = _due_deliveries(receiver, 3)
    earlier = START - datetime.timedelta(minutes=1)
    Delivery.objects.filter(change__object_id=third).update(next_attempt_at=earlier)
    # Rewritten rows move to the end of the table: only the id puts `first` before `second`.
    Delivery.objects.filter(change__object_id=first).update(next_attempt_at=START)

    for _ in range(3):
        webhooks.deliver_due(now=START, limit=1)

    assert _posted_events(receiver) == [third, first, second]


def test_a_sweep_without_a_time_posts_what_is_due_now(receiver):
    _due_deliveries(receiver, 1)

    assert webhooks.deliver_due() == 1
    assert len(receiver.log) == 1


def test_a_delivery_an_admin_marked_failed_is_not_posted_even_if_a_time_is_left(receiver):
    _due_deliveries(receiver, 1)
    Delivery.objects.update(status=Delivery.Status.FAILED)

    assert webhooks.deliver_due(now=START) == 0
    assert receiver.log == []


def test_a_sweep_reads_each_delivery_with_its_webhook_owner_and_change_in_one_query(
    receiver, django_assert_num_queries
):
    _due_deliveries(receiver, 1)

    # Savepoint, the delivery with what it posts, the attempt, the delivery saved, release.
    with django_assert_num_queries(5):
        webhooks.deliver_due(now=START, limit=1)


def _held_while_sweeping(row, **sweep):
    """deliver_due run while another session holds `row` as an UPDATE of it does (FOR NO KEY
    UPDATE), released once the sweep is over or after 3 s."""
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                type(row).objects.select_for_update(no_key=True).get(pk=row.pk)
                held.set()
                release.wait(3)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        return webhooks.deliver_due(**sweep)
    finally:
        release.set()
        holder.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_a_delivery_another_sweep_is_posting_instead_of_waiting(receiver):
    first, second = _due_deliveries(receiver, 2)
    posting = Delivery.objects.get(change__object_id=first)

    assert _held_while_sweeping(posting, now=START) == 1
    assert _posted_events(receiver) == [second]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_posts_to_a_webhook_its_owner_is_editing_meanwhile(receiver):
    _due_deliveries(receiver, 2)

    assert _held_while_sweeping(Webhook.objects.get(), now=START) == 2
