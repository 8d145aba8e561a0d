"""Read shapes of the curated record: each method names the page or endpoint it serves and carries
every select_related / prefetch_related that shape needs, so no template or serializer queries in
a loop."""

import datetime

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from apps.news.querysets import ARTICLE_HEAVY_FIELDS

# Long collections inside one record's page or API detail are capped, so no response grows
# without bound; each capped collection comes with its full count and a link to the rest.
TIMELINE_CAP = 50
POSITIONS_CAP = 50
STATEMENTS_PER_POSITION_CAP = 5
COVERAGE_CAP = 20
RELATED_CAP = 100  # parties, challenges, members, roles: short in practice, bounded anyway


def count_of(queryset, field: str):
    """The number of rows of `queryset` whose `field` is the outer row: a correlated COUNT
    served by the index on that foreign key, without joining and grouping the outer query."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def first_of_each(queryset, *, per: str, limit: int):
    """The first `limit` rows of each `per` in the queryset's order, for a prefetch: the
    ROW_NUMBER() that Django's sliced prefetches use, but without the slice, so the rows can
    still fill the related manager (`record.parties.all()`) and not only a to_attr list."""
    ranked = queryset.annotate(
        row_in_group=Window(RowNumber(), partition_by=F(per), order_by=queryset.query.order_by)
    )
    return ranked.filter(row_in_group__lte=limit)


def confirmed_coverage(field: str):
    """A record's confirmed articles as its page and API detail list them, newest first and
    capped (the full list is the articles endpoint filtered by the record)."""
    from apps.news.models import ArticleLink

    return Prefetch(
        "article_links",
        queryset=first_of_each(
            ArticleLink.objects.confirmed().for_record_page(), per=field, limit=COVERAGE_CAP
        ),
        to_attr="confirmed_links",
    )


def confirmed_coverage_count(field: str):
    from apps.news.models import ArticleLink

    return count_of(ArticleLink.objects.confirmed(), field)


def represented_parties():
    """The parties a counsel row represents, by name, for a prefetch on ChallengeParty."""
    from .models import Actor

    return Prefetch("represents", queryset=Actor.objects.order_by("name", "id"))


def positions_with_first_statements(queryset):
    """Positions with their statement count and first statements. The sources are fetched by
    id afterwards rather than joined: joined, every statement of a position would be matched
    with its article before the first few are picked."""
    from apps.news.models import Article

    from .models import Statement

    first_statements = first_of_each(
        Statement.objects.select_related("speaker")
        .prefetch_related(
            Prefetch(
                "source",
                queryset=Article.objects.select_related("outlet").defer(*ARTICLE_HEAVY_FIELDS),
            )
        )
        .order_by("said_on", "sequence", "id"),
        per="position",
        limit=STATEMENTS_PER_POSITION_CAP,
    )
    return queryset.annotate(
        statements_count=count_of(Statement.objects, "position")
    ).prefetch_related(Prefetch("statements", queryset=first_statements))


class ActorQuerySet(models.QuerySet):
    def for_detail_page(self):
        """An actor with everything its page lists, each long list capped and counted: parent,
        aliases, affiliations, members, roles in agreements and cases, positions with their
        statements, how many statements it made for others (listed by
        `Statement.objects.spoken_for_others_by`), and the confirmed articles about it."""
        from .models import (
            Actor,
            Affiliation,
            ChallengeParty,
            LegalChallenge,
            Party,
            Position,
            Statement,
        )

        def capped(name, queryset, per, limit=RELATED_CAP):
            return Prefetch(name, queryset=first_of_each(queryset, per=per, limit=limit))

        spoken_for_others = Statement.objects.exclude(position__actor=F("speaker"))
        positions = positions_with_first_statements(Position.objects.select_related("agreement"))
        return (
            self.select_related("parent")
            .annotate(
                children_count=count_of(Actor.objects, "parent"),
                affiliations_count=count_of(Affiliation.objects, "person"),
                members_count=count_of(Affiliation.objects, "organization"),
                parties_count=count_of(Party.objects, "actor"),
                signatures_count=count_of(Party.objects, "signed_by"),
                positions_count=count_of(Position.objects, "actor"),
                spoken_for_others_count=count_of(spoken_for_others, "speaker"),
                challenge_roles_count=count_of(ChallengeParty.objects, "actor"),
                cases_count=count_of(LegalChallenge.objects, "court"),
                coverage_count=confirmed_coverage_count("actor"),
            )
            .prefetch_related(
                "aliases",
                capped("children", Actor.objects.order_by("name", "id"), "parent"),
                capped(
                    "affiliations",
                    Affiliation.objects.select_related("organization").order_by(
                        "-start_date", "id"
                    ),
                    "person",
                ),
                capped(
                    "members",
                    Affiliation.objects.select_related("person").order_by("person__name", "id"),
                    "organization",
                ),
                capped(
                    "parties",
                    Party.objects.select_related("agreement", "signed_by").order_by(
                        "agreement__title", "sequence", "id"
                    ),
                    "actor",
                ),
                capped(
                    "signatures",
                    Party.objects.select_related("agreement", "actor").order_by(
                        "agreement__title", "id"
                    ),
                    "signed_by",
                ),
                capped(
                    "positions",
                    positions.order_by("agreement__title", "id"),
                    "actor",
                    POSITIONS_CAP,
                ),
                capped(
                    "challenge_roles",
                    ChallengeParty.objects.select_related("challenge")
                    .prefetch_related(represented_parties())
                    .order_by("challenge__caption", "id"),
                    "actor",
                ),
                capped(
                    "cases", LegalChallenge.objects.order_by("-filed_on", "caption", "id"), "court"
                ),
                confirmed_coverage("actor"),
            )
        )

    def for_api(self):
        """Actors as /api/v1/actors/ serves them: parent and aliases; name order by default."""
        return self.select_related("parent").prefetch_related("aliases").order_by("name", "id")


# A record nobody has touched for this long is worth a curator's look: its status may be stale.
STALE_AFTER = datetime.timedelta(days=180)


class AgreementQuerySet(models.QuerySet):
    def stale(self, *, now=None):
        """Agreements not updated for STALE_AFTER (by the curator's desk and its filter)."""
        return self.filter(updated_at__lt=(now or timezone.now()) - STALE_AFTER)

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
        EventQuerySet.timeline_of_agreement), each long list capped and counted: topics,
        aliases, documents, parties and signers, stakeholders with their statements, challenges
        and confirmed articles."""
        from .models import LegalChallenge, Party, Position

        parties = Party.objects.select_related("actor", "signed_by").order_by("sequence", "id")
        positions = positions_with_first_statements(
            Position.objects.select_related("actor")
        ).order_by("actor__name", "id")
        return self.annotate(
            positions_count=count_of(Position.objects, "agreement"),
            challenges_count=count_of(LegalChallenge.objects, "agreements"),
            coverage_count=confirmed_coverage_count("agreement"),
        ).prefetch_related(
            "topics",
            "aliases",
            "documents",
            Prefetch(
                "parties", queryset=first_of_each(parties, per="agreement", limit=RELATED_CAP)
            ),
            Prefetch(
                "positions",
                queryset=first_of_each(positions, per="agreement", limit=POSITIONS_CAP),
            ),
            # Cases against one agreement are few; counted, not capped (a many-to-many).
            Prefetch(
                "challenges",
                queryset=LegalChallenge.objects.select_related("court").order_by(
                    "-filed_on", "caption", "id"
                ),
            ),
            confirmed_coverage("agreement"),
        )


class StatementQuerySet(models.QuerySet):
    def for_api(self):
        """Statements as /api/v1/statements/ serves them: speaker, the position's stakeholder
        and agreement, the source article and its outlet. The keyset paginator orders them."""
        return self.select_related(
            "speaker", "position__actor", "position__agreement", "source__outlet"
        )

    def spoken_for_others_by(self, actor, *, limit=POSITIONS_CAP):
        """The latest statements `actor` made for another stakeholder's position, newest first.
        A plain LIMIT query, read backwards along the speaker's date index until `limit` rows
        pass the filter; a sliced prefetch would join every statement of a busy speaker to its
        article before numbering them. Sources are fetched by id afterwards, for the same reason."""
        from apps.news.models import Article

        return (
            self.filter(speaker=actor)
            .exclude(position__actor=actor)
            .select_related("speaker", "position__agreement", "position__actor")
            .prefetch_related(
                Prefetch(
                    "source",
                    queryset=Article.objects.select_related("outlet").defer(*ARTICLE_HEAVY_FIELDS),
                )
            )
            .order_by("-said_on", "-id")[:limit]
        )

    def for_permalink_page(self):
        """One statement on its own page: speaker, source and outlet, the position it backs
        with its stakeholder and agreement."""
        return self.select_related(
            "speaker", "source__outlet", "position__actor", "position__agreement"
        ).defer(*(f"source__{name}" for name in ARTICLE_HEAVY_FIELDS))

    def for_position_listing(self):
        """Statements as a page lists them: speaker, source article and its outlet, in order."""
        return (
            self.select_related("speaker", "source__outlet")
            .defer(*(f"source__{name}" for name in ARTICLE_HEAVY_FIELDS))
            .order_by("said_on", "sequence", "id")
        )


class PositionQuerySet(models.QuerySet):
    def for_api(self):
        """Positions as /api/v1/positions/ serves them: stakeholder and agreement."""
        return self.select_related("actor", "agreement").order_by("agreement_id", "stance", "id")


class LegalChallengeQuerySet(models.QuerySet):
    def for_api(self):
        """Cases as /api/v1/challenges/ serves them: court, agreements challenged, parties with
        their roles, aliases; newest filing first."""
        from .models import Agreement, ChallengeParty

        return (
            self.select_related("court")
            .prefetch_related(
                "aliases",
                Prefetch("agreements", queryset=Agreement.objects.order_by("title", "id")),
                Prefetch(
                    "parties",
                    queryset=ChallengeParty.objects.select_related("actor")
                    .prefetch_related(represented_parties())
                    .order_by("role", "sequence", "id"),
                ),
            )
            .order_by(models.F("filed_on").desc(nulls_last=True), "caption", "id")
        )

    def for_detail_page(self):
        """A case with its court, parties by role, the agreements it challenges, aliases and the
        confirmed articles about it."""
        from .models import Agreement, ChallengeParty

        parties = (
            ChallengeParty.objects.select_related("actor")
            .prefetch_related(represented_parties())
            .order_by("role", "sequence", "id")
        )
        return (
            self.select_related("court")
            .annotate(coverage_count=confirmed_coverage_count("challenge"))
            .prefetch_related(
                "aliases",
                Prefetch("agreements", queryset=Agreement.objects.order_by("title", "id")),
                Prefetch(
                    "parties", queryset=first_of_each(parties, per="challenge", limit=RELATED_CAP)
                ),
                confirmed_coverage("challenge"),
            )
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
                queryset=Article.objects.select_related("outlet")
                .defer(*ARTICLE_HEAVY_FIELDS)
                .order_by("published_at", "id"),
            )
        )

    def for_api(self):
        """Events as /api/v1/events/ serves them: agreement, challenge, actors, sources with
        their outlets. The keyset paginator orders them (newest first)."""
        return self.with_sources().prefetch_related("actors")

    def timeline_of_challenge(self, challenge):
        """The case's own events, in order."""
        return self.filter(challenge=challenge).with_sources().chronological()

    def before(self, event):
        """The events that come before `event` in timeline order (`chronological`): how many
        there are tells which page of a paged timeline shows it. The nested comparison is the
        row comparison (date, date_precision, sequence, id) < (…), which both backends read as
        one range of the timeline indexes."""
        keys = (
            ("date", event.date),
            ("date_precision", event.date_precision),
            ("sequence", event.sequence),
            ("id", event.pk),
        )
        condition = Q(**{f"{keys[-1][0]}__lt": keys[-1][1]})
        for name, value in reversed(keys[:-1]):
            condition = Q(**{f"{name}__lt": value}) | (Q(**{name: value}) & condition)
        return self.filter(condition)

    def for_permalink_page(self):
        """One event on its own page: its record, the agreements its case challenges, its
        sources and the actors it involves."""
        from .models import Agreement

        return self.with_sources().prefetch_related(
            "actors",
            Prefetch("challenge__agreements", queryset=Agreement.objects.order_by("title", "id")),
        )

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
        from .models import LegalChallenge

        # The cases are read first (a few ids, by index), so the condition on events is
        # `agreement = X OR challenge IN (literal ids)`: two index scans combined, each half
        # estimated from its own statistics. An OR across a join to the cases, or an IN over a
        # subquery, is planned as a walk over every event.
        pairs = LegalChallenge.agreements.through.objects.filter(agreement=agreement)
        challenge_ids = list(pairs.values_list("legalchallenge_id", flat=True))
        condition = Q(agreement=agreement)
        if challenge_ids:
            condition |= Q(challenge__in=challenge_ids)
        return self.filter(condition).with_sources().chronological()
