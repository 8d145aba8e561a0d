"""One URL per article: canonical URLs that collapse the tracking variants a story is shared under.

`canonicalize_url` only makes changes that cannot turn two different pages into one:

- scheme and host lower-cased; an internationalised host in its IDNA (punycode) form, the form
  HTTP clients put on the wire; a trailing dot on the host dropped;
- the scheme's default port dropped (:80 for http, :443 for https);
- the fragment dropped (it never reaches the server);
- known tracking parameters dropped (see `TRACKING_PARAMS`), every other parameter kept and sorted
  by name, stably, so that repeated names keep their order;
- percent-escapes upper-cased, escaped unreserved characters (letters, digits, ``-._~``) decoded,
  non-ASCII characters in path and query percent-encoded as UTF-8 (RFC 3986 §6.2.2);
- ``.`` and ``..`` path segments resolved (RFC 3986 §5.2.4), as every browser does; an empty path
  becomes ``/``.

Deliberately left alone, because servers may tell them apart: the case of the path and query,
repeated slashes, a trailing slash, ``www.``, ``index.html``, AMP variants.

The tracking list is an exact-name list plus a few vendor prefixes, drawn from the general
sections of the AdGuard URL Tracking filter, ClearURLs' global rules, Firefox's query-stripping
list and courlan's tracker pattern. courlan (installed with trafilatura) is not used directly:
its pattern also drops generic names such as ``uid``, ``source`` or ``session`` anywhere in a
parameter name, which on some sites identify content, and it decodes punycode hosts instead of
encoding them. The asymmetry decides every doubtful case: a tracking parameter we keep costs a
second row for the same story (and near-duplicate detection still links the two), while a content
parameter we drop merges two different stories into one. So ``ref``, ``source``, ``id``, ``p``,
``page``, ``story``, ``article`` and the like are always kept.
"""

import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import idna

# Exact parameter names, compared lower-cased.
TRACKING_PARAMS = frozenset(
    {
        # Ad-click identifiers: Google, DoubleClick, Microsoft, Meta, X, TikTok, Yandex, LinkedIn.
        "gclid",
        "gclsrc",
        "gbraid",
        "wbraid",
        "dclid",
        "msclkid",
        "fbclid",
        "igshid",
        "igsh",
        "twclid",
        "ttclid",
        "yclid",
        "ysclid",
        "li_fat_id",
        "trk",
        "trkcampaign",
        # Facebook share and action parameters.
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "action_object_map",
        "action_type_map",
        "action_ref_map",
        # Google Analytics linker, Mailchimp, HubSpot, Marketo, Omeda, Vero, Drip.
        "_ga",
        "_gl",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "__s",
        # Adobe Analytics, AT Internet (Piano), Webtrends, Yahoo/Verizon consent redirects.
        "s_cid",
        "s_kwcid",
        "icid",
        "at_medium",
        "at_campaign",
        "at_platform",
        "at_creation",
        "at_variant",
        "at_format",
        "at_link",
        "at_send_date",
        "at_recipient_id",
        "at_recipient_list",
        "xtor",
        "wt.mc_id",
        "wt_mc_id",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        # News sites' share and campaign markers (Twitter ref_src, MSN ocid, Yahoo ncid, CNN and
        # Guardian cmpid/CMP/INTCMP, NYT smid/smtyp/emc, Sprinklr sr_share, Outbrain, Taboola).
        "ref_src",
        "ref_url",
        "ocid",
        "ncid",
        "cmpid",
        "cmp",
        "intcmp",
        "smid",
        "smtyp",
        "emc",
        "sr_share",
        "dicbo",
        "oborigurl",
        "tblci",
        "_openstat",
        "rb_clickid",
        "wickedid",
        "spm",
    }
)

# Vendor prefixes, compared lower-cased: Urchin/Google (utm_), Matomo (mtm_) and Piwik (pk_),
# internal-promotion tags (itm_), HubSpot ads (hsa_), comScore (ns_).
TRACKING_PARAM_PREFIXES = ("utm_", "mtm_", "pk_", "itm_", "hsa_", "ns_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ASCII_HOST = re.compile(r"^[a-z0-9_.-]+$")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stand unescaped in a path or query; anything else (spaces, non-ASCII) is
# percent-encoded. "%" is kept so existing escapes are not escaped twice.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$'()*+,;=-._~%"


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PARAM_PREFIXES)


def canonicalize_url(url: str) -> str:
    """The canonical form of an http(s) URL; ValueError for anything else."""
    scheme, netloc, _host, port, path, query = _split(url)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _remove_dot_segments(_normalise_escapes(quote(path, safe=_PATH_SAFE))) or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(query), ""))


def host_of(url: str) -> str:
    """The host an article is attributed to: canonical host without a leading ``www.``."""
    host = _split(url)[2]
    return host.removeprefix("www.")


def _split(url: str) -> tuple[str, str, str, int | None, str, str]:
    if not isinstance(url, str) or not url.strip():
        raise ValueError("Not a URL: empty value.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"Not a valid URL: {url!r} ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"Only http and https URLs can be canonicalised, not {url!r}.")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}.")
    host = _canonical_host(parts.hostname, url)
    netloc = f"[{host}]" if ":" in host else host
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    return scheme, netloc, host, port, parts.path, parts.query


def _canonical_host(hostname: str, url: str) -> str:
    # urlsplit has already lower-cased ASCII letters; a trailing dot names the same host.
    host = hostname.rstrip(".")
    if not host:
        raise ValueError(f"URL has no host: {url!r}.")
    if ":" in host:  # an IPv6 literal, already validated by urlsplit
        return host
    if host.isascii():
        if not _ASCII_HOST.match(host) or ".." in host:
            raise ValueError(f"URL has an invalid host name: {url!r}.")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"URL has an invalid host name: {url!r} ({exc}).") from exc


def _canonical_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote_plus(pair.partition("=")[0])
        if is_tracking_param(name):
            continue
        kept.append((name, _normalise_escapes(quote(pair, safe=_QUERY_SAFE))))
    # Sorting by decoded name only: sorted() is stable, so ?tag=a&tag=b keeps its order.
    kept.sort(key=lambda item: item[0])
    return "&".join(pair for _, pair in kept)


def _normalise_escapes(value: str) -> str:
    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT_ESCAPE.sub(fix, value)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, segment by segment; a path without dot segments comes back unchanged."""
    segments = path.split("/")
    if "." not in segments and ".." not in segments:
        return path
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    # The leading "" (the path starts with "/") is never popped, so the result keeps its "/".
    return "/".join(output)
