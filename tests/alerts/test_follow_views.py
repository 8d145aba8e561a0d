"""Following from a record page, and My follows' "what changed since your last visit"."""

import re

import pytest
from django.core import mail

from apps.alerts import services
from apps.alerts.models import Follow
from tests.factories import AgreementFactory, EventFactory, LegalChallengeFactory

pytestmark = pytest.mark.django_db


def _csrf(page) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()


def test_following_from_the_agreement_page(member, client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    agreement = AgreementFactory(slug="irs-ice-mou", title="IRS–ICE MOU")
    page = browser.get("/agreements/irs-ice-mou/")
    assert b'<button type="submit">Follow</button>' in page.content

    response = browser.post(
        "/alerts/follow/",
        {
            "csrfmiddlewaretoken": _csrf(page),
            "kind": "agreement",
            "id": agreement.pk,
            "frequency": "weekly",
            "next": "/agreements/irs-ice-mou/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/agreements/irs-ice-mou/"
    follow = Follow.objects.get(user=member)
    assert (follow.agreement, follow.frequency) == (agreement, "weekly")
    page = browser.get("/agreements/irs-ice-mou/")
    assert b"Following" in page.content and b"Unfollow" in page.content
    assert "You follow IRS–ICE MOU." in page.content.decode()


def test_a_follow_without_the_csrf_token_is_refused(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    agreement = AgreementFactory()
    response = browser.post("/alerts/follow/", {"kind": "agreement", "id": agreement.pk})
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_the_challenge_page_has_a_follow_button_too(member_client):
    challenge = LegalChallengeFactory(slug="ctu-v-bessent")
    page = member_client.get("/challenges/ctu-v-bessent/")
    assert f'name="id" value="{challenge.pk}"'.encode() in page.content
    assert b'name="kind" value="challenge"' in page.content


def test_an_anonymous_follow_is_sent_to_sign_in(client):
    agreement = AgreementFactory(slug="irs-ice-mou")
    response = client.post(
        "/alerts/follow/",
        {"kind": "agreement", "id": agreement.pk, "next": "/agreements/irs-ice-mou/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/agreements/irs-ice-mou/")
    assert not Follow.objects.exists()


def test_following_twice_keeps_one_follow(member_client, member):
    agreement = AgreementFactory()
    for frequency in ("daily", "realtime"):
        member_client.post(
            "/alerts/follow/", {"kind": "agreement", "id": agreement.pk, "frequency": frequency}
        )
    assert list(Follow.objects.values_list("frequency", flat=True)) == ["realtime"]


def test_a_saved_list_with_a_bad_filter_is_refused_with_the_reason(member_client):
    response = member_client.post("/alerts/follow/", {"query": "status=nonsense"}, follow=True)
    assert "This list cannot be followed: status" in response.content.decode()
    assert not Follow.objects.exists()


def test_my_follows_shows_what_changed_since_the_last_visit(member_client, member):
    agreement = AgreementFactory(slug="irs-ice-mou", title="IRS–ICE MOU")
    follow = services.follow(user=member, target=agreement, kind="agreement", frequency="off")
    EventFactory(agreement=agreement, title="Signed", kind="signed")
    EventFactory(agreement=agreement, title="Took effect", kind="took_effect")
    services.send_alerts()

    page = member_client.get("/alerts/follows/").content.decode()
    assert "2 new since" in page
    assert "Took effect" in page

    response = member_client.get(f"/alerts/follows/{follow.pk}/open/", follow=True)
    assert response.redirect_chain == [("/agreements/irs-ice-mou/", 302)]
    since = response.content.decode().split('class="since-visit"')[1].split("</section>")[0]
    assert "2 new since your last visit" in since
    assert "Signed" in since and "Took effect" in since
    page = member_client.get("/alerts/follows/").content.decode()
    assert "Nothing new since" in page
    assert mail.outbox == []  # a follow set to "no email" sends none


def test_my_follows_runs_a_fixed_number_of_queries(
    member_client, member, django_assert_max_num_queries
):
    for _ in range(5):
        agreement = AgreementFactory()
        services.follow(user=member, target=agreement, kind="agreement")
        EventFactory(agreement=agreement)
    services.send_alerts()
    with django_assert_max_num_queries(12):
        assert member_client.get("/alerts/follows/").status_code == 200


def test_someone_elses_follow_is_404(member_client):
    from tests.factories import UserFactory

    other = services.follow(user=UserFactory(), target=AgreementFactory(), kind="agreement")
    assert member_client.post(f"/alerts/follows/{other.pk}/delete/").status_code == 404
    assert Follow.objects.filter(pk=other.pk).exists()


def test_a_filtered_agreements_list_can_be_followed(member_client, member):
    AgreementFactory(status="signed")
    page = member_client.get("/agreements/?status=signed&page=1").content.decode()
    assert "Follow this list" in page
    assert 'name="query" value="status=signed"' in page
    member_client.post("/alerts/follow/", {"query": "status=signed&page=1", "frequency": "daily"})
    assert list(Follow.objects.values_list("query", flat=True)) == ["status=signed"]
    assert "Following" in member_client.get("/agreements/?status=signed").content.decode()


def test_the_unfiltered_list_has_no_follow_button(member_client):
    assert "Follow this list" not in member_client.get("/agreements/").content.decode()


def test_a_page_asks_a_reader_who_is_not_signed_in_to_sign_in_without_setting_a_cookie(client):
    AgreementFactory(slug="irs-ice-mou")
    page = client.get("/agreements/irs-ice-mou/")
    html = page.content.decode()
    assert '<form method="get" action="/accounts/login/">' in html
    assert 'name="next" value="/agreements/irs-ice-mou/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not page.cookies  # one public page for every anonymous reader
