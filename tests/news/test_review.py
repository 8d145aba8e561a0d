"""Curators' decisions on suggested article links, through the services directly."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.news.models import ArticleLink
from apps.news.services import confirm_link, confirm_links, reject_link, reject_links
from tests.factories import ArticleLinkFactory, CuratorFactory

pytestmark = pytest.mark.django_db

SUGGESTED_AT = datetime.datetime(2025, 4, 8, 9, 0, tzinfo=datetime.UTC)
DECIDED_AT = datetime.datetime(2025, 4, 8, 12, 30, tzinfo=datetime.UTC)
LATER = DECIDED_AT + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock():
    """Links are suggested at SUGGESTED_AT; a test moves the clock on to decide them."""
    with time_machine.travel(SUGGESTED_AT, tick=False) as traveller:
        yield traveller


def history_of(link):
    return list(link.history.order_by("history_id"))


def test_confirm_links_confirms_the_given_suggestions_and_records_who_and_when(clock):
    curator = CuratorFactory()
    chosen = ArticleLinkFactory.create_batch(2)
    untouched = ArticleLinkFactory()

    clock.move_to(DECIDED_AT)
    changed = confirm_links(
        links=ArticleLink.objects.filter(pk__in=[link.pk for link in chosen]), user=curator
    )

    assert changed == 2
    for link in chosen:
        link.refresh_from_db()
        assert link.status == ArticleLink.Status.CONFIRMED
        assert link.decided_by == curator
        assert link.decided_at == DECIDED_AT
        assert link.updated_at == DECIDED_AT
        latest = link.history.latest()
        assert latest.status == ArticleLink.Status.CONFIRMED
        assert latest.history_user == curator
        assert latest.history_type == "~"
    untouched.refresh_from_db()
    assert untouched.status == ArticleLink.Status.SUGGESTED
    assert untouched.decided_by is None


def test_reject_links_accepts_a_list_and_records_history_with_the_user(clock):
    curator = CuratorFactory()
    links = ArticleLinkFactory.create_batch(3)

    clock.move_to(DECIDED_AT)
    changed = reject_links(links=links, user=curator)

    assert changed == 3
    for link in links:
        link.refresh_from_db()
        assert (link.status, link.decided_by, link.decided_at) == ("rejected", curator, DECIDED_AT)
        assert [h.status for h in history_of(link)] == ["suggested", "rejected"]
        assert link.history.latest().history_user == curator


def test_confirming_a_confirmed_link_changes_nothing(clock):
    first, second = CuratorFactory(), CuratorFactory()
    link = ArticleLinkFactory()
    clock.move_to(DECIDED_AT)
    confirm_links(links=[link], user=first)

    clock.move_to(LATER)
    changed = confirm_links(links=[link], user=second)
    again = confirm_link(link=link, user=second)

    assert changed == 0
    assert (again.status, again.decided_by, again.decided_at) == ("confirmed", first, DECIDED_AT)
    assert len(history_of(link)) == 2


def test_bulk_count_only_includes_links_that_changed():
    curator = CuratorFactory()
    confirmed = ArticleLinkFactory(status=ArticleLink.Status.CONFIRMED)
    suggested = ArticleLinkFactory()

    assert confirm_links(links=[confirmed, suggested], user=curator) == 1
    confirmed.refresh_from_db()
    assert confirmed.decided_by is None


def test_a_rejected_link_can_be_confirmed_after_all(clock):
    first, second = CuratorFactory(), CuratorFactory()
    link = ArticleLinkFactory()
    clock.move_to(DECIDED_AT)
    reject_link(link=link, user=first)

    clock.move_to(LATER)
    link = confirm_link(link=link, user=second)

    assert (link.status, link.decided_by, link.decided_at) == ("confirmed", second, LATER)
    assert [(h.status, h.history_user) for h in history_of(link)] == [
        ("suggested", None),
        ("rejected", first),
        ("confirmed", second),
    ]


def test_confirm_link_returns_the_stored_link():
    curator = CuratorFactory()
    link = ArticleLinkFactory()

    returned = confirm_link(link=link, user=curator)

    assert returned.pk == link.pk
    assert returned.status == ArticleLink.Status.CONFIRMED
    assert ArticleLink.objects.get(pk=link.pk).status == ArticleLink.Status.CONFIRMED


def test_reject_link_of_a_confirmed_link_rejects_it():
    curator = CuratorFactory()
    link = ArticleLinkFactory(status=ArticleLink.Status.CONFIRMED)

    returned = reject_link(link=link, user=curator)

    assert returned.status == ArticleLink.Status.REJECTED
    assert returned.decided_by == curator


@pytest.mark.parametrize("service", [confirm_links, reject_links])
def test_bulk_decisions_take_the_same_queries_for_3_or_30_links(service):
    curator = CuratorFactory()

    def queries_for(n):
        links = ArticleLink.objects.filter(
            pk__in=[x.pk for x in ArticleLinkFactory.create_batch(n)]
        )
        with CaptureQueriesContext(connection) as queries:
            assert service(links=links, user=curator) == n
        return len(queries)

    assert queries_for(30) == queries_for(3)
