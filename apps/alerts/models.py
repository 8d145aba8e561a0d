"""Follows, the outbox of published changes, and what is sent from it: digests, private feeds and
signed webhook deliveries.

Flow: a published change writes a `Change` row in the same transaction (signals.py); the sweep
(services.send_alerts, run by beat every minute and by `manage.py send_alerts`) freezes its
payload and fans it out once into a `Notification` per matching follow and a `Delivery` per
matching webhook; digests, the private feed and the delivery loop read those rows. Every step is
keyed by a unique constraint, so a sweep that runs twice sends nothing twice.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.search.saved import SAVED_SEARCH_MAX_LENGTH, describe_saved_search


class ChangeType(models.TextChoices):
    EVENT_CREATED = "event.created", "A timeline event was recorded"
    STATEMENT_CREATED = "statement.created", "A statement was recorded"
    CHALLENGE_STATUS_CHANGED = "challenge.status_changed", "A legal challenge changed status"
    ARTICLE_LINKED = "article.linked", "An article was confirmed as coverage"
    AGREEMENT_UPDATED = "agreement.updated", "An agreement was updated"
    AGREEMENT_CREATED = "agreement.created", "An agreement was added to the record"
    CHALLENGE_CREATED = "challenge.created", "A legal challenge was added to the record"
    WEBHOOK_TEST = "webhook.test", "A test delivery"


# The types a webhook can subscribe to; webhook.test goes only to the webhook it tests.
SUBSCRIBABLE_TYPES = [value for value in ChangeType.values if value != ChangeType.WEBHOOK_TEST]


def _one_follow_target() -> Q:
    fields = ("agreement", "actor", "challenge", "topic")
    unset = {f"{field}__isnull": True for field in fields}
    no_query = Q(query="", search="")
    choices = [Q(**{**unset, f"{field}__isnull": False}) & no_query for field in fields]
    choices.append(Q(**unset) & ~Q(query="") & Q(search=""))
    choices.append(Q(**unset) & Q(query="") & ~Q(search=""))
    condition = choices[0]
    for choice in choices[1:]:
        condition |= choice
    return condition


class Follow(models.Model):
    """A user's follow of one record, of a filtered list of agreements (a saved query), or of a
    saved search (what /search/ finds for a query and its filters, as new records match it)."""

    class Frequency(models.TextChoices):
        REALTIME = "realtime", "As it happens"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"
        OFF = "off", "No email (feed and My follows only)"

    # A follow is its user's own, and means nothing once the followed record is gone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    agreement = models.ForeignKey(
        "tracker.Agreement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        "tracker.Actor", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge = models.ForeignKey(
        "tracker.LegalChallenge", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        "tracker.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    query = models.CharField(
        max_length=500,
        blank=True,
        help_text="A filtered list of agreements: the query string of /api/v1/agreements/.",
    )
    search = models.CharField(
        max_length=SAVED_SEARCH_MAX_LENGTH,
        blank=True,
        help_text="A saved search: the query string of /search/ (q, type, dates, agreement, "
        "actor).",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    created_at = models.DateTimeField(default=timezone.now)
    last_visited_at = models.DateTimeField(default=timezone.now)
    # The newest notification the reader has been shown: what is newer is "new since your last
    # visit". An id, not a time, so a sweep that commits after a visit began loses nothing.
    seen_notification_id = models.BigIntegerField(default=0)
    # When the next daily or weekly digest of this follow is due.
    next_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_one_follow_target(),
                name="follow_exactly_one_target",
                violation_error_message=(
                    "A follow is of one agreement, actor, legal challenge, topic, filtered list "
                    "or saved search."
                ),
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"follow_unique_{field}",
                    violation_error_message=f"You already follow this {field}.",
                )
                for field in ("agreement", "actor", "challenge", "topic")
            ],
            models.UniqueConstraint(
                fields=["user", "query"],
                condition=~Q(query=""),
                name="follow_unique_query",
                violation_error_message="You already follow this list.",
            ),
            models.UniqueConstraint(
                fields=["user", "search"],
                condition=~Q(search=""),
                name="follow_unique_search",
                violation_error_message="You already follow this search.",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=~Q(query=""), name="follow_saved_queries"),
            models.Index(fields=["id"], condition=~Q(search=""), name="follow_saved_searches"),
            models.Index(
                fields=["next_digest_at"],
                condition=Q(frequency__in=["daily", "weekly"]),
                name="follow_digest_due",
            ),
        ]

    def __str__(self):
        return f"{self.user} follows {self.target_label}"

    @property
    def target(self):
        return self.agreement or self.actor or self.challenge or self.topic

    @property
    def target_label(self) -> str:
        target = self.target
        if target is not None:
            return str(target)
        if self.search:
            return f"the search {describe_saved_search(self.search)}"
        return f"agreements matching “{self.query}”"

    @property
    def target_url(self) -> str:
        target = self.target
        if target is not None:
            return target.get_absolute_url()
        if self.search:
            return f"{reverse('search:page')}?{self.search}"
        return f"{reverse('tracker:agreement-list')}?{self.query}"


class Change(models.Model):
    """The outbox: one published change, written in the transaction that made it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        DISPATCHED = "dispatched", "Dispatched"
        SKIPPED = "skipped", "Skipped (not published, or gone)"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    type = models.CharField(max_length=40, choices=ChangeType.choices)
    # The event, statement, legal challenge, article link or agreement the change is about (the
    # webhook, for webhook.test); its type says which. Read when the change is dispatched, so
    # what is sent is the record as published then.
    object_id = models.PositiveBigIntegerField()
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # The versioned envelope, frozen when dispatched: every delivery and retry sends these bytes.
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Many saves of one agreement before the next sweep are one "agreement.updated".
            models.UniqueConstraint(
                fields=["type", "object_id"],
                condition=Q(outcome="pending", type="agreement.updated"),
                name="change_one_pending_agreement_update",
                violation_error_message="This agreement already has an update waiting.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=Q(outcome="pending"), name="change_pending"
            ),
        ]

    def __str__(self):
        return f"{self.type} #{self.object_id}"

    @property
    def data(self) -> dict:
        return (self.payload or {}).get("data", {})


class Notification(models.Model):
    """A dispatched change that concerns one follow: the digest's, feed's and My follows' row."""

    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="notifications")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    # True until it has gone out in an email; never True for a follow that sends no email.
    awaiting_email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-change__created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow", "change"],
                name="notification_once_per_follow",
                violation_error_message="This change is already noted for this follow.",
            )
        ]
        indexes = [
            models.Index(
                fields=["follow", "id"],
                condition=Q(awaiting_email=True),
                name="notification_unsent",
            ),
            models.Index(fields=["follow", "-created_at"], name="notification_recent"),
        ]

    def __str__(self):
        return f"{self.change} for {self.follow}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class PrivateFeed(models.Model):
    """A user's private Atom feed of everything they follow; the token in its URL is the key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="private_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Private feed of {self.user}"


class Webhook(models.Model):
    """An API user's receiver of signed change deliveries (Standard Webhooks)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=1000)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    # After a rotation the previous secret signs too, until this time.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The owner is told once that the webhook was disabled; re-enabling resets it.
    owner_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["id"], condition=Q(is_active=True), name="webhook_active")]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One change to one webhook, until it succeeds or its retries run out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "change"],
                name="delivery_once_per_webhook",
                violation_error_message="This change is already queued for this webhook.",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="delivery_due",
            ),
            models.Index(fields=["webhook", "-created_at"], name="delivery_of_webhook"),
        ]

    def __str__(self):
        return f"{self.change} → {self.webhook}"


class DeliveryAttempt(models.Model):
    """One POST to a receiver: the delivery log its owner reads."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    # Denormalised from the delivery so the owner's log is one index scan.
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-attempted_at"], name="attempt_log")]

    def __str__(self):
        return f"Attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
