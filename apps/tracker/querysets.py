"""Read shapes of the curated record: each method names the page or endpoint it serves and carries
every select_related / prefetch_related that shape needs, so no template or serializer queries in
a loop."""

from django.db import models


class ActorQuerySet(models.QuerySet):
    pass


class AgreementQuerySet(models.QuerySet):
    pass


class StatementQuerySet(models.QuerySet):
    pass


class LegalChallengeQuerySet(models.QuerySet):
    pass


class EventQuerySet(models.QuerySet):
    def chronological(self):
        """Full tie-break so two runs render the same timeline and a cursor never skips a row."""
        return self.order_by("date", "date_precision", "sequence", "id")
