"""The article page shows the article's summary: for the demo's seed article it is where the
provenance is stated (a placeholder URL, a reconstructed headline)."""

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_its_summary_escaped(client):
    article = ArticleFactory(
        summary="Seed article: the URL is a placeholder. <script>alert(1)</script>"
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert (
        '<div class="lede"><p>Seed article: the URL is a placeholder. '
        "&lt;script&gt;alert(1)&lt;/script&gt;</p></div>" in html
    )
