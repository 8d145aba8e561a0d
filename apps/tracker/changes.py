"""What changed: the record's newest entries in the order they were recorded — events (rulings
among them), statements and newly confirmed coverage — one list for the dashboard and the feeds.

The three kinds are merged in the database (UNION ALL of id and time, each side served by its own
"newest recorded" index), then the rows of one page are fetched by id, one query per kind, so a
page costs the same whatever the size of the record.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

PAGE_SIZE = 25


@dataclass
class Change:
    kind: str  # "event", "statement" or "coverage"
    recorded_at: datetime
    item: object


@dataclass
class ChangePage:
    changes: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _kinds(agreements: QuerySet | None):
    """The three sources as (kind, id, recorded time) querysets, restricted to the changes that
    concern the given agreements (their own, their lawsuits') when a filter is applied."""
    from apps.news.models import ArticleLink

    from .models import Event, LegalChallenge, Statement

    events = Event.objects.all()
    statements = Statement.objects.all()
    links = ArticleLink.objects.confirmed().filter(decided_at__isnull=False)
    if agreements is not None:
        chosen = agreements.values("pk")
        challenges = LegalChallenge.agreements.through.objects.filter(agreement__in=chosen)
        events = events.about_agreements(agreements)
        statements = statements.filter(position__agreement__in=chosen)
        links = links.filter(
            Q(agreement__in=chosen)
            | Exists(challenges.filter(legalchallenge=OuterRef("challenge")))
        )
    label = lambda kind: Cast(Value(kind), CharField())  # noqa: E731 - one expression, three uses
    return [
        events.annotate(change_kind=label("event"))
        .order_by()
        .values_list("change_kind", "pk", "created_at"),
        statements.annotate(change_kind=label("statement"))
        .order_by()
        .values_list("change_kind", "pk", "created_at"),
        links.annotate(change_kind=label("coverage"))
        .order_by()
        .values_list("change_kind", "pk", "decided_at"),
    ]


def recent_changes(*, agreements: QuerySet | None = None, page: int = 1, per_page=PAGE_SIZE):
    """One page of changes, newest recorded first. `agreements` (a filtered queryset) keeps only
    the changes about them; None keeps everything, including coverage of actors alone."""
    from apps.news.models import ArticleLink

    from .models import Event, Statement

    page = max(1, page)
    events, statements, links = _kinds(agreements)
    offset = (page - 1) * per_page
    # One row more than a page tells whether there is a next page without counting everything.
    rows = list(
        events.union(statements, links, all=True).order_by("-created_at", "-id", "change_kind")[
            offset : offset + per_page + 1
        ]
    )
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    wanted = {"event": [], "statement": [], "coverage": []}
    for kind, pk, _at in rows:
        wanted[kind].append(pk)
    found = {
        "event": Event.objects.select_related("agreement", "challenge").in_bulk(wanted["event"]),
        "statement": Statement.objects.select_related(
            "speaker", "position__agreement", "position__actor"
        ).in_bulk(wanted["statement"]),
        "coverage": ArticleLink.objects.select_related(
            "article__outlet", "agreement", "actor", "challenge"
        ).in_bulk(wanted["coverage"]),
    }
    changes = [
        Change(kind=kind, recorded_at=at, item=found[kind][pk])
        for kind, pk, at in rows
        if pk in found[kind]
    ]
    return ChangePage(changes=changes, number=page, has_next=has_next)
