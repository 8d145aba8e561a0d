"""Derived data of the curated record, kept current in one place.

An agreement carries its latest timeline entry (`Agreement.latest_event*`) so that every list, the
home and topic pages and the API can sort and show it without reading events. This module is the
only writer of those fields: the signal receivers in signals.py call it whenever an event or the
set of challenges against an agreement changes, and `manage.py refresh_derived` calls it for every
agreement after a bulk load, a restore or an import that bypassed save().
"""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from .models import Agreement, Event

# The timeline's order reversed, so the latest entry and the timeline agree on ties.
LATEST_FIRST = ("-date", "-date_precision", "-sequence", "-id")

_BATCH = 2000


def _timeline_key(event: dict) -> tuple:
    return (event["date"], event["date_precision"], event["sequence"], event["pk"])


@transaction.atomic
def refresh_latest_events(*, agreements: Q) -> int:
    """Recompute the latest event of the agreements the condition selects; return how many
    changed. Costs three queries per batch whatever the size of the timelines: the newest own
    event and the newest event of a challenge are each one index-ordered LIMIT 1 per agreement
    (never an OR across the join, which no index serves)."""
    own = Event.objects.filter(agreement=OuterRef("pk")).order_by(*LATEST_FIRST)
    of_challenges = Event.objects.filter(challenge__agreements=OuterRef("pk")).order_by(
        *LATEST_FIRST
    )
    candidates = (
        Agreement.objects.filter(agreements)
        .annotate(
            own_latest=Subquery(own.values("pk")[:1]),
            challenge_latest=Subquery(of_challenges.values("pk")[:1]),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "own_latest",
            "challenge_latest",
            "latest_event_id",
            "latest_event_date",
            "latest_event_precision",
            "latest_event_title",
        )
    )
    changed = 0
    for batch in _batches(candidates.iterator(chunk_size=_BATCH)):
        event_ids = {pk for row in batch for pk in row[1:3] if pk is not None}
        events = {
            event["pk"]: event
            for event in Event.objects.filter(pk__in=event_ids).values(
                "pk", "date", "date_precision", "sequence", "title"
            )
        }
        updates = []
        for pk, own_pk, challenge_pk, *stored in batch:
            found = [events[e] for e in (own_pk, challenge_pk) if e in events]
            latest = max(found, key=_timeline_key) if found else None
            derived = (
                (latest["pk"], latest["date"], latest["date_precision"], latest["title"])
                if latest
                else (None, None, "", "")
            )
            if tuple(stored) != derived:
                updates.append(
                    Agreement(
                        pk=pk,
                        latest_event_id=derived[0],
                        latest_event_date=derived[1],
                        latest_event_precision=derived[2],
                        latest_event_title=derived[3],
                    )
                )
        # bulk_update: no save(), so no history row, no updated_at and no signal.
        Agreement.objects.bulk_update(updates, Agreement.DERIVED_FIELDS, batch_size=500)
        changed += len(updates)
    return changed


def refresh_derived() -> dict[str, int]:
    """Recompute every denormalised field from the source rows; return how many changed."""
    return {"agreement latest events": refresh_latest_events(agreements=Q())}


def _batches(rows) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
