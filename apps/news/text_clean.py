"""Sanitising untrusted text from articles and feeds into plain text with no markup: it is stored
as text and escaped whenever it is shown."""

import html
import re
import unicodedata

import nh3

# Elements whose content is never readable prose: nh3 drops them together with what they hold.
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}
)

# A page can hide markup behind several layers of entities (&amp;lt;script&amp;gt;); each pass
# strips one layer, and real text settles after one or two.
_MAX_UNESCAPE_PASSES = 4

# Line and paragraph separators, vertical tabs and friends become plain newlines before control
# characters are dropped, so that they still separate words.
_NEWLINES = re.compile(r"\r\n?|[\v\f\x85\u2028\u2029]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_dropped_character(char: str) -> bool:
    if char in "\n\t":
        return False
    category = unicodedata.category(char)
    # Cc: control characters; Cs: lone surrogates; Co: private use (icon fonts); Cn: unassigned.
    # Format characters (Cf) stay, except the BOM and the bidirectional overrides that can make
    # text display differently from what it says.
    if category in {"Cc", "Cs", "Co", "Cn"}:
        return True
    return char == "\ufeff" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def _without_tags(text: str) -> str:
    return nh3.clean(text, tags=set(), clean_content_tags=set(_DROPPED_WITH_CONTENT))


def _strip_markup(text: str) -> str:
    for _ in range(_MAX_UNESCAPE_PASSES):
        stripped = html.unescape(_without_tags(text))
        if stripped == text:
            return text
        text = stripped
    # Still unwrapping layers of entities: keep the last layer escaped, which shows as harmless
    # entity text rather than markup.
    return _without_tags(text)


def sanitize_plain_text(text: str) -> str:
    """Plain text safe to store: no tags (nor entity-escaped tags), no control characters, one
    space between words, paragraphs separated by exactly one blank line."""
    if not text:
        return ""
    text = _NEWLINES.sub("\n", text)
    text = _strip_markup(text)
    text = unicodedata.normalize("NFC", text)
    text = "".join(char for char in text if not _is_dropped_character(char))
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
