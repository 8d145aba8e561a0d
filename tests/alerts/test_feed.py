"""The private Atom feed: a secret token in the URL, revocable."""

import pytest
from defusedxml import ElementTree

from apps.alerts import services
from tests.factories import AgreementFactory, EventFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_private_feed_lists_what_the_user_follows(client, member):
    followed = AgreementFactory(slug="irs-ice-mou")
    services.follow(user=member, target=followed, kind="agreement", frequency="off")
    EventFactory(agreement=followed, title="Signed in April", kind="signed")
    EventFactory(agreement=AgreementFactory(), title="Not followed")
    services.send_alerts()
    token = services.private_feed_of(user=member).token

    response = client.get(f"/alerts/feed/{token}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Signed: Signed in April"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.startswith("http://127.0.0.1:8000/agreements/irs-ice-mou/#event-")


def test_revoking_the_feed_retires_the_old_url(client, member_client, member):
    old = services.private_feed_of(user=member).token
    assert member_client.post("/alerts/feed/revoke/").status_code == 302
    new = services.private_feed_of(user=member).token
    assert new != old
    assert client.get(f"/alerts/feed/{old}/").status_code == 404
    assert client.get(f"/alerts/feed/{new}/").status_code == 200


def test_an_unknown_token_is_404(client, db):
    assert client.get("/alerts/feed/nope/").status_code == 404


def test_a_control_character_in_curated_text_does_not_break_the_feeds(client, member):
    # Pasted text can hold characters XML cannot carry; the feed leaves them out, not a 500.
    followed = AgreementFactory(slug="irs-ice-mou", title="MOU\x0b signed")
    services.follow(user=member, target=followed, kind="agreement", frequency="off")
    EventFactory(agreement=followed, title="Signed\x1b in April", description="Text\x08 here")
    services.send_alerts()
    token = services.private_feed_of(user=member).token

    for url in (f"/alerts/feed/{token}/", "/agreements/irs-ice-mou/feed/", "/feed/"):
        response = client.get(url)
        assert response.status_code == 200, url
        entries = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
        assert "Signed in April" in entries[0].find(f"{ATOM}title").text, url
