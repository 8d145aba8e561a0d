"""Curators write through the API with a token: anonymous writes are 401, a token without the
model permission 403, a curator's change is saved through the same code as admin and its history
names the curator. Plus throttling (429 with Retry-After, open when the cache is down) and CORS
(open for reads, closed for writes)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.news.models import ArticleLink
from apps.tracker.models import Event
from tests.api_errors import errors_by_parameter
from tests.factories import (
    AgreementFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EVENTS_URL = reverse("api:event-list")


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def new_event():
    AgreementFactory(slug="mou")
    return {"date": "2025-04-07", "kind": "signed", "title": "MOU signed", "agreement": "mou"}


def test_anonymous_write_is_401(api_client, new_event):
    response = api_client.post(EVENTS_URL, new_event, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Event.objects.exists()


def test_a_token_without_the_permission_is_403(new_event):
    response = client_for(UserFactory()).post(EVENTS_URL, new_event, format="json")

    assert response.status_code == 403
    assert not Event.objects.exists()


def test_a_curator_creates_an_event_and_history_names_them(new_event):
    curator = UserFactory(username="night-curator")
    curator.user_permissions.add(Permission.objects.get(codename="add_event"))

    response = client_for(curator).post(EVENTS_URL, new_event, format="json")

    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert response.json()["id"] == event.pk
    assert response.json()["agreement"]["slug"] == "mou"
    assert event.history.get().history_user == curator


def test_a_curator_updates_an_event(new_event):
    event = EventFactory(title="Old title")
    url = reverse("api:event-detail", args=[event.pk])

    response = client_for(CuratorFactory()).patch(url, {"title": "New title"}, format="json")

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.title == "New title"
    assert event.history.first().history_type == "~"


def test_a_write_breaking_a_model_rule_is_400_with_its_message():
    response = client_for(CuratorFactory()).post(
        EVENTS_URL, {"date": "2025-04-07", "kind": "signed", "title": "Orphan"}, format="json"
    )

    assert response.status_code == 400
    messages = [m for ms in errors_by_parameter(response).values() for m in ms]
    assert "An event belongs to an agreement, a challenge or both." in messages
    assert not Event.objects.exists()


def test_a_curator_creates_a_position_and_a_statement():
    client = client_for(CuratorFactory())
    AgreementFactory(slug="mou")
    position = PositionFactory.build()
    position.actor.save()

    made = client.post(
        reverse("api:position-list"),
        {"actor": position.actor.slug, "agreement": "mou", "stance": "opposes"},
        format="json",
    )
    said = client.post(
        reverse("api:statement-list"),
        {"position": made.json()["id"], "speaker": position.actor.slug, "text": "Unlawful."},
        format="json",
    )

    assert made.status_code == 201, made.content
    assert said.status_code == 201, said.content
    assert said.json()["stance"] == "opposes"


# --- Link decisions ---------------------------------------------------------------------------


def confirm_url(link):
    return reverse("api:link-confirm", args=[link.pk])


def test_link_decisions_need_a_token_with_the_change_permission(api_client):
    link = ArticleLinkFactory()

    anonymous = api_client.post(confirm_url(link))
    without_permission = client_for(UserFactory()).post(confirm_url(link))

    assert (anonymous.status_code, without_permission.status_code) == (401, 403)
    link.refresh_from_db()
    assert link.status == ArticleLink.Status.SUGGESTED


def test_a_curator_confirms_and_rejects_links_through_the_review_service():
    curator = UserFactory(username="reviewer")
    curator.user_permissions.add(Permission.objects.get(codename="change_articlelink"))
    client = client_for(curator)
    link = ArticleLinkFactory()

    confirmed = client.post(confirm_url(link))
    rejected = client.post(reverse("api:link-reject", args=[link.pk]))

    assert confirmed.json()["status"] == "confirmed"
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decided_by"] == "reviewer"
    assert [h.history_user for h in link.history.all()][:2] == [curator, curator]


# --- Tokens -----------------------------------------------------------------------------------


def api_token(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_api_token_prints_the_same_token_until_rotated():
    user = UserFactory(username="script")

    first, again = api_token("script"), api_token("script")
    rotated = api_token("script", "--rotate")

    assert first == again != rotated
    assert Token.objects.get(user=user).key == rotated


# --- Throttling -------------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "5/min"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import caches

    caches["default"].clear()


def test_too_many_anonymous_requests_are_429_with_retry_after(api_client, low_rates):
    statuses = [api_client.get(EVENTS_URL).status_code for _ in range(3)]

    response = api_client.get(EVENTS_URL)
    assert statuses == [200, 200, 429]
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"


def test_the_throttle_lets_requests_through_when_redis_is_down(api_client, settings, caplog):
    settings.API_THROTTLE_RATES = {"anon": "1/min", "user": "1/min"}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    statuses = [api_client.get(EVENTS_URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert "API throttle cache unavailable" in caplog.text


# --- CORS -------------------------------------------------------------------------------------


def test_reads_are_open_to_other_origins(api_client):
    response = api_client.get(EVENTS_URL, HTTP_ORIGIN="https://advocates.example")

    assert response["Access-Control-Allow-Origin"] == "*"


def test_writes_are_not_offered_to_other_origins(api_client):
    response = api_client.options(
        EVENTS_URL,
        HTTP_ORIGIN="https://advocates.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    allowed = response.get("Access-Control-Allow-Methods", "")
    assert "GET" in allowed
    assert "POST" not in allowed
