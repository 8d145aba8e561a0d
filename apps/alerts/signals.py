"""Hooks on the record and the news that write an outbox row for each published change.

The lower apps never import alerts, so this app listens: each receiver only appends a `Change`
row, inside the transaction that saved the record (admin and services save in one), so a change
and its outbox row commit or roll back together and a broker outage loses nothing. What is sent,
and to whom, is decided later by the sweep (outbox.dispatch_pending_changes) from the record as
published then.
"""

from django.db.models.signals import post_save, pre_save

from apps.news.models import ArticleLink
from apps.news.signals import links_decided
from apps.tracker.models import Agreement, Event, LegalChallenge, Statement

from .models import ChangeType
from .outbox import record_change, record_changes

# An agreement's own fields that its followers are told about when they change.
AGREEMENT_FIELDS = (
    "title",
    "kind",
    "status",
    "summary",
    "announced_on",
    "signed_on",
    "effective_on",
    "expires_on",
)
_STORED = "_alerts_stored_values"


def _remember_stored(fields):
    def receiver(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        # One query per save (not per load): what the row holds before this save writes it.
        stored = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
        setattr(instance, _STORED, stored)

    return receiver


def _event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record_change(type=ChangeType.EVENT_CREATED, object_id=instance.pk)


def _statement_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record_change(type=ChangeType.STATEMENT_CREATED, object_id=instance.pk)


def _challenge_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record_change(type=ChangeType.CHALLENGE_CREATED, object_id=instance.pk)
        return
    stored = getattr(instance, _STORED, None)
    if raw or created or not stored or stored["status"] == instance.status:
        return
    record_change(
        type=ChangeType.CHALLENGE_STATUS_CHANGED,
        object_id=instance.pk,
        detail={"previous_status": stored["status"], "status": instance.status},
    )


def _agreement_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        # Dispatched at the next sweep, by when its parties and topics are usually set too.
        record_change(type=ChangeType.AGREEMENT_CREATED, object_id=instance.pk)
        return
    stored = getattr(instance, _STORED, None)
    if raw or created or not stored:
        return
    changed = [name for name in AGREEMENT_FIELDS if stored[name] != getattr(instance, name)]
    if changed:
        record_change(
            type=ChangeType.AGREEMENT_UPDATED, object_id=instance.pk, detail={"fields": changed}
        )


def _link_saved(sender, instance, created, raw=False, **kwargs):
    if raw or instance.status != ArticleLink.Status.CONFIRMED:
        return
    stored = getattr(instance, _STORED, None)
    if created or (stored and stored["status"] != ArticleLink.Status.CONFIRMED):
        record_change(type=ChangeType.ARTICLE_LINKED, object_id=instance.pk)


def _links_decided(sender, links, status, **kwargs):
    if status == ArticleLink.Status.CONFIRMED:
        record_changes(type=ChangeType.ARTICLE_LINKED, object_ids=[link.pk for link in links])


def connect() -> None:
    """Connect every receiver; called once, from AlertsConfig.ready()."""
    uid = "alerts-outbox"
    post_save.connect(_event_saved, sender=Event, dispatch_uid=uid)
    post_save.connect(_statement_saved, sender=Statement, dispatch_uid=uid)
    pre_save.connect(
        _remember_stored(["status"]), sender=LegalChallenge, dispatch_uid=uid, weak=False
    )
    post_save.connect(_challenge_saved, sender=LegalChallenge, dispatch_uid=uid)
    pre_save.connect(
        _remember_stored(AGREEMENT_FIELDS), sender=Agreement, dispatch_uid=uid, weak=False
    )
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid=uid)
    pre_save.connect(_remember_stored(["status"]), sender=ArticleLink, dispatch_uid=uid, weak=False)
    post_save.connect(_link_saved, sender=ArticleLink, dispatch_uid=uid)
    links_decided.connect(_links_decided, sender=ArticleLink, dispatch_uid=uid)
