"""A tombstone (Deletion) for every public record deleted, however it was deleted: admin, the
API, a cascade, a shell. A syncing client reads them from /api/v1/changes/.

House style keeps signals for derived data: the tombstone is such data (a log derived from the
deletes), no domain decision hangs on it, and the receivers are all here. The tombstone is
written in the deleting transaction, so a rolled-back delete leaves none.
"""

from django.db.models.signals import post_delete

from apps.news.models import Article, ArticleLink, Outlet
from apps.tracker.models import (
    Actor,
    Agreement,
    Event,
    LegalChallenge,
    Position,
    Statement,
    Topic,
)

from .models import Deletion

# Each public model, the API resource it is listed under, and whether it is named by slug.
TRACKED = {
    Agreement: (Deletion.Resource.AGREEMENTS, True),
    Actor: (Deletion.Resource.ACTORS, True),
    LegalChallenge: (Deletion.Resource.CHALLENGES, True),
    Event: (Deletion.Resource.EVENTS, False),
    Statement: (Deletion.Resource.STATEMENTS, False),
    Position: (Deletion.Resource.POSITIONS, False),
    Topic: (Deletion.Resource.TOPICS, True),
    Outlet: (Deletion.Resource.OUTLETS, True),
    Article: (Deletion.Resource.ARTICLES, False),
    ArticleLink: (Deletion.Resource.LINKS, False),
}


def record_deletion(sender, instance, using, **kwargs):
    # Suggested and rejected links were never public: their deletion is not news to anyone.
    if sender is ArticleLink and instance.status != ArticleLink.Status.CONFIRMED:
        return
    resource, by_slug = TRACKED[sender]
    Deletion.objects.using(using).create(
        resource=resource,
        record_id=instance.pk,
        slug=instance.slug if by_slug else "",
    )


def connect() -> None:
    for model in TRACKED:
        post_delete.connect(
            record_deletion, sender=model, dispatch_uid=f"opendata-deletion-{model.__name__}"
        )
