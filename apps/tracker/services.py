"""Derived data of the curated record, kept current in one place.

An agreement carries its latest timeline entry (`Agreement.latest_event*`) so that every list, the
home and topic pages and the API can sort and show it without reading events. This module is the
only writer of those fields: the signal receivers in signals.py call it whenever an event or the
set of challenges against an agreement changes, and `manage.py refresh_derived` calls it for every
agreement after a bulk load, a restore or an import that bypassed save().
"""

from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from .models import Agreement, Event, LegalChallenge

# The timeline's order reversed, so the latest entry and the timeline agree on ties.
LATEST_FIRST = ("-date", "-date_precision", "-sequence", "-id")

_BATCH = 2000


def _timeline_key(event: dict) -> tuple:
    return (event["date"], event["date_precision"], event["sequence"], event["pk"])


def _latest_per(queryset, field: str) -> dict:
    """{row pk: pk of its newest event}, one index-ordered LIMIT 1 per row, where `field` is
    the event's key to the row (served by event_agreement_timeline / event_challenge_timeline)."""
    latest = Event.objects.filter(**{field: OuterRef("pk")}).order_by(*LATEST_FIRST)
    rows = queryset.annotate(latest=Subquery(latest.values("pk")[:1])).values_list("pk", "latest")
    return {pk: event for pk, event in rows if event is not None}


@transaction.atomic
def refresh_latest_events(*, agreements: Q) -> int:
    """Recompute the latest event of the agreements the condition selects; return how many
    changed. A handful of queries per batch of agreements whatever the size of the timelines:
    the newest own event of each agreement and the newest event of each case against it are
    each found by one index-ordered LIMIT 1 (never an OR across the join, which no index
    serves, nor a LIMIT 1 over a join, which PostgreSQL may answer by walking every event)."""
    pairs = LegalChallenge.agreements.through.objects
    stored = (
        Agreement.objects.filter(agreements)
        .order_by("pk")
        .values_list(
            "pk",
            "latest_event_id",
            "latest_event_date",
            "latest_event_precision",
            "latest_event_title",
        )
    )
    changed = 0
    for batch in _batches(stored.iterator(chunk_size=_BATCH)):
        ids = [row[0] for row in batch]
        own = _latest_per(Agreement.objects.filter(pk__in=ids), "agreement")
        cases = defaultdict(list)
        for agreement_id, challenge_id in pairs.filter(agreement_id__in=ids).values_list(
            "agreement_id", "legalchallenge_id"
        ):
            cases[agreement_id].append(challenge_id)
        of_case = _latest_per(
            LegalChallenge.objects.filter(pk__in={c for cs in cases.values() for c in cs}),
            "challenge",
        )
        candidates = {
            pk: {own.get(pk), *(of_case.get(c) for c in cases[pk])} - {None} for pk in ids
        }
        events = {
            event["pk"]: event
            for event in Event.objects.filter(
                pk__in={e for found in candidates.values() for e in found}
            ).values("pk", "date", "date_precision", "sequence", "title")
        }
        updates = []
        for pk, *current in batch:
            found = [events[e] for e in candidates[pk]]
            latest = max(found, key=_timeline_key) if found else None
            derived = (
                (latest["pk"], latest["date"], latest["date_precision"], latest["title"])
                if latest
                else (None, None, "", "")
            )
            if tuple(current) != derived:
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
