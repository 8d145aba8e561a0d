"""Accounts: sign-up with a mandatory email confirmation, password reset, disabled accounts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 42"
# What a strict CSP would block: a script element without src, or a style attribute.
INLINE_SCRIPT_OR_STYLE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=", re.IGNORECASE)


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/[^\s]+)", message.body).group(1)


def test_sign_up_needs_the_emailed_confirmation_before_signing_in(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert not INLINE_SCRIPT_OR_STYLE.search(page.content.decode())

    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="new@example.org").exists()
    [message] = mail.outbox
    assert message.to == ["new@example.org"]

    client.logout()
    refused = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert refused.status_code == 302 and "confirm-email" in refused["Location"]

    confirm = _link(message)
    assert client.get(confirm).status_code == 200
    client.post(confirm)
    client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_password_reset_sends_a_working_link(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    [message] = mail.outbox
    link = _link(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_an_account_an_admin_disabled_cannot_sign_in(client, member):
    member.is_active = False
    member.save()
    client.post(
        "/accounts/login/", {"login": member.email, "password": "correct horse battery staple"}
    )
    assert "_auth_user_id" not in client.session


def test_sign_in_page_uses_the_site_layout(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'class="site-header"' in page
    assert not INLINE_SCRIPT_OR_STYLE.search(page)
