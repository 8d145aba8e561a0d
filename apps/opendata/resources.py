"""What the bulk dump holds: one resource per table of the public record, its columns, and the
rows the public API shows — nothing the API keeps from the public (suggested or rejected links,
who decided a link, feeds, fetch errors, fingerprints, history, users).

Rows are flat, keyed by id, with related records by id (`parent_id`, `source_id`), so a dump is
both a researcher's table and a restore: `load_dump` inserts them as they are. Derived fields
(an agreement's latest event) are left out; loading recomputes them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, Expression, F, OuterRef, QuerySet, When

from apps.news.models import Article, ArticleLink, ArticleURL, Outlet
from apps.tracker.models import (
    Actor,
    Affiliation,
    Agreement,
    AgreementDocument,
    Alias,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
)

STAMPS = ("created_at", "updated_at")


@dataclass(frozen=True)
class Resource:
    name: str
    model: type
    columns: tuple[str, ...]
    # The public rows; None: every row of the table.
    public: Callable[[], QuerySet] | None = None
    # Columns computed rather than read as stored.
    computed: dict[str, Callable[[], Expression]] = field(default_factory=dict)

    def queryset(self) -> QuerySet:
        rows = self.public() if self.public else self.model._default_manager.all()
        return rows.order_by("pk")

    def rows(self, *, chunk_size: int):
        """The public rows as dicts in column order, oldest id first, streamed."""
        plain = [c for c in self.columns if c not in self.computed]
        aliased = {f"dump__{c}": make() for c, make in self.computed.items()}
        values = self.queryset().values(*plain, **aliased)
        for row in values.iterator(chunk_size=chunk_size):
            yield {c: row[f"dump__{c}"] if c in self.computed else row[c] for c in self.columns}


def public_articles() -> QuerySet:
    """The articles /api/v1/articles/ serves, without its prefetches."""
    return Article.objects.for_api_list(user=None).prefetch_related(None)


def public_links() -> QuerySet:
    # Confirmed links (what the public sees) of articles the dump holds.
    return ArticleLink.objects.for_api(user=None).filter(article__in=public_articles().values("pk"))


def public_original() -> Expression:
    """A copy's original, when the original is public itself; else none, so that every id in the
    dump names a row of the dump."""
    original_is_public = Exists(public_articles().filter(pk=OuterRef("near_duplicate_of_id")))
    return Case(When(original_is_public, then=F("near_duplicate_of_id")), default=None)


def _through(model, *columns):
    return model.through, ("id", *columns)


RESOURCES = [
    Resource("topics", Topic, ("id", "name", "slug", "description", *STAMPS)),
    Resource(
        "actors",
        Actor,
        (
            "id",
            "kind",
            "name",
            "slug",
            "description",
            "parent_id",
            "wikidata_qid",
            "website",
            *STAMPS,
        ),
    ),
    Resource(
        "affiliations",
        Affiliation,
        ("id", "person_id", "organization_id", "role", "start_date", "end_date", *STAMPS),
    ),
    Resource("outlets", Outlet, ("id", "name", "slug", "homepage", "domain", *STAMPS)),
    Resource(
        "articles",
        Article,
        (
            "id",
            "url",
            "canonical_url",
            "title",
            "byline",
            "outlet_id",
            "published_at",
            "language",
            "text",
            "fetch_status",
            "entry_method",
            "fetched_at",
            "near_duplicate_of_id",
            *STAMPS,
        ),
        public=public_articles,
        computed={"near_duplicate_of_id": public_original},
    ),
    Resource(
        "article-urls",
        ArticleURL,
        ("id", "article_id", "url", "first_seen_at"),
        public=lambda: ArticleURL.objects.filter(article__in=public_articles().values("pk")),
    ),
    Resource(
        "agreements",
        Agreement,
        (
            "id",
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "announced_on",
            "signed_on",
            "effective_on",
            "expires_on",
            *STAMPS,
        ),
    ),
    Resource("agreement-topics", *_through(Agreement.topics, "agreement_id", "topic_id")),
    Resource(
        "agreement-documents",
        AgreementDocument,
        ("id", "agreement_id", "title", "url", "published_on", *STAMPS),
    ),
    Resource(
        "parties",
        Party,
        (
            "id",
            "agreement_id",
            "actor_id",
            "role",
            "signed_by_id",
            "signed_on",
            "sequence",
            *STAMPS,
        ),
    ),
    Resource(
        "challenges",
        LegalChallenge,
        (
            "id",
            "caption",
            "slug",
            "court_id",
            "docket_number",
            "docket_url",
            "filed_on",
            "status",
            "summary",
            *STAMPS,
        ),
    ),
    Resource(
        "challenge-agreements",
        *_through(LegalChallenge.agreements, "legalchallenge_id", "agreement_id"),
    ),
    Resource(
        "challenge-parties",
        ChallengeParty,
        ("id", "challenge_id", "actor_id", "role", "sequence", *STAMPS),
    ),
    Resource(
        "challenge-party-represents",
        *_through(ChallengeParty.represents, "challengeparty_id", "actor_id"),
    ),
    Resource(
        "aliases",
        Alias,
        ("id", "text", "case_sensitive", "actor_id", "agreement_id", "challenge_id", *STAMPS),
    ),
    Resource(
        "positions", Position, ("id", "actor_id", "agreement_id", "stance", "summary", *STAMPS)
    ),
    Resource(
        "statements",
        Statement,
        (
            "id",
            "position_id",
            "speaker_id",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source_id",
            "source_url",
            "sequence",
            *STAMPS,
        ),
    ),
    Resource(
        "events",
        Event,
        (
            "id",
            "date",
            "date_precision",
            "kind",
            "title",
            "description",
            "agreement_id",
            "challenge_id",
            "sequence",
            *STAMPS,
        ),
    ),
    Resource("event-actors", *_through(Event.actors, "event_id", "actor_id")),
    Resource("event-sources", *_through(Event.sources, "event_id", "article_id")),
    Resource(
        "article-links",
        ArticleLink,
        (
            "id",
            "article_id",
            "agreement_id",
            "actor_id",
            "challenge_id",
            "status",
            "matched_terms",
            "snippet",
            "decided_at",
            *STAMPS,
        ),
        public=public_links,
    ),
]
