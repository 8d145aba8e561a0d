"""A skewed record inserted in bulk (no save() per row), for the PostgreSQL plan and size tests:
many small agreements and one that carries a long timeline, many stakeholders and statements and
a lot of coverage, as real data does."""

import datetime
import random
from dataclasses import dataclass

from apps.news.models import Article, ArticleLink, Outlet
from apps.tracker.models import Actor, Agreement, Event, LegalChallenge, Position, Statement
from apps.tracker.services import refresh_derived

START = datetime.date(2020, 1, 1)
TEXT = (
    "The memorandum lets the agency share taxpayer addresses with immigration enforcement, "
    "and advocates say it breaks the confidentiality the tax code promises. "
)


@dataclass
class BulkRecord:
    largest: Agreement
    typical: Agreement
    busiest_actor: Actor
    challenge: LegalChallenge


def seed_skewed_record(
    *,
    agreements: int = 2000,
    actors: int = 500,
    big: int = 1500,
    articles_per_agreement: int = 10,
    seed: int = 7,
) -> BulkRecord:
    """`agreements` agreements with a few events each; one of them (`largest`) with `big`
    events, positions, statements and confirmed articles, and a case against it with `big`
    events of its own. Every derived field is then computed as refresh_derived does."""
    rng = random.Random(seed)
    outlet = Outlet.objects.create(name="The Ledger", slug="the-ledger", domain="ledger.example")
    actor_rows = Actor.objects.bulk_create(
        Actor(kind=Actor.Kind.ORGANIZATION, name=f"Actor {n:05}", slug=f"actor-{n}")
        for n in range(actors)
    )
    agreement_rows = Agreement.objects.bulk_create(
        Agreement(
            title=f"Agreement {n:05}",
            slug=f"agreement-{n}",
            kind=Agreement.Kind.MOU,
            summary=TEXT,
        )
        for n in range(agreements)
    )
    largest, typical = agreement_rows[0], agreement_rows[1]
    articles = Article.objects.bulk_create(
        Article(
            canonical_url=f"https://ledger.example/{n}",
            url=f"https://ledger.example/{n}",
            outlet=outlet,
            title=f"Report {n} on agreement {n % agreements}",
            text=TEXT * 4,
            published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(hours=n),
            fetch_status=Article.FetchStatus.FETCHED,
        )
        for n in range(agreements * articles_per_agreement + big)
    )
    challenge = LegalChallenge.objects.create(caption="Advocates v. Agency", slug="advocates-v")
    challenge.agreements.add(largest)

    events = []
    for agreement in agreement_rows:
        count = big if agreement is largest else rng.randint(1, 6)
        events += [
            Event(
                agreement=agreement,
                date=START + datetime.timedelta(days=rng.randint(0, 2000)),
                kind=Event.Kind.REPORTED,
                title=f"Event {n} of {agreement.title}",
                description=TEXT,
            )
            for n in range(count)
        ]
    events += [
        Event(
            challenge=challenge,
            date=START + datetime.timedelta(days=rng.randint(0, 2000)),
            kind=Event.Kind.RULING,
            title=f"Ruling {n}",
        )
        for n in range(big)
    ]
    events = Event.objects.bulk_create(events)
    Event.sources.through.objects.bulk_create(
        Event.sources.through(event_id=event.pk, article_id=rng.choice(articles).pk)
        for event in events
    )

    busiest = actor_rows[0]
    positions = Position.objects.bulk_create(
        Position(actor=actor, agreement=largest, stance=Position.Stance.OPPOSES)
        for actor in actor_rows
    ) + Position.objects.bulk_create(
        Position(actor=busiest, agreement=agreement, stance=Position.Stance.SUPPORTS)
        for agreement in agreement_rows[1:]
    )
    Statement.objects.bulk_create(
        Statement(
            position=positions[n % len(positions)] if n % 3 else positions[0],
            speaker=busiest if n % 2 else rng.choice(actor_rows),
            text=TEXT,
            said_on=START + datetime.timedelta(days=n % 2000),
            source=rng.choice(articles),
        )
        for n in range(big * 4)
    )
    ArticleLink.objects.bulk_create(
        [
            *(
                ArticleLink(article=article, agreement=largest, status="confirmed")
                for article in articles[:big]
            ),
            *(
                ArticleLink(article=article, actor=busiest, status="confirmed")
                for article in articles[:big]
            ),
            *(
                ArticleLink(article=article, agreement=agreement_rows[n % agreements])
                for n, article in enumerate(articles[big : big + agreements * 2])
            ),
        ]
    )
    refresh_derived()
    return BulkRecord(largest=largest, typical=typical, busiest_actor=busiest, challenge=challenge)
