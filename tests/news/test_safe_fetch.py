"""safe_fetch against real HTTP servers on 127.0.0.1: address checks, size and time limits,
redirects, status classification and conditional GET."""

import gzip
import socket
import time
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest
import time_machine
from pytest_httpserver import HTTPServer
from werkzeug import Response

from apps.news.safe_fetch import (
    FetchError,
    check_fetchable_url,
    check_public_host,
    fetch,
    public_client,
)

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def outside_connections(monkeypatch):
    """Every connection attempt to an address other than 127.0.0.1; none is let through, so a
    broken address check fails a test instead of sending traffic off this machine."""
    attempts = []
    real_create_connection = socket.create_connection

    def local_only_create_connection(address, *args, **kwargs):
        if address[0] != "127.0.0.1":
            attempts.append(address)
            raise OSError(f"test refuses to connect to {address[0]}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only_create_connection)
    return attempts


def _start_server() -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


@pytest.fixture(scope="module")
def local_servers():
    # Started once per module: stopping a werkzeug server takes half a second.
    servers = (_start_server(), _start_server())
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def server(local_servers, settings):
    server = local_servers[0]
    server.clear()
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{server.port}"]
    yield server
    server.clear()


@pytest.fixture
def other_server(local_servers):
    """A second local server whose port is not in INGEST_ALLOWED_PRIVATE_HOSTS."""
    server = local_servers[1]
    server.clear()
    yield server
    server.clear()


def test_fetch_returns_body_type_charset_and_validators(server):
    server.expect_request("/feed.xml").respond_with_data(
        "<rss/>",
        content_type="application/rss+xml; charset=ISO-8859-1",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"},
    )

    result = fetch(server.url_for("/feed.xml"))

    assert result.content == b"<rss/>"
    assert result.status_code == 200
    assert result.content_type == "application/rss+xml"
    assert result.encoding == "iso-8859-1"
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert result.not_modified is False


def test_fetch_sends_configured_user_agent_and_accept(server, settings):
    settings.INGEST_USER_AGENT = "PolicyTrackerTest/1.0"
    server.expect_request(
        "/feed.xml",
        headers={"User-Agent": "PolicyTrackerTest/1.0", "Accept": "application/rss+xml"},
    ).respond_with_data("ok")

    result = fetch(server.url_for("/feed.xml"), accept="application/rss+xml")

    assert result.content == b"ok"


def test_redirects_are_followed_and_final_url_reported(server):
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("moved here")

    result = fetch(server.url_for("/old"))

    assert result.content == b"moved here"
    assert result.url == server.url_for("/new")


def test_redirect_to_cloud_metadata_address_is_refused(server, outside_connections):
    server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "refused: 169.254.169.254 is a link-local address"
    assert caught.value.permanent is True
    assert outside_connections == []


def test_loopback_on_a_port_not_allowed_is_refused(server, other_server):
    other_server.expect_request("/").respond_with_data("internal admin page")

    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{other_server.port}/")

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert caught.value.permanent is True
    assert other_server.log == []


def test_redirect_to_loopback_on_a_port_not_allowed_is_refused(server, other_server):
    other_server.expect_request("/").respond_with_data("internal admin page")
    server.expect_request("/feed").respond_with_data(
        "", status=307, headers={"Location": f"http://127.0.0.1:{other_server.port}/"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert other_server.log == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/", "refused: 10.1.2.3 is a private address"),
        ("http://192.168.0.1:8080/", "refused: 192.168.0.1 is a private address"),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "refused: 224.0.0.1 is a multicast address"),
        ("http://240.0.0.1/", "refused: 240.0.0.1 is a reserved address"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "refused: ::ffff:127.0.0.1 is a loopback address"),
        (
            "http://[::ffff:169.254.169.254]/",
            "refused: ::ffff:169.254.169.254 is a link-local address",
        ),
        ("http://[fe80::1]/", "refused: fe80::1 is a link-local address"),
        ("http://[fd00::1]/", "refused: fd00::1 is a private address"),
    ],
)
def test_non_public_addresses_are_refused_before_connecting(url, reason, outside_connections):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason == reason
    assert caught.value.permanent is True
    assert outside_connections == []


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.org/feed.xml", "ftp"),
        ("javascript:alert(1)", "javascript"),
    ],
)
def test_non_http_schemes_are_refused(url, scheme):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason == f"refused: {scheme} URLs are not fetched, only http and https"
    assert caught.value.permanent is True


def test_redirect_to_file_url_is_refused(server):
    server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "refused: file URLs are not fetched, only http and https"


def test_dns_answer_pointing_at_loopback_is_refused(server, monkeypatch):
    # The hostname looks public; only the address it resolves to, which is the one that would
    # be connected to, reveals the loopback interface (DNS rebinding).
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host == "evil.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    server.expect_request("/feed").respond_with_data("secret")

    with pytest.raises(FetchError) as caught:
        fetch(f"http://evil.example:{server.port}/feed")

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert server.log == []


def test_connection_goes_to_the_resolved_address_with_original_host_header(
    server, settings, monkeypatch
):
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def resolving_getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host == "feeds.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving_getaddrinfo)
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"feeds.example:{server.port}"]
    server.expect_request(
        "/feed", headers={"Host": f"feeds.example:{server.port}"}
    ).respond_with_data("intranet feed")

    result = fetch(f"http://feeds.example:{server.port}/feed")

    assert result.content == b"intranet feed"
    # Resolved once; the socket was then opened on the literal address that was checked.
    assert lookups.count("feeds.example") == 1


def _endless_body(request):
    def chunks():
        for _ in range(10_000):  # bounded so the server thread always ends by itself
            yield b"<item>" + b"x" * 65_530

    return Response(chunks(), content_type="application/rss+xml")


def test_body_that_never_ends_is_stopped_at_the_cap(server, settings):
    settings.INGEST_MAX_BYTES = 1 * MB
    server.expect_request("/endless").respond_with_handler(_endless_body)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/endless"))

    assert caught.value.reason == "response exceeded 1 MB"
    assert caught.value.permanent is True


def test_fifty_megabyte_body_is_stopped_at_the_cap(server, settings):
    settings.INGEST_MAX_BYTES = 5 * MB

    def fifty_megabytes(request):
        return Response((b"y" * 65_536 for _ in range(800)), content_type="text/xml")

    server.expect_request("/big").respond_with_handler(fifty_megabytes)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch(server.url_for("/big"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.reason == "response exceeded 5 MB"
    # The in-process test server alone peaks near 10 MB; keeping the body would add 50 MB.
    assert peak < 25 * MB


def test_declared_length_over_max_bytes_is_refused(server):
    server.expect_request("/feed").respond_with_data(b"z" * 4000)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"), max_bytes=1000)

    assert caught.value.reason == "response exceeded 1000 bytes"


def test_gzip_bomb_is_capped_on_decompressed_size(server, settings):
    settings.INGEST_MAX_BYTES = 1 * MB
    bomb = gzip.compress(b"\0" * (50 * MB), compresslevel=9)
    assert len(bomb) < 100_000
    server.expect_request("/bomb").respond_with_data(
        bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
    )
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch(server.url_for("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.reason == "response exceeded 1 MB"
    # The in-process test server alone peaks near 10 MB; inflating the bomb would add 50 MB.
    assert peak < 25 * MB


def test_gzip_body_under_the_cap_is_decompressed(server):
    server.expect_request("/feed").respond_with_data(
        gzip.compress(b"<rss>small</rss>"), headers={"Content-Encoding": "gzip"}
    )

    assert fetch(server.url_for("/feed")).content == b"<rss>small</rss>"


def test_trickling_server_is_stopped_by_the_total_timeout(server, settings):
    settings.INGEST_TOTAL_TIMEOUT = 0.5
    settings.INGEST_READ_TIMEOUT = 5.0

    def trickle(request):
        def drip():
            for _ in range(200):  # at most ten seconds, then the thread ends by itself
                yield b"<"
                time.sleep(0.05)

        return Response(drip(), content_type="application/rss+xml")

    server.expect_request("/slow").respond_with_handler(trickle)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/slow"))

    assert time.monotonic() - started < 2.0
    assert caught.value.permanent is False
    assert "total time limit" in caught.value.reason


@pytest.mark.parametrize(
    ("status", "reason", "permanent"),
    [
        (404, "HTTP 404 Not Found", True),
        (410, "HTTP 410 Gone", True),
        (403, "HTTP 403 Forbidden", True),
        (408, "HTTP 408 Request Timeout", False),
        (500, "HTTP 500 Internal Server Error", False),
        (503, "HTTP 503 Service Unavailable", False),
    ],
)
def test_error_statuses_are_classified(server, status, reason, permanent):
    server.expect_request("/feed").respond_with_data("nope", status=status)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == reason
    assert caught.value.permanent is permanent
    assert caught.value.status_code == status


def test_429_with_retry_after_seconds_is_transient(server):
    server.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "HTTP 429 Too Many Requests"
    assert caught.value.permanent is False
    assert caught.value.retry_after == 120.0


def test_429_with_retry_after_http_date_is_converted_to_seconds(server):
    server.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "Thu, 01 Jan 2026 12:05:00 GMT"}
    )

    with (
        time_machine.travel(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)),
        pytest.raises(FetchError) as caught,
    ):
        fetch(server.url_for("/feed"))

    assert caught.value.retry_after == pytest.approx(300, abs=5)


def test_connection_refused_is_transient(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{port}"]

    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/feed")

    assert caught.value.permanent is False
    assert caught.value.reason.startswith("could not fetch from 127.0.0.1")


def test_conditional_get_returns_not_modified(server):
    server.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    server.expect_request("/feed").respond_with_data("<rss>full</rss>", headers={"ETag": '"v1"'})

    first = fetch(server.url_for("/feed"))
    second = fetch(server.url_for("/feed"), etag=first.etag)

    assert first.not_modified is False
    assert second.not_modified is True
    assert second.status_code == 304
    assert second.content == b""
    assert second.etag == '"v1"'


def test_conditional_get_sends_if_modified_since(server):
    stamp = "Wed, 01 Jan 2025 00:00:00 GMT"
    server.expect_request("/feed", headers={"If-Modified-Since": stamp}).respond_with_data(
        "", status=304
    )
    server.expect_request("/feed").respond_with_data("<rss>full</rss>")

    result = fetch(server.url_for("/feed"), last_modified=stamp)

    assert result.not_modified is True
    assert result.last_modified == stamp


def test_redirect_chain_longer_than_the_limit_is_refused(server, settings):
    settings.INGEST_MAX_REDIRECTS = 3
    for hop in range(6):
        server.expect_request(f"/hop/{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop/{hop + 1}"}
        )
    server.expect_request("/hop/6").respond_with_data("end")

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/hop/0"))

    assert caught.value.reason == "too many redirects (more than 3)"
    assert caught.value.permanent is True
    assert len(server.log) == 4


def test_redirect_chain_within_the_limit_is_followed(server, settings):
    settings.INGEST_MAX_REDIRECTS = 3
    for hop in range(3):
        server.expect_request(f"/hop/{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop/{hop + 1}"}
        )
    server.expect_request("/hop/3").respond_with_data("end")

    assert fetch(server.url_for("/hop/0")).content == b"end"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # NAT64 carries one in the last 32 bits: this one is 10.0.0.1.
        ("http://[64:ff9b::a00:1]/", "refused: 64:ff9b::a00:1 is a private address"),
        ("http://[64:ff9b::7f00:1]/", "refused: 64:ff9b::7f00:1 is a loopback address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "refused: 64:ff9b::a9fe:a9fe is a link-local address"),
        # Carrier-grade NAT space is neither private nor global.
        ("http://100.64.0.1/", "refused: 100.64.0.1 is not a public address"),
    ],
)
def test_addresses_that_hide_a_non_public_one_are_refused(url, reason, outside_connections):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason == reason
    assert outside_connections == []


def test_proxy_environment_variables_do_not_reroute_the_fetch(server, other_server, monkeypatch):
    # A proxy would become the peer, so the address check would vouch for the wrong machine.
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", other_server.url_for("/"))
    monkeypatch.setenv("ALL_PROXY", other_server.url_for("/"))
    server.expect_request("/feed").respond_with_data("direct")

    assert fetch(server.url_for("/feed")).content == b"direct"
    assert other_server.log == []


@pytest.mark.parametrize("declare_length", [True, False])
def test_body_of_exactly_max_bytes_is_kept_and_one_byte_more_is_refused(server, declare_length):
    def body_of(size):
        def handler(request):
            if declare_length:
                return Response(b"a" * size)
            return Response(iter([b"a" * size]))  # streamed: no Content-Length

        return handler

    server.expect_request("/exact").respond_with_handler(body_of(1000))
    server.expect_request("/over").respond_with_handler(body_of(1001))

    assert len(fetch(server.url_for("/exact"), max_bytes=1000).content) == 1000
    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/over"), max_bytes=1000)
    assert caught.value.reason == "response exceeded 1000 bytes"


def test_redirect_status_without_location_is_an_error_not_a_loop(server):
    server.expect_request("/feed").respond_with_data("", status=302)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "HTTP 302 Found without a Location header"
    assert caught.value.status_code == 302
    assert len(server.log) == 1


# --- The SSRF matrix: every way of writing a non-public address, directly and behind a redirect.
# Python 3.11's ipaddress calls fec0::/10, 6to4, documentation space and most of 192.0.0.0/24
# global; each is refused by name.

NON_PUBLIC_FORMS = [
    # Private, shared and special IPv4 ranges.
    ("http://172.16.0.1/", "refused: 172.16.0.1 is a private address"),
    ("http://172.31.255.254/", "refused: 172.31.255.254 is a private address"),
    ("http://100.127.255.254/", "refused: 100.127.255.254 is not a public address"),
    ("http://198.18.0.1/", "refused: 198.18.0.1 is a private address"),
    ("http://192.0.0.8/", "refused: 192.0.0.8 is an IETF protocol address"),
    ("http://192.0.2.1/", "refused: 192.0.2.1 is a private address"),
    ("http://255.255.255.255/", "refused: 255.255.255.255 is a reserved address"),
    ("http://127.255.255.254/", "refused: 127.255.255.254 is a loopback address"),
    ("http://0.1.2.3/", "refused: 0.1.2.3 is a private address"),
    ("http://239.255.255.250:1900/", "refused: 239.255.255.250 is a multicast address"),
    # IPv4 literals in the forms inet_aton accepts: decimal, hex, short and mixed.
    ("http://2130706433/", "refused: 127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "refused: 127.0.0.1 is a loopback address"),
    ("http://0x7f.0.0.1/", "refused: 127.0.0.1 is a loopback address"),
    ("http://127.1/", "refused: 127.0.0.1 is a loopback address"),
    ("http://0xa9.254.169.254/", "refused: 169.254.169.254 is a link-local address"),
    ("http://2852039166/", "refused: 169.254.169.254 is a link-local address"),
    ("http://10.1/", "refused: 10.0.0.1 is a private address"),
    # IPv6 forms of loopback and the unspecified address.
    ("http://[0:0:0:0:0:0:0:1]/", "refused: ::1 is a loopback address"),
    ("http://[::]/", "refused: :: is an unspecified address"),
    ("http://[::ffff:7f00:1]/", "refused: ::ffff:127.0.0.1 is a loopback address"),
    ("http://[::ffff:a00:1]/", "refused: ::ffff:10.0.0.1 is a private address"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "refused: ::ffff:127.0.0.1 is a loopback address"),
    # IPv4-compatible (deprecated, ::/96) is reserved, whatever it embeds.
    ("http://[::127.0.0.1]/", "refused: ::127.0.0.1 is a reserved address"),
    ("http://[::8.8.8.8]/", "refused: ::8.8.8.8 is a reserved address"),
    # Translation and tunnel prefixes: 6to4, Teredo, local-use NAT64.
    ("http://[2002:7f00:1::]/", "refused: 2002:7f00:1:: is a 6to4 address"),
    ("http://[2002:808:808::1]/", "refused: 2002:808:808::1 is a 6to4 address"),
    (
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "refused: 2001:0:4136:e378:8000:63bf:3fff:fdd2 is a Teredo address",
    ),
    ("http://[64:ff9b:1::a00:1]/", "refused: 64:ff9b:1::a00:1 is a local-use NAT64 address"),
    ("http://[64:ff9b:1::808:808]/", "refused: 64:ff9b:1::808:808 is a local-use NAT64 address"),
    # Site-local, unique-local, link-local with a zone, multicast, documentation.
    ("http://[fec0::1]/", "refused: fec0::1 is a site-local address"),
    ("http://[feff:ffff::1]/", "refused: feff:ffff::1 is a site-local address"),
    ("http://[fc00::1]/", "refused: fc00::1 is a private address"),
    ("http://[fe80::1%25eth0]/", "refused: addresses with a zone (%) are not fetched"),
    ("http://[ff02::1]/", "refused: ff02::1 is a multicast address"),
    ("http://[ff0e::1]/", "refused: ff0e::1 is a multicast address"),
    ("http://[2001:db8::1]/", "refused: 2001:db8::1 is a private address"),
    ("http://[3fff::1]/", "refused: 3fff::1 is a documentation address"),
]


@pytest.mark.parametrize(("url", "reason"), NON_PUBLIC_FORMS)
def test_every_form_of_a_non_public_address_is_refused(url, reason, outside_connections):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason == reason
    assert caught.value.permanent is True
    assert outside_connections == []


@pytest.mark.parametrize(("url", "reason"), NON_PUBLIC_FORMS)
def test_a_redirect_to_any_form_of_a_non_public_address_is_refused(
    server, url, reason, outside_connections
):
    server.expect_request("/feed").respond_with_data("", status=302, headers={"Location": url})

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == reason
    assert outside_connections == []


@pytest.mark.parametrize(
    "url",
    [
        # Octal is refused by the URL parser before any lookup (browsers read it as 127.0.0.1).
        "http://0177.0.0.1/",
        "http://017700000001/",
    ],
)
def test_octal_ipv4_literals_are_refused_as_invalid(url, outside_connections):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason.startswith("refused: ")
    assert caught.value.permanent is True
    assert outside_connections == []


@pytest.mark.parametrize(
    "template",
    [
        "http://example.com@127.0.0.1:{port}/feed",
        "http://example.com:80@127.0.0.1:{port}/feed",
        "http://user:secret@127.0.0.1:{port}/feed",
    ],
)
def test_urls_with_userinfo_are_refused(server, template, outside_connections):
    server.expect_request("/feed").respond_with_data("secret")

    with pytest.raises(FetchError) as caught:
        fetch(template.format(port=server.port))

    assert caught.value.reason == "refused: URLs with a user name or password are not fetched"
    assert server.log == []


def test_a_fragment_that_spells_another_host_does_not_change_the_host(other_server):
    # Everything after # is a fragment: this URL names 127.0.0.1, which is checked and refused.
    other_server.expect_request("/").respond_with_data("internal admin page")

    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{other_server.port}#@example.com/")

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert other_server.log == []


def test_a_redirect_with_userinfo_is_refused(server, other_server):
    other_server.expect_request("/").respond_with_data("internal admin page")
    server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": f"http://example.com@127.0.0.1:{other_server.port}/"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "refused: URLs with a user name or password are not fetched"
    assert other_server.log == []


@pytest.fixture
def rebinding_dns(monkeypatch):
    """A resolver for rebind.example that answers a public address the first time it is asked
    and 127.0.0.1 every time after: a check that resolved separately from the connection would
    pass the public answer and then connect to the private one."""
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.example":
            lookups.append(host)
            address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_dns_answer_that_changes_after_the_check_never_reaches_the_private_address(
    server, rebinding_dns, outside_connections
):
    server.expect_request("/feed").respond_with_data("secret")

    with pytest.raises(FetchError):
        fetch(f"http://rebind.example:{server.port}/feed")

    # One lookup; the connection went to the public address that was checked (which this test
    # refuses to reach), never to the loopback answer a second lookup would have given.
    assert rebinding_dns == ["rebind.example"]
    assert outside_connections == [("93.184.216.34", server.port)]
    assert server.log == []


def test_a_host_checked_public_at_registration_is_checked_again_when_connecting(
    server, rebinding_dns, outside_connections
):
    # Webhook URLs are checked when registered and again on every delivery (apps/alerts).
    check_public_host("rebind.example", server.port)
    server.expect_request("/hook").respond_with_data("secret")

    with pytest.raises(FetchError) as caught:
        fetch(f"http://rebind.example:{server.port}/hook")

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert rebinding_dns == ["rebind.example", "rebind.example"]
    assert server.log == []


# --- What each answer and refusal says (written for mutmut's survivors, issue 18) --------------


@pytest.fixture
def fake_dns(monkeypatch):
    """Names resolved as the test says: a list of addresses, or None for a failed lookup."""
    answers = {}
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        if answers[host] is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_plain_fetch_sends_no_validators_and_accepts_any_type_in_gzip_or_deflate(server):
    seen = []

    def record(request):
        seen.append((request.method, request.headers))
        return Response("<rss/>")

    server.expect_request("/feed").respond_with_handler(record)

    result = fetch(server.url_for("/feed"))

    [(method, headers)] = seen
    assert method == "GET"
    assert headers["Accept"] == "*/*"
    assert headers["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in headers
    assert "If-Modified-Since" not in headers
    assert (result.etag, result.last_modified) == ("", "")


def test_a_not_modified_answer_names_its_url_and_an_empty_type(server):
    # A 304 has no body and (from this server) no Content-Type: the type is "", not None, as
    # for every header the answer left out.
    server.expect_request("/feed").respond_with_data("", status=304)

    result = fetch(server.url_for("/feed"), etag='"v1"')

    assert result.url == server.url_for("/feed")
    assert result.content_type == ""


def test_a_body_sent_in_pieces_comes_back_whole(server):
    server.expect_request("/feed").respond_with_handler(
        lambda request: Response(iter([b"<rss>", b"<item/>", b"</rss>"]))
    )

    assert fetch(server.url_for("/feed")).content == b"<rss><item/></rss>"


@pytest.mark.parametrize(
    ("status", "reason", "permanent"),
    [(300, "HTTP 300 Multiple Choices", True), (599, "HTTP 599 UNKNOWN", False)],
)
def test_a_status_outside_2xx_is_an_error_named_by_its_phrase(server, status, reason, permanent):
    server.expect_request("/feed").respond_with_data("choose", status=status)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == reason
    assert str(caught.value) == reason
    assert caught.value.permanent is permanent


def test_retry_after_on_a_permanent_error_is_ignored(server):
    server.expect_request("/feed").respond_with_data(
        "gone", status=404, headers={"Retry-After": "120"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [
        ("Thu, 01 Jan 2026 12:05:00 -0000", 300),  # a date with no zone counts as UTC
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0),  # a date already past means now
    ],
)
def test_retry_after_dates_become_seconds_from_now(server, retry_after, seconds):
    server.expect_request("/feed").respond_with_data(
        "busy", status=503, headers={"Retry-After": retry_after}
    )

    with (
        time_machine.travel(datetime(2026, 1, 1, 12, 0, tzinfo=UTC), tick=False),
        pytest.raises(FetchError) as caught,
    ):
        fetch(server.url_for("/feed"))

    assert caught.value.retry_after == seconds


@pytest.mark.parametrize(("max_bytes", "said"), [(1024, "1 KB"), (1100, "1.1 KB")])
def test_a_size_limit_in_kilobytes_is_said_in_kilobytes(server, max_bytes, said):
    server.expect_request("/feed").respond_with_data(b"z" * 4000)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"), max_bytes=max_bytes)

    assert caught.value.reason == f"response exceeded {said}"


def test_a_declared_length_over_the_cap_is_refused_before_the_body_arrives(server, settings):
    settings.INGEST_TOTAL_TIMEOUT = 0.5

    def slow_body(request):
        def chunks():
            yield b"z" * 10
            time.sleep(1.5)
            yield b"z" * 3990

        return Response(chunks(), headers={"Content-Length": "4000"})

    server.expect_request("/feed").respond_with_handler(slow_body)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"), max_bytes=1000)

    assert caught.value.reason == "response exceeded 1000 bytes"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("identity", lambda body: body),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # the zlib-wrapped form RFC 9110 names
        ("deflate", lambda body: zlib.compress(body, wbits=-zlib.MAX_WBITS)),  # raw, as sent
    ],
)
def test_every_advertised_content_encoding_is_decoded(server, encoding, compress):
    server.expect_request("/feed").respond_with_data(
        compress(b"<rss>small</rss>"), headers={"Content-Encoding": encoding}
    )

    assert fetch(server.url_for("/feed")).content == b"<rss>small</rss>"


def test_a_gzip_body_split_across_chunks_is_decoded_whole(server):
    body = gzip.compress(b"<rss>" + b"<item/>" * 1000 + b"</rss>")
    server.expect_request("/feed").respond_with_handler(
        lambda request: Response(iter([body[:20], body[20:]]), headers={"Content-Encoding": "gzip"})
    )

    assert fetch(server.url_for("/feed")).content == b"<rss>" + b"<item/>" * 1000 + b"</rss>"


@pytest.mark.parametrize(
    ("encoding", "body", "reason", "permanent"),
    [
        # Damaged in transit, perhaps: worth another try.
        ("gzip", zlib.compress(b"<rss/>"), "the response body is not valid gzip data", False),
        ("deflate", b"not deflate at all", "the response body is not valid deflate data", False),
        # A coding this client never advertised: the same answer next time.
        ("br", b"...", "the response uses the unsupported Content-Encoding 'br'", True),
    ],
)
def test_a_body_that_cannot_be_decoded_is_an_error(server, encoding, body, reason, permanent):
    server.expect_request("/feed").respond_with_data(body, headers={"Content-Encoding": encoding})

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == reason
    assert caught.value.permanent is permanent


def test_a_server_that_never_answers_is_given_up_at_the_read_timeout(server, settings):
    settings.INGEST_READ_TIMEOUT = 0.2
    settings.INGEST_TOTAL_TIMEOUT = 5.0

    def silent(request):
        time.sleep(1.0)
        return Response("late")

    server.expect_request("/feed").respond_with_handler(silent)

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert caught.value.reason == "timed out waiting for 127.0.0.1"
    assert caught.value.permanent is False


def test_a_server_silent_past_the_total_time_limit_is_given_up_at_that_limit(server, settings):
    settings.INGEST_TOTAL_TIMEOUT = 0.5
    settings.INGEST_READ_TIMEOUT = 5.0

    def silent(request):
        def late():
            time.sleep(2.0)
            yield b"late"

        return Response(late())

    server.expect_request("/feed").respond_with_handler(silent)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetch(server.url_for("/feed"))

    assert time.monotonic() - started < 1.5
    assert caught.value.reason == (
        "gave up after 0.5 s: the response took longer than the total time limit"
    )


def test_a_host_that_does_not_resolve_is_a_transient_error(fake_dns):
    fake_dns["nothing.example"] = None

    with pytest.raises(FetchError) as caught:
        fetch("http://nothing.example/feed")

    assert caught.value.reason.startswith("could not fetch from nothing.example: DNS lookup failed")
    assert caught.value.permanent is False


def test_an_address_that_refuses_the_connection_is_skipped_for_the_next(
    server, settings, fake_dns, outside_connections
):
    fake_dns["dual.example"] = ["::1", "127.0.0.1"]
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [f"dual.example:{server.port}"]
    server.expect_request("/feed").respond_with_data("second address")

    assert fetch(f"http://dual.example:{server.port}/feed").content == b"second address"
    assert outside_connections == [("::1", server.port)]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("//example.com/feed", "refused: scheme-less URLs are not fetched, only http and https"),
        ("http:///feed", "refused: 'http:///feed' has no host"),
        (
            "http://user@example.com/feed",
            "refused: URLs with a user name or password are not fetched",
        ),
    ],
)
def test_a_url_refused_for_its_form_is_refused_for_good(url, reason, outside_connections):
    with pytest.raises(FetchError) as caught:
        fetch(url)

    assert caught.value.reason == reason
    assert caught.value.permanent is True
    assert outside_connections == []


def test_checking_a_host_that_does_not_resolve_refuses_it_for_good(fake_dns):
    fake_dns["nothing.example"] = None

    with pytest.raises(FetchError) as caught:
        check_public_host("nothing.example", 443)

    assert caught.value.reason == "refused: DNS lookup of nothing.example failed"
    assert caught.value.permanent is True


def test_checking_a_url_whose_host_does_not_resolve_yet_lets_it_pass(fake_dns):
    fake_dns["nothing.example"] = None

    assert check_fetchable_url("https://nothing.example/feed") is None


@pytest.mark.parametrize(
    "check",
    [
        lambda: check_public_host("127.0.0.1", 443),
        lambda: check_fetchable_url("https://127.0.0.1/feed"),
    ],
)
def test_checking_a_loopback_host_refuses_it_for_good(check):
    with pytest.raises(FetchError) as caught:
        check()

    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert caught.value.permanent is True


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ("localhost:80", "http://localhost/feed"),
        ("localhost:443", "https://localhost/feed"),
        ("localhost:8443", "https://LocalHost:8443/feed"),
        ("[::1]:8443", "https://[::1]:8443/feed"),
    ],
)
def test_checking_a_url_lets_a_host_and_port_named_in_the_allowed_list_pass(settings, allowed, url):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = [allowed]

    assert check_fetchable_url(url) is None
    parsed_port = int(allowed.rpartition(":")[2])
    host = allowed.rpartition(":")[0].strip("[]")
    assert check_public_host(host, parsed_port) is None


def test_the_webhook_client_refuses_non_public_addresses_and_follows_no_redirect(
    server, other_server
):
    server.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "/x"})

    with public_client(timeout=5) as client:
        answer = client.post(server.url_for("/hook"), content=b"{}")
        with pytest.raises(FetchError) as caught:
            client.post(other_server.url_for("/hook"), content=b"{}")

    assert answer.status_code == 302
    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
    assert other_server.log == []
