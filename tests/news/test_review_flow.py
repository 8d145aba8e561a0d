"""From a feed to the record: ingest, confirm in admin, and find the article on the agreement's
page and in the API."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.news.models import ArticleLink

pytestmark = pytest.mark.django_db


def test_confirmed_suggestion_appears_on_the_agreement_page_and_in_the_api(
    news_site, tracked_record, curator_client, api_client
):
    call_command("ingest", "--feed", f"{news_site}/feed.xml", stdout=StringIO())
    agreement = tracked_record["agreement"]
    suggestion = ArticleLink.objects.get(agreement=agreement)
    headline = suggestion.article.title
    page_url = agreement.get_absolute_url()
    api_url = f"/api/v1/articles/?agreement={agreement.slug}&link_status=confirmed"
    assert headline not in curator_client.get(page_url).content.decode()
    assert api_client.get(api_url).json()["results"] == []

    response = curator_client.post(
        reverse("admin:news_articlelink_changelist"),
        {"action": "confirm_selected", "_selected_action": [suggestion.pk]},
        follow=True,
    )

    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.status == ArticleLink.Status.CONFIRMED
    assert suggestion.decided_by.username == "curator"
    assert headline in curator_client.get(page_url).content.decode()
    results = api_client.get(api_url).json()["results"]
    assert [article["title"] for article in results] == [headline]
