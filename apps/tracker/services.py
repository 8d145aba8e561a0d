"""Writes on the curated record that span several rows.

Derived data, kept current in one place: an agreement carries its latest timeline entry
(`Agreement.latest_event*`) so that every list, the home and topic pages and the API can sort and
show it without reading events. This module is the only writer of those fields: the signal
receivers in signals.py call it whenever an event or the set of challenges against an agreement
changes, and `manage.py refresh_derived` calls it for every agreement after a bulk load, a restore
or an import that bypassed save().

Curators' writes: a stakeholder's position resolved for a statement entered on its agreement's
page, and merging duplicate records.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Q, Subquery, UniqueConstraint

from .models import (
    Actor,
    Agreement,
    Alias,
    Event,
    LegalChallenge,
    MergedRecord,
    Position,
    Statement,
)

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


# --- curators' writes ---------------------------------------------------------------------------


def position_for_statement(*, agreement: Agreement, actor: Actor, stance: str) -> Position:
    """The actor's position on the agreement, created with `stance` if it has none; an existing
    position takes `stance` when it differs (the curator entering the statement says so)."""
    with transaction.atomic():
        position, created = Position.objects.select_for_update().get_or_create(
            agreement=agreement, actor=actor, defaults={"stance": stance}
        )
        if not created and stance and position.stance != stance:
            position.stance = stance
            position.save(update_fields=["stance", "updated_at"])
    return position


# --- merging duplicates -------------------------------------------------------------------------


class MergeError(Exception):
    """A merge that cannot be made; nothing was changed."""


@dataclass
class MergeReport:
    survivor: models.Model
    duplicate_label: str
    moved: dict[str, int] = field(default_factory=dict)  # "events (actors)": 3
    folded: dict[str, int] = field(default_factory=dict)  # rows the survivor already had

    def count(self, bucket: dict, label: str) -> None:
        bucket[label] = bucket.get(label, 0) + 1


def _relations(model):
    # Every foreign key and many-to-many that points at the model, from any app (a follow in
    # alerts as much as a party in tracker); history rows point with hidden relations and are
    # left as they were written.
    return [rel for rel in model._meta.related_objects if not rel.hidden]


def _label(rel) -> str:
    return f"{rel.related_model._meta.verbose_name_plural} ({rel.field.verbose_name})"


def plan_merge(*, survivor: models.Model, duplicate: models.Model) -> dict[str, int]:
    """What a merge of `duplicate` into `survivor` would re-point: rows per relation."""
    _check_pair(survivor, duplicate)
    plan = {}
    for rel in _relations(type(duplicate)):
        if rel.many_to_many:
            through = rel.through._default_manager
            count = through.filter(**{rel.field.m2m_reverse_field_name(): duplicate.pk}).count()
        else:
            count = rel.related_model._default_manager.filter(**{rel.field.name: duplicate}).count()
        if count:
            plan[_label(rel)] = count
    return plan


def _check_pair(survivor, duplicate) -> None:
    if type(survivor) is not type(duplicate):
        raise MergeError("Only two records of the same kind can be merged.")
    if survivor.pk == duplicate.pk:
        raise MergeError("A record cannot be merged into itself.")


def merge_records(
    *, survivor: models.Model, duplicate: models.Model, kind: str, old_key, user=None
) -> MergeReport:
    """Merge `duplicate` into `survivor` in one transaction: every reference re-pointed, rows the
    survivor already has folded into its own, the duplicate deleted with a note in both
    histories, and its old address (`old_key`) redirecting to the survivor."""
    _check_pair(survivor, duplicate)
    model = type(survivor)
    report = MergeReport(survivor=survivor, duplicate_label=f"{duplicate} (#{duplicate.pk})")
    note = f"Merged {duplicate} (#{duplicate.pk}) into {survivor} (#{survivor.pk})"[:100]
    with transaction.atomic():
        locked = model._default_manager.select_for_update().filter(
            pk__in=[survivor.pk, duplicate.pk]
        )
        if len(locked) != 2:
            raise MergeError("One of the two records is gone; nothing was merged.")
        for rel in _relations(model):
            if rel.many_to_many:
                _repoint_many(rel, survivor, duplicate, report, note)
            else:
                _repoint_rows(rel, survivor, duplicate, report, note)
        MergedRecord.objects.filter(kind=kind, survivor_id=duplicate.pk).update(
            survivor_id=survivor.pk
        )
        MergedRecord.objects.create(
            kind=kind,
            old_key=str(old_key),
            old_id=duplicate.pk,
            survivor_id=survivor.pk,
            note=note,
        )
        _with_history_note(duplicate, note, user)
        duplicate.delete()
        survivor.refresh_from_db()
        _with_history_note(survivor, note, user)
        survivor.save()
    return report


def _with_history_note(obj, note, user) -> None:
    obj._change_reason = note
    if user is not None:
        obj._history_user = user


def _repoint_many(rel, survivor, duplicate, report, note) -> None:
    # Through the related managers, so the owners' m2m history and "changed since" see it.
    owner_model = rel.field.model
    accessor = rel.field.name
    owners = owner_model._default_manager.filter(**{accessor: duplicate}).distinct()
    for owner in owners:
        manager = getattr(owner, accessor)
        manager.remove(duplicate)
        manager.add(survivor)
        report.count(report.moved, _label(rel))


def _repoint_rows(rel, survivor, duplicate, report, note) -> None:
    name = rel.field.name
    for row in rel.related_model._default_manager.filter(**{name: duplicate}).order_by("pk"):
        if rel.related_model is type(survivor) and row.pk == survivor.pk:
            # The survivor pointed at the duplicate (its parent, its original): it takes the
            # duplicate's own value instead, unless that is the survivor itself.
            attname = rel.field.attname
            inherited = getattr(duplicate, attname)
            inherited = None if inherited == survivor.pk else inherited
            type(survivor)._default_manager.filter(pk=survivor.pk).update(**{attname: inherited})
            report.count(report.moved, _label(rel))
            continue
        setattr(row, name, survivor)
        row._change_reason = note
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            _fold(row, rel, survivor, duplicate, note)
            report.count(report.folded, _label(rel))
        else:
            report.count(report.moved, _label(rel))


def _fold(row, rel, survivor, duplicate, note) -> None:
    """The survivor already has this row (the same role in the same agreement, a position on
    the same agreement, the same alias): keep the survivor's, with what only this one had."""
    model = rel.related_model
    existing = _equivalent(row, rel.field.name)
    if isinstance(row, Position) and existing is not None:
        for statement in Statement.objects.filter(position_id=row.pk):
            statement.position = existing
            statement._change_reason = note
            statement.save()
    elif model._meta.label == "news.ArticleLink" and existing is not None:
        if existing.status == "suggested" and row.status != "suggested":
            existing.status, existing.decided_by_id = row.status, row.decided_by_id
            existing.decided_at = row.decided_at
            existing._change_reason = note
            existing.save()
    elif model._meta.label == "tracker.ChallengeParty" and existing is not None:
        existing.represents.add(*model._default_manager.get(pk=row.pk).represents.all())
    row.refresh_from_db()  # the row as stored, pointing at the duplicate, for its history
    row._change_reason = note
    try:
        row.delete()
    except models.ProtectedError as exc:
        raise MergeError(
            f"{model._meta.verbose_name} “{row}” cannot be folded into the survivor's: "
            "other records cite it. Nothing was merged."
        ) from exc


def _equivalent(row, field_name):
    """The survivor's row that a unique constraint says is the same as `row`."""
    model = type(row)
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and field_name in constraint.fields:
            lookup = {name: getattr(row, name) for name in constraint.fields}
            match = model._default_manager.filter(**lookup).exclude(pk=row.pk).first()
            if match is not None:
                return match
    return None


def merge_actors(*, survivor: Actor, duplicate: Actor, user=None) -> MergeReport:
    """Merge a duplicate actor into another. The duplicate's name and aliases become the
    survivor's aliases, so articles naming either are still matched."""
    with transaction.atomic():
        names = [duplicate.name]
        report = merge_records(
            survivor=survivor,
            duplicate=duplicate,
            kind=MergedRecord.Kind.ACTOR,
            old_key=duplicate.slug,
            user=user,
        )
        for name in names:
            if name != survivor.name and not survivor.aliases.filter(text=name).exists():
                Alias.objects.create(actor=survivor, text=name)
    return report
