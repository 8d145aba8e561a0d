"""The one HTTP client for everything ingestion fetches: public addresses only, bounded in size and
time, conditional GET, and errors that say whether a retry can help."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import cache
from http import HTTPStatus
from urllib.parse import urljoin

import httpcore
import httpx
from django.conf import settings
from django.utils import timezone

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Client errors that describe the moment, not the resource: a later retry can succeed.
TRANSIENT_CLIENT_STATUSES = frozenset({408, 429})
# Brotli and zstd are not advertised: their decoders cannot bound how much one chunk expands to.
ACCEPT_ENCODING = "gzip, deflate"
# NAT64 (RFC 6052) embeds an IPv4 address in the last 32 bits; a private one must stay private.
# It is judged by that address rather than refused, since a host on an IPv6-only network with
# DNS64 reaches every IPv4-only news site through it.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# Ranges refused outright. Python 3.11's ipaddress calls most of them global (fec0::/10, 6to4,
# 3fff::/20, most of 192.0.0.0/24) or refuses them only by accident (local-use NAT64 falls inside
# ::/8): a relay or translator we do not know decides where 6to4, Teredo and local-use NAT64
# traffic lands, and no public news site lives only behind one.
REFUSED_NETWORKS = (
    (ipaddress.IPv6Network("2002::/16"), "a 6to4 address"),
    (ipaddress.IPv6Network("2001::/32"), "a Teredo address"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (ipaddress.IPv6Network("fec0::/10"), "a site-local address"),
    (ipaddress.IPv6Network("3fff::/20"), "a documentation address"),
    (ipaddress.IPv4Network("192.0.0.0/24"), "an IETF protocol address"),
)
DECOMPRESS_PIECE = 64 * 1024


@dataclass(frozen=True)
class FetchResult:
    url: str
    status_code: int
    content: bytes
    content_type: str
    encoding: str | None
    etag: str
    last_modified: str
    not_modified: bool


class FetchError(Exception):
    """A fetch that did not produce a body; `permanent` tells the caller whether to retry."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        status_code: int | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.status_code = status_code


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    max_bytes: int | None = None,
) -> FetchResult:
    """GET `url`, following redirects itself so that every hop is checked, and return the body.

    Raises FetchError for anything that is not a 2xx or a 304.
    """
    limit = settings.INGEST_MAX_BYTES if max_bytes is None else max_bytes
    total_timeout = settings.INGEST_TOTAL_TIMEOUT
    deadline = time.monotonic() + total_timeout
    headers = {
        "User-Agent": settings.INGEST_USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    backend = _PublicAddressBackend(allowed_hosts=_allowed_private_hosts(), deadline=deadline)
    client = httpx.Client(
        transport=_PublicAddressTransport(backend=backend),
        headers=headers,
        timeout=httpx.Timeout(
            connect=settings.INGEST_CONNECT_TIMEOUT,
            read=settings.INGEST_READ_TIMEOUT,
            write=settings.INGEST_READ_TIMEOUT,
            pool=settings.INGEST_CONNECT_TIMEOUT,
        ),
        follow_redirects=False,
        # Proxy variables from the environment would make the proxy, not the checked address,
        # the peer we connect to.
        trust_env=False,
    )
    current = _checked_url(url)
    try:
        with client:
            for _hop in range(settings.INGEST_MAX_REDIRECTS + 1):
                with client.stream("GET", current) as response:
                    location = response.headers.get("location", "").strip()
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = _checked_url(urljoin(str(response.url), location))
                        continue
                    return _read_response(
                        response,
                        limit=limit,
                        deadline=deadline,
                        total_timeout=total_timeout,
                        sent_etag=etag,
                        sent_last_modified=last_modified,
                    )
    except httpx.TimeoutException as exc:
        if time.monotonic() >= deadline:
            raise _total_timeout_error(total_timeout) from exc
        phase = "connecting to" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
        raise FetchError(f"timed out {phase} {current.host}", permanent=False) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(f"refused: invalid URL ({exc})", permanent=True) from exc
    except httpx.TransportError as exc:
        raise FetchError(
            f"could not fetch from {current.host}: {exc or type(exc).__name__}", permanent=False
        ) from exc
    raise FetchError(
        f"too many redirects (more than {settings.INGEST_MAX_REDIRECTS})", permanent=True
    )


def check_fetchable_url(url: str) -> None:
    """Refuse, with the fetcher's own FetchError, a URL that `fetch` would refuse by its address:
    not http(s), no host, or a host whose addresses are not public (loopback, private,
    link-local such as 169.254.169.254…) and not allowed by INGEST_ALLOWED_PRIVATE_HOSTS.

    For checking a URL when a curator saves it rather than when it is first fetched. A host that
    does not resolve now passes: it may resolve later, and `fetch` checks again every time."""
    parsed = _checked_url(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    _check_host(parsed.host, port, refuse_unresolved=False)


def public_client(*, timeout: float) -> httpx.Client:
    """A client under the same address rules as fetch() that follows no redirect, for requests
    other than a GET of a page (the alerts app's webhook deliveries); `timeout` bounds the whole
    exchange."""
    deadline = time.monotonic() + timeout
    backend = _PublicAddressBackend(allowed_hosts=_allowed_private_hosts(), deadline=deadline)
    return httpx.Client(
        transport=_PublicAddressTransport(backend=backend),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )


def check_public_host(host: str, port: int) -> None:
    """Raise FetchError unless fetch() could connect to host:port: it resolves to a public address
    or INGEST_ALLOWED_PRIVATE_HOSTS names it. For checking a URL before it is stored."""
    _check_host(host, port, refuse_unresolved=True)


def _check_host(host: str, port: int, *, refuse_unresolved: bool) -> None:
    if _host_key(host.lower(), port) in _allowed_private_hosts():
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        if not refuse_unresolved:
            return
        raise FetchError(f"refused: DNS lookup of {host} failed", permanent=True) from exc
    kinds = [_non_public_kind(ipaddress.ip_address(info[4][0])) for info in infos]
    # `fetch` connects to a public address and skips the others, so one public address is enough.
    if all(kinds):
        raise FetchError(
            f"refused: {host} is {kinds[0] if kinds else 'unresolvable'}", permanent=True
        )


def _allowed_private_hosts() -> frozenset[str]:
    return frozenset(h.strip().lower() for h in settings.INGEST_ALLOWED_PRIVATE_HOSTS)


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"refused: {url!r} is not a valid URL", permanent=True) from exc
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme or "scheme-less"
        raise FetchError(
            f"refused: {scheme} URLs are not fetched, only http and https", permanent=True
        )
    if not parsed.host:
        raise FetchError(f"refused: {url!r} has no host", permanent=True)
    if "%" in parsed.host:
        # An IPv6 literal with a zone (fe80::1%eth0) names one of this machine's interfaces.
        raise FetchError("refused: addresses with a zone (%) are not fetched", permanent=True)
    if parsed.userinfo:
        # http://example.com@127.0.0.1/ names 127.0.0.1; no feed needs credentials in its links.
        raise FetchError(
            "refused: URLs with a user name or password are not fetched", permanent=True
        )
    return parsed


def _read_response(
    response: httpx.Response,
    *,
    limit: int,
    deadline: float,
    total_timeout: float,
    sent_etag: str,
    sent_last_modified: str,
) -> FetchResult:
    status = response.status_code
    etag = response.headers.get("etag", "")
    last_modified = response.headers.get("last-modified", "")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if status == 304:
        # A 304 may omit the validators; the ones sent still describe the cached copy.
        return FetchResult(
            url=str(response.url),
            status_code=status,
            content=b"",
            content_type=content_type,
            encoding=response.charset_encoding,
            etag=etag or sent_etag,
            last_modified=last_modified or sent_last_modified,
            not_modified=True,
        )
    if not 200 <= status < 300:
        raise _status_error(response)

    declared_length = response.headers.get("content-length", "")
    inflater = _Inflater(response.headers.get("content-encoding", ""))
    if inflater.identity and declared_length.isdigit() and int(declared_length) > limit:
        raise _too_large_error(limit)
    pieces: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        for piece in inflater.feed(chunk):
            size += len(piece)
            if size > limit:
                raise _too_large_error(limit)
            pieces.append(piece)
        if time.monotonic() >= deadline:
            raise _total_timeout_error(total_timeout)
    return FetchResult(
        url=str(response.url),
        status_code=status,
        content=b"".join(pieces),
        content_type=content_type,
        encoding=response.charset_encoding,
        etag=etag,
        last_modified=last_modified,
        not_modified=False,
    )


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase
    reason = f"HTTP {status} {phrase}".strip()
    if status in REDIRECT_STATUSES:
        reason += " without a Location header"
    transient = status >= 500 or status in TRANSIENT_CLIENT_STATUSES
    retry_after = _parse_retry_after(response.headers.get("retry-after", "")) if transient else None
    return FetchError(reason, permanent=not transient, retry_after=retry_after, status_code=status)


def _parse_retry_after(value: str) -> float | None:
    """Seconds to wait, from either form RFC 9110 allows: delay-seconds or an HTTP-date."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def _too_large_error(limit: int) -> FetchError:
    return FetchError(f"response exceeded {_describe_size(limit)}", permanent=True)


def _total_timeout_error(total_timeout: float) -> FetchError:
    return FetchError(
        f"gave up after {total_timeout:g} s: the response took longer than the total time limit",
        permanent=False,
    )


def _describe_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"


class _Inflater:
    """Undoes Content-Encoding in bounded pieces, so that the size cap applies to what a gzip bomb
    expands to before it is in memory (httpx's own decoder inflates a whole chunk at once)."""

    def __init__(self, content_encoding: str):
        self.coding = content_encoding.strip().lower()
        self.identity = self.coding in ("", "identity")
        self._produced = False
        if self.identity:
            self._zlib = None
        elif self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(
                f"the response uses the unsupported Content-Encoding {self.coding!r}",
                permanent=True,
            )

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            yield data
            return
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, DECOMPRESS_PIECE)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._produced:
                    # Many servers send raw deflate without the zlib wrapper RFC 9110 asks for.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._produced = True
                    continue
                raise FetchError(
                    f"the response body is not valid {self.coding} data", permanent=False
                ) from exc
            self._produced = True
            yield piece
            data = self._zlib.unconsumed_tail


def _host_key(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _non_public_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What makes an address unfit to fetch from, or None for a public unicast address."""
    for network, kind in REFUSED_NETWORKS:
        if address.version == network.version and address in network:
            return kind
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _non_public_kind(embedded)
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


class _PublicAddressBackend(httpcore.NetworkBackend):
    """Resolves each host once, checks every address, and connects to the checked address itself,
    so a DNS answer that changes between check and connect (rebinding) cannot reach a private
    network. TLS still gets the host name for SNI and certificate checks, and httpx still sends it
    in the Host header, because only the socket's peer changes."""

    def __init__(self, *, allowed_hosts: frozenset[str], deadline: float):
        self._allowed_hosts = allowed_hosts
        self._deadline = deadline
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options=None,
    ) -> httpcore.NetworkStream:
        allowed = _host_key(host.lower(), port) in self._allowed_hosts
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"DNS lookup failed ({exc})") from exc
        refusal = ""
        failure: Exception | None = None
        for address_text in dict.fromkeys(info[4][0] for info in infos):
            address = ipaddress.ip_address(address_text)
            kind = None if allowed else _non_public_kind(address)
            if kind:
                refusal = refusal or f"refused: {address_text} is {kind}"
                continue
            try:
                # A literal address: the stdlib does no further DNS lookup behind this call.
                stream = self._sockets.connect_tcp(
                    address_text,
                    port,
                    timeout=_clamp(timeout, self._deadline, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        if failure is not None:
            raise failure
        raise FetchError(refusal or f"refused: {host} has no address", permanent=True)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise FetchError("refused: unix sockets are not fetched", permanent=True)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _clamp(timeout: float | None, deadline: float, error: type[Exception]) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("total time limit reached")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Shortens every socket wait to the time left, so a server that trickles a byte at a time
    cannot keep a worker past the total time limit."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, self._deadline, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, self._deadline, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context,
            server_hostname=server_hostname,
            timeout=_clamp(timeout, self._deadline, httpcore.ConnectTimeout),
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


@cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


class _PublicAddressTransport(httpx.HTTPTransport):
    """httpx's transport over a pool that connects through _PublicAddressBackend."""

    def __init__(self, *, backend: httpcore.NetworkBackend):
        # httpx 0.28 cannot hand a network backend to HTTPTransport (encode/httpx#3749 adds it),
        # so the pool is built here; request mapping and exception translation stay httpx's.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=backend, max_connections=4
        )
