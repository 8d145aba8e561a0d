"""The review queue and the news admin: what curators see, what their clicks change, and that
untrusted text from the web never reaches the page unescaped."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.news.admin import highlight_terms
from apps.news.models import ArticleLink
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    LegalChallengeFactory,
)

QUEUE = reverse("admin:news_articlelink_changelist")
HOSTILE = "<script>alert(1)</script>"
DECIDED_AT = datetime.datetime(2025, 4, 9, 8, 0, tzinfo=datetime.UTC)


def shown(response):
    return list(response.context["cl"].result_list)


def decide_in_bulk(client, action, links):
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [link.pk for link in links], "index": "0"},
        follow=True,
    )


def test_review_queue_shows_only_suggestions_by_default(curator_client):
    suggested = ArticleLinkFactory()
    ArticleLinkFactory(status=ArticleLink.Status.CONFIRMED)
    ArticleLinkFactory(status=ArticleLink.Status.REJECTED)

    assert shown(curator_client.get(QUEUE)) == [suggested]


def test_review_queue_groups_suggestions_by_article_and_says_why_each_was_made(curator_client):
    older, newer = ArticleFactory(title="Older report"), ArticleFactory(title="Newer report")
    weak = ArticleLinkFactory(article=newer, actor=ActorFactory(), agreement=None, score=1)
    ArticleLinkFactory(article=older, rule="term", score=9)
    strong = ArticleLinkFactory(article=newer, rule="parties", score=1.5)
    older_link = ArticleLink.objects.get(article=older)

    response = curator_client.get(QUEUE)

    # An article's suggestions side by side, the newest article first, strongest first.
    assert shown(response) == [strong, weak, older_link]
    assert "two parties + an agreement word" in response.content.decode()


@pytest.mark.parametrize(("status", "expected"), [("all", 3), ("confirmed", 1), ("rejected", 1)])
def test_review_queue_filter_switches_away_from_the_default(curator_client, status, expected):
    for choice in ArticleLink.Status.values:
        ArticleLinkFactory(status=choice)

    response = curator_client.get(QUEUE, {"status": status})

    links = shown(response)
    assert len(links) == expected
    if status != "all":
        assert {link.status for link in links} == {status}


def build_links(n):
    for i in range(n):
        target = [
            {},
            {"agreement": None, "actor": ActorFactory()},
            {"agreement": None, "challenge": LegalChallengeFactory()},
        ][i % 3]
        ArticleLinkFactory(snippet="The IRS–ICE MOU was signed.", **target)


def build_articles(n):
    for _ in range(n):
        link = ArticleLinkFactory()
        ArticleURLFactory(article=link.article)


@pytest.mark.parametrize(
    ("url", "build"),
    [
        (QUEUE, build_links),
        (QUEUE + "?status=all", build_links),
        (reverse("admin:news_article_changelist"), build_articles),
        (reverse("admin:news_outlet_changelist"), build_articles),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(curator_client, url, build):
    def queries_for(n):
        build(n)
        with CaptureQueriesContext(connection) as queries:
            assert curator_client.get(url).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(27)


def test_bulk_confirm_action_confirms_selected_links_and_records_the_curator(
    curator_client, curator
):
    chosen = ArticleLinkFactory.create_batch(2)
    left = ArticleLinkFactory()

    with time_machine.travel(DECIDED_AT, tick=False):
        response = decide_in_bulk(curator_client, "confirm_selected", chosen)

    assert "Confirmed 2 link(s)." in [str(m) for m in response.context["messages"]]
    for link in chosen:
        link.refresh_from_db()
        assert (link.status, link.decided_by, link.decided_at) == (
            "confirmed",
            curator,
            DECIDED_AT,
        )
        latest = link.history.order_by("history_id").last()
        assert (latest.status, latest.history_user) == ("confirmed", curator)
    left.refresh_from_db()
    assert left.status == "suggested"
    # Back on the default queue, the decided links are gone from it.
    assert shown(response) == [left]


def test_bulk_reject_action_rejects_selected_links(curator_client, curator):
    chosen = ArticleLinkFactory.create_batch(3)

    response = decide_in_bulk(curator_client, "reject_selected", chosen)

    assert "Rejected 3 link(s)." in [str(m) for m in response.context["messages"]]
    assert set(
        ArticleLink.objects.filter(pk__in=[x.pk for x in chosen]).values_list(
            "status", "decided_by"
        )
    ) == {("rejected", curator.pk)}


def test_bulk_confirm_counts_only_links_it_changed(curator_client):
    links = [ArticleLinkFactory(status="confirmed"), ArticleLinkFactory()]

    response = curator_client.post(
        QUEUE + "?status=all",
        {"action": "confirm_selected", "_selected_action": [x.pk for x in links], "index": "0"},
        follow=True,
    )

    assert "Confirmed 1 link(s)." in [str(m) for m in response.context["messages"]]


def test_hostile_snippet_and_terms_render_escaped_with_the_term_marked(curator_client):
    ArticleLinkFactory(
        snippet=f"Before {HOSTILE} after",
        matched_terms=[HOSTILE],
        article__title=f"Title {HOSTILE}",
    )

    body = curator_client.get(QUEUE).content.decode()

    assert HOSTILE not in body
    assert "alert(1)</script>" not in body
    assert "Before <mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark> after" in body
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_queue_links_the_article_to_its_url_in_a_new_tab_and_to_its_admin_page(curator_client):
    link = ArticleLinkFactory(article__url="https://news.example/irs-ice?utm_source=feed")

    body = curator_client.get(QUEUE).content.decode()

    assert (
        '<a href="https://news.example/irs-ice?utm_source=feed" target="_blank" '
        'rel="noopener noreferrer">' in body
    )
    assert reverse("admin:news_article_change", args=[link.article.pk]) in body
    assert reverse("admin:tracker_agreement_change", args=[link.agreement.pk]) in body


def test_queue_does_not_link_a_javascript_url(curator_client):
    ArticleLinkFactory(article__url="javascript:alert(1)", article__title="Sneaky")

    body = curator_client.get(QUEUE).content.decode()

    assert "Sneaky" in body
    assert 'href="javascript:' not in body


def test_highlight_terms_marks_every_term_case_insensitively_and_escapes_the_rest():
    html = highlight_terms("ICE & the Ice storm; amp <b>", ["ice", "amp"])

    assert html == ("<mark>ICE</mark> &amp; the <mark>Ice</mark> storm; <mark>amp</mark> &lt;b&gt;")


def test_highlight_terms_prefers_the_longest_overlapping_term():
    assert highlight_terms("the IRS–ICE MOU", ["ICE", "IRS–ICE MOU"]) == (
        "the <mark>IRS–ICE MOU</mark>"
    )


def test_confirm_button_on_the_change_form_confirms_the_link(curator_client, curator):
    link = ArticleLinkFactory()
    change_page = curator_client.get(reverse("admin:news_articlelink_change", args=[link.pk]))
    confirm_url = reverse("admin:news_articlelink_confirm", args=[link.pk])
    assert f'action="{confirm_url}"' in change_page.content.decode()

    response = curator_client.post(confirm_url)

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.status, link.decided_by) == ("confirmed", curator)


def test_reject_button_ignores_a_get(curator_client):
    link = ArticleLinkFactory()

    response = curator_client.get(reverse("admin:news_articlelink_reject", args=[link.pk]))

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "suggested"


def test_decision_buttons_need_a_staff_login(client, db):
    link = ArticleLinkFactory()

    response = client.post(reverse("admin:news_articlelink_confirm", args=[link.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    link.refresh_from_db()
    assert link.status == "suggested"


def test_article_page_shows_fetched_text_escaped(curator_client):
    article = ArticleFactory(text=f"Officials said {HOSTILE} today.")
    ArticleURLFactory(article=article, url="https://news.example/amp/story")
    ArticleLinkFactory(article=article)

    body = curator_client.get(reverse("admin:news_article_change", args=[article.pk])).content
    body = body.decode()

    assert HOSTILE not in body
    assert "Officials said &lt;script&gt;alert(1)&lt;/script&gt; today." in body
    assert "https://news.example/amp/story" in body


def test_article_filter_by_syndicated_copy(curator_client):
    original = ArticleFactory()
    copy = ArticleFactory(near_duplicate_of=original)
    url = reverse("admin:news_article_changelist")

    assert shown(curator_client.get(url, {"copy": "yes"})) == [copy]
    assert shown(curator_client.get(url, {"copy": "no"})) == [original]


def test_queue_can_be_narrowed_to_one_agreement(curator_client):
    link = ArticleLinkFactory()
    ArticleLinkFactory()

    response = curator_client.get(QUEUE, {"agreement__id__exact": link.agreement.pk})

    assert shown(response) == [link]


def test_change_form_shows_the_snippet_highlighted_and_keeps_it_read_only(curator_client):
    link = ArticleLinkFactory(snippet=f"ICE said {HOSTILE}", matched_terms=["ICE"])
    url = reverse("admin:news_articlelink_change", args=[link.pk])

    body = curator_client.get(url).content.decode()

    assert "<mark>ICE</mark> said &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'name="snippet"' not in body
