"""A small public record with something of everything, and things the public must not see."""

import datetime

import pytest

from apps.news.models import Article, ArticleLink
from tests.factories import (
    AffiliationFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    ChallengePartyFactory,
    EventFactory,
    FeedFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    StatementFactory,
    TopicFactory,
)


@pytest.fixture
def dump_dir(tmp_path, settings):
    settings.DUMP_DIR = tmp_path / "dumps"
    return settings.DUMP_DIR


@pytest.fixture
def record(db, curator):
    return build_record(curator=curator)


def build_record(*, curator) -> dict:
    """Every public resource, plus a suggested and a rejected link, a pending article that
    nothing cites, and a copy whose original is such an article."""
    statement = StatementFactory(text='=HYPERLINK("http://evil.example")')
    agreement = statement.position.agreement
    agreement.topics.add(TopicFactory())
    PartyFactory(agreement=agreement, signed_by=PersonFactory())
    AliasFactory(actor=None, agreement=agreement, text="IRS–ICE MOU")
    AffiliationFactory()
    case = LegalChallengeFactory()
    case.agreements.add(agreement)
    ChallengePartyFactory(challenge=case)
    event = EventFactory(agreement=agreement, sources=[statement.source])
    event.actors.add(statement.speaker)
    ArticleURLFactory(article=statement.source, url="https://news.example/amp/1")
    confirmed = ArticleLinkFactory(
        article=statement.source,
        agreement=agreement,
        status=ArticleLink.Status.CONFIRMED,
        decided_by=curator,
        decided_at=datetime.datetime(2025, 4, 9, tzinfo=datetime.UTC),
    )
    pending = ArticleFactory(
        feed=FeedFactory(),
        fetch_status=Article.FetchStatus.PENDING,
        fetch_error="connect to 10.0.0.7 refused",
        title="pending",
    )
    ArticleURLFactory(article=pending, url="https://news.example/pending?utm=1")
    copy = ArticleFactory(near_duplicate_of=pending, title="@copy")
    suggested = ArticleLinkFactory(article=copy, agreement=agreement)
    rejected = ArticleLinkFactory(
        article=copy, agreement=None, actor=statement.speaker, status=ArticleLink.Status.REJECTED
    )
    return {
        "agreement": agreement,
        "statement": statement,
        "confirmed": confirmed,
        "pending": pending,
        "copy": copy,
        "suggested": suggested,
        "rejected": rejected,
    }
