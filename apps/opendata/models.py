"""Tombstones: what was deleted from the public record and when, for clients that sync."""

from django.db import models
from django.utils import timezone


class Deletion(models.Model):
    """One public record that was deleted: the resource it was listed under in the API, the id
    or slug a client knows it by, and when. Written by apps/opendata/signals.py."""

    class Resource(models.TextChoices):
        AGREEMENTS = "agreements", "Agreements"
        ACTORS = "actors", "Actors"
        CHALLENGES = "challenges", "Legal challenges"
        EVENTS = "events", "Events"
        STATEMENTS = "statements", "Statements"
        POSITIONS = "positions", "Positions"
        TOPICS = "topics", "Topics"
        OUTLETS = "outlets", "Outlets"
        ARTICLES = "articles", "Articles"
        LINKS = "links", "Article links"

    resource = models.CharField(max_length=20, choices=Resource.choices)
    record_id = models.BigIntegerField()
    slug = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deleted_at", "id"]
        indexes = [
            # The changes feed: oldest first from `since`, keyset on (deleted_at, id).
            models.Index(fields=["deleted_at", "id"], name="deletion_since"),
            models.Index(fields=["resource", "deleted_at", "id"], name="deletion_resource_since"),
        ]

    def __str__(self):
        return f"{self.resource} {self.slug or self.record_id} deleted {self.deleted_at:%Y-%m-%d}"
