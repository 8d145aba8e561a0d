"""Security settings as a client meets them: login lock-out, password rules, the second factor,
staff idle timeout, response headers, and which proxy headers are believed."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from policytracker.client_ip import client_ip
from tests.factories import CuratorFactory

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/admin/login/?next=/admin/"


def _attempt(client, username, password, address="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_admin_login_locks_after_five_wrong_passwords_even_for_the_right_one(client):
    CuratorFactory(username="editor")

    for _ in range(4):
        assert _attempt(client, "editor", "wrong password!").status_code == 200
    assert _attempt(client, "editor", "wrong password!").status_code == 429

    locked = _attempt(client, "editor", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_neither_resets_nor_moves_the_lock(client):
    CuratorFactory(username="editor")
    for attempt in range(5):
        _attempt(client, "editor", "wrong password!", forwarded=f"198.51.100.{attempt}")

    still_locked = _attempt(client, "editor", PASSWORD, forwarded="192.0.2.99")
    assert still_locked.status_code == 429


@pytest.mark.django_db
def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(client):
    CuratorFactory(username="editor")
    for _ in range(6):
        _attempt(client, "editor", "wrong password!", address="203.0.113.66")

    from_home = _attempt(client, "editor", PASSWORD, address="192.0.2.10")
    assert from_home.status_code == 302
    assert from_home["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("Tr0ub4dor&3x", True), ("Tr0ub4dor&3", False), ("correct horse", True)],
)
def test_passwords_need_twelve_characters(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


@pytest.mark.django_db
def test_staff_session_ends_after_idle_time(client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 1800
    client.force_login(CuratorFactory())
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

    with time_machine.travel(start, tick=False) as traveller:
        assert client.get("/admin/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200  # activity restarts the clock
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        idle = client.get("/admin/")

    assert idle.status_code == 302
    assert idle["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_requires_a_totp_code_when_the_setting_says_so(client, settings):
    settings.ADMIN_REQUIRE_OTP = True
    curator = CuratorFactory(username="editor")
    device = TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)

    without_code = _attempt(client, "editor", PASSWORD)
    assert without_code.status_code == 200
    assert "_auth_user_id" not in client.session

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    with_code = client.post(
        LOGIN_URL,
        {
            "username": "editor",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{code:06d}",
        },
        REMOTE_ADDR="203.0.113.5",
    )
    assert with_code.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_session_without_the_second_factor_sees_no_admin_page(client, settings):
    settings.ADMIN_REQUIRE_OTP = True
    client.force_login(CuratorFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_without_the_setting_a_password_is_enough(client, settings):
    settings.ADMIN_REQUIRE_OTP = False
    CuratorFactory(username="editor")

    assert _attempt(client, "editor", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/login/", "/api/docs/", "/api/v1/agreements/"])
def test_every_response_carries_a_strict_content_security_policy(client, url):
    response = client.get(url)

    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_from_a_file(client):
    page = client.get("/api/docs/").content.decode()

    assert "<script>" not in page.replace(" ", "")
    assert "?script=" in page or "script=" in page


def test_client_address_ignores_forwarded_for_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_ip(request) == "203.0.113.5"


def test_client_address_behind_one_proxy_is_the_hop_that_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged_then_real = "198.51.100.1, 192.0.2.44"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged_then_real
    )

    assert client_ip(request) == "192.0.2.44"


def test_client_address_falls_back_when_the_request_skipped_the_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.44")

    assert client_ip(request) == "10.0.0.2"


def _production_setting(name: str, **env) -> str:
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key-for-the-settings-subprocess",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='policytracker.settings';"
        "from django.conf import settings;"
        f"print(repr(getattr(settings, {name!r}, None)))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_production_trusts_x_forwarded_proto_only_behind_a_declared_proxy():
    assert _production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert _production_setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1") == repr(
        ("HTTP_X_FORWARDED_PROTO", "https")
    )


def test_production_hsts_preload_and_subdomains_are_opt_in():
    assert _production_setting("SECURE_HSTS_PRELOAD") == "False"
    assert _production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS") == "False"
    assert _production_setting("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") == "True"


@pytest.mark.slow
def test_production_as_the_readme_runs_it_serves_pages_without_a_server_banner(tmp_path):
    """DEBUG=0 under gunicorn, set up as the README's section says (migrate, collectstatic):
    pages and hashed static files are served, with the security headers and no Server line."""
    import http.client
    import socket
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key-for-a-production-run-of-gunicorn",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=root, env=env, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "policytracker.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        return response, response.read()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home, body = get("/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert home.status == 200
        assert home.getheader("Server") is None
        assert "frame-ancestors 'none'" in home.getheader("Content-Security-Policy")
        assert home.getheader("X-Content-Type-Options") == "nosniff"
        stylesheets = [
            part.split('"')[0] for part in body.decode().split('href="')[1:] if ".css" in part
        ]
        assert stylesheets and all(".css" in href for href in stylesheets)
        css, _ = get(stylesheets[0])
        assert css.status == 200
        assert css.getheader("Server") is None
    finally:
        server.terminate()
        server.wait(timeout=30)
