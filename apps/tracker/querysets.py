"""Read shapes of the curated record: each method names the page or endpoint it serves and carries
every select_related / prefetch_related that shape needs, so no template or serializer queries in
a loop."""

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q


class ActorQuerySet(models.QuerySet):
    def for_detail_page(self):
        """An actor with everything its page lists: parent, aliases, affiliations, members, roles
        in agreements and cases, positions with their statements, statements it made, and the
        confirmed articles about it."""
        from apps.news.models import ArticleLink

        from .models import Affiliation, ChallengeParty, LegalChallenge, Party, Position, Statement

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
                queryset=ChallengeParty.objects.select_related("challenge", "represents").order_by(
                    "challenge__caption", "id"
                ),
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


class AgreementQuerySet(models.QuerySet):
    def for_home_page(self):
        """Tracked agreements with their topics, most recently active first. The latest event is
        read from the agreement's own row (kept by apps/tracker/services.py), so a page of this
        list reads no events and the order is served by the agreement_latest_activity index."""
        return self.prefetch_related("topics").order_by(
            models.F("latest_event_date").desc(nulls_last=True), "title", "id"
        )

    def for_topic_page(self, topic):
        return self.filter(topics=topic).for_home_page()

    def for_api_list(self):
        """Agreements as /api/v1/agreements/ lists them: topics, parties with their actors and
        signers (the latest event is on the row). Order is left to the filterset (title by
        default)."""
        from .models import Party

        return self.prefetch_related(
            "topics",
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("actor", "signed_by").order_by(
                    "sequence", "id"
                ),
            ),
        ).order_by("title", "id")

    def for_api_detail(self):
        """One agreement as /api/v1/agreements/<slug>/ shows it: what its page shows, plus the
        latest event of the list shape."""
        return self.for_detail_page()

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

        from .models import Agreement, ChallengeParty

        return self.select_related("court").prefetch_related(
            "aliases",
            Prefetch("agreements", queryset=Agreement.objects.order_by("title", "id")),
            Prefetch(
                "parties",
                queryset=ChallengeParty.objects.select_related("actor", "represents").order_by(
                    "role", "sequence", "id"
                ),
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

    def recent_rulings(self, *, limit=5):
        """The latest rulings in any legal challenge, newest first, with their cases."""
        return (
            self.filter(kind="ruling", challenge__isnull=False)
            .select_related("challenge__court")
            .order_by("-date", "-id")[:limit]
        )

    def about_agreements(self, agreements):
        """Events on these agreements' timelines: their own and those of the lawsuits against
        them (`agreements` is a queryset, used as a subquery)."""
        from .models import LegalChallenge

        chosen = agreements.values("pk")
        challenges = LegalChallenge.agreements.through.objects.filter(agreement__in=chosen)
        return self.filter(
            Q(agreement__in=chosen)
            | Exists(challenges.filter(legalchallenge=OuterRef("challenge")))
        )

    def recorded_recently(self, *, limit=50):
        """Events newest-recorded first, as the Atom feeds list them."""
        return self.select_related("agreement", "challenge").order_by("-created_at", "-id")[:limit]

    def timeline_of_agreement(self, agreement):
        """The agreement's own events and those of the legal challenges against it, in order."""
        from .models import Event

        # The two halves as a UNION of ids, each served by its own timeline index, rather than
        # `agreement = X OR challenge IN (...)`, which no index serves (a scan of every event).
        # UNION also drops an event that is on both halves, so none is repeated.
        own = Event.objects.filter(agreement=agreement).order_by().values("pk")
        of_challenges = (
            Event.objects.filter(challenge__agreements=agreement).order_by().values("pk")
        )
        return self.filter(pk__in=own.union(of_challenges)).with_sources().chronological()
