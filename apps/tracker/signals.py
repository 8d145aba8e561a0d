"""Keeps each record's `updated_at` in step with the rows its API shows, for ?updated_since=.

An agreement's detail and timeline show its parties, positions and statements, documents,
aliases, events, topics, the legal challenges against it (with their events and parties) and the
articles a curator decided are about it. None of those live in the agreement's own row, so saving
one of them does not move `Agreement.updated_at` by itself. The receivers below do, and likewise
for a legal challenge (its events, parties and aliases), an actor (its aliases and affiliations)
and an article (its links and the URLs it was seen under).

House style keeps signals for derived data only: this is such a case, `updated_at` being derived
from the rows under a record, and no domain decision hangs on it. A write that sends no signal
(`bulk_update`, `QuerySet.update()`) calls `touch_records` itself, as the link decisions in
apps/news/services.py and the folding of articles in apps/news/ingest.py do.

The same receivers keep the other derived field of an agreement, its latest event, by calling
the one service that computes it (services.refresh_latest_events) whenever an event or the set of
cases against an agreement changes. A bulk load that bypasses save() runs
`manage.py refresh_derived` afterwards.

Nothing here runs when rows are loaded: a row's previous owner is read back from the database in
pre_save, and only when the save may move it.

Each write costs at most one UPDATE per model it touches, through `QuerySet.update()`: no save(),
so no history record, no auto_now cascade and no recursion.
"""

import functools
import operator
from collections.abc import Iterable

from django.db.models import Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from apps.news.models import Article, ArticleLink, ArticleURL

from .models import (
    Actor,
    Affiliation,
    Agreement,
    AgreementDocument,
    Alias,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
)
from .services import refresh_latest_events


def touch_records(
    *,
    agreements: Q | None = None,
    challenges: Q | None = None,
    actors: Q | None = None,
    articles: Q | None = None,
) -> None:
    """Set `updated_at` to now on the records each condition selects: one UPDATE per model."""
    now = timezone.now()
    for model, condition in (
        (Agreement, agreements),
        (LegalChallenge, challenges),
        (Actor, actors),
        (Article, articles),
    ):
        if condition is not None:
            model._default_manager.filter(condition).update(updated_at=now)


def _ids(values: Iterable) -> set:
    return {value for value in values if value is not None}


def _pk_in(ids: set) -> Q | None:
    return Q(pk__in=ids) if ids else None


def _any(*conditions: Q | None) -> Q | None:
    present = [condition for condition in conditions if condition is not None]
    return functools.reduce(operator.or_, present) if present else None


# --- Rows with foreign keys to the records they belong to -------------------------------------

# The keys (and, for links, the status) that decide which records a row belongs to. Before an
# update, their stored values are read back (one indexed query, only when one of them may have
# changed), so a row moved to another agreement touches both. Nothing runs when rows are loaded:
# a page that reads 100,000 rows pays nothing for this.
_TRACKED_FIELDS = {
    Party: ("agreement_id",),
    Position: ("agreement_id",),
    AgreementDocument: ("agreement_id",),
    Statement: ("position_id",),
    Alias: ("actor_id", "agreement_id", "challenge_id"),
    Event: ("agreement_id", "challenge_id"),
    ChallengeParty: ("challenge_id",),
    Affiliation: ("person_id", "organization_id"),
    ArticleLink: ("article_id", "agreement_id", "actor_id", "challenge_id", "status"),
    ArticleURL: ("article_id",),
}
_STORED = "_touch_stored_values"


def _remember_stored_values(sender, instance, raw=False, update_fields=None, **kwargs):
    fields = _TRACKED_FIELDS[sender]
    stored = {}
    if not raw and not instance._state.adding and instance.pk is not None:
        may_change = update_fields is None or any(
            name in update_fields or name.removesuffix("_id") in update_fields for name in fields
        )
        if may_change:
            stored = sender._base_manager.filter(pk=instance.pk).values(*fields).first() or {}
    setattr(instance, _STORED, stored)


def _values(instance: Model, name: str) -> set:
    """The field's value now and as stored before this save: two values when the row moved."""
    return _ids((getattr(instance, name), getattr(instance, _STORED, {}).get(name)))


def _agreements_challenged_by(challenge_ids) -> Q | None:
    # A subquery on the pairs rather than a join, so "pk IN (...) OR this" stays two index scans.
    if not challenge_ids:
        return None
    pairs = LegalChallenge.agreements.through.objects.filter(legalchallenge__in=challenge_ids)
    return Q(pk__in=pairs.values("agreement_id"))


def _changes_of_agreement_row(row) -> dict:
    return {"agreements": _pk_in(_values(row, "agreement_id"))}


def _changes_of_statement(statement) -> dict:
    positions = Position.objects.filter(pk__in=_values(statement, "position_id"))
    return {"agreements": Q(pk__in=positions.values("agreement_id"))}


def _changes_of_alias(alias) -> dict:
    return {
        "actors": _pk_in(_values(alias, "actor_id")),
        "agreements": _pk_in(_values(alias, "agreement_id")),
        "challenges": _pk_in(_values(alias, "challenge_id")),
    }


def _changes_of_events(*, agreements: set, challenges: set) -> dict:
    # An event of a case is on the timeline of every agreement the case challenges.
    return {
        "agreements": _any(_pk_in(agreements), _agreements_challenged_by(challenges)),
        "challenges": _pk_in(challenges),
    }


def _changes_of_event(event) -> dict:
    return _changes_of_events(
        agreements=_values(event, "agreement_id"), challenges=_values(event, "challenge_id")
    )


def _changes_of_challenge_party(party) -> dict:
    challenges = _values(party, "challenge_id")
    return {"challenges": _pk_in(challenges), "agreements": _agreements_challenged_by(challenges)}


def _changes_of_affiliation(affiliation) -> dict:
    people = _values(affiliation, "person_id") | _values(affiliation, "organization_id")
    return {"actors": _pk_in(people)}


def _changes_of_article_link(link) -> dict:
    changes = {"articles": _pk_in(_values(link, "article_id"))}
    # Ingestion suggests links by the hundred; only a curator's decision (or undoing one) changes
    # what the agreement, actor or challenge shows. Touching them on every suggestion would also
    # make the alias matcher, stamped by their updated_at, rebuild after every article.
    if _values(link, "status") != {ArticleLink.Status.SUGGESTED}:
        changes |= {
            "agreements": _pk_in(_values(link, "agreement_id")),
            "actors": _pk_in(_values(link, "actor_id")),
            "challenges": _pk_in(_values(link, "challenge_id")),
        }
    return changes


def _changes_of_article_url(seen_url) -> dict:
    return {"articles": _pk_in(_values(seen_url, "article_id"))}


_CHANGES = {
    Party: _changes_of_agreement_row,
    Position: _changes_of_agreement_row,
    AgreementDocument: _changes_of_agreement_row,
    Statement: _changes_of_statement,
    Alias: _changes_of_alias,
    Event: _changes_of_event,
    ChallengeParty: _changes_of_challenge_party,
    Affiliation: _changes_of_affiliation,
    ArticleLink: _changes_of_article_link,
    ArticleURL: _changes_of_article_url,
}


def _row_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return  # loaddata: the fixture carries its own timestamps
    changes = _CHANGES[sender](instance)
    touch_records(**changes)
    if sender is Event:
        refresh_latest_events(agreements=changes["agreements"])
    # The row now belongs where it is: a later save of the same instance compares afresh.
    setattr(instance, _STORED, {})


def _row_deleted(sender, instance, **kwargs):
    changes = _CHANGES[sender](instance)
    touch_records(**changes)
    if sender is Event:
        refresh_latest_events(agreements=changes["agreements"])


def touch_records_of_links(*, links: Iterable[ArticleLink]) -> None:
    """What saving these decided links one by one would touch, for a bulk write (which sends
    no signals)."""
    links = list(links)
    touch_records(
        articles=_pk_in(_ids(link.article_id for link in links)),
        agreements=_pk_in(_ids(link.agreement_id for link in links)),
        actors=_pk_in(_ids(link.actor_id for link in links)),
        challenges=_pk_in(_ids(link.challenge_id for link in links)),
    )


# --- The records themselves --------------------------------------------------------------------


def _challenge_saved(sender, instance, created, raw=False, **kwargs):
    # A new case challenges nothing yet: its agreements are added afterwards (m2m_changed).
    if not raw and not created:
        touch_records(agreements=_agreements_challenged_by([instance.pk]))


def _challenge_deleting(sender, instance, **kwargs):
    # Before the delete: afterwards the rows saying which agreements it challenged are gone.
    touch_records(agreements=_agreements_challenged_by([instance.pk]))


def _agreement_deleting(sender, instance, **kwargs):
    touch_records(challenges=Q(agreements=instance.pk))


# --- Many-to-many relations --------------------------------------------------------------------


def _m2m_sides(field, instance, action: str, reverse: bool, pk_set) -> tuple[Q, Q] | None:
    """Conditions on the model declaring the relation and on the related model that select the
    rows whose sets change; None when none do (add() of rows already there...)."""
    if action == "pre_clear":
        # Clearing sends no ids: the rows about to lose their pairs are those paired now.
        if reverse:
            return Q(**{field.name: instance.pk}), Q(pk=instance.pk)
        return Q(pk=instance.pk), Q(**{field.related_query_name(): instance.pk})
    if action not in ("post_add", "post_remove") or not pk_set:
        return None
    if reverse:
        return Q(pk__in=pk_set), Q(pk=instance.pk)
    return Q(pk=instance.pk), Q(pk__in=pk_set)


def _topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    sides = _m2m_sides(Agreement.topics.field, instance, action, reverse, pk_set)
    if sides:
        touch_records(agreements=sides[0])


_CLEARED = "_latest_event_agreements_cleared"


def _challenged_agreements_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # A case's events are on the timeline of every agreement it challenges, so pairing or
    # unpairing them can change those agreements' latest events.
    if action == "post_clear":
        refresh_latest_events(agreements=Q(pk__in=getattr(instance, _CLEARED, ())))
        return
    sides = _m2m_sides(LegalChallenge.agreements.field, instance, action, reverse, pk_set)
    if not sides:
        return
    touch_records(challenges=sides[0], agreements=sides[1])
    if action == "pre_clear":
        # Once cleared, the pairs no longer say which agreements to recompute.
        setattr(
            instance,
            _CLEARED,
            list(Agreement.objects.filter(sides[1]).values_list("pk", flat=True)),
        )
        return
    refresh_latest_events(agreements=sides[1])


def _event_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    field = Event.sources.field if sender is Event.sources.through else Event.actors.field
    sides = _m2m_sides(field, instance, action, reverse, pk_set)
    if not sides:
        return
    if not reverse:
        touch_records(**_changes_of_event(instance))
        return
    # article.events.add(event) and the like: the events are named by id, or by the relation.
    owners = list(Event.objects.filter(sides[0]).values_list("agreement_id", "challenge_id"))
    touch_records(
        **_changes_of_events(
            agreements=_ids(agreement for agreement, _ in owners),
            challenges=_ids(challenge for _, challenge in owners),
        )
    )


def connect() -> None:
    """Connect every receiver; called once, from TrackerConfig.ready()."""
    for model in _CHANGES:
        uid = f"touch-records:{model._meta.label}"
        pre_save.connect(_remember_stored_values, sender=model, dispatch_uid=uid)
        post_save.connect(_row_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_row_deleted, sender=model, dispatch_uid=uid)
    post_save.connect(_challenge_saved, sender=LegalChallenge, dispatch_uid="touch-records")
    pre_delete.connect(_challenge_deleting, sender=LegalChallenge, dispatch_uid="touch-records")
    pre_delete.connect(_agreement_deleting, sender=Agreement, dispatch_uid="touch-records")
    m2m_changed.connect(
        _topics_changed, sender=Agreement.topics.through, dispatch_uid="touch-records"
    )
    m2m_changed.connect(
        _challenged_agreements_changed,
        sender=LegalChallenge.agreements.through,
        dispatch_uid="touch-records",
    )
    for through in (Event.sources.through, Event.actors.through):
        m2m_changed.connect(_event_relations_changed, sender=through, dispatch_uid="touch-records")
