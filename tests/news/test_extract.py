"""Article extraction on small pages written for the purpose, and the sanitising it relies on."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from apps.news.extract import (
    ExtractionError,
    decode_html,
    extract_article,
    find_publication_date,
    headline_and_site,
)
from apps.news.text_clean import sanitize_plain_text, text_from_html
from tests.news.local_site import BODY_MOU, article_page

PAGES = Path(__file__).parent / "pages"
NEWS_URL = "https://www.capitolledger.example/2025/04/07/treasury-dhs-data-pact?utm_source=rss"


def read_page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(scope="module")
def news_article():
    return extract_article(read_page("news_article.html"), url=NEWS_URL)


@pytest.fixture(scope="module")
def hostile_article():
    return extract_article(read_page("hostile.html"), url="https://news.example/judge")


# --- a news page with the usual furniture ---------------------------------------------------


def test_title_is_the_headline_without_the_site_name(news_article):
    assert news_article.title == "Treasury and Homeland Security sign taxpayer data-sharing pact"


def test_site_name_comes_from_the_page(news_article):
    assert news_article.site_name == "Capitol Ledger"


def test_byline_names_the_author(news_article):
    assert news_article.byline == "Dana Whitfield"


def test_published_at_is_the_original_publication_not_the_update(news_article):
    # The page says 14:30 at UTC-4 for publication and April 9 for the update.
    assert news_article.published_at == datetime(2025, 4, 7, 18, 30, tzinfo=UTC)


def test_published_at_is_aware_and_in_utc(news_article):
    assert news_article.published_at.utcoffset().total_seconds() == 0


def test_language_is_the_two_letter_code(news_article):
    assert news_article.language == "en"


def test_canonical_url_is_resolved_against_the_page_url(news_article):
    assert news_article.canonical_url == (
        "https://www.capitolledger.example/2025/04/07/treasury-dhs-data-pact"
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Internal Revenue Service agreed on Monday to share the addresses of some taxpayers "
        "with Immigration and Customs Enforcement",
        "according to the sixteen-page document.",
        "Privacy advocates said the arrangement breaks with decades of practice",
        "A court fight ahead",
        "arguing that the tax code forbids the disclosure of return information",
        "adding that no data had yet changed hands.",
    ],
)
def test_text_keeps_the_body(news_article, sentence):
    assert sentence in news_article.text


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Subscribe today",  # navigation
        "Immigration</a>",
        "Recommended Stories",
        "Senate budget talks stall",
        "Census Bureau delays release",
        "Morning Ledger",  # newsletter box
        "Sign up for our newsletter",
        "outrageous breach of trust",  # comments
        "taxpayer42",
        "Finally some enforcement",
        "All rights reserved",  # footer
        "Privacy Policy",
        "Contact the newsroom",
    ],
)
def test_text_leaves_out_the_boilerplate(news_article, boilerplate):
    assert boilerplate not in news_article.text


def test_text_does_not_repeat_the_headline(news_article):
    assert news_article.title not in news_article.text


def test_paragraphs_are_separated_by_one_blank_line(news_article):
    paragraphs = news_article.text.split("\n\n")
    assert any(p.startswith("Under the agreement, immigration officers") for p in paragraphs)
    assert all(p and "\n" not in p and p == p.strip() for p in paragraphs)


def test_str_input_extracts_the_same_article(news_article):
    from_text = extract_article(read_page("news_article.html").decode("utf-8"), url=NEWS_URL)
    assert from_text == news_article


# --- a hostile page ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "byline", "text"])
@pytest.mark.parametrize(
    "markup",
    [
        "alert('head')",
        "alert('body')",
        "evil.example",
        "onerror",
        "onload",
        "javascript:",
        "document.cookie",
        "<svg",
        "<iframe",
        "<img",
    ],
)
def test_the_pages_own_markup_never_survives(hostile_article, field, markup):
    assert markup not in getattr(hostile_article, field)


def test_prose_that_spells_markup_is_kept_as_the_reader_saw_it(hostile_article):
    """The page wrote `&lt;script&gt;` in a paragraph: a browser shows the characters, so do
    we (stored as text, escaped on every page)."""
    assert "allows the disclosures, <script>alert('escaped')</script> urging the court" in (
        hostile_article.text
    )


@pytest.mark.parametrize(
    "shown",
    [
        "the title tag &lt;title&gt;",
        "John &amp;amp; Doe",
        "AT&amp;T",
        "control &#1;&#2; references",
    ],
)
def test_text_that_spells_entities_is_kept_as_the_page_showed_it(shown):
    """trafilatura unescapes the text it returns once more than a browser would; the page
    showed these characters, so they are what we store, in the headline and in the body.
    (One exception is left: a headline that spells "&nbsp;", "&#10;" or "&#13;" reads as the
    space it names, which trafilatura substitutes after its unescape.)"""
    page = article_page(
        headline=shown,
        paragraphs=[*BODY_MOU[:2], f"The page shows {shown} in prose.", *BODY_MOU[2:]],
        published="2025-04-08T10:00:00Z",
    )

    extracted = extract_article(page, url="https://news.example/a")

    assert extracted.title == shown
    assert f"The page shows {shown} in prose." in extracted.text


def test_a_lower_case_site_name_with_an_ampersand_keeps_it():
    page = article_page(
        headline="Ruling", paragraphs=BODY_MOU, published="2025-04-08T10:00:00Z", site="a & b"
    )

    assert extract_article(page, url="https://news.example/a").site_name == "A & B"


def test_hostile_page_still_yields_its_article(hostile_article):
    assert hostile_article.title == "Judge weighs injunction in data case"
    assert hostile_article.byline == "Sam Ortega"
    assert "asked for a ruling within the week. Read the complaint filed last month." in (
        hostile_article.text
    )
    assert "urging the court to deny the motion." in hostile_article.text


def test_script_in_the_headline_does_not_leak_into_the_title():
    page = read_page("hostile.html").replace(
        b"<h1>Judge weighs injunction in data case</h1>",
        b"<h1>Judge weighs injunction <script>alert('h1')</script>in data case</h1>",
    )
    article = extract_article(page, url="https://news.example/judge")
    assert article.title == "Judge weighs injunction in data case"


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "header_encoding"),
    [
        # header and <meta> say UTF-8, bytes are windows-1252
        ("declared_utf8_but_cp1252.html", "utf-8"),
        # <meta> says windows-1252, bytes are UTF-8
        ("declared_cp1252_but_utf8.html", None),
        ("declared_cp1252_but_utf8.html", "windows-1252"),
    ],
)
def test_wrong_declared_encoding_still_reads_right(name, header_encoding):
    article = extract_article(
        read_page(name), url="https://news.example/cafe", encoding=header_encoding
    )
    assert article.title == "A café owner’s fight over tax records"
    assert "“We filed every year, because we were told it was the right thing to do,”" in (
        article.text
    )
    assert "the naïve trust her family had placed in the tax agency now felt misplaced —" in (
        article.text
    )
    assert "\ufffd" not in article.text


def test_latin1_label_is_read_as_windows_1252():
    # What browsers do: 0x93/0x94 are curly quotes, not C1 control characters.
    assert decode_html(b"\x93caf\xe9\x94", declared_encoding="iso-8859-1") == "“café”"


def test_utf8_page_with_a_stray_byte_stays_utf8():
    data = "Überall: café, naïve, “quotes”, Zürich, São Paulo.".encode() + b" \xff"
    assert decode_html(data, declared_encoding="windows-1252").startswith(
        "Überall: café, naïve, “quotes”, Zürich, São Paulo."
    )


def test_byte_order_mark_decides_the_encoding():
    data = "\ufeff<p>naïve</p>".encode("utf-16")
    assert decode_html(data, declared_encoding="utf-8") == "<p>naïve</p>"


# --- pages without an article -----------------------------------------------------------------


def test_page_without_an_article_raises():
    with pytest.raises(ExtractionError) as raised:
        extract_article(read_page("no_article.html"), url="https://news.example/")
    assert raised.value.reason == "no article text found"


@pytest.mark.parametrize("html", [b"", b"   \n", ""])
def test_empty_document_raises(html):
    with pytest.raises(ExtractionError) as raised:
        extract_article(html, url="https://news.example/")
    assert raised.value.reason == "empty document"


# --- dates ------------------------------------------------------------------------------------


def test_find_publication_date_keeps_the_page_offset():
    found = find_publication_date(read_page("news_article.html"), url=NEWS_URL)
    assert found.isoformat() == "2025-04-07T14:30:00-04:00"


def test_date_without_a_time_is_midnight_utc():
    page = read_page("hostile.html").replace(
        b'content="2025-05-02T10:00:00Z"', b'content="2025-05-02"'
    )
    article = extract_article(page, url="https://news.example/judge")
    assert article.published_at == datetime(2025, 5, 2, tzinfo=UTC)


# --- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "site_name", "url", "expected"),
    [
        ("Pact signed | Capitol Ledger", "Capitol Ledger", "https://cl.example/a", "Pact signed"),
        ("Capitol Ledger - Pact signed", "Capitol Ledger", "https://cl.example/a", "Pact signed"),
        ("Pact signed – The Daily Post", "", "https://www.thedailypost.example/a", "Pact signed"),
        ("Pact signed | CL", "Capitol Ledger", "https://cl.example/a", "Pact signed | CL"),
        ("Trump - Vance ticket - what it means", "", "https://news.example/a", None),
        ("Opinion: the pact is a mistake", "Capitol Ledger", "https://cl.example/a", None),
    ],
)
def test_headline_strips_only_the_site_name(title, site_name, url, expected):
    headline, _ = headline_and_site(title, site_name=site_name, url=url)
    assert headline == (expected or title)


def test_site_name_is_taken_from_a_title_suffix_that_spells_the_host():
    assert headline_and_site(
        "Pact signed – The Daily Post", site_name="", url="https://thedailypost.example/a"
    ) == ("Pact signed", "The Daily Post")


# --- sanitising helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("the title tag <title> and <b>", "the title tag <title> and <b>"),
        ("John &amp; Doe", "John &amp; Doe"),
        ("a\x00b\x07c\u202ed\ufeffe", "abcde"),
        ("  many   spaces\t\there \u00a0 ", "many spaces here"),
        ("one\r\n\r\n\r\n\r\ntwo\rthree", "one\n\ntwo\nthree"),
        ("cafe\u0301", "café"),
        ("line one  \n  line two", "line one\nline two"),
        ("", ""),
    ],
)
def test_sanitize_plain_text(raw, clean):
    assert sanitize_plain_text(raw) == clean


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("before<script>alert(1)</script>after", "beforeafter"),
        ("Fish &amp; chips < 5 pounds", "Fish & chips < 5 pounds"),
        # Prose that spells markup with entities reads as the browser showed it, once decoded.
        ("the title tag &lt;title&gt;", "the title tag <title>"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;kept", "<script>alert(1)</script>kept"),
        ("John &amp;amp; Doe", "John &amp; Doe"),
        # A real tag goes with its attributes, leaving no inert leftovers.
        ("<img src=x onload=alert(1)> summary", "summary"),
        ('<img src="x" onerror="alert(1)">summary', "summary"),
        # An unclosed element whose text browsers show does not eat the rest.
        ("<svg onload=alert(1)> summary", "summary"),
        ("<p>one</p><p>two<br>three</p>", "one\ntwo\nthree"),
        ("<p>one\r\ntwo</p>", "one\ntwo"),
        ("", ""),
    ],
)
def test_text_from_html(markup, text):
    assert text_from_html(markup) == text


@pytest.mark.parametrize(
    "element", ["script", "style", "template", "iframe", "object", "noscript", "textarea"]
)
def test_text_from_html_drops_what_an_element_that_is_not_prose_holds(element):
    assert text_from_html(f"<p>Read this.</p><{element}>not prose</{element}>") == "Read this."


def test_text_from_html_decodes_one_layer_of_entities_only():
    layered = "&amp;" + "amp;" * 20 + "lt;script&gt;x"
    assert text_from_html(layered) == "&" + "amp;" * 20 + "lt;script>x"


@pytest.mark.parametrize(
    "hidden",
    ["\ue000", "\U000f0000", "\u0378", "\ud800", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff"],
    ids=[
        "private-use",
        "private-use-plane-15",
        "unassigned",
        "lone-surrogate",
        "LRE",
        "RLO",
        "LRI",
        "PDI",
        "BOM",
    ],
)
def test_invisible_or_reordering_characters_are_dropped_from_plain_text(hidden):
    # Each would show a reader something other than what the text says, or nothing at all.
    assert sanitize_plain_text(f"pay{hidden}ment of $5") == "payment of $5"
