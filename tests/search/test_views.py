"""The /search/ page and the search box in every page's header."""

import pytest
from django.urls import reverse

from apps.search.selectors import PER_PAGE
from tests.factories import ArticleFactory

URL = reverse("search:page")


def test_the_header_of_every_page_has_the_search_box(client, corpus):
    for path in ("/", "/agreements/irs-ice-mou/", URL):
        html = client.get(path).content.decode()
        assert f'action="{URL}"' in html
        assert 'role="search"' in html


def test_results_are_grouped_by_type_with_counts_and_link_to_each_type(client, corpus):
    response = client.get(URL, {"q": "memorandum"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="group-agreement"' in html
    assert 'id="group-event"' in html
    assert 'id="group-article"' not in html
    assert "IRS–ICE data-sharing memorandum of understanding" in html
    assert "?q=memorandum&amp;type=statement" in html


def test_the_query_stays_in_the_box_and_in_the_page_links(client, corpus):
    html = client.get(URL, {"q": "ITIN OR taxpayer", "type": "article"}).content.decode()
    assert 'value="ITIN OR taxpayer"' in html
    assert 'aria-current="page">Articles' in html


def test_pagination_keeps_the_query_and_filters(client, db):
    for n in range(PER_PAGE + 1):
        ArticleFactory(title=f"Tariff story {n}")
    params = {"q": "tariff", "type": "article", "date_from": "2000-01-01"}
    first = client.get(URL, params).content.decode()
    assert 'rel="next" href="?q=tariff&amp;type=article&amp;date_from=2000-01-01&amp;page=2"' in (
        first
    )
    second = client.get(URL, {**params, "page": "2"}).content.decode()
    assert second.count('class="search-result"') == 1
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_a_snippet_is_escaped_with_only_its_highlights_as_markup(client, corpus):
    corpus["body_only"].text = "ITIN holders <img src=x onerror=alert(1)> worried"
    corpus["body_only"].save()
    html = client.get(URL, {"q": "holders", "type": "article"}).content.decode()
    assert "<img src=x" not in html
    assert "<mark>holders</mark>" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "-ITIN"}, "not only what to leave out"),
        ({"q": "?!?!"}, "punctuation alone"),
        ({"q": "ITIN " * 2048}, "at most 1000 characters"),
        ({"q": "ITIN\x00"}, "Null characters are not allowed"),
        ({"q": "ITIN", "date_from": "yesterday"}, "Enter a valid date"),
        ({"q": "ITIN", "agreement": "no-such-agreement"}, "Select a valid choice"),
        ({"q": "ITIN", "type": "article", "page": "999"}, "less than or equal to 50"),
        ({"q": "ITIN", "type": "planets"}, "Select a valid choice"),
    ],
)
def test_a_bad_search_answers_400_with_a_clear_message(client, corpus, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_empty_search_shows_the_form_not_an_error(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Search the agreements" in response.content.decode()


def test_a_misspelt_name_is_offered(client, corpus):
    html = client.get(URL, {"q": "Noem"}).content.decode()
    assert "/actors/kristi-noem/" in html
