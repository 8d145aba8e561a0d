"""POST /api/v1/articles/ with a URL: a curator's token adds an article through the same service
as admin's add-by-URL page; the answer is the article's read shape."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.news.models import Article
from tests.api_errors import errors_by_parameter
from tests.factories import ArticleFactory, UserFactory
from tests.test_api_writes import client_for

pytestmark = pytest.mark.django_db

ARTICLES_URL = reverse("api:article-list")


@pytest.fixture
def adder():
    user = UserFactory(username="desk-curator")
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    return client_for(user)


def test_a_curators_token_adds_an_article_that_is_fetched_and_matched(
    adder, news_site, tracked_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = adder.post(
            ARTICLES_URL,
            {"url": f"{news_site}/2025/04/08/irs-ice-deal?utm_source=newsletter"},
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["canonical_url"] == f"{news_site}/2025/04/08/irs-ice-deal"
    assert response.json()["entry_method"] == "url"
    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == Article.FetchStatus.FETCHED
    assert article.links.filter(agreement=tracked_record["agreement"], status="suggested").exists()


def test_a_variant_of_a_stored_url_answers_the_stored_article(adder):
    stored = ArticleFactory(canonical_url="https://news.example/cms-ice")

    response = adder.post(
        ARTICLES_URL, {"url": "https://news.example/cms-ice?utm_source=x"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["id"] == stored.pk
    assert Article.objects.count() == 1


def test_curated_text_stands_for_a_page_that_cannot_be_fetched(adder):
    response = adder.post(
        ARTICLES_URL,
        {
            "url": "https://paywalled.example/ruling.pdf",
            "title": "Judge limits the MOU",
            "text": "A judge barred the IRS from sharing more data with ICE.",
            "published_at": "2025-05-02T12:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["entry_method"], body["fetch_status"]) == ("curated", "not_fetched")
    assert body["published_at"] == "2025-05-02T12:00:00Z"


def test_a_private_address_is_a_400_on_the_url(adder):
    response = adder.post(
        ARTICLES_URL, {"url": "http://169.254.169.254/latest/meta-data"}, format="json"
    )

    assert response.status_code == 400
    assert "169.254.169.254 is a link-local address" in errors_by_parameter(response)["url"][0]
    assert not Article.objects.exists()


def test_fields_the_write_does_not_take_are_refused(adder):
    response = adder.post(
        ARTICLES_URL,
        {"url": "https://news.example/a", "fetch_status": "fetched", "feed": 1},
        format="json",
    )

    assert response.status_code == 400
    assert set(errors_by_parameter(response)) == {"fetch_status", "feed"}
    assert not Article.objects.exists()


def test_adding_needs_a_token_with_the_add_permission(api_client):
    article = {"url": "https://news.example/a"}

    assert api_client.post(ARTICLES_URL, article, format="json").status_code == 401
    without = client_for(UserFactory())
    assert without.post(ARTICLES_URL, article, format="json").status_code == 403
    assert not Article.objects.exists()
