"""Property-based tests (hypothesis) of the code that meets outside input: URL canonicalisation,
cursors and date parameters from API clients, alias matching in arbitrary prose, and the feed
parser and extractor on real corpus files mutated at random. Each property says what must hold
for every input, not for the few a person thought of."""

import base64
import contextlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from apps.news.canonical import canonicalize_url
from apps.news.extract import ExtractionError, extract_article
from apps.news.feeds import NotAFeed, parse_feed
from apps.news.matching import ACTOR, AliasMatcher, suggest_links

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
DB_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- canonical URLs ------------------------------------------------------------------------------


def _canonical_or_none(url):
    try:
        return canonicalize_url(url)
    except ValueError:
        return None


@given(urls())
def test_canonicalising_twice_changes_nothing(url):
    canonical = _canonical_or_none(url)
    assume(canonical is not None)
    assert canonicalize_url(canonical) == canonical


@given(urls(), st.sampled_from(["utm_source", "utm_medium", "fbclid", "gclid"]), st.text())
def test_a_tracking_parameter_never_makes_a_second_article(url, parameter, value):
    canonical = _canonical_or_none(url)
    assume(canonical is not None and "#" not in url)
    separator = "&" if "?" in url else "?"
    tracked = f"{url}{separator}{parameter}={value.encode().hex()}"
    assert canonicalize_url(tracked) == canonical


@given(urls())
def test_the_host_is_case_insensitive(url):
    canonical = _canonical_or_none(url)
    assume(canonical is not None)
    scheme, rest = url.split("://", 1)
    host, _, tail = rest.partition("/")
    shouted = f"{scheme}://{host.upper()}/{tail}" if tail or rest.endswith("/") else url
    assert _canonical_or_none(shouted) == canonical


@given(st.text())
def test_any_text_is_a_url_or_a_value_error(text):
    result = _canonical_or_none(text)
    assert result is None or result.startswith(("http://", "https://"))


# --- API parameters: never a 500 ---------------------------------------------------------------


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@pytest.mark.django_db
@DB_SETTINGS
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds(
            _cursor,
            st.fixed_dictionaries(
                {"p": json_values | st.datetimes().map(str), "i": json_values, "r": json_values}
            ),
        ),
        st.builds(_cursor, json_values),
    )
)
def test_any_cursor_is_a_page_or_a_400_that_names_it(api_client, cursor):
    response = api_client.get("/api/v1/articles/", {"cursor": cursor})

    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert "cursor" in json.dumps(response.json())


@pytest.mark.django_db
@DB_SETTINGS
@given(
    st.sampled_from(["updated_since", "published_after", "published_before"]),
    st.one_of(
        st.text(max_size=40),
        st.datetimes(timezones=st.timezones()).map(lambda value: value.isoformat()),
        st.builds(
            lambda day, hours, minutes: f"{day.isoformat()}T00:00:00{hours:+03d}:{minutes:02d}",
            st.dates(),
            st.integers(-99, 99),
            st.integers(0, 99),
        ),
    ),
)
def test_any_date_parameter_is_a_filter_or_a_400_that_names_it(api_client, parameter, value):
    assume("\x00" not in value)
    response = api_client.get("/api/v1/articles/", {parameter: value})

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert parameter in json.dumps(response.json())


# --- alias matching ----------------------------------------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
prose = st.lists(words, max_size=20).map(" ".join)


def _matcher():
    return AliasMatcher.from_aliases([(ACTOR, 7, "Public Citizen", True)])


@given(prose, prose)
def test_an_alias_standing_as_words_is_found_wherever_it_stands(before, after):
    text = f"{before} Public Citizen {after}".strip()

    suggestions = suggest_links(title="", text=text, matcher=_matcher())

    assert [(s.target_kind, s.target_id) for s in suggestions] == [(ACTOR, 7)]


@given(prose, words, prose)
def test_an_alias_inside_a_longer_word_is_never_found(before, glued, after):
    text = f"{before} {glued}Public Citizen{glued} {after}"

    assert suggest_links(title="", text=text, matcher=_matcher()) == []


# --- the feed parser and the extractor on mutated real files ------------------------------------


def _mutations(content: bytes, rng: random.Random, count: int):
    yield content[: rng.randrange(len(content) + 1)]
    for _ in range(count):
        data = bytearray(content)
        for _ in range(rng.randint(1, 8)):
            if not data:
                break
            position = rng.randrange(len(data))
            operation = rng.random()
            if operation < 0.4:
                data[position] = rng.randrange(256)
            elif operation < 0.7:
                del data[position : position + rng.randint(1, 64)]
            else:
                data[position:position] = rng.choice([b"<", b">", b"&", b"]]>", b"\x00", b"<!--"])
        yield bytes(data)


def _corpus_files(folder: str, pattern: str) -> list[Path]:
    root = CORPORA / folder
    if not root.is_dir():
        pytest.skip(f"{root} is not here (CI lays ../shared beside the clone)")
    return sorted(path for path in root.rglob(pattern) if path.is_file())


@pytest.mark.slow
def test_the_feed_parser_survives_every_corpus_file_and_mutations_of_it():
    files = _corpus_files("feedparser-tests", "*.xml") + _corpus_files(
        "mediacloud-rss-fetcher-feeds", "*.rss"
    )
    rng = random.Random(20261201)
    parsed = 0
    for path in files:
        content = path.read_bytes()
        for variant in [content, *_mutations(content, rng, 2)]:
            try:
                parse_feed(variant, url="https://feeds.example.org/feed", content_type="")
            except NotAFeed:
                continue
            parsed += 1
    assert len(files) > 2000
    assert parsed > len(files)


@pytest.mark.slow
def test_the_extractor_survives_mutated_news_pages():
    files = _corpus_files("htmldate-mediacloud2020", "*.html")[:40]
    rng = random.Random(20261201)
    for path in files:
        for variant in _mutations(path.read_bytes(), rng, 3):
            with contextlib.suppress(ExtractionError):
                extract_article(variant, url="https://news.example.org/story")
