"""Every list endpoint refuses query parameters it does not read, naming them, and still reads
its filters, its paginator's parameters and ?format."""

import pytest
from django.urls import reverse

from tests.api_errors import errors_by_parameter
from tests.factories import AgreementFactory, ArticleFactory, ArticleLinkFactory

pytestmark = pytest.mark.django_db

AGREEMENTS_URL = reverse("api:agreement-list")
ARTICLES_URL = reverse("api:article-list")


@pytest.mark.parametrize(
    ("url", "misspelt"),
    [
        (AGREEMENTS_URL, "statuses"),
        (AGREEMENTS_URL, "limit"),
        (ARTICLES_URL, "agreements"),
        (ARTICLES_URL, "published_since"),
        (ARTICLES_URL, "page"),
    ],
)
def test_unknown_parameter_is_400_naming_it_and_what_is_read(api_client, url, misspelt):
    AgreementFactory()
    ArticleFactory()

    response = api_client.get(url, {misspelt: "x"})

    assert response.status_code == 400
    [message] = errors_by_parameter(response)[misspelt]
    assert message.startswith("Unknown parameter. This endpoint reads: ")
    assert "search" in message


def test_misspelt_article_filter_no_longer_returns_every_article(api_client):
    linked = ArticleLinkFactory(
        agreement=AgreementFactory(slug="irs-ice-mou"), status="confirmed"
    ).article
    ArticleFactory()

    filtered = api_client.get(ARTICLES_URL, {"agreement": "irs-ice-mou"})
    misspelt = api_client.get(ARTICLES_URL, {"agreements": "irs-ice-mou"})

    assert [item["id"] for item in filtered.json()["results"]] == [linked.pk]
    assert misspelt.status_code == 400


def test_agreement_filters_page_and_format_are_read_together(api_client):
    wanted = AgreementFactory(status="signed", title="Taxpayer data memorandum")
    AgreementFactory(status="proposed", title="Taxpayer data rule")
    AgreementFactory(status="signed", title="Border agreement")

    response = api_client.get(
        AGREEMENTS_URL, {"page": "1", "format": "json", "status": "signed", "search": "taxpayer"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert [item["slug"] for item in response.json()["results"]] == [wanted.slug]


def test_article_filter_page_size_and_format_are_read_together(api_client):
    confirmed = [ArticleLinkFactory(status="confirmed").article for _ in range(2)]
    ArticleLinkFactory(status="suggested")

    response = api_client.get(
        ARTICLES_URL, {"page_size": "1", "format": "json", "link_status": "confirmed"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    [item] = response.json()["results"]
    assert item["id"] in {article.pk for article in confirmed}
    assert response.json()["next"] is not None
