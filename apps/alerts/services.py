"""Writes of the alerts app: following, unsubscribing, private feeds, and the sweep itself."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.search.saved import SavedSearchError, clean_saved_search

from .digests import next_digest_time, send_due_digests
from .models import Follow, Notification, PrivateFeed, new_feed_token
from .outbox import clean_saved_query, dispatch_pending_changes, saved_query_filterset
from .webhooks import deliver_due

TARGET_KINDS = ("agreement", "actor", "challenge", "topic")


class FollowError(ValueError):
    pass


def follow(
    *,
    user,
    target=None,
    kind: str = "",
    query: str = "",
    search: str = "",
    frequency: str = "",
) -> Follow:
    """Follow a record (`kind` names which), a filtered agreements list (`query`) or a saved
    search (`search`, the query string of /search/); following again returns the existing
    follow, with the new frequency if one is given."""
    if target is not None:
        if kind not in TARGET_KINDS:
            raise FollowError(f"Cannot follow a {kind or 'record'} of this kind.")
        lookup = {kind: target}
    elif search:
        try:
            lookup = {"search": clean_saved_search(search)}
        except SavedSearchError as error:
            raise FollowError(str(error)) from error
    else:
        query = clean_saved_query(query)
        if not query:
            raise FollowError("Name a record, or filters of the agreements list, to follow.")
        filterset = saved_query_filterset(query)
        if not filterset.is_valid():
            errors = "; ".join(
                f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items()
            )
            raise FollowError(f"This list cannot be followed: {errors}")
        lookup = {"query": query}
    frequency = frequency or Follow.Frequency.DAILY
    if frequency not in Follow.Frequency.values:
        raise FollowError("Choose how often to be emailed.")
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = Follow.objects.select_for_update().filter(user=user, **lookup).first()
            if existing is not None:
                return set_frequency(follow=existing, frequency=frequency)
            return Follow.objects.create(
                user=user,
                frequency=frequency,
                next_digest_at=next_digest_time(frequency, now),
                created_at=now,
                last_visited_at=now,
                **lookup,
            )
    except IntegrityError:  # a second click won the race: that follow stands
        return Follow.objects.get(user=user, **lookup)


def set_frequency(*, follow: Follow, frequency: str) -> Follow:
    if frequency not in Follow.Frequency.values:
        raise FollowError("Choose how often to be emailed.")
    with transaction.atomic():
        follow.frequency = frequency
        follow.next_digest_at = next_digest_time(frequency, timezone.now())
        follow.save(update_fields=["frequency", "next_digest_at"])
        if frequency == Follow.Frequency.OFF:
            follow.notifications.filter(awaiting_email=True).update(awaiting_email=False)
    return follow


def unfollow(*, follow: Follow) -> None:
    follow.delete()


def unsubscribe(*, user_id: int, follow_ids: list[int]) -> int:
    """Stop email for these follows of this user (they stay followed); return how many."""
    with transaction.atomic():
        follows = Follow.objects.filter(user_id=user_id, pk__in=follow_ids)
        Notification.objects.filter(follow__in=follows, awaiting_email=True).update(
            awaiting_email=False
        )
        return follows.exclude(frequency=Follow.Frequency.OFF).update(
            frequency=Follow.Frequency.OFF, next_digest_at=None
        )


@dataclass
class SinceLastVisit:
    previous_visit: datetime.datetime
    count: int  # counted no further than one past SINCE_LAST_VISIT_COUNTED
    items: list[Notification]

    @property
    def count_display(self) -> str:
        if self.count > SINCE_LAST_VISIT_COUNTED:
            return f"{SINCE_LAST_VISIT_COUNTED:,}+"
        return f"{self.count:,}"


SINCE_LAST_VISIT_SHOWN = 10
SINCE_LAST_VISIT_COUNTED = 1000


def visit(*, follow: Follow, now=None) -> SinceLastVisit:
    """What reached this follow since the reader last opened the followed record or search,
    and this visit recorded (what the page shows counts as seen)."""
    now = now or timezone.now()
    previous = follow.last_visited_at
    new = follow.notifications.filter(id__gt=follow.seen_notification_id)
    items = list(new.select_related("change").order_by("-id")[:SINCE_LAST_VISIT_SHOWN])
    since = SinceLastVisit(
        previous_visit=previous,
        count=new[: SINCE_LAST_VISIT_COUNTED + 1].count() if items else 0,
        items=items,
    )
    # Only forward: a slower request of an earlier visit never moves the marks back.
    mine = Follow.objects.filter(pk=follow.pk)
    mine.filter(last_visited_at__lt=now).update(last_visited_at=now)
    if items:
        mine.filter(seen_notification_id__lt=items[0].pk).update(seen_notification_id=items[0].pk)
        follow.seen_notification_id = max(follow.seen_notification_id, items[0].pk)
    follow.last_visited_at = max(previous, now)
    return since


def private_feed_of(*, user) -> PrivateFeed:
    feed, _ = PrivateFeed.objects.get_or_create(user=user)
    return feed


def revoke_private_feed(*, user) -> PrivateFeed:
    """A new secret URL; the old one answers 404 from now on."""
    feed = private_feed_of(user=user)
    feed.token = new_feed_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


def send_alerts(*, now=None) -> dict:
    """One sweep of everything due now: dispatch the outbox, post due webhook deliveries, send
    due digests. Beat runs it every minute; `manage.py send_alerts` runs the same."""
    now = now or timezone.now()
    return {
        "changes": dispatch_pending_changes(now=now),
        "deliveries": deliver_due(now=now),
        "digests": send_due_digests(now=now),
    }
