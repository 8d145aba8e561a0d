"""Storing the links that matching suggests for an article: a curator's decision stands, a
suggestion is refreshed, and the work costs no query per record the article names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.news.ingest import store_link_suggestions
from apps.news.matching import get_matcher
from apps.news.models import ArticleLink
from tests.factories import ActorFactory, ArticleFactory, ArticleLinkFactory

pytestmark = pytest.mark.django_db

NAMES = ["Office Alpha", "Office Bravo", "Office Charlie", "Office Delta", "Office Echo"]


def _article_naming(names):
    return ArticleFactory(title="", text=" ".join(f"{name} commented." for name in names))


def test_decided_links_stand_and_suggestions_are_refreshed_or_added():
    confirmed, suggested, new = (ActorFactory(name=name) for name in NAMES[:3])
    article = _article_naming(NAMES[:3])
    ArticleLinkFactory(
        article=article,
        agreement=None,
        actor=confirmed,
        status=ArticleLink.Status.CONFIRMED,
        matched_terms=["as the curator left it"],
    )
    ArticleLinkFactory(
        article=article, agreement=None, actor=suggested, matched_terms=["stale match"]
    )

    store_link_suggestions(article=article)

    links = {link.actor: link for link in ArticleLink.objects.filter(article=article)}
    assert set(links) == {confirmed, suggested, new}
    assert links[confirmed].status == ArticleLink.Status.CONFIRMED
    assert links[confirmed].matched_terms == ["as the curator left it"]
    assert links[suggested].matched_terms == ["Office Bravo"]
    assert links[new].status == ArticleLink.Status.SUGGESTED
    assert links[new].matched_terms == ["Office Charlie"]
    assert {links[suggested].rule, links[new].rule} == {"term"}  # why, shown in the queue


def _queries_to_store_suggestions_for(names):
    article = _article_naming(names)
    for name in names:
        ArticleLinkFactory(
            article=article,
            agreement=None,
            actor=ActorFactory(name=name),
            status=ArticleLink.Status.CONFIRMED,
        )
    get_matcher()  # built before counting: rebuilding it is the matcher's cost, not this one's
    with CaptureQueriesContext(connection) as queries:
        stored = store_link_suggestions(article=article)
    assert len(stored) == len(names)
    return len(queries)


def test_an_article_naming_many_records_costs_no_more_queries_than_one_naming_one():
    many = _queries_to_store_suggestions_for(NAMES)
    one = _queries_to_store_suggestions_for(["Office Foxtrot"])
    assert many == one
