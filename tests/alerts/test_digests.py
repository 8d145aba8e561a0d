"""Email digests: frequency with time frozen, grouped content, permalinks, one-click unsubscribe."""

import datetime

import pytest
import time_machine
from django.core import mail

from apps.alerts import services
from apps.alerts.models import Follow
from apps.news.services import confirm_links
from tests.factories import (
    AgreementFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db
TUESDAY_10 = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def mou():
    return AgreementFactory(title="IRS–ICE data-sharing MOU", slug="irs-ice-mou")


def _follow(member, agreement, frequency):
    return services.follow(user=member, target=agreement, kind="agreement", frequency=frequency)


def test_realtime_follow_is_emailed_at_the_next_sweep(member, mou):
    with time_machine.travel(TUESDAY_10, tick=False):
        _follow(member, mou, "realtime")
        EventFactory(agreement=mou, title="Judge hears arguments", kind="hearing")
        services.send_alerts()
    [message] = mail.outbox
    assert message.to == ["reporter@example.org"]
    assert "IRS–ICE data-sharing MOU" in message.subject


def test_daily_digest_waits_for_the_digest_hour_and_goes_once(member, mou, settings):
    settings.ALERTS_DIGEST_HOUR = 7
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        _follow(member, mou, "daily")
        EventFactory(agreement=mou, title="First")
        services.send_alerts()
        clock.shift(datetime.timedelta(hours=20))  # Wednesday 06:00
        EventFactory(agreement=mou, title="Second")
        services.send_alerts()
        assert mail.outbox == []
        clock.shift(datetime.timedelta(hours=1, minutes=1))  # Wednesday 07:01
        services.send_alerts()
        services.send_alerts()
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert "New timeline events" in body and "First" in body and "Second" in body
        clock.shift(datetime.timedelta(days=1))  # Thursday, nothing new
        services.send_alerts()
    assert len(mail.outbox) == 1


def test_weekly_digest_goes_on_monday(member, mou):
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        _follow(member, mou, "weekly")
        EventFactory(agreement=mou)
        clock.shift(datetime.timedelta(days=5))  # Sunday 10:00
        services.send_alerts()
        assert mail.outbox == []
        clock.shift(datetime.timedelta(hours=21, minutes=1))  # Monday 07:01
        services.send_alerts()
    assert len(mail.outbox) == 1


def test_digest_groups_items_by_kind_with_absolute_permalinks_in_text_and_html(member, mou):
    with time_machine.travel(TUESDAY_10, tick=False):
        _follow(member, mou, "realtime")
        event = EventFactory(agreement=mou, title="Injunction granted", kind="ruling")
        statement = StatementFactory(position=PositionFactory(agreement=mou), text="We object.")
        link = ArticleLinkFactory(agreement=mou, article__title="Court blocks the MOU")
        confirm_links(links=[link], user=CuratorFactory())
        ArticleLinkFactory(agreement=mou, article__title="Only suggested, not confirmed")
        services.send_alerts()
    [message] = mail.outbox
    text = message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for heading in ("Rulings and case status", "New statements", "Confirmed coverage"):
        assert heading in text and heading in html
    assert f"http://127.0.0.1:8000/agreements/irs-ice-mou/#event-{event.pk}" in text
    assert f'href="http://127.0.0.1:8000/agreements/irs-ice-mou/#statement-{statement.pk}"' in html
    assert "Court blocks the MOU" in text
    assert "Only suggested" not in text
    assert message.subject == "[PolicyTracker] IRS–ICE data-sharing MOU: 3 new items"


def test_every_email_carries_one_click_unsubscribe_headers(member, mou):
    _follow(member, mou, "realtime")
    EventFactory(agreement=mou)
    services.send_alerts()
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/alerts/unsubscribe/")


def test_one_click_unsubscribe_stops_email_but_keeps_the_follow(client, member, mou):
    follow = _follow(member, mou, "realtime")
    EventFactory(agreement=mou)
    services.send_alerts()
    path = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("http://127.0.0.1:8000")
    )
    # A link scanner's GET changes nothing; it shows a button.
    page = client.get(path)
    assert page.status_code == 200
    assert b'<button type="submit">Unsubscribe</button>' in page.content
    follow.refresh_from_db()
    assert follow.frequency == "realtime"
    # The mail client's RFC 8058 POST: no session, no CSRF token.
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    follow.refresh_from_db()
    assert follow.frequency == Follow.Frequency.OFF
    EventFactory(agreement=mou)
    services.send_alerts()
    assert len(mail.outbox) == 1


def test_a_forged_unsubscribe_token_changes_nothing(client, member, mou):
    follow = _follow(member, mou, "realtime")
    response = client.post(f"/alerts/unsubscribe/{follow.pk}-forged/")
    assert response.status_code == 400
    follow.refresh_from_db()
    assert follow.frequency == "realtime"


def test_a_disabled_account_gets_no_email(member, mou):
    _follow(member, mou, "realtime")
    member.is_active = False
    member.save()
    EventFactory(agreement=mou)
    services.send_alerts()
    assert mail.outbox == []


def test_send_alerts_command_runs_one_sweep(member, mou, capsys):
    from django.core.management import call_command

    _follow(member, mou, "realtime")
    EventFactory(agreement=mou)
    call_command("send_alerts")
    assert '"digests": 1' in capsys.readouterr().out
    assert len(mail.outbox) == 1
