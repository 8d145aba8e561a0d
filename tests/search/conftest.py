"""A small record and news set that search tests share."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    EventFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
)


def published(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def corpus(db):
    """The IRS–ICE MOU, its people, a statement and four articles with known words."""
    irs = ActorFactory(name="Internal Revenue Service", slug="irs")
    AliasFactory(actor=irs, agreement=None, text="IRS", case_sensitive=True)
    noem = PersonFactory(name="Kristi Noem", slug="kristi-noem", description="Secretary.")
    mou = AgreementFactory(
        title="IRS–ICE data-sharing memorandum of understanding",
        slug="irs-ice-mou",
        summary="The IRS answers ICE requests for taxpayer addresses.",
    )
    other = AgreementFactory(title="Visa overstay rule", slug="visa-rule", summary="Visas.")
    PartyFactory(agreement=mou, actor=irs)
    EventFactory(agreement=mou, title="Memorandum signed", description="Signed by Noem.")
    statement = StatementFactory(
        position=PositionFactory(agreement=mou, actor=noem),
        speaker=noem,
        text="Taxpayer privacy is protected under the memorandum.",
    )
    itin = ArticleFactory(
        title="What the MOU means for ITIN filers",
        text="Workers who file with an ITIN fear deportation after the data sharing deal.",
        published_at=published(2025, 4, 9),
    )
    ArticleLinkFactory(article=itin, agreement=mou)
    body_only = ArticleFactory(
        title="Tax season roundup",
        text="Buried in paragraph nine: ITIN holders are worried.",
        published_at=published(2025, 3, 1),
    )
    lawsuit = ArticleFactory(
        title="Groups sue over taxpayer data",
        text="The lawsuit says data sharing with ICE breaks privacy law.",
        published_at=published(2025, 4, 20),
    )
    visas = ArticleFactory(
        title="Overstays fall",
        text="Visa overstays fell; nothing about taxpayers.",
        published_at=published(2025, 5, 2),
    )
    ArticleLinkFactory(article=visas, agreement=other)
    return {
        "irs": irs,
        "noem": noem,
        "mou": mou,
        "other": other,
        "statement": statement,
        "itin": itin,
        "body_only": body_only,
        "lawsuit": lawsuit,
        "visas": visas,
    }
