"""The search syntax: what a query means and which queries are refused, before any database."""

import pytest

from apps.search.query import MAX_QUERY_LENGTH, QueryError, fts5_expression, parse_query


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
