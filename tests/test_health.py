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
def test_healthz_reports_configured_redis_ok(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_reports_unreachable_redis_as_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
    assert "127.0.0.1" not in response.content.decode()  # no internal addresses in public
