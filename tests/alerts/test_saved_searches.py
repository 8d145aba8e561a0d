"""Following a saved search, and each followed page's "since your last visit"."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.alerts import services
from apps.alerts.models import Follow, Notification
from apps.news.services import confirm_links
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def _csrf(page) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()


def _notified(follow) -> list[str]:
    return sorted(
        Notification.objects.filter(follow=follow).values_list(
            "change__payload__data__title", flat=True
        )
    )


def test_following_a_search_from_the_search_page(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    EventFactory(title="ITIN filers warned")
    page = browser.get("/search/?q=ITIN&page=1&type=event")
    html = page.content.decode()
    assert "Follow this search" in html
    assert 'name="search" value="q=ITIN&amp;type=event"' in html

    response = browser.post(
        "/alerts/follow/",
        {
            "csrfmiddlewaretoken": _csrf(page),
            "search": "type=event&q=ITIN&page=1",
            "frequency": "daily",
            "next": "/search/?q=ITIN&type=event",
        },
    )

    assert response.status_code == 302
    follow = Follow.objects.get(user=member)
    assert follow.search == "q=ITIN&type=event"
    assert follow.target_label == "the search “ITIN” (events)"
    assert follow.target_url == "/search/?q=ITIN&type=event"
    page = browser.get("/search/?q=ITIN&type=event").content.decode()
    assert "Following" in page and "Unfollow" in page


def test_one_search_written_two_ways_is_one_follow(member):
    first = services.follow(user=member, search="q=  ITIN   filers&actor=&page=2")
    again = services.follow(user=member, search="?page=1&q=ITIN filers", frequency="weekly")
    assert first.pk == again.pk
    assert Follow.objects.get().search == "q=ITIN+filers"
    assert Follow.objects.get().frequency == "weekly"


@pytest.mark.parametrize(
    ("search", "reason"),
    [
        ("q=", "Type a word to search for."),
        ("q=-ITIN", "This search cannot be followed"),
        ("q=ITIN&type=memo", "type: Select a valid choice."),
        ("q=ITIN&date_from=2025-05-01&date_to=2025-01-01", "date_to: The end of the date range"),
        ("q=ITIN&agreement=no-such-agreement", "agreement: Select a valid choice."),
    ],
)
def test_a_search_that_cannot_run_cannot_be_followed(member_client, search, reason):
    response = member_client.post("/alerts/follow/", {"search": search}, follow=True)
    html = response.content.decode()
    assert "This search cannot be followed" in html
    assert reason in html.replace("&#x27;", "'")
    assert not Follow.objects.exists()


def test_a_followed_search_is_told_of_each_new_record_it_finds_and_nothing_else(member):
    follow = services.follow(user=member, search="q=ITIN", frequency="off")
    EventFactory(title="Court hears ITIN filers")
    EventFactory(title="Agreement signed")
    StatementFactory(text="Every ITIN filer is now at risk.")
    StatementFactory(text="This agreement is lawful.")

    services.send_alerts()
    services.send_alerts()  # a duplicated sweep tells nobody twice

    titles = _notified(follow)
    assert len(titles) == 2
    statement, event = titles
    assert event == "Signed: Court hears ITIN filers"
    assert " on Agreement " in statement  # "<speaker> on <agreement>", the statement's title


def test_the_search_syntax_decides_what_a_follow_is_told(member):
    phrase = services.follow(user=member, search='q="data sharing"', frequency="off")
    minus = services.follow(user=member, search="q=IRS -ICE", frequency="off")
    either = services.follow(user=member, search="q=ITIN OR taxpayer", frequency="off")
    EventFactory(title="Data sharing begins")
    EventFactory(title="Sharing of data paused")
    EventFactory(title="IRS and ICE meet")
    EventFactory(title="IRS guidance for taxpayers")

    services.send_alerts()

    assert _notified(phrase) == ["Signed: Data sharing begins"]
    assert _notified(minus) == ["Signed: IRS guidance for taxpayers"]
    assert _notified(either) == ["Signed: IRS guidance for taxpayers"]


def test_a_followed_searchs_filters_hold(member):
    mou = AgreementFactory(slug="irs-ice-mou")
    by_type = services.follow(user=member, search="q=ITIN&type=statement", frequency="off")
    by_agreement = services.follow(
        user=member, search="q=ITIN&agreement=irs-ice-mou", frequency="off"
    )
    by_date = services.follow(user=member, search="q=ITIN&date_from=2025-06-01", frequency="off")
    EventFactory(title="ITIN rule on the MOU", agreement=mou, date=datetime.date(2025, 5, 1))
    EventFactory(title="ITIN rule elsewhere", date=datetime.date(2025, 7, 1))
    StatementFactory(
        position=PositionFactory(agreement=AgreementFactory()),
        text="ITIN filers fear the list.",
        said_on=datetime.date(2025, 4, 8),
    )

    services.send_alerts()

    assert len(_notified(by_type)) == 1 and " on " in _notified(by_type)[0]
    assert _notified(by_agreement) == ["Signed: ITIN rule on the MOU"]
    assert _notified(by_date) == ["Signed: ITIN rule elsewhere"]


def test_a_search_is_told_of_an_article_only_once_a_curator_confirms_its_link(member):
    follow = services.follow(user=member, search="q=ITIN", frequency="off")
    article = ArticleFactory(title="ITIN filers and the IRS", text="ITIN filers worry.")
    link = ArticleLinkFactory(article=article)

    services.send_alerts()
    assert _notified(follow) == []  # a suggestion is not published

    confirm_links(links=[link], user=CuratorFactory())
    services.send_alerts()
    assert _notified(follow) == ["ITIN filers and the IRS"]


def test_a_realtime_search_follow_is_emailed(member):
    services.follow(user=member, search="q=ITIN", frequency="realtime")
    EventFactory(title="ITIN ruling")
    services.send_alerts()
    assert len(mail.outbox) == 1
    assert "ITIN ruling" in mail.outbox[0].body
    assert "“ITIN”" in mail.outbox[0].body


def test_a_record_page_shows_what_changed_since_the_last_visit(member_client, member):
    mou = AgreementFactory(slug="irs-ice-mou", title="IRS–ICE MOU")
    follow = services.follow(user=member, target=mou, kind="agreement", frequency="off")
    Follow.objects.filter(pk=follow.pk).update(
        last_visited_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    EventFactory(agreement=mou, title="Signed in April", kind="signed")
    EventFactory(agreement=mou, title="Took effect", kind="took_effect")
    services.send_alerts()

    first = member_client.get("/agreements/irs-ice-mou/").content.decode()
    assert "2 new since your last visit" in first
    assert "Signed in April" in first and "Took effect" in first

    second = member_client.get("/agreements/irs-ice-mou/").content.decode()
    assert "Nothing new since your last visit" in second
    assert "Took effect</a></li>" not in second.split("since-visit")[1].split("</section>")[0]
    my_follows = member_client.get("/alerts/follows/").content.decode()
    assert "Nothing new since" in my_follows


def test_a_followed_search_page_shows_what_it_found_since_the_last_visit(member_client, member):
    follow = services.follow(user=member, search="q=ITIN", frequency="off")
    Follow.objects.filter(pk=follow.pk).update(
        last_visited_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    EventFactory(title="ITIN ruling")
    services.send_alerts()
    page = member_client.get("/search/?q=ITIN").content.decode()
    assert "1 new since your last visit" in page
    assert "ITIN ruling" in page


def test_since_the_last_visit_counts_past_what_it_lists(member):
    mou = AgreementFactory()
    follow = services.follow(user=member, target=mou, kind="agreement", frequency="off")
    Follow.objects.filter(pk=follow.pk).update(
        last_visited_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    follow.refresh_from_db()
    for number in range(12):
        EventFactory(agreement=mou, title=f"Hearing {number}")
    services.send_alerts()

    since = services.visit(follow=follow)

    assert since.count == 12 and since.count_display == "12"
    assert len(since.items) == 10
    assert since.items[0].change.data["title"].endswith("Hearing 11")
    assert services.visit(follow=follow).count == 0


def test_a_reader_who_does_not_follow_the_page_sees_no_since_panel(member_client):
    AgreementFactory(slug="irs-ice-mou")
    page = member_client.get("/agreements/irs-ice-mou/").content.decode()
    assert "since your last visit" not in page
