"""Reads: one search over the record and the news, and the ?search= of the lower apps' lists.

The work per query is bounded whatever the size of the data: each kind contributes at most
CANDIDATES matches (its newest), only those are ranked, counts stop at the cap ("1,000+"),
snippets are cut for the rows of the page only, and the whole search runs in one transaction
with its own work_mem and time limit.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import OperationalError
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.news.models import ArticleLink
from apps.tracker.models import Actor, Agreement, ChallengeParty, Event, Party, Statement

from .backends import START, STOP, NameQuery, backend, on_page, search_transaction
from .models import SearchDocument
from .query import ParsedQuery, QueryError, parse_query

logger = logging.getLogger(__name__)

Kind = SearchDocument.Kind
KINDS: tuple[str, ...] = tuple(Kind.values)
CANDIDATES = 1000
PER_PAGE = 20
PER_GROUP = 5  # hits shown per kind when no kind is chosen
MAX_PAGE = CANDIDATES // PER_PAGE
SINGULAR = {
    Kind.AGREEMENT: "Agreement",
    Kind.ACTOR: "Actor",
    Kind.CHALLENGE: "Legal challenge",
    Kind.EVENT: "Event",
    Kind.STATEMENT: "Statement",
    Kind.ARTICLE: "Article",
}
NAME_MATCHES = 3


@dataclass
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    date: datetime.date | None
    rank: float
    snippet: SafeString

    @property
    def label(self) -> str:
        return SINGULAR[self.kind]


@dataclass
class Group:
    kind: str
    label: str
    count: int
    capped: bool  # the count stopped at the cap: there are at least this many
    hits: list[Hit] = field(default_factory=list)

    @property
    def count_display(self) -> str:
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"


@dataclass
class SearchResults:
    query: str
    kind: str | None
    page: int
    per_page: int
    groups: list[Group]  # every kind, in a fixed order, with its count
    name_matches: list[Hit]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def hits(self) -> list[Hit]:
        return [hit for group in self.groups for hit in group.hits]

    @property
    def selected(self) -> Group | None:
        return next((g for g in self.groups if g.kind == self.kind), None)

    @property
    def has_next(self) -> bool:
        group = self.selected
        return bool(group) and self.page * self.per_page < group.count and self.page < MAX_PAGE


def search(
    *,
    query: str,
    kind: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    agreement: Agreement | None = None,
    actor: Actor | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Search every kind of record and article. With `kind`, that kind's hits page by page;
    without, the best PER_GROUP of each. Raises QueryError with a sentence for a query it
    refuses."""
    parsed = parse_query(query)
    if kind is not None and kind not in KINDS:
        raise QueryError(f"Choose a type among: {', '.join(KINDS)}.")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(
            f"Results stop at page {MAX_PAGE}: search ranks the {CANDIDATES:,} newest matches "
            "of each type. Add words or filters to narrow it down."
        )
    branches = {
        each: documents(
            kind=each, date_from=date_from, date_to=date_to, agreement=agreement, actor=actor
        )
        for each in KINDS
    }
    if kind:
        pages = {kind: ((page - 1) * per_page, per_page)}
    else:
        pages = dict.fromkeys(KINDS, (0, PER_GROUP))
    names = None
    if not agreement and not actor and page == 1 and _is_name_like(parsed):
        names = NameQuery(
            text=" ".join(parsed.words), kinds=(kind,) if kind else KINDS, limit=NAME_MATCHES
        )
    engine = backend()
    try:
        with search_transaction(engine):
            found = engine.find(
                parsed=parsed,
                branches=branches,
                cap=CANDIDATES,
                pages=pages,
                newest=date_to,
                names=names,
            )
    except OperationalError as error:  # the statement timeout, on a search of everything
        logger.warning("search for %r stopped: %s", parsed.text, error)
        raise QueryError(
            "This search took too long. Add words, a type or a date range to narrow it."
        ) from error

    candidates, rows = found.candidates, found.documents
    shown = [c for c in candidates if on_page(c, pages)]
    shown_ids = {c.document_id for c in shown}
    name_matches = [m for m in found.names if m.document_id not in shown_ids]

    def hit(document_id: int, rank: float) -> Hit:
        document = rows[document_id]
        return Hit(
            kind=document.kind,
            object_id=document.object_id,
            title=document.title,
            url=document.url,
            date=document.date,
            rank=rank,
            snippet=highlight(found.snippets.get(document_id, "")),
        )

    counts = {c.kind: c.found for c in candidates}
    groups = []
    for each in KINDS:
        group = Group(
            kind=each,
            label=Kind(each).label,
            count=counts.get(each, 0),
            capped=counts.get(each, 0) >= CANDIDATES,
        )
        ordered = sorted((c for c in shown if c.kind == each), key=lambda c: c.position)
        group.hits = [hit(c.document_id, c.rank) for c in ordered]
        groups.append(group)
    return SearchResults(
        query=parsed.text,
        kind=kind,
        page=page,
        per_page=per_page,
        groups=groups,
        name_matches=[hit(m.document_id, m.similarity) for m in name_matches],
    )


def documents(
    *,
    kind: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    agreement: Agreement | None = None,
    actor: Actor | None = None,
) -> QuerySet:
    """The search documents of one kind that the filters allow, before any text matching."""
    queryset = backend().within_dates(
        SearchDocument.objects.filter(kind=kind), date_from=date_from, date_to=date_to
    )
    if agreement is not None:
        queryset = queryset.filter(object_id__in=_related_to_agreement(kind, agreement))
    if actor is not None:
        queryset = queryset.filter(object_id__in=_related_to_actor(kind, actor))
    return queryset


def _related_to_agreement(kind: str, agreement: Agreement):
    """Ids of the records of `kind` that belong with an agreement: the agreement itself, its
    parties and stakeholders, the cases against it, its events and statements, the articles
    linked to it (a link a curator rejected does not count)."""
    if kind == Kind.AGREEMENT:
        return [agreement.pk]
    if kind == Kind.ACTOR:
        return Actor.objects.filter(
            Q(parties__agreement=agreement) | Q(positions__agreement=agreement)
        ).values("id")
    if kind == Kind.CHALLENGE:
        return agreement.challenges.values("id")
    if kind == Kind.EVENT:
        return Event.objects.filter(
            Q(agreement=agreement) | Q(challenge__agreements=agreement)
        ).values("id")
    if kind == Kind.STATEMENT:
        return Statement.objects.filter(position__agreement=agreement).values("id")
    return (
        ArticleLink.objects.filter(agreement=agreement)
        .exclude(status=ArticleLink.Status.REJECTED)
        .values("article_id")
    )


def _related_to_actor(kind: str, actor: Actor):
    """Ids of the records of `kind` that involve an actor: itself, the agreements it is a party
    to, the cases it is a party to, events naming it, what it said, articles linked to it."""
    if kind == Kind.ACTOR:
        return [actor.pk]
    if kind == Kind.AGREEMENT:
        return Party.objects.filter(actor=actor).values("agreement_id")
    if kind == Kind.CHALLENGE:
        return ChallengeParty.objects.filter(actor=actor).values("challenge_id")
    if kind == Kind.EVENT:
        return Event.objects.filter(actors=actor).values("id")
    if kind == Kind.STATEMENT:
        return Statement.objects.filter(Q(speaker=actor) | Q(position__actor=actor)).values("id")
    return (
        ArticleLink.objects.filter(actor=actor)
        .exclude(status=ArticleLink.Status.REJECTED)
        .values("article_id")
    )


def _is_name_like(parsed: ParsedQuery) -> bool:
    """A query that could be someone's name: one alternative, nothing excluded."""
    return len(parsed.alternatives) == 1 and all(
        not term.negated for term in parsed.alternatives[0].terms
    )


def highlight(snippet: str) -> SafeString:
    """The snippet escaped, its highlight markers turned into <mark> — the only markup in it."""
    text = escape(snippet)
    if text.count(START) != text.count(STOP):
        return mark_safe(text.replace(START, "").replace(STOP, ""))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


# --- ?search= on the lower apps' lists (registered with apps.tracker.text_search) -----------


def validate_list_search(text: str) -> str:
    """The query as a list filter reads it; a refused query is a ValueError with a sentence."""
    return parse_query(text).text


def filter_list_by_search(queryset: QuerySet, *, kind: str, text: str) -> QuerySet:
    """The rows of a list whose search documents match the query, in the list's own order."""
    engine = backend()
    matching = engine.matches(SearchDocument.objects.filter(kind=kind), text)
    return engine.narrow(queryset, matching.values("object_id"))
