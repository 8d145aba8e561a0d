"""A curator adds an article by its URL: canonicalised, deduplicated against every URL seen,
fetched through the ingestion pipeline, matched; an unfetchable page carries curated text."""

import datetime

import pytest
from django.urls import reverse
from werkzeug import Response

from apps.news import services
from apps.news.models import Article, ArticleLink
from tests.factories import ArticleFactory, ArticleURLFactory
from tests.news.local_site import BODY_MOU, article_page

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_added_url_is_fetched_and_its_links_suggested(
    news_site, tracked_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        added = services.add_article_by_url(
            url=f"{news_site}/2025/04/08/irs-ice-deal?utm_source=newsletter#top"
        )

    article = Article.objects.get(pk=added.article.pk)
    assert added.created and added.fetch_queued
    assert article.canonical_url == f"{news_site}/2025/04/08/irs-ice-deal"
    assert article.entry_method == Article.EntryMethod.URL
    assert article.fetch_status == Article.FetchStatus.FETCHED
    assert "memorandum of understanding" in article.text
    targets = {link.target for link in article.links.filter(status="suggested")}
    assert {tracked_record["agreement"], tracked_record["irs"], tracked_record["ice"]} <= targets


def test_a_tracking_variant_of_a_stored_url_is_the_same_article():
    stored = ArticleFactory(canonical_url="https://news.example/cms-ice")

    added = services.add_article_by_url(
        url="https://NEWS.example:443/cms-ice?utm_source=x&fbclid=abc", fetch=False
    )

    assert not added.created and added.article.pk == stored.pk
    assert Article.objects.count() == 1


def test_a_url_seen_before_under_another_canonical_is_the_same_article():
    stored = ArticleFactory(canonical_url="https://news.example/2025/story")
    ArticleURLFactory(article=stored, url="https://short.example/abc")

    added = services.add_article_by_url(url="https://short.example/abc?utm_medium=social")

    assert added.article.pk == stored.pk and not added.created


def test_model_validation_canonicalises_and_refuses_a_url_already_seen():
    stored = ArticleFactory(canonical_url="https://news.example/2025/story")
    ArticleURLFactory(article=stored, url="https://short.example/abc")
    variant = Article(url="https://short.example/abc?utm_campaign=x", title="Again")

    with pytest.raises(Exception, match="already stored"):
        variant.full_clean()
    assert variant.canonical_url == "https://short.example/abc"


def test_save_stores_the_canonical_form():
    article = Article.objects.create(url="https://News.Example/a?utm_source=x&b=2&a=1")

    assert article.canonical_url == "https://news.example/a?a=1&b=2"


def test_a_private_address_is_refused_before_anything_is_stored():
    with pytest.raises(ValueError, match=r"169\.254\.169\.254 is a link-local address"):
        services.add_article_by_url(url="http://169.254.169.254/latest/meta-data")

    assert not Article.objects.exists()


def test_an_unfetchable_page_keeps_curated_text_and_date(tracked_record):
    when = datetime.datetime(2025, 5, 2, 12, 0, tzinfo=UTC)

    added = services.add_article_by_url(
        url="https://paywalled.example/ruling.pdf",
        title="Judge limits the IRS–ICE MOU",
        text="A judge barred the IRS from sharing more under the IRS–ICE MOU with ICE.",
        published_at=when,
    )

    article = Article.objects.get(pk=added.article.pk)
    assert not added.fetch_queued
    assert article.entry_method == Article.EntryMethod.CURATED
    assert article.fetch_status == Article.FetchStatus.NOT_FETCHED
    assert article.published_at == when
    assert article.links.filter(agreement=tracked_record["agreement"]).exists()
    assert Article.objects.with_content().filter(pk=article.pk).exists()


def test_curated_text_is_stored_as_plain_text_and_escaped_on_the_page(client):
    added = services.add_article_by_url(
        url="https://paywalled.example/x", text="<script>alert(1)</script>\x00 Plain   words."
    )

    assert added.article.text == "<script>alert(1)</script> Plain words."
    page = client.get(added.article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Plain words." in page


def test_admin_add_by_url_fetches_and_shows_the_suggestions(
    news_site, tracked_record, curator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:news_article_add"),
            {"url": f"{news_site}/2025/04/08/irs-ice-deal?utm_source=x", "fetch": "on"},
        )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:news_article_change", args=[article.pk])
    assert article.links.filter(agreement=tracked_record["agreement"]).exists()
    page = curator_client.get(response["Location"]).content.decode()
    assert "IRS–ICE data-sharing memorandum of understanding" in page  # its links, inline


def test_admin_add_by_url_says_when_the_article_is_already_stored(curator_client):
    stored = ArticleFactory(canonical_url="https://news.example/known")

    response = curator_client.post(
        reverse("admin:news_article_add"),
        {"url": "https://news.example/known?utm_source=x"},
        follow=True,
    )

    assert "Already stored as" in response.content.decode()
    assert Article.objects.get() == stored


def test_admin_add_by_url_shows_a_refused_address_on_the_field(curator_client):
    response = curator_client.post(
        reverse("admin:news_article_add"), {"url": "http://127.0.0.1:9/x", "fetch": "on"}
    )

    assert response.status_code == 200
    assert "127.0.0.1 is a loopback address" in response.content.decode()
    assert not Article.objects.exists()


def test_fetch_again_refetches_a_failed_article_and_keeps_decisions(
    allow_local_server, tracked_record, curator_client, django_capture_on_commit_callbacks
):
    server = allow_local_server
    url = f"http://127.0.0.1:{server.port}/story"
    article = ArticleFactory(
        canonical_url=url, fetch_status="failed", fetch_error="HTTP 503", text=""
    )
    decided = ArticleLink.objects.create(
        article=article, actor=tracked_record["irs"], status="rejected"
    )
    server.expect_request("/story").respond_with_data(
        article_page(headline="IRS and ICE", paragraphs=BODY_MOU, published="2025-04-08"),
        content_type="text/html",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:news_article_changelist"),
            {"action": "fetch_again", "_selected_action": [article.pk]},
            follow=True,
        )

    assert "Queued 1 article(s) to be fetched again." in response.content.decode()
    article.refresh_from_db()
    assert article.fetch_status == "fetched" and "memorandum" in article.text
    decided.refresh_from_db()
    assert decided.status == "rejected"
    assert article.links.filter(agreement=tracked_record["agreement"], status="suggested").exists()


def test_fetch_again_keeps_the_text_when_the_page_is_now_gone(
    allow_local_server, django_capture_on_commit_callbacks
):
    server = allow_local_server
    article = ArticleFactory(canonical_url=f"http://127.0.0.1:{server.port}/gone", text="Kept.")
    server.expect_request("/gone").respond_with_response(Response("no", status=410))

    with django_capture_on_commit_callbacks(execute=True):
        services.fetch_articles_again(articles=[article])

    article.refresh_from_db()
    assert article.fetch_status == "failed" and "410" in article.fetch_error
    assert article.text == "Kept."
    assert Article.objects.with_content().filter(pk=article.pk).exists()
