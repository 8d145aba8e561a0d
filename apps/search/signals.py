"""Keeps search documents current on every save and delete of what they are built from.

Derived data, so a signal is the house-style place for it: no domain decision hangs on these
receivers. Writes that send no signal (`QuerySet.update()`, `bulk_create`) and touch searchable
text must call `services.index_records` or run `manage.py rebuild_search_index`; today none in
apps/news/ingest.py or the admin changes searchable text that way.
"""

from django.db.models.signals import post_delete, post_save

from apps.news.models import Article
from apps.tracker.models import Actor, Agreement, Alias, Event, LegalChallenge, Statement

from .models import SearchDocument
from .services import index_records, remove_records

Kind = SearchDocument.Kind

KIND_OF = {
    Agreement: Kind.AGREEMENT,
    Actor: Kind.ACTOR,
    LegalChallenge: Kind.CHALLENGE,
    Event: Kind.EVENT,
    Statement: Kind.STATEMENT,
    Article: Kind.ARTICLE,
}


def record_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the rebuild command indexes fixtures
        return
    index_records(kind=KIND_OF[sender], ids=[instance.pk])
    if sender is Actor:
        # A statement's document names its speaker.
        speaker_of = Statement.objects.filter(speaker=instance).values_list("pk", flat=True)
        index_records(kind=Kind.STATEMENT, ids=speaker_of)


def record_deleted(sender, instance, **kwargs):
    remove_records(kind=KIND_OF[sender], ids=[instance.pk])


def alias_changed(sender, instance, raw=False, **kwargs):
    """An alias is part of its record's document."""
    if raw:
        return
    for kind, pk in (
        (Kind.ACTOR, instance.actor_id),
        (Kind.AGREEMENT, instance.agreement_id),
        (Kind.CHALLENGE, instance.challenge_id),
    ):
        if pk:
            index_records(kind=kind, ids=[pk])


def connect() -> None:
    for model in KIND_OF:
        post_save.connect(record_saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(
            record_deleted, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    post_save.connect(alias_changed, sender=Alias, dispatch_uid="search-alias-save")
    post_delete.connect(alias_changed, sender=Alias, dispatch_uid="search-alias-delete")
