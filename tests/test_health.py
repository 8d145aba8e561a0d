import os

import pytest


@pytest.mark.django_db
def test_healthz_reports_database_ok(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert "redis" not in body["checks"]


@pytest.mark.redis
@pytest.mark.django_db
def test_status_reports_configured_redis_ok(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/status")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_keeps_serving_when_redis_is_down(client, settings):
    """Pages serve without Redis, so a health-checked deployment must keep the web server in."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_status_reports_unreachable_redis_as_degraded(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/status")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
    assert "127.0.0.1" not in response.content.decode()  # no internal addresses in public


@pytest.mark.django_db
def test_status_and_healthz_answer_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    for url in ("/healthz", "/status"):
        response = client.get(url)
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == {
            "ok": False,
            "error": "OperationalError",
        }
