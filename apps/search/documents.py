"""What each kind of record puts into its search document: display fields and weighted text.

Weights follow the page: A is what a result is called (a title, a name, a caption), B the other
names it goes by (aliases, docket numbers, who said it), C its summary or description, D long
body text (an article's text). One builder per kind reads its sources in one or two queries per
batch, and the same builders feed PostgreSQL and SQLite.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from apps.news.models import Article
from apps.tracker.models import Actor, Agreement, Alias, Event, LegalChallenge, Statement

from .models import SearchDocument

Kind = SearchDocument.Kind

# An article's body beyond this is left out of its vector: PostgreSQL keeps word positions only
# up to 16,383 and a tsvector under 1 MB, and the first pages say what an article is about.
MAX_BODY_CHARS = 100_000
# A statement's result line quotes at most this many characters of it, an ellipsis included.
TITLE_QUOTE_CHARS = 120


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    title: str
    url: str
    date: object = None
    names: str = ""
    a: str = ""
    b: str = ""
    c: str = ""
    d: str = ""


def _aliases():
    return Prefetch("aliases", queryset=Alias.objects.order_by("id"))


def _alias_text(record) -> str:
    return " ".join(alias.text for alias in record.aliases.all())


def _quote(text: str) -> str:
    if len(text) <= TITLE_QUOTE_CHARS:
        return text
    return text[: TITLE_QUOTE_CHARS - 1] + "…"


def _names(*parts: str) -> str:
    return " | ".join(part for part in parts if part)


def agreement_documents(ids) -> Iterator[Document]:
    for agreement in Agreement.objects.filter(pk__in=ids).prefetch_related(_aliases()):
        aliases = _alias_text(agreement)
        yield Document(
            kind=Kind.AGREEMENT,
            object_id=agreement.pk,
            title=agreement.title,
            url=agreement.get_absolute_url(),
            date=agreement.announced_on or agreement.signed_on or agreement.effective_on,
            names=_names(agreement.title, aliases),
            a=agreement.title,
            b=aliases,
            c=agreement.summary,
        )


def actor_documents(ids) -> Iterator[Document]:
    for actor in Actor.objects.filter(pk__in=ids).prefetch_related(_aliases()):
        aliases = _alias_text(actor)
        yield Document(
            kind=Kind.ACTOR,
            object_id=actor.pk,
            title=actor.name,
            url=actor.get_absolute_url(),
            names=_names(actor.name, aliases),
            a=actor.name,
            b=aliases,
            c=actor.description,
        )


def challenge_documents(ids) -> Iterator[Document]:
    challenges = (
        LegalChallenge.objects.filter(pk__in=ids)
        .select_related("court")
        .prefetch_related(_aliases())
    )
    for challenge in challenges:
        aliases = _alias_text(challenge)
        yield Document(
            kind=Kind.CHALLENGE,
            object_id=challenge.pk,
            title=challenge.caption,
            url=challenge.get_absolute_url(),
            date=challenge.filed_on,
            names=_names(challenge.caption, challenge.docket_number, aliases),
            a=challenge.caption,
            b=" ".join(filter(None, [challenge.docket_number, aliases])),
            c=" ".join(filter(None, [challenge.summary, challenge.court and challenge.court.name])),
        )


def event_documents(ids) -> Iterator[Document]:
    for event in Event.objects.filter(pk__in=ids):
        yield Document(
            kind=Kind.EVENT,
            object_id=event.pk,
            title=event.title,
            url=event.get_absolute_url(),
            date=event.date,
            a=event.title,
            c=event.description,
        )


def statement_documents(ids) -> Iterator[Document]:
    statements = Statement.objects.filter(pk__in=ids).select_related("speaker")
    for statement in statements:
        speaker = statement.speaker_label or statement.speaker.name
        yield Document(
            kind=Kind.STATEMENT,
            object_id=statement.pk,
            title=f"{speaker}: “{_quote(statement.text)}”",
            url=statement.get_absolute_url(),
            date=statement.said_on,
            b=" ".join(filter(None, [statement.speaker.name, statement.speaker_label])),
            c=statement.text,
            d=statement.venue,
        )


def article_documents(ids) -> Iterator[Document]:
    articles = Article.objects.with_content().filter(pk__in=ids).select_related("outlet")
    for article in articles.only(
        "id", "title", "summary", "byline", "text", "published_at", "created_at", "outlet__name"
    ):
        published = article.published_at or article.created_at
        yield Document(
            kind=Kind.ARTICLE,
            object_id=article.pk,
            title=article.title or "(untitled article)",
            url=article.get_absolute_url(),
            date=published.date() if published else None,
            a=article.title,
            b=article.summary,
            c=" ".join(filter(None, [article.byline, article.outlet and article.outlet.name])),
            d=article.text[:MAX_BODY_CHARS],
        )


BUILDERS: dict[str, Callable[[Iterable[int]], Iterator[Document]]] = {
    Kind.AGREEMENT: agreement_documents,
    Kind.ACTOR: actor_documents,
    Kind.CHALLENGE: challenge_documents,
    Kind.EVENT: event_documents,
    Kind.STATEMENT: statement_documents,
    Kind.ARTICLE: article_documents,
}

# The source of every kind, and the text its result snippet is cut from.
SOURCES: dict[str, tuple[type, str]] = {
    Kind.AGREEMENT: (Agreement, "summary"),
    Kind.ACTOR: (Actor, "description"),
    Kind.CHALLENGE: (LegalChallenge, "summary"),
    Kind.EVENT: (Event, "description"),
    Kind.STATEMENT: (Statement, "text"),
    Kind.ARTICLE: (Article, "text"),
}


def source_queryset(kind: str) -> QuerySet:
    model, _ = SOURCES[kind]
    if kind == Kind.ARTICLE:
        return model._default_manager.with_content()
    return model._default_manager.all()
