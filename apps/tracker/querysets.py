"""Read shapes of the curated record: each method names the page or endpoint it serves and carries
every select_related / prefetch_related that shape needs, so no template or serializer queries in
a loop."""

import datetime

from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone


class ActorQuerySet(models.QuerySet):
    def for_detail_page(self):
        """An actor with everything its page lists: parent, aliases, affiliations, members, roles
        in agreements and cases, positions with their statements, statements it made, and the
        confirmed articles about it."""
        from apps.news.models import ArticleLink

        from .models import (
            Actor,
            Affiliation,
            ChallengeParty,
            LegalChallenge,
            Party,
            Position,
            Statement,
        )

        return self.select_related("parent").prefetch_related(
            "aliases",
            "children",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organization").order_by(
                    "-start_date", "id"
                ),
            ),
            Prefetch(
                "members",
                queryset=Affiliation.objects.select_related("person").order_by(
                    "person__name", "id"
                ),
            ),
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("agreement", "signed_by").order_by(
                    "agreement__title", "sequence", "id"
                ),
            ),
            Prefetch(
                "signatures",
                queryset=Party.objects.select_related("agreement", "actor").order_by(
                    "agreement__title", "id"
                ),
            ),
            Prefetch(
                "positions",
                queryset=Position.objects.select_related("agreement")
                .prefetch_related(
                    Prefetch("statements", queryset=Statement.objects.for_position_listing())
                )
                .order_by("agreement__title", "id"),
            ),
            Prefetch(
                "statements",
                queryset=Statement.objects.for_position_listing()
                .select_related("position__agreement", "position__actor")
                .order_by("-said_on", "id"),
                to_attr="statements_made",
            ),
            Prefetch(
                "challenge_roles",
                queryset=ChallengeParty.objects.select_related("challenge")
                .prefetch_related(Prefetch("represents", queryset=Actor.objects.order_by("name")))
                .order_by("challenge__caption", "id"),
            ),
            Prefetch(
                "cases", queryset=LegalChallenge.objects.order_by("-filed_on", "caption", "id")
            ),
            Prefetch(
                "article_links",
                queryset=ArticleLink.objects.confirmed().for_record_page(),
                to_attr="confirmed_links",
            ),
        )


# A record nobody has touched for this long is worth a curator's look: its status may be stale.
STALE_AFTER = datetime.timedelta(days=180)


class AgreementQuerySet(models.QuerySet):
    def stale(self, *, now=None):
        """Agreements not updated for STALE_AFTER (by the curator's desk and its filter)."""
        return self.filter(updated_at__lt=(now or timezone.now()) - STALE_AFTER)

    def with_latest_event(self):
        """Annotate the date, precision, title and id of each agreement's latest timeline entry
        (its own events and those of challenges against it), as correlated subqueries so a list
        of any length costs one query on SQLite and PostgreSQL alike."""
        from .models import Event

        latest = Event.objects.filter(
            Q(agreement=OuterRef("pk")) | Q(challenge__agreements=OuterRef("pk"))
        ).order_by("-date", "-date_precision", "-sequence", "-id")  # the timeline's last entry
        return self.annotate(
            latest_event_pk=Subquery(latest.values("pk")[:1]),
            latest_event_date=Subquery(latest.values("date")[:1]),
            latest_event_precision=Subquery(latest.values("date_precision")[:1]),
            latest_event_title=Subquery(latest.values("title")[:1]),
        )

    def for_home_page(self):
        """Every tracked agreement with its topics and latest event, most recently active first."""
        return (
            self.with_latest_event()
            .prefetch_related("topics")
            .order_by(models.F("latest_event_date").desc(nulls_last=True), "title", "id")
        )

    def for_topic_page(self, topic):
        return self.filter(topics=topic).for_home_page()

    def for_api_list(self):
        """Agreements as /api/v1/agreements/ lists them: latest event, topics, parties with their
        actors and signers. Order is left to the filterset (title by default)."""
        from .models import Party

        return (
            self.with_latest_event()
            .prefetch_related(
                "topics",
                Prefetch(
                    "parties",
                    queryset=Party.objects.select_related("actor", "signed_by").order_by(
                        "sequence", "id"
                    ),
                ),
            )
            .order_by("title", "id")
        )

    def for_api_detail(self):
        """One agreement as /api/v1/agreements/<slug>/ shows it: what its page shows, plus the
        latest event of the list shape."""
        return self.with_latest_event().for_detail_page()

    def for_detail_page(self):
        """An agreement with everything its page lists except the timeline (see
        EventQuerySet.timeline_of_agreement): topics, aliases, documents, parties and signers,
        stakeholders with their statements, challenges and confirmed articles."""
        from apps.news.models import ArticleLink

        from .models import LegalChallenge, Party, Position, Statement

        return self.prefetch_related(
            "topics",
            "aliases",
            "documents",
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("actor", "signed_by").order_by(
                    "sequence", "id"
                ),
            ),
            Prefetch(
                "positions",
                queryset=Position.objects.select_related("actor")
                .prefetch_related(
                    Prefetch("statements", queryset=Statement.objects.for_position_listing())
                )
                .order_by("actor__name", "id"),
            ),
            Prefetch(
                "challenges",
                queryset=LegalChallenge.objects.select_related("court").order_by(
                    "-filed_on", "caption", "id"
                ),
            ),
            Prefetch(
                "article_links",
                queryset=ArticleLink.objects.confirmed().for_record_page(),
                to_attr="confirmed_links",
            ),
        )


class StatementQuerySet(models.QuerySet):
    def for_position_listing(self):
        """Statements as a page lists them: speaker, source article and its outlet, in order."""
        return self.select_related("speaker", "source__outlet").order_by(
            "said_on", "sequence", "id"
        )


class LegalChallengeQuerySet(models.QuerySet):
    def for_detail_page(self):
        """A case with its court, parties by role, the agreements it challenges, aliases and the
        confirmed articles about it."""
        from apps.news.models import ArticleLink

        from .models import Actor, Agreement, ChallengeParty

        return self.select_related("court").prefetch_related(
            "aliases",
            Prefetch("agreements", queryset=Agreement.objects.order_by("title", "id")),
            Prefetch(
                "parties",
                queryset=ChallengeParty.objects.select_related("actor")
                .prefetch_related(Prefetch("represents", queryset=Actor.objects.order_by("name")))
                .order_by("role", "sequence", "id"),
            ),
            Prefetch(
                "article_links",
                queryset=ArticleLink.objects.confirmed().for_record_page(),
                to_attr="confirmed_links",
            ),
        )


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

    def timeline_of_challenge(self, challenge):
        """The case's own events, in order."""
        return self.filter(challenge=challenge).with_sources().chronological()

    def for_home_page(self, *, limit=10):
        """The latest events across every agreement and case, newest first: the timeline's
        order reversed, so this list and an agreement's latest event agree on ties."""
        return self.select_related("agreement", "challenge").order_by(
            "-date", "-date_precision", "-sequence", "-id"
        )[:limit]

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
