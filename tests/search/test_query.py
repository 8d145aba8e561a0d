"""The search syntax: what a query means and which queries are refused, before any database."""

import pytest

from apps.search.query import (
    MAX_QUERY_LENGTH,
    QueryError,
    clean_query,
    fts5_expression,
    parse_query,
)


def test_words_phrases_or_and_minus_are_read_as_websearch_does():
    parsed = parse_query('ITIN "data sharing" or taxpayer -lawsuit')
    first, second = parsed.alternatives
    assert [(t.words, t.negated) for t in first.terms] == [
        (("ITIN",), False),
        (("data", "sharing"), False),
    ]
    assert [(t.words, t.negated) for t in second.terms] == [
        (("taxpayer",), False),
        (("lawsuit",), True),
    ]


def test_an_unbalanced_quote_runs_to_the_end():
    parsed = parse_query('"data sharing agreement')
    assert parsed.alternatives[0].terms[0].words == ("data", "sharing", "agreement")


def test_nul_bytes_and_control_characters_are_dropped():
    assert parse_query("IT\x00IN\x07 filers").text == "IT IN filers"


@pytest.mark.parametrize("query", ["", "   ", "!!! ((( ---", '""', "- - -", "or OR or"])
def test_a_query_with_nothing_to_look_for_is_refused_with_a_sentence(query):
    with pytest.raises(QueryError, match="Type a word"):
        parse_query(query)


@pytest.mark.parametrize("query", ["-lawsuit", 'ITIN or -"data sharing"'])
def test_only_exclusions_are_refused(query):
    with pytest.raises(QueryError, match="not only what to leave out"):
        parse_query(query)


def test_a_ten_kilobyte_query_is_refused():
    with pytest.raises(QueryError, match=str(MAX_QUERY_LENGTH)):
        parse_query("ITIN " * 2048)


def test_too_many_words_are_refused():
    with pytest.raises(QueryError, match="at most"):
        parse_query(" ".join(f"w{n}" for n in range(40)))


def test_fts5_expression_quotes_every_word_so_none_is_an_operator():
    parsed = parse_query('NEAR AND "data sharing" or NOT* -x"y')
    assert fts5_expression(parsed) == (
        '("NEAR" AND "AND" AND "data sharing") OR (("NOT") NOT ("x y"))'
    )


def terms(parsed):
    return [[(t.words, t.negated) for t in alt.terms] for alt in parsed.alternatives]


@pytest.mark.parametrize(
    ("query", "read_as"),
    [
        # Punctuation between words is skipped, not the end of the query.
        ("ITIN -- filers", [[(("ITIN",), False), (("filers",), False)]]),
        # A trailing or a leading OR has nothing on one side: it is dropped.
        ("ITIN or", [[(("ITIN",), False)]]),
        ("OR ITIN", [[(("ITIN",), False)]]),
        ('-"data sharing" ITIN', [[(("data", "sharing"), True), (("ITIN",), False)]]),
    ],
)
def test_what_a_query_is_read_as(query, read_as):
    assert terms(parse_query(query)) == read_as


def test_the_words_to_look_for_leave_out_the_excluded_ones():
    parsed = parse_query('ITIN "data sharing" or taxpayer -lawsuit')

    assert parsed.words == ["ITIN", "data", "sharing", "taxpayer"]


def test_no_query_at_all_is_read_as_an_empty_one():
    assert clean_query(None) == ""
    with pytest.raises(QueryError, match="Type a word"):
        parse_query(None)


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("  ", "Type a word to search for."),
        ("!!! ---", "Type a word to search for: punctuation alone finds nothing."),
        (
            "-lawsuit",
            "Say what to look for, not only what to leave out: -word excludes it from the "
            "results of the other words.",
        ),
        ("x" * 501, "Shorten the search to 500 characters or fewer."),
        (" ".join(["w"] * 33), "Use at most 32 words."),
    ],
)
def test_a_refused_query_says_why_in_a_sentence(query, sentence):
    with pytest.raises(QueryError) as refused:
        parse_query(query)

    assert str(refused.value) == sentence


def test_five_hundred_characters_are_accepted_after_spaces_are_collapsed():
    assert parse_query("x" * 500).text == "x" * 500
    assert parse_query("x" * 498 + "   \x00 y").text == "x" * 498 + " y"


def test_thirty_two_words_are_accepted_counting_the_words_of_phrases():
    phrase = '"' + " ".join(["w"] * 20) + '"'

    assert len(parse_query(phrase + " w" * 12).words) == 32
    with pytest.raises(QueryError, match="at most 32"):
        parse_query(phrase + " w" * 13)


def test_fts5_expression_excludes_any_of_several_negated_terms():
    parsed = parse_query('ITIN -lawsuit -"data sharing"')

    assert fts5_expression(parsed) == '(("ITIN") NOT ("lawsuit" OR "data sharing"))'
