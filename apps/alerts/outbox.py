"""The outbox: recording published changes, and dispatching each once to its follows and webhooks.

Dispatch reads the record as it is at sweep time: a change whose record is gone, or whose article
link is no longer confirmed, is skipped, so nothing unpublished ever leaves. The payload is then
frozen on the row, so every delivery and retry of it sends the same bytes.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from apps.news.models import ArticleLink
from apps.search.models import SearchDocument
from apps.search.saved import read_saved_search
from apps.tracker.filtersets import AgreementFilterSet
from apps.tracker.models import (
    Agreement,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Statement,
)

from .models import Change, ChangeType, Delivery, Follow, Notification, Webhook

logger = logging.getLogger(__name__)

Kind = SearchDocument.Kind

PAYLOAD_VERSION = "1"


def absolute_url(path: str) -> str:
    return path if "://" in path else f"{settings.SITE_URL}{path}"


def record_change(*, type: str, object_id: int, detail: dict | None = None) -> Change | None:
    """Append a change to the outbox, in the caller's transaction; None when it coalesced into an
    update of the same agreement that is still waiting."""
    if type == ChangeType.AGREEMENT_UPDATED:
        waiting = Change.objects.filter(
            type=type, object_id=object_id, outcome=Change.Outcome.PENDING
        )
        if waiting.exists():
            return None
        try:
            with transaction.atomic():  # a savepoint: a racing writer's row wins, ours is moot
                return Change.objects.create(type=type, object_id=object_id, detail=detail or {})
        except IntegrityError:
            return None
    return Change.objects.create(type=type, object_id=object_id, detail=detail or {})


def record_changes(*, type: str, object_ids) -> list[Change]:
    """Append one change per record in one INSERT, for a bulk write such as a curator
    confirming thirty links at once."""
    return Change.objects.bulk_create([Change(type=type, object_id=pk) for pk in object_ids])


@dataclass
class Subjects:
    """The records a change concerns, by id: whoever follows one of them is told."""

    agreements: set = field(default_factory=set)
    challenges: set = field(default_factory=set)
    actors: set = field(default_factory=set)
    topics: set = field(default_factory=set)
    # The searchable record the change is itself about, as (search kind, id): a saved search
    # that finds it is told.
    record: tuple[str, int] | None = None


@dataclass
class Published:
    subjects: Subjects
    data: dict


def _ref(record) -> dict | None:
    if record is None:
        return None
    label = getattr(record, "title", None) or getattr(record, "caption", None) or record.name
    return {
        "id": record.pk,
        "slug": record.slug,
        "name": label,
        "url": absolute_url(record.get_absolute_url()),
    }


def _challenged_agreements(challenge_ids) -> set:
    if not challenge_ids:
        return set()
    pairs = LegalChallenge.agreements.through.objects.filter(legalchallenge_id__in=challenge_ids)
    return set(pairs.values_list("agreement_id", flat=True))


def _event(change: Change) -> Published | None:
    event = (
        Event.objects.select_related("agreement", "challenge")
        .prefetch_related("actors")
        .filter(pk=change.object_id)
        .first()
    )
    if event is None:
        return None
    challenges = {event.challenge_id} - {None}
    subjects = Subjects(
        agreements=({event.agreement_id} - {None}) | _challenged_agreements(challenges),
        challenges=challenges,
        actors={actor.pk for actor in event.actors.all()},
        record=(Kind.EVENT, event.pk),
    )
    kind = event.get_kind_display()
    return Published(
        subjects,
        {
            "title": f"{kind}: {event.title}",
            "url": absolute_url(event.get_absolute_url()),
            "category": "ruling" if event.kind == Event.Kind.RULING else "event",
            "event": {
                "id": event.pk,
                "date": event.date.isoformat(),
                "date_precision": event.date_precision,
                "display_date": event.display_date,
                "kind": event.kind,
                "title": event.title,
                "description": event.description,
            },
            "agreement": _ref(event.agreement),
            "challenge": _ref(event.challenge),
        },
    )


def _statement(change: Change) -> Published | None:
    statement = (
        Statement.objects.select_related(
            "position__agreement", "position__actor", "speaker", "source"
        )
        .filter(pk=change.object_id)
        .first()
    )
    if statement is None:
        return None
    position = statement.position
    speaker = statement.speaker_label or statement.speaker.name
    source = statement.source_url or (statement.source.canonical_url if statement.source else "")
    return Published(
        Subjects(
            agreements={position.agreement_id},
            actors={position.actor_id, statement.speaker_id},
            record=(Kind.STATEMENT, statement.pk),
        ),
        {
            "title": f"{speaker} on {position.agreement.title}",
            "url": absolute_url(statement.get_absolute_url()),
            "category": "statement",
            "statement": {
                "id": statement.pk,
                "kind": statement.kind,
                "text": statement.text,
                "speaker": _ref(statement.speaker),
                "speaker_label": statement.speaker_label,
                "said_on": statement.said_on.isoformat() if statement.said_on else None,
                "venue": statement.venue,
                "source_url": source,
            },
            "position": {"actor": _ref(position.actor), "stance": position.stance},
            "agreement": _ref(position.agreement),
        },
    )


def _challenge_status(change: Change) -> Published | None:
    challenge = LegalChallenge.objects.filter(pk=change.object_id).first()
    if challenge is None:
        return None
    return Published(
        Subjects(
            agreements=_challenged_agreements([challenge.pk]),
            challenges={challenge.pk},
            record=(Kind.CHALLENGE, challenge.pk),
        ),
        {
            "title": f"{challenge.caption}: {challenge.get_status_display()}",
            "url": absolute_url(challenge.get_absolute_url()),
            "category": "ruling",
            "challenge": _ref(challenge),
            "previous_status": change.detail.get("previous_status"),
            "status": change.detail.get("status", challenge.status),
        },
    )


def _article_link(change: Change) -> Published | None:
    link = (
        ArticleLink.objects.select_related("article__outlet", "agreement", "actor", "challenge")
        .filter(pk=change.object_id)
        .first()
    )
    # Confirmed then, but undone before the sweep: the curator's last word stands.
    if link is None or link.status != ArticleLink.Status.CONFIRMED:
        return None
    article = link.article
    challenges = {link.challenge_id} - {None}
    subjects = Subjects(
        agreements=({link.agreement_id} - {None}) | _challenged_agreements(challenges),
        challenges=challenges,
        actors={link.actor_id} - {None},
        record=(Kind.ARTICLE, article.pk),
    )
    target = link.agreement or link.actor or link.challenge
    return Published(
        subjects,
        {
            "title": article.title or article.canonical_url,
            "url": absolute_url(article.get_absolute_url()),
            "category": "article",
            "article": {
                "id": article.pk,
                "title": article.title,
                "url": article.canonical_url,
                "outlet": article.outlet.name if article.outlet else None,
                "published_at": article.published_at.isoformat() if article.published_at else None,
            },
            "linked_to": _ref(target),
        },
    )


def _agreement(change: Change) -> Published | None:
    agreement = Agreement.objects.filter(pk=change.object_id).first()
    if agreement is None:
        return None
    return Published(
        Subjects(agreements={agreement.pk}, record=(Kind.AGREEMENT, agreement.pk)),
        {
            "title": f"{agreement.title} was updated",
            "url": absolute_url(agreement.get_absolute_url()),
            "category": "update",
            "agreement": {**_ref(agreement), "status": agreement.status},
            "fields": change.detail.get("fields", []),
        },
    )


def _agreement_created(change: Change) -> Published | None:
    agreement = Agreement.objects.filter(pk=change.object_id).first()
    if agreement is None:
        return None
    parties = Party.objects.filter(agreement=agreement).values_list("actor_id", flat=True)
    return Published(
        Subjects(
            agreements={agreement.pk},
            actors=set(parties),
            record=(Kind.AGREEMENT, agreement.pk),
        ),
        {
            "title": f"New on the record: {agreement.title}",
            "url": absolute_url(agreement.get_absolute_url()),
            "category": "update",
            "agreement": {**_ref(agreement), "status": agreement.status},
        },
    )


def _challenge_created(change: Change) -> Published | None:
    challenge = LegalChallenge.objects.filter(pk=change.object_id).first()
    if challenge is None:
        return None
    parties = ChallengeParty.objects.filter(challenge=challenge).values_list("actor_id", flat=True)
    return Published(
        Subjects(
            agreements=_challenged_agreements([challenge.pk]),
            challenges={challenge.pk},
            actors=set(parties),
            record=(Kind.CHALLENGE, challenge.pk),
        ),
        {
            "title": f"New case: {challenge.caption}",
            "url": absolute_url(challenge.get_absolute_url()),
            "category": "ruling",
            "challenge": _ref(challenge),
            "status": challenge.status,
        },
    )


def _webhook_test(change: Change) -> Published | None:
    return Published(
        Subjects(),
        {
            "title": "Test delivery",
            "url": absolute_url("/"),
            "category": "test",
            "message": "A test event from PolicyTracker: your receiver is reachable.",
            "webhook_id": change.object_id,
        },
    )


_RESOLVERS = {
    ChangeType.EVENT_CREATED: _event,
    ChangeType.STATEMENT_CREATED: _statement,
    ChangeType.CHALLENGE_STATUS_CHANGED: _challenge_status,
    ChangeType.ARTICLE_LINKED: _article_link,
    ChangeType.AGREEMENT_UPDATED: _agreement,
    ChangeType.AGREEMENT_CREATED: _agreement_created,
    ChangeType.CHALLENGE_CREATED: _challenge_created,
    ChangeType.WEBHOOK_TEST: _webhook_test,
}


def envelope(change: Change, data: dict) -> dict:
    """The versioned JSON body every receiver gets (Standard Webhooks' type/timestamp/data)."""
    return {
        "id": f"evt_{change.public_id.hex}",
        "type": change.type,
        "version": PAYLOAD_VERSION,
        "timestamp": change.created_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def _matching_follows(subjects: Subjects, found_by_searches: dict) -> list[int]:
    if subjects.agreements:
        topic_pairs = Agreement.topics.through.objects.filter(agreement_id__in=subjects.agreements)
        subjects.topics = set(topic_pairs.values_list("topic_id", flat=True))
    condition = Q(pk__in=[])
    for name, ids in (
        ("agreement", subjects.agreements),
        ("actor", subjects.actors),
        ("challenge", subjects.challenges),
        ("topic", subjects.topics),
    ):
        if ids:
            condition |= Q(**{f"{name}_id__in": ids})
    follow_ids = list(Follow.objects.filter(condition).values_list("pk", flat=True))
    if subjects.agreements:
        follow_ids += _saved_queries_matching(subjects.agreements)
    if subjects.record:
        follow_ids += found_by_searches.get(subjects.record, [])
    return follow_ids


def _saved_queries_matching(agreement_ids: set) -> list[int]:
    # One query per distinct saved query: the agreements API's own FilterSet decides, so a list
    # followed from /api/v1/agreements/?… alerts on exactly what that list would show.
    matches = []
    saved = Follow.objects.exclude(query="").values_list("pk", "query")
    by_query: dict[str, list[int]] = {}
    for pk, query in saved:
        by_query.setdefault(query, []).append(pk)
    for query, follow_ids in by_query.items():
        filterset = saved_query_filterset(query, Agreement.objects.filter(pk__in=agreement_ids))
        if filterset.is_valid() and filterset.qs.exists():
            matches += follow_ids
    return matches


def _saved_searches_finding(records: list[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
    """For a batch of changed records, the saved-search follows that find each: every distinct
    saved search is read once and asked once per kind of record in the batch, on those
    records' own documents (by their unique key), so a followed search alerts on exactly what
    /search/ would now find."""
    if not records:
        return {}
    follows_of: dict[str, list[int]] = {}
    for pk, search in Follow.objects.exclude(search="").values_list("pk", "search"):
        follows_of.setdefault(search, []).append(pk)
    ids_of: dict[str, set[int]] = {}
    for kind, object_id in records:
        ids_of.setdefault(kind, set()).add(object_id)
    found: dict[tuple[str, int], list[int]] = {}
    for search, follow_ids in follows_of.items():
        saved = read_saved_search(search)
        if saved is None:
            continue
        for kind, ids in ids_of.items():
            for object_id in saved.finds(kind=kind, ids=ids):
                found.setdefault((kind, object_id), []).extend(follow_ids)
    return found


def clean_saved_query(query) -> str:
    """A list's query string as a follow stores it: only the agreement filters (no page, no
    format), blank ones dropped, in a stable order, so one list is one follow."""
    params = query if isinstance(query, QueryDict) else QueryDict(str(query).strip().lstrip("?"))
    kept = [
        (key, value)
        for key in sorted(params)
        if key in AgreementFilterSet.base_filters
        for value in params.getlist(key)
        if value
    ]
    return urlencode(kept)


def saved_query_filterset(query: str, queryset=None) -> AgreementFilterSet:
    return AgreementFilterSet(
        QueryDict(query), queryset=queryset if queryset is not None else Agreement.objects.all()
    )


def _dispatch(change: Change, published: Published | None, *, now, found_by_searches) -> None:
    change.dispatched_at = now
    if published is None:
        change.outcome = Change.Outcome.SKIPPED
        change.save(update_fields=["outcome", "dispatched_at"])
        logger.info("change %s %s skipped: not published", change.pk, change.type)
        return
    change.payload = envelope(change, published.data)
    change.outcome = Change.Outcome.DISPATCHED
    change.save(update_fields=["payload", "outcome", "dispatched_at"])

    follow_ids = (
        []
        if change.type == ChangeType.WEBHOOK_TEST
        else _matching_follows(published.subjects, found_by_searches)
    )
    # A follow hears of what changed after it began, not of the change that made its record.
    frequencies = dict(
        Follow.objects.filter(pk__in=follow_ids, created_at__lte=change.created_at).values_list(
            "pk", "frequency"
        )
    )
    if change.type == ChangeType.ARTICLE_LINKED and frequencies:
        # An article confirmed on two records a follow covers (two agreements of its topic, or
        # a search that finds it) is news once, not once per link.
        told = Notification.objects.filter(
            follow_id__in=list(frequencies),
            change__type=ChangeType.ARTICLE_LINKED,
            change__payload__data__article__id=published.data["article"]["id"],
        ).values_list("follow_id", flat=True)
        for pk in set(told):
            del frequencies[pk]
    Notification.objects.bulk_create(
        [
            Notification(
                follow_id=pk,
                change=change,
                created_at=now,
                awaiting_email=frequency != Follow.Frequency.OFF,
            )
            for pk, frequency in frequencies.items()
        ],
        ignore_conflicts=True,
    )
    if change.type == ChangeType.WEBHOOK_TEST:
        webhook_ids = list(
            Webhook.objects.filter(
                pk=change.object_id, is_active=True, owner__is_active=True
            ).values_list("pk", flat=True)
        )
    else:
        webhook_ids = [
            pk
            # An account an admin disabled gets nothing, like its digests and private feed.
            for pk, types in Webhook.objects.filter(
                is_active=True, owner__is_active=True
            ).values_list("pk", "event_types")
            if change.type in types
        ]
    Delivery.objects.bulk_create(
        [
            Delivery(webhook_id=pk, change=change, next_attempt_at=now, created_at=now)
            for pk in webhook_ids
        ],
        ignore_conflicts=True,
    )
    logger.info(
        "change %s %s dispatched: %d follows, %d webhooks",
        change.pk,
        change.type,
        len(frequencies),
        len(webhook_ids),
    )


def dispatch_pending_changes(*, now=None, batch_size: int = 200) -> int:
    """Fan out every pending change once; return how many were dispatched or skipped.

    Each batch is locked with SKIP LOCKED, so two sweeps at once take different rows, and a
    dispatched row is never pending again, so a sweep run twice does nothing the second time.
    """
    now = now or timezone.now()
    handled = 0
    while True:
        with transaction.atomic():
            batch = list(
                Change.objects.select_for_update(skip_locked=True)
                .filter(outcome=Change.Outcome.PENDING, created_at__lte=now)
                .order_by("created_at", "id")[:batch_size]
            )
            # Read every change's record first, so the saved searches are asked once a batch.
            published = {change.pk: _RESOLVERS[change.type](change) for change in batch}
            records = [p.subjects.record for p in published.values() if p and p.subjects.record]
            found_by_searches = _saved_searches_finding(records)
            for change in batch:
                _dispatch(
                    change, published[change.pk], now=now, found_by_searches=found_by_searches
                )
        handled += len(batch)
        if len(batch) < batch_size:
            return handled
