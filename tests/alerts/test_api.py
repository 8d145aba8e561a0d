"""/api/v1/webhooks/: registration with a token, the owner's list, test events, the log."""

import re

import pytest
from rest_framework.authtoken.models import Token

from apps.alerts import services
from apps.alerts.models import Change, Webhook
from tests.api_errors import errors_by_parameter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# An inline style attribute or an inline script (a <script> without src): the CSP refuses both.
INLINE = re.compile(r"\sstyle=|<script(?![^>]*\bsrc=)")


@pytest.fixture
def token_client(api_client, member):
    token = Token.objects.create(user=member)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_registering_a_webhook_answers_its_id_and_secret(token_client, receiver, member):
    response = token_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url_for("/hook"), "event_types": ["event.created", "article.linked"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    webhook = Webhook.objects.get(pk=body["id"])
    assert webhook.owner == member
    assert webhook.event_types == ["article.linked", "event.created"]
    listed = token_client.get("/api/v1/webhooks/").json()
    assert [item["id"] for item in listed["results"]] == [webhook.pk]
    assert "secret" not in listed["results"][0]


def test_bad_input_answers_400_naming_the_field(token_client, settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = []
    response = token_client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["no.such"]},
        format="json",
    )
    assert response.status_code == 400
    # A list field's error names the item too (event_types.0).
    assert {name.split(".")[0] for name in errors_by_parameter(response)} == {"url", "event_types"}
    assert "loopback" in errors_by_parameter(response)["url"][0]


def test_anonymous_requests_are_refused(api_client):
    assert api_client.get("/api/v1/webhooks/").status_code in (401, 403)
    assert api_client.post("/api/v1/webhooks/", {}, format="json").status_code in (401, 403)


def test_another_users_webhook_is_invisible(token_client, receiver):
    other = Webhook.objects.create(
        owner=UserFactory(),
        url=receiver.url_for("/x"),
        event_types=["event.created"],
        secret="whsec_AA==",
    )
    assert token_client.get(f"/api/v1/webhooks/{other.pk}/").status_code == 404
    assert token_client.delete(f"/api/v1/webhooks/{other.pk}/").status_code == 404
    assert token_client.post(f"/api/v1/webhooks/{other.pk}/test/").status_code == 404


def test_test_endpoint_queues_a_delivery_that_the_sweep_sends(token_client, receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    created = token_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url_for("/hook"), "event_types": ["event.created"]},
        format="json",
    ).json()
    response = token_client.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert response.status_code == 202
    assert Change.objects.get().type == "webhook.test"
    services.send_alerts()
    log = token_client.get(f"/api/v1/webhooks/{created['id']}/attempts/").json()
    assert [(a["event_type"], a["response_status"]) for a in log["results"]] == [
        ("webhook.test", 200)
    ]
    assert log["results"][0]["event_id"] == response.json()["event_id"]


def test_rotation_and_delete(token_client, receiver):
    created = token_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url_for("/hook"), "event_types": ["event.created"]},
        format="json",
    ).json()
    rotated = token_client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert Webhook.objects.get().previous_secret == created["secret"]
    assert token_client.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 204
    assert not Webhook.objects.exists()


def test_the_settings_page_adds_a_webhook_and_shows_its_log(member_client, receiver):
    response = member_client.post(
        "/alerts/webhooks/", {"url": receiver.url_for("/hook"), "event_types": ["event.created"]}
    )
    webhook = Webhook.objects.get()
    assert response["Location"] == f"/alerts/webhooks/{webhook.pk}/"
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    member_client.post(f"/alerts/webhooks/{webhook.pk}/test/")
    services.send_alerts()
    page = member_client.get(f"/alerts/webhooks/{webhook.pk}/").content.decode()
    assert webhook.secret in page
    assert "webhook.test" in page and "200 delivered" in page
    assert not INLINE.search(page)
