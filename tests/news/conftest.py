"""Fixtures of the news tests: a tracked record to match against and a local news site."""

import datetime

import pytest
from werkzeug import Response

from apps.tracker.models import Actor, Party
from tests.factories import ActorFactory, AgreementFactory, AliasFactory, PartyFactory
from tests.news.local_site import (
    BODY_BUDGET,
    BODY_MOU,
    BODY_WEATHER,
    article_page,
    rss_feed,
)

UTC = datetime.UTC


@pytest.fixture
def tracked_record():
    """The IRS–ICE MOU as a curator would have set it up: parties with acronym aliases."""
    treasury = ActorFactory(name="Department of the Treasury", slug="treasury", kind="department")
    irs = ActorFactory(name="Internal Revenue Service", slug="irs", parent=treasury)
    dhs = ActorFactory(
        name="Department of Homeland Security", slug="dhs", kind=Actor.Kind.DEPARTMENT
    )
    ice = ActorFactory(name="Immigration and Customs Enforcement", slug="ice", parent=dhs)
    public_citizen = ActorFactory(
        name="Public Citizen", slug="public-citizen", kind=Actor.Kind.ORGANIZATION
    )
    AliasFactory(actor=irs, text="IRS", case_sensitive=True)
    AliasFactory(actor=ice, text="ICE", case_sensitive=True)
    AliasFactory(actor=dhs, text="DHS", case_sensitive=True)
    AliasFactory(actor=treasury, text="Treasury")
    agreement = AgreementFactory(
        title="IRS–ICE data-sharing memorandum of understanding", slug="irs-ice-mou"
    )
    AliasFactory(actor=None, agreement=agreement, text="IRS–ICE MOU")
    PartyFactory(agreement=agreement, actor=irs, role=Party.Role.PROVIDING)
    PartyFactory(agreement=agreement, actor=ice, role=Party.Role.REQUESTING)
    PartyFactory(agreement=agreement, actor=treasury, role=Party.Role.SIGNATORY)
    PartyFactory(agreement=agreement, actor=dhs, role=Party.Role.SIGNATORY)
    return {
        "agreement": agreement,
        "irs": irs,
        "ice": ice,
        "public_citizen": public_citizen,
    }


@pytest.fixture
def news_site(allow_local_server):
    server = allow_local_server
    base = f"http://127.0.0.1:{server.port}"
    when = datetime.datetime(2025, 4, 8, 14, 0, tzinfo=UTC)
    feed = rss_feed(
        base=base,
        items=[
            ("IRS to help ICE", "/2025/04/08/irs-ice-deal?utm_source=rss&utm_medium=feed", when),
            ("IRS to help ICE (social)", "/2025/04/08/irs-ice-deal?fbclid=IwAR0abc", when),
            ("Ice storm", "/2025/04/09/ice-storm", when + datetime.timedelta(days=1)),
            ("Budget hearings", "/2025/04/10/budget-hearings", when + datetime.timedelta(days=2)),
            ("Gone", "/2025/04/11/missing", when + datetime.timedelta(days=3)),
        ],
    )
    server.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml; charset=utf-8"
    )
    pages = {
        "/2025/04/08/irs-ice-deal": article_page(
            headline="IRS agrees to help ICE find immigrants ordered deported",
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
            modified="2025-04-12T09:30:00+00:00",
        ),
        "/2025/04/09/ice-storm": article_page(
            headline="Ice storm knocks out power across the plains",
            paragraphs=BODY_WEATHER,
            published="2025-04-09T08:00:00+00:00",
        ),
        "/2025/04/10/budget-hearings": article_page(
            headline="Agencies make their case at budget hearings",
            paragraphs=BODY_BUDGET,
            published="2025-04-10T08:00:00+00:00",
        ),
        # The same wire story at another outlet, a day later, with its own headline and an
        # extra paragraph.
        "/wire/irs-ice-copy": article_page(
            headline="Tax agency will share data with immigration enforcers",
            paragraphs=[*BODY_MOU, "This story was first published by the Capitol Ledger."],
            published="2025-04-09T10:00:00+00:00",
            site="Wire Daily",
        ),
    }
    for path, html in pages.items():
        server.expect_request(path).respond_with_data(html, content_type="text/html")
    server.expect_request("/2025/04/11/missing").respond_with_response(
        Response("not here", status=404)
    )
    return base
