"""Webhooks: Standard Webhooks signing, registration, and the delivery loop with its retries.

A delivery is a row with a next-attempt time; the sweep posts every due one and either marks it
delivered or sets the next time from RETRY_DELAYS (never a Celery countdown, which the Redis broker
would hand out again and again past its visibility timeout). Receivers are reached only through the
ingestion's safe fetcher rules: public addresses unless INGEST_ALLOWED_PRIVATE_HOSTS names them,
redirects never followed.
"""

import base64
import hashlib
import hmac
import json
import logging
import random
import secrets
import smtplib
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.news import safe_fetch

from .models import Change, ChangeType, Delivery, DeliveryAttempt, Webhook
from .outbox import absolute_url, record_change

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
# The delays before the second, third… attempt (the first is immediate), from the Standard
# Webhooks specification's example schedule; after the last, the webhook is disabled.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1  # each delay is stretched or shrunk by up to a tenth
_random = random.SystemRandom()


# --- Signing --------------------------------------------------------------------------------


def generate_secret() -> str:
    """A new signing secret: 32 random bytes, base64, with the `whsec_` prefix."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "msg_id.timestamp.body">` as the specification defines it."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(webhook: Webhook, *, msg_id: str, timestamp: int, body: bytes, now) -> str:
    """The current secret's signature, and during a rotation's overlap the previous one's too."""
    signing = [webhook.secret]
    if (
        webhook.previous_secret
        and webhook.previous_secret_expires_at
        and now < (webhook.previous_secret_expires_at)
    ):
        signing.append(webhook.previous_secret)
    return " ".join(
        sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in signing
    )


def message_headers(webhook: Webhook, change: Change, *, body: bytes, now) -> dict:
    msg_id = (
        f"msg_{change.public_id.hex}"  # the same on every retry: the receiver's idempotency key
    )
    timestamp = int(now.timestamp())
    return {
        "content-type": "application/json",
        "user-agent": settings.INGEST_USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            webhook, msg_id=msg_id, timestamp=timestamp, body=body, now=now
        ),
    }


def payload_bytes(change: Change) -> bytes:
    return json.dumps(change.payload, separators=(",", ":"), ensure_ascii=False).encode()


# --- Registration ---------------------------------------------------------------------------


class WebhookURLError(ValueError):
    pass


def check_target_url(url: str) -> None:
    """Refuse a URL the delivery loop could never reach: not http(s), or a private address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookURLError("Use an http:// or https:// URL.")
    try:
        safe_fetch.check_public_host(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
    except safe_fetch.FetchError as exc:
        raise WebhookURLError(f"This URL cannot receive webhooks: {exc.reason}.") from exc


def create_webhook(*, owner, url: str, event_types: list[str]) -> Webhook:
    check_target_url(url)
    return Webhook.objects.create(
        owner=owner, url=url, event_types=sorted(set(event_types)), secret=generate_secret()
    )


def rotate_secret(*, webhook: Webhook, now=None) -> Webhook:
    """A new secret; the old one keeps signing for ALERTS_SECRET_ROTATION_OVERLAP_HOURS."""
    now = now or timezone.now()
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = now + timedelta(
        hours=settings.ALERTS_SECRET_ROTATION_OVERLAP_HOURS
    )
    webhook.secret = generate_secret()
    webhook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return webhook


def enable_webhook(*, webhook: Webhook) -> Webhook:
    webhook.is_active = True
    webhook.disabled_reason = ""
    webhook.disabled_at = None
    webhook.owner_notified_at = None
    webhook.save(update_fields=["is_active", "disabled_reason", "disabled_at", "owner_notified_at"])
    return webhook


def queue_test_event(*, webhook: Webhook) -> Change:
    """A webhook.test change through the same outbox, signing and retries as every other."""
    with transaction.atomic():
        return record_change(type=ChangeType.WEBHOOK_TEST, object_id=webhook.pk)


# --- Delivery -------------------------------------------------------------------------------


def next_delay(attempts_made: int) -> timedelta:
    """The wait after the `attempts_made`-th failed attempt, with jitter."""
    delay = RETRY_DELAYS[attempts_made - 1]
    return delay * _random.uniform(1 - JITTER, 1 + JITTER)


def _post(url: str, *, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST once; (status, error). Redirects are answers, not followed."""
    try:
        with safe_fetch.public_client(timeout=settings.ALERTS_WEBHOOK_TIMEOUT) as client:
            response = client.post(url, content=body, headers=headers)
            return response.status_code, ""
    except safe_fetch.FetchError as exc:
        return None, exc.reason
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.HTTPError as exc:
        return None, f"could not connect: {exc or type(exc).__name__}"


def _disable(webhook: Webhook, *, reason: str, now) -> None:
    webhook.is_active = False
    webhook.disabled_reason = reason[:300]
    webhook.disabled_at = now
    fields = ["is_active", "disabled_reason", "disabled_at"]
    if webhook.owner_notified_at is None and webhook.owner.email:
        try:
            send_mail(
                subject="[PolicyTracker] Your webhook was disabled",
                message=(
                    f"Deliveries to {webhook.url} were stopped: {reason}.\n\n"
                    f"See the delivery log and switch it back on at "
                    f"{absolute_url(f'/alerts/webhooks/{webhook.pk}/')}\n"
                ),
                from_email=None,
                recipient_list=[webhook.owner.email],
            )
        except (smtplib.SMTPException, OSError):
            # The webhook is off either way; a mail outage must not undo that and repost.
            logger.exception("could not email the owner of webhook %s", webhook.pk)
        else:
            webhook.owner_notified_at = now
            fields.append("owner_notified_at")
    webhook.save(update_fields=fields)
    logger.warning("webhook %s disabled: %s", webhook.pk, reason)


def attempt_delivery(delivery: Delivery, *, now) -> None:
    """One attempt; records it and schedules the next, succeeds, or gives up."""
    webhook, change = delivery.webhook, delivery.change
    if not (webhook.is_active and webhook.owner.is_active):
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = (
            "webhook disabled" if not webhook.is_active else "owner's account disabled"
        )
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
        return
    body = payload_bytes(change)
    started = time.monotonic()
    status, error = _post(
        webhook.url, body=body, headers=message_headers(webhook, change, body=body, now=now)
    )
    duration_ms = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    if status is not None and 300 <= status < 400:
        error = f"answered {status}, a redirect (not followed: update the webhook's URL)"
    elif status is not None and not 200 <= status < 300:
        error = f"answered {status}"
    DeliveryAttempt.objects.create(
        delivery=delivery,
        webhook=webhook,
        number=delivery.attempts,
        attempted_at=now,
        response_status=status,
        error=error[:500],
        duration_ms=duration_ms,
    )
    delivery.last_attempt_at = now
    delivery.last_response_status = status
    delivery.last_error = error[:500]
    if status is not None and 200 <= status < 300:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
    elif status == 410:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        _disable(webhook, reason="the receiver answered 410 Gone", now=now)
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        _disable(webhook, reason=f"{MAX_ATTEMPTS} attempts failed, the last: {error}", now=now)
    else:
        delivery.next_attempt_at = now + next_delay(delivery.attempts)
    delivery.save()
    logger.info(
        "delivery %s attempt %d to webhook %s: %s",
        delivery.pk,
        delivery.attempts,
        webhook.pk,
        error or delivery.status,
    )


def deliver_due(*, now=None, limit: int = 500) -> int:
    """Attempt every delivery due now, each under its own row lock; return how many were tried.

    SKIP LOCKED lets two sweeps share the work without both posting the same delivery.
    """
    now = now or timezone.now()
    tried = 0
    while tried < limit:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("webhook__owner", "change")
                .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if delivery is None:
                return tried
            attempt_delivery(delivery, now=now)
        tried += 1
    return tried
