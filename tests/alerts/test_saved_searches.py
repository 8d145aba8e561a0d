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


def test_one_date_written_two_ways_is_one_follow(member):
    first = services.follow(user=member, search="q=ITIN&date_from=2025-1-5")
    again = services.follow(user=member, search="q=ITIN&date_from=2025-01-05")
    assert first.pk == again.pk
    assert first.search == "date_from=2025-01-05&q=ITIN"


@pytest.mark.parametrize(
    ("search", "reason"),
    [
        ("q=", "Type a word to search for."),
        ("q=-ITIN", "This search cannot be followed"),
        ("q=ITIN&type=memo", "type: Select a valid choice."),
        ("q=ITIN&date_from=2025-05-01&date_to=2025-01-01", "date_to: The end of the date range"),
        ("q=ITIN&agreement=no-such-agreement", "agreement: Select a valid choice."),
        ("q=Noem&type=actor", "follow the actor's own page instead"),
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
    phrase = services.follow(user=member, search='q="data sharing"&type=event', frequency="off")
    minus = services.follow(user=member, search="q=IRS -ICE&type=event", frequency="off")
    either = services.follow(user=member, search="q=ITIN OR taxpayer&type=event", frequency="off")
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


def test_new_records_updates_and_case_status_reach_a_followed_search(member):
    from tests.factories import LegalChallengeFactory

    agreements = services.follow(user=member, search="q=ITIN&type=agreement", frequency="off")
    cases = services.follow(user=member, search="q=taxpayers", frequency="off")
    mou = AgreementFactory(title="Data-sharing memorandum")
    challenge = LegalChallengeFactory(caption="Center for Taxpayer Rights v. IRS")
    services.send_alerts()
    assert _notified(agreements) == []
    assert _notified(cases) == ["New case: Center for Taxpayer Rights v. IRS"]

    mou.title = "ITIN data-sharing memorandum"
    mou.save()
    challenge.status = "injunction_granted"
    challenge.save()
    services.send_alerts()

    assert _notified(agreements) == ["ITIN data-sharing memorandum was updated"]
    assert _notified(cases) == [
        "Center for Taxpayer Rights v. IRS: Injunction granted",
        "New case: Center for Taxpayer Rights v. IRS",
    ]


def test_a_link_undone_before_the_sweep_tells_no_saved_search(member):
    from apps.news.services import reject_link

    follow = services.follow(user=member, search="q=ITIN", frequency="off")
    link = ArticleLinkFactory(article=ArticleFactory(title="ITIN filers", text="ITIN filers."))
    confirm_links(links=[link], user=CuratorFactory())
    reject_link(link=link, user=CuratorFactory())
    services.send_alerts()
    assert _notified(follow) == []


def test_saved_searches_are_asked_once_per_sweep_not_once_per_change(member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.alerts.models import Change

    def sweep_queries(searches: int) -> int:
        Notification.objects.all().delete()
        Change.objects.all().delete()
        Follow.objects.filter(user=member).delete()
        for number in range(searches):
            services.follow(user=member, search=f"q=ITIN{number} OR hearing", frequency="off")
        for number in range(10):
            EventFactory(title=f"Hearing {number}")
        with CaptureQueriesContext(connection) as queries:
            services.send_alerts()
        return len(queries)

    with_one, with_twenty = sweep_queries(1), sweep_queries(20)

    # Ten events and their ten new agreements, two kinds: each further search costs one match
    # query per kind, not one per change.
    assert with_twenty - with_one <= 19 * 2
    assert Notification.objects.count() == 20 * 10


def test_a_notification_committed_after_a_visit_began_still_counts_as_new(member):
    mou = AgreementFactory()
    follow = services.follow(user=member, target=mou, kind="agreement", frequency="off")
    EventFactory(agreement=mou, title="Hearing")
    started = timezone.now()  # a sweep starts and stamps its rows with this time...
    services.visit(follow=follow)  # ...a visit runs before the sweep commits...
    services.send_alerts(now=started)  # ...and then the rows land.

    since = services.visit(follow=follow)

    assert since.count == 1
    assert since.items[0].change.data["title"].endswith("Hearing")


def test_a_head_request_does_not_count_as_a_visit(member_client, member):
    mou = AgreementFactory(slug="irs-ice-mou")
    services.follow(user=member, target=mou, kind="agreement", frequency="off")
    EventFactory(agreement=mou, title="Hearing")
    services.send_alerts()
    assert member_client.head("/agreements/irs-ice-mou/").status_code == 200
    page = member_client.get("/agreements/irs-ice-mou/").content.decode()
    assert "1 new since your last visit" in page


def test_an_article_confirmed_on_two_agreements_is_news_once_per_follow(member):
    from tests.factories import TopicFactory

    topic = TopicFactory()
    first, second = AgreementFactory(), AgreementFactory()
    first.topics.add(topic)
    second.topics.add(topic)
    by_topic = services.follow(user=member, target=topic, kind="topic", frequency="off")
    by_search = services.follow(user=member, search="q=ITIN", frequency="off")
    by_agreement = services.follow(user=member, target=second, kind="agreement", frequency="off")
    article = ArticleFactory(title="ITIN filers and the MOU", text="ITIN filers.")
    links = [ArticleLinkFactory(article=article, agreement=first)]
    links.append(ArticleLinkFactory(article=article, agreement=second))

    confirm_links(links=links[:1], user=CuratorFactory())
    services.send_alerts()
    confirm_links(links=links[1:], user=CuratorFactory())  # a later sweep, too
    services.send_alerts()

    assert _notified(by_topic) == ["ITIN filers and the MOU"]
    assert _notified(by_search) == ["ITIN filers and the MOU"]
    assert _notified(by_agreement) == ["ITIN filers and the MOU"]
