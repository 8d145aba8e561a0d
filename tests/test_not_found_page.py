"""A mistyped or stale link gets the site's own page, with a way back, not the server's bare one."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_record_answers_404_with_a_way_back_to_the_agreements(client):
    response = client.get("/agreements/no-such-agreement/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert '<a href="/">See every tracked agreement</a>' in html


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint/", "/api/v2/agreements/", "/api/"])
def test_unknown_api_path_answers_404_in_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_api_path_without_its_trailing_slash_still_redirects(client):
    response = client.get("/api/v1/agreements")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/agreements/"
