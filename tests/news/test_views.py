"""The news pages: one article with what it is linked to, and an outlet's articles."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.news.models import ArticleLink
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    EventFactory,
    LegalChallengeFactory,
    OutletFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def article():
    return ArticleFactory(
        title="IRS agrees to share data with ICE",
        byline="Jane Doe",
        canonical_url="https://ledger.example/irs-ice",
        outlet__name="The Ledger",
        published_at=datetime.datetime(2025, 4, 8, 14, 0, tzinfo=datetime.UTC),
        text="First paragraph.\n\nSecond paragraph.",
    )


def test_article_page_shows_text_in_paragraphs_with_outlet_date_byline_and_original(
    client, article
):
    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h1>IRS agrees to share data with ICE</h1>" in html
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second paragraph.</p>" in html
    assert f'href="{article.outlet.get_absolute_url()}">The Ledger<' in html
    assert '<time datetime="2025-04-08">8 April 2025</time>' in html
    assert "By Jane Doe" in html
    assert 'href="https://ledger.example/irs-ice"' in html


def test_article_page_lists_confirmed_records_only(client, article):
    agreement = AgreementFactory(title="IRS–ICE data-sharing MOU")
    actor = ActorFactory(name="Immigration and Customs Enforcement")
    challenge = LegalChallengeFactory(caption="Centro v. Bessent")
    ArticleLinkFactory(article=article, agreement=agreement, status=ArticleLink.Status.CONFIRMED)
    ArticleLinkFactory(
        article=article, agreement=None, actor=actor, status=ArticleLink.Status.SUGGESTED
    )
    ArticleLinkFactory(
        article=article, agreement=None, challenge=challenge, status=ArticleLink.Status.REJECTED
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{agreement.get_absolute_url()}">IRS–ICE data-sharing MOU<' in html
    assert "Immigration and Customs Enforcement" not in html
    assert "Centro v. Bessent" not in html


def test_article_page_shows_what_cites_it(client, article):
    event = EventFactory(title="Bessent and Noem sign the MOU", sources=[article])
    statement = StatementFactory(source=article, text="This is unprecedented.")

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{event.get_absolute_url()}">Bessent and Noem sign the MOU<' in html
    assert "This is unprecedented." in html
    assert f'href="/statements/{statement.pk}/"' in html


def test_article_page_shows_its_original_and_its_copies(client, article):
    copy = ArticleFactory(title="Syndicated: IRS and ICE", near_duplicate_of=article)

    original_html = client.get(article.get_absolute_url()).content.decode()
    copy_html = client.get(copy.get_absolute_url()).content.decode()

    assert f'href="{copy.get_absolute_url()}"' in original_html
    assert "Syndicated: IRS and ICE" in original_html
    assert "Syndicated copy of" in copy_html
    assert f'href="{article.get_absolute_url()}"' in copy_html


def test_article_page_escapes_hostile_title_and_text(client):
    hostile = ArticleFactory(
        title="<script>alert('t')</script>Title",
        byline="<img src=x onerror=alert(1)>",
        text="<script>alert('x')</script>\n\n<b>bold</b>",
    )

    html = client.get(hostile.get_absolute_url()).content.decode()

    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;Title" in html
    assert "<p>&lt;b&gt;bold&lt;/b&gt;</p>" in html


def test_article_page_is_404_for_an_unknown_article(client):
    assert client.get("/news/articles/999999/").status_code == 404


def test_outlet_page_paginates_articles_newest_first(client):
    outlet = OutletFactory(name="The Ledger", slug="the-ledger")
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for day in range(30):
        ArticleFactory(
            outlet=outlet, title=f"Story {day:02d}", published_at=start + datetime.timedelta(day)
        )
    ArticleFactory(title="Another outlet's story")

    first = client.get("/news/outlets/the-ledger/").content.decode()
    second = client.get("/news/outlets/the-ledger/?page=2").content.decode()

    assert first.index("Story 29") < first.index("Story 05")
    assert "Story 04" not in first
    assert "Page 1 of 2" in first
    assert "Story 04" in second and "Story 00" in second
    assert "Story 05" not in second
    assert "Another outlet" not in first + second


def test_outlet_page_query_count_does_not_grow_with_articles(client):
    small = OutletFactory()
    ArticleFactory.create_batch(2, outlet=small)
    large = OutletFactory()
    ArticleFactory.create_batch(40, outlet=large)

    assert _count_queries(client, small.get_absolute_url()) == _count_queries(
        client, large.get_absolute_url()
    )


def test_outlet_page_is_404_for_an_unknown_slug(client):
    assert client.get("/news/outlets/nowhere/").status_code == 404


def test_article_page_query_count_does_not_grow_with_links_and_citations(client):
    def cited_article(n):
        article = ArticleFactory()
        for _ in range(n):
            ArticleLinkFactory(article=article, status=ArticleLink.Status.CONFIRMED)
            ArticleLinkFactory(
                article=article,
                agreement=None,
                actor=ActorFactory(),
                status=ArticleLink.Status.CONFIRMED,
            )
            EventFactory(sources=[article])
            StatementFactory(source=article)
            ArticleFactory(near_duplicate_of=article)
        return article

    few = _count_queries(client, cited_article(2).get_absolute_url())
    many = _count_queries(client, cited_article(20).get_absolute_url())

    assert few == many
