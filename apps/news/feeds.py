"""Turns fetched feed bytes (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into plain-text entries with
absolute links, noting what was wrong with the feed instead of failing on it."""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import defusedxml.ElementTree
import feedparser
from defusedxml import DefusedXmlException

from .text_clean import sanitize_plain_text, text_from_html

logger = logging.getLogger(__name__)

JSON_FEED_VERSION_PREFIXES = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")
# Enough of the start of a document to see its root element or an <html> tag.
SNIFF_BYTES = 4096
HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.IGNORECASE)
# The document type declaration of an ASCII-compatible document, internal subset included.
DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
WHITESPACE = re.compile(r"\s+")
XML_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    published_at: datetime | None
    summary: str
    author: str
    guid: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    entries: list[FeedEntry]
    problems: list[str]


class NotAFeed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_feed(
    content: bytes, *, url: str = "", content_type: str = "", encoding: str | None = None
) -> ParsedFeed:
    """Parse a feed document. Raises NotAFeed when nothing feed-like can be read from it."""
    if not content.strip():
        raise NotAFeed("the document is empty")
    if _looks_like_json(content):
        return _parse_json_feed(content, url=url)
    problems: list[str] = []
    content = _without_entity_declarations(content, problems)
    return _parse_xml_feed(
        content, url=url, content_type=content_type, encoding=encoding, problems=problems
    )


def _looks_like_json(content: bytes) -> bool:
    # Judged by the body: servers label feeds with every content type, right or wrong.
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _without_entity_declarations(content: bytes, problems: list[str]) -> bytes:
    """Remove a DOCTYPE that declares entities, so neither an entity-expansion bomb nor an
    external entity (XXE) ever reaches a parser. Feeds have no use for their own entities."""
    if not _declares_entities(content):
        return content
    head = content[: SNIFF_BYTES * 16]
    stripped_head, count = DOCTYPE.subn(b"", head, count=1)
    stripped = stripped_head + content[len(head) :]
    if count == 0 or _declares_entities(stripped):
        raise NotAFeed(
            "the document declares XML entities in a way that cannot be removed safely; "
            "it was not parsed"
        )
    problems.append("the feed declares its own XML entities; they were removed, not expanded")
    return stripped


def _declares_entities(content: bytes) -> bool:
    # Dropping NUL bytes lets one search cover UTF-16 and UTF-32 as well as ASCII-based encodings.
    if b"<!ENTITY" not in content.replace(b"\x00", b""):
        return False
    try:
        defusedxml.ElementTree.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        return True
    except (defusedxml.ElementTree.ParseError, ValueError, LookupError):
        # Expat stopped early (not well-formed, unknown encoding) and may not have reached the
        # declaration seen in the raw text: assume it is real.
        return True
    return False


def _parse_xml_feed(
    content: bytes, *, url: str, content_type: str, encoding: str | None, problems: list[str]
) -> ParsedFeed:
    headers = {}
    if content_type:
        headers["content-type"] = content_type + (f"; charset={encoding}" if encoding else "")
    if url:
        # feedparser resolves relative links against Content-Location.
        headers["content-location"] = url
    try:
        parsed = _feedparser(content, headers)
    except (UnicodeError, LookupError) as exc:
        # feedparser decodes the XML declaration's encoding name itself and crashes on bytes
        # that are not text there: read the document without that declaration instead.
        problems.append(f"the XML declaration is unreadable and was ignored: {exc}")
        try:
            parsed = _feedparser(XML_DECLARATION.sub(b"", content, count=1), headers)
        except Exception as again:  # see below
            raise _parser_crash(again) from again
    except Exception as exc:
        # feedparser has many corners that mangled input can reach (a broken GeoRSS polygon is
        # a TypeError deep inside it): a crash on one document is that document's problem.
        raise _parser_crash(exc) from exc
    if not parsed.get("version") and not parsed.entries:
        raise NotAFeed(_why_not_a_feed(content))
    bozo = parsed.get("bozo_exception")
    # Without a Content-Type to judge, feedparser's complaint that it is missing is noise.
    if parsed.get("bozo") and (content_type or type(bozo).__name__ != "NonXMLContentType"):
        problems.append(_describe_bozo(bozo))
    feed = parsed.feed
    base = url or feed.get("link", "")
    entries = []
    skipped: list[str] = []
    for index, raw in enumerate(parsed.entries, start=1):
        entry = _entry_from_feedparser(raw, base=base)
        if entry is None:
            skipped.append(
                _entry_label(
                    _plain_text(raw.get("title", ""), content_type=_detail_type(raw, "title")),
                    index,
                )
            )
        else:
            entries.append(entry)
    _note_skipped(skipped, problems)
    return ParsedFeed(
        title=_plain_text(feed.get("title", ""), content_type=_detail_type(feed, "title")),
        link=_absolute_http_url(feed.get("link", ""), base=url),
        entries=entries,
        problems=problems,
    )


def _parser_crash(exc: Exception) -> NotAFeed:
    logger.warning("feedparser failed on a document", exc_info=exc)
    return NotAFeed(f"the document could not be parsed as a feed ({type(exc).__name__}: {exc})")


def _feedparser(content: bytes, headers: dict):
    # A file-like object: given bytes or a str, feedparser would try them as a path or URL.
    return feedparser.parse(
        io.BytesIO(content),
        response_headers=headers,
        resolve_relative_uris=True,
        sanitize_html=True,
    )


def _why_not_a_feed(content: bytes) -> str:
    start = content[:SNIFF_BYTES]
    if HTML_START.search(start) and not FEED_ROOT.search(start):
        return "the document is an HTML page, not a feed"
    return "the document is not an RSS, Atom or JSON feed"


def _describe_bozo(exc: Exception | None) -> str:
    name = type(exc).__name__
    if name in ("CharacterEncodingOverride", "CharacterEncodingUnknown"):
        return f"the feed's declared character encoding is wrong: {exc}"
    if name == "NonXMLContentType":
        return f"the feed is not served with an XML content type: {exc}"
    if hasattr(exc, "getLineNumber"):
        return (
            f"feed is not well-formed XML: {exc.getMessage()} "
            f"(line {exc.getLineNumber()}, column {exc.getColumnNumber()})"
        )
    return f"feed is not well-formed XML: {exc}"


def _entry_from_feedparser(raw, *, base: str) -> FeedEntry | None:
    title = _plain_text(raw.get("title", ""), content_type=_detail_type(raw, "title"))
    link = raw.get("link", "")
    if not link and raw.get("guidislink"):
        link = raw.get("id", "")
    url = _absolute_http_url(link, base=base)
    if not url:
        return None
    summary = raw.get("summary", "")
    summary_type = _detail_type(raw, "summary")
    if not summary and raw.get("content"):
        summary = raw.content[0].get("value", "")
        summary_type = raw.content[0].get("type", "text/html")
    return FeedEntry(
        url=url,
        title=title,
        published_at=_utc_from_struct(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=_plain_text(summary, content_type=summary_type),
        author=_plain_text(raw.get("author", ""), content_type="text/plain"),
        guid=str(raw.get("id", "")).strip(),
    )


def _parse_json_feed(content: bytes, *, url: str) -> ParsedFeed:
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAFeed(f"the document is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        JSON_FEED_VERSION_PREFIXES
    ):
        raise NotAFeed("the document is JSON but not a JSON Feed")
    problems: list[str] = []
    items = document.get("items")
    if not isinstance(items, list):
        problems.append("the JSON Feed has no list of items")
        items = []
    base = url or str(document.get("home_page_url") or "")
    entries = []
    skipped: list[str] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item number {index} was skipped: it is not an object")
            continue
        # The spec says plain text, but titles in the wild carry <i> and &amp;: read them as HTML.
        title = _plain_text(_json_text(item.get("title")))
        link = _json_text(item.get("url")) or _json_text(item.get("external_url"))
        entry_url = _absolute_http_url(link, base=base)
        if not entry_url:
            skipped.append(_entry_label(title, index))
            continue
        # JSON Feed's summary and content_text are plain text; only content_html is HTML.
        summary = _json_text(item.get("summary")) or _json_text(item.get("content_text"))
        summary_type = "text/plain"
        if not summary:
            summary, summary_type = _json_text(item.get("content_html")), "text/html"
        entries.append(
            FeedEntry(
                url=entry_url,
                title=title,
                published_at=_utc_from_iso(
                    _json_text(item.get("date_published")) or _json_text(item.get("date_modified"))
                ),
                summary=_plain_text(summary, content_type=summary_type),
                author=_plain_text(
                    _json_author(item) or _json_author(document), content_type="text/plain"
                ),
                guid=_json_text(item.get("id")),
            )
        )
    _note_skipped(skipped, problems)
    return ParsedFeed(
        title=_plain_text(_json_text(document.get("title")), content_type="text/plain"),
        link=_absolute_http_url(_json_text(document.get("home_page_url")), base=url),
        entries=entries,
        problems=problems,
    )


def _entry_label(title: str, index: int) -> str:
    return repr(title) if title else f"number {index}"


def _note_skipped(labels: list[str], problems: list[str]) -> None:
    if not labels:
        return
    shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    noun = "entry was" if len(labels) == 1 else "entries were"
    problems.append(f"{len(labels)} {noun} skipped for having no http(s) link: {shown}")


def _json_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_author(obj: dict) -> str:
    """JSON Feed 1.1 has `authors`; 1.0 had a single `author`."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    names = [_json_text(a.get("name")) for a in candidates if isinstance(a, dict)]
    return ", ".join(name for name in names if name)


def _absolute_http_url(link: str, *, base: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    absolute = urljoin(base, link) if base else link
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return absolute


def _plain_text(value: str, *, content_type: str = "text/html") -> str:
    """One line of text safe to store and show: markup removed from HTML fields, kept as the
    characters it is in plain-text ones (see text_clean), whitespace collapsed."""
    if not value:
        return ""
    is_html = "html" in (content_type or "")
    text = text_from_html(value) if is_html else sanitize_plain_text(value)
    return WHITESPACE.sub(" ", text).strip()


def _detail_type(raw, field: str) -> str:
    # feedparser says, per field, whether it holds text or HTML (title_detail.type, …).
    detail = raw.get(f"{field}_detail") or {}
    return detail.get("type", "text/html")


def _utc_from_struct(value) -> datetime | None:
    # feedparser normalises every date it understands to a UTC time.struct_time.
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _utc_from_iso(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
