"""Email digests: each user's due notifications in one email, grouped by followed record.

A real-time follow is due at every sweep; a daily one at ALERTS_DIGEST_HOUR (UTC), a weekly one at
that hour on Mondays. The rows are locked (SKIP LOCKED) and marked sent in the transaction that
sends them, so a sweep running twice, or two at once, emails each change once; a failed send
leaves them waiting for the next sweep.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Follow, Notification
from .outbox import absolute_url

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
MAX_ITEMS_PER_EMAIL = 500
CATEGORIES = [
    ("ruling", "Rulings and case status"),
    ("event", "New timeline events"),
    ("statement", "New statements"),
    ("article", "Confirmed coverage"),
    ("update", "Record updates"),
]


def next_digest_time(frequency: str, now: datetime) -> datetime | None:
    """When a follow of this frequency next gets its digest, strictly after `now`."""
    at_hour = now.replace(hour=settings.ALERTS_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if frequency == Follow.Frequency.DAILY:
        return at_hour if at_hour > now else at_hour + timedelta(days=1)
    if frequency == Follow.Frequency.WEEKLY:
        candidate = at_hour + timedelta(days=(0 - now.weekday()) % 7)  # Monday
        return candidate if candidate > now else candidate + timedelta(days=7)
    return None


def unsubscribe_token(*, user_id: int, follow_ids) -> str:
    return signing.dumps(
        {"u": user_id, "f": sorted(follow_ids)}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> dict:
    """The user and follows a link stops; raises signing.BadSignature for a forged one."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return {"user_id": int(value["u"]), "follow_ids": [int(pk) for pk in value["f"]]}


def unsubscribe_url(*, user_id: int, follow_ids) -> str:
    token = unsubscribe_token(user_id=user_id, follow_ids=follow_ids)
    return absolute_url(reverse("alerts:unsubscribe", kwargs={"token": token}))


def _due(now) -> Q:
    return Q(follow__user__is_active=True) & (
        Q(follow__frequency=Follow.Frequency.REALTIME)
        | Q(
            follow__frequency__in=[Follow.Frequency.DAILY, Follow.Frequency.WEEKLY],
            follow__next_digest_at__lte=now,
        )
    )


def _sections(notifications: list[Notification]) -> list[dict]:
    by_follow: dict[int, dict] = {}
    for notification in notifications:
        follow = notification.follow
        section = by_follow.setdefault(
            follow.pk,
            {
                "follow": follow,
                "label": follow.target_label,
                "url": absolute_url(follow.target_url),
                "unsubscribe_url": unsubscribe_url(user_id=follow.user_id, follow_ids=[follow.pk]),
                "items": {key: [] for key, _ in CATEGORIES},
            },
        )
        data = notification.change.data
        section["items"].setdefault(data.get("category", "update"), []).append(
            {
                "title": data.get("title", ""),
                "url": data.get("url", ""),
                "at": notification.change.created_at,
            }
        )
    labels = dict(CATEGORIES)
    return [
        {
            **section,
            "groups": [
                {"label": labels.get(key, key), "items": items}
                for key, items in section["items"].items()
                if items
            ],
        }
        for section in by_follow.values()
    ]


def build_digest(*, user, notifications: list[Notification]) -> EmailMultiAlternatives:
    sections = _sections(notifications)
    follow_ids = [section["follow"].pk for section in sections]
    count = len(notifications)
    if len(sections) == 1:
        subject = f"{sections[0]['label']}: {count} new {'item' if count == 1 else 'items'}"
    else:
        subject = f"{count} new items on {len(sections)} records you follow"
    unsubscribe_all = unsubscribe_url(user_id=user.pk, follow_ids=follow_ids)
    context = {
        "user": user,
        "sections": sections,
        "count": count,
        "unsubscribe_url": unsubscribe_all,
        "follows_url": absolute_url(reverse("alerts:follows")),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"[PolicyTracker] {subject}",
        body=render_to_string("alerts/email/digest.txt", context),
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: the mail client POSTs to the signed link.
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message


def _send_digest_to(user_id: int, *, now) -> int:
    with transaction.atomic():
        notifications = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(now), awaiting_email=True, follow__user_id=user_id)
            .select_related(
                "change",
                "follow__user",
                "follow__agreement",
                "follow__actor",
                "follow__challenge",
                "follow__topic",
            )
            .order_by("follow_id", "change__created_at", "id")[:MAX_ITEMS_PER_EMAIL]
        )
        if not notifications:
            return 0
        user = notifications[0].follow.user
        if user.email:
            build_digest(user=user, notifications=notifications).send()
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            awaiting_email=False, emailed_at=now
        )
        for frequency in (Follow.Frequency.DAILY, Follow.Frequency.WEEKLY):
            Follow.objects.filter(
                pk__in={n.follow_id for n in notifications}, frequency=frequency
            ).update(next_digest_at=next_digest_time(frequency, now))
    logger.info("digest to user %s: %d items", user_id, len(notifications))
    return 1


def send_due_digests(*, now=None) -> int:
    """Send every digest due now; return how many emails went out."""
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.filter(_due(now), awaiting_email=True)
        .values_list("follow__user_id", flat=True)
        .order_by("follow__user_id")
        .distinct()[:1000]
    )
    sent = 0
    for user_id in user_ids:
        try:
            sent += _send_digest_to(user_id, now=now)
        except (smtplib.SMTPException, OSError):
            # Still waiting: the next sweep tries again.
            logger.exception("digest to user %s not sent", user_id)
    # Due digests with nothing in them: their next one is a period later.
    waiting = Notification.objects.filter(follow=OuterRef("pk"), awaiting_email=True)
    for frequency in (Follow.Frequency.DAILY, Follow.Frequency.WEEKLY):
        Follow.objects.filter(frequency=frequency, next_digest_at__lte=now).exclude(
            Exists(waiting)
        ).update(next_digest_at=next_digest_time(frequency, now))
    return sent
