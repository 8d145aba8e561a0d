"""Writes on the news data: curators' decisions on the links that ingestion suggests."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.tracker.signals import touch_records_of_links

from .models import ArticleLink
from .signals import links_decided

_DECISION_FIELDS = ["status", "decided_by", "decided_at", "updated_at"]


def _decide_links(
    *, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser, status: str
) -> list[ArticleLink]:
    """Set `status` on every link not already in it; return the links that changed.

    Rows are re-read under a lock, so two curators deciding the same links at once cannot both
    count them, and a link already in `status` keeps its original decider and date.
    """
    selected = links.values("pk") if isinstance(links, QuerySet) else [link.pk for link in links]
    now = timezone.now()
    with transaction.atomic():
        changing = list(
            ArticleLink.objects.select_for_update()
            .filter(pk__in=selected)
            .exclude(status=status)
            .order_by("pk")
        )
        for link in changing:
            link.status = status
            link.decided_by = user
            link.decided_at = now
            # bulk_update skips auto_now, and the API's "changed since" relies on updated_at.
            link.updated_at = now
        if changing:
            bulk_update_with_history(
                changing, ArticleLink, _DECISION_FIELDS, default_user=user, default_date=now
            )
            # A bulk update sends no post_save: the linked records' "changed since" is set here.
            touch_records_of_links(links=changing)
            links_decided.send(sender=ArticleLink, links=changing, status=status)
    return changing


def confirm_links(*, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser) -> int:
    """Confirm the given links; return how many changed (already-confirmed ones do not)."""
    return len(_decide_links(links=links, user=user, status=ArticleLink.Status.CONFIRMED))


def reject_links(*, links: QuerySet | Iterable[ArticleLink], user: AbstractBaseUser) -> int:
    """Reject the given links; return how many changed (already-rejected ones do not)."""
    return len(_decide_links(links=links, user=user, status=ArticleLink.Status.REJECTED))


def _decide_link(*, link: ArticleLink, user: AbstractBaseUser, status: str) -> ArticleLink:
    changed = _decide_links(links=[link], user=user, status=status)
    if changed:
        return changed[0]
    # Unchanged: it was already decided this way (or it is gone, which get() reports).
    return ArticleLink.objects.get(pk=link.pk)


def confirm_link(*, link: ArticleLink, user: AbstractBaseUser) -> ArticleLink:
    """Confirm one link and return it as stored; confirming a confirmed link changes nothing."""
    return _decide_link(link=link, user=user, status=ArticleLink.Status.CONFIRMED)


def reject_link(*, link: ArticleLink, user: AbstractBaseUser) -> ArticleLink:
    """Reject one link and return it as stored; rejecting a rejected link changes nothing."""
    return _decide_link(link=link, user=user, status=ArticleLink.Status.REJECTED)
