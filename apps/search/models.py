"""One search document per searchable record or article: what search reads, kept by services.py.

The lower apps' models stay untouched: a document names its source by kind and id, carries the
few fields a result line shows (so a results page reads one table), and on PostgreSQL a stored,
weighted tsvector with a GIN index per kind. On SQLite the text lives in an FTS5 table instead
(see migrations and backends.py).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreements"
        ACTOR = "actor", "Actors"
        CHALLENGE = "challenge", "Legal challenges"
        EVENT = "event", "Events"
        STATEMENT = "statement", "Statements"
        ARTICLE = "article", "Articles"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField(help_text="Primary key of the record in its own table.")
    title = models.CharField(max_length=500)
    names = models.TextField(
        blank=True, help_text="The record's name and aliases, for typo-tolerant name search."
    )
    date = models.DateField(null=True, blank=True)
    url = models.CharField(max_length=2000)
    # A column of type tsvector; SQLite accepts the declaration and leaves it empty.
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                name="searchdocument_unique_source",
                violation_error_message="This record already has a search document.",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"


class NameWord(models.Model):
    """Every word that occurs in a document's names, once (PostgreSQL only; kept by the
    backend's writes and refreshed by a full rebuild).

    A misspelt name is corrected word by word against this short list, through its trigram
    index, and the names are then looked up by the corrected words. Comparing the whole query
    with every name by trigrams instead cost 70–400 ms at 260,000 names: a short or common
    word ("Noam", "policy") shares a trigram with thousands of them, and each one's similarity
    had to be computed."""

    word = models.TextField(primary_key=True)

    def __str__(self):
        return self.word
