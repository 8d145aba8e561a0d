"""Sanitising untrusted text from articles and feeds into plain text with no markup: it is stored
as text and escaped whenever it is shown.

Two inputs, two functions. `sanitize_plain_text` takes text that is already plain (trafilatura's
output, a feed field typed text/plain): nothing in it is markup, so `<title>` or `&amp;` written
in the prose are kept as the characters a reader saw. `text_from_html` takes an HTML fragment (a
feed summary typed text/html, JSON Feed's content_html): tags are removed once and entities
decoded once, so text that spelled markup with entities (`the title tag &lt;title&gt;`) reads
`the title tag <title>`, as a browser showed it, and is never parsed a second time.
"""

import html
import re
import unicodedata

import nh3

# Elements whose content is never readable prose: nh3 drops them together with what they hold.
# (Not svg or math: their text is shown by browsers, and an unclosed one would eat the rest.)
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript", "textarea"}
)

# Line and paragraph separators, vertical tabs and friends become plain newlines before control
# characters are dropped, so that they still separate words.
_NEWLINES = re.compile(r"\r\n?|[\v\f\x85\u2028\u2029]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Block-level ends: in an HTML fragment they separate paragraphs; nh3 would run them together.
_BLOCK_BREAKS = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>")
# Printable ASCII, newline and tab are always kept: only the other characters need a look, so
# an article's text is not walked one character at a time in Python.
_MAY_BE_DROPPED = re.compile(r"[^\x20-\x7e\n\t]")


def _is_dropped_character(char: str) -> bool:
    # Only characters outside _MAY_BE_DROPPED's kept set get here: never a newline or a tab.
    category = unicodedata.category(char)
    # Cc: control characters; Cs: lone surrogates; Co: private use (icon fonts); Cn: unassigned.
    # Format characters (Cf) stay, except the BOM and the bidirectional overrides that can make
    # text display differently from what it says.
    if category in {"Cc", "Cs", "Co", "Cn"}:
        return True
    return char == "\ufeff" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def _drop_if_unsafe(match: re.Match) -> str:
    char = match.group()
    return "" if _is_dropped_character(char) else char


def sanitize_plain_text(text: str) -> str:
    """Plain text safe to store: no control characters, one space between words, paragraphs
    separated by exactly one blank line. What the text says is kept, markup-like or not."""
    if not text:
        return ""
    text = _NEWLINES.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    text = _MAY_BE_DROPPED.sub(_drop_if_unsafe, text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_from_html(markup: str) -> str:
    """The text an HTML fragment shows a reader, as plain text (see `sanitize_plain_text`)."""
    if not markup:
        return ""
    markup = _BLOCK_BREAKS.sub(lambda match: match.group(0) + "\n", _NEWLINES.sub("\n", markup))
    text = nh3.clean(markup, tags=set(), clean_content_tags=set(_DROPPED_WITH_CONTENT))
    return sanitize_plain_text(html.unescape(text))
