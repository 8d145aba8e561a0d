"""Read shapes of the curated record: each method names the page or endpoint it serves and carries
every select_related / prefetch_related that shape needs, so no template or serializer queries in
a loop."""

from django.db import models
from django.db.models import Prefetch, Q


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

    def with_sources(self):
        """Each event with its sources (and their outlets), its agreement and its challenge."""
        from apps.news.models import Article

        return self.select_related("agreement", "challenge").prefetch_related(
            Prefetch(
                "sources",
                queryset=Article.objects.select_related("outlet").order_by("published_at", "id"),
            )
        )

    def timeline_of_agreement(self, agreement):
        """The agreement's own events and those of the legal challenges against it, in order."""
        from .models import LegalChallenge

        # A subquery rather than a join, so an event of a challenge to two agreements is not
        # repeated and no DISTINCT over text columns is needed.
        challenges = LegalChallenge.objects.filter(agreements=agreement).values("pk")
        return (
            self.filter(Q(agreement=agreement) | Q(challenge__in=challenges))
            .with_sources()
            .chronological()
        )
