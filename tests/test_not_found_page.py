"""A mistyped or stale link gets the site's own page, with a way back, not the server's bare one."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_record_answers_404_with_a_way_back_to_the_agreements(client):
    response = client.get("/agreements/no-such-agreement/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert '<a href="/">See every tracked agreement</a>' in html
