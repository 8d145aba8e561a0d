"""search() on whichever database the suite runs on: SQLite's FTS5 fallback by default, the
PostgreSQL backend in CI's PostgreSQL pass. Both must give these answers."""

import datetime

import pytest

from apps.search.query import QueryError
from apps.search.selectors import MAX_PAGE, search


def article_ids(results):
    return [hit.object_id for hit in results.hits if hit.kind == "article"]


def test_finds_records_and_articles_grouped_by_type_with_counts(corpus):
    results = search(query="memorandum")
    counts = {group.kind: group.count for group in results.groups}
    assert counts["agreement"] == 1
    assert counts["event"] == 1
    assert counts["statement"] == 1
    assert [g.kind for g in results.groups] == [
        "agreement",
        "actor",
        "challenge",
        "event",
        "statement",
        "article",
    ]
    assert results.groups[0].hits[0].title == corpus["mou"].title
    assert results.groups[0].hits[0].url == "/agreements/irs-ice-mou/"


def test_a_title_match_ranks_above_a_body_match(corpus):
    results = search(query="ITIN", kind="article")
    assert article_ids(results) == [corpus["itin"].pk, corpus["body_only"].pk]


def test_a_phrase_needs_its_words_together(corpus):
    results = search(query='"data sharing"', kind="article")
    assert sorted(article_ids(results)) == sorted([corpus["itin"].pk, corpus["lawsuit"].pk])
    assert article_ids(search(query='"sharing data"', kind="article")) == []


def test_minus_excludes_a_word(corpus):
    results = search(query='"data sharing" -lawsuit', kind="article")
    assert article_ids(results) == [corpus["itin"].pk]


def test_or_takes_either(corpus):
    results = search(query="overstays OR lawsuit", kind="article")
    assert sorted(article_ids(results)) == sorted([corpus["visas"].pk, corpus["lawsuit"].pk])


def test_aliases_are_searchable(corpus):
    results = search(query="IRS", kind="actor")
    assert [hit.object_id for hit in results.hits] == [corpus["irs"].pk]


def test_filters_by_agreement_actor_and_date(corpus):
    by_agreement = search(query="taxpayer OR overstays", kind="article", agreement=corpus["other"])
    assert article_ids(by_agreement) == [corpus["visas"].pk]
    by_actor = search(query="memorandum", actor=corpus["noem"])
    assert {hit.kind for hit in by_actor.hits} == {"statement"}
    dated = search(
        query="ITIN",
        kind="article",
        date_from=datetime.date(2025, 4, 1),
        date_to=datetime.date(2025, 4, 30),
    )
    assert article_ids(dated) == [corpus["itin"].pk]


def test_snippets_highlight_the_match_and_escape_the_text(corpus):
    corpus["body_only"].text = 'ITIN holders say 5 < 6 & "more" <script>alert(1)</script>'
    corpus["body_only"].save()
    hit = next(h for h in search(query="holders", kind="article").hits)
    assert "<mark>holders</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "5 &lt; 6 &amp;" in hit.snippet


def test_pages_of_one_type(corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        first = search(query="ITIN OR taxpayer OR overstays", kind="article", per_page=2)
    second = search(query="ITIN OR taxpayer OR overstays", kind="article", per_page=2, page=2)
    assert first.selected.count == 4
    assert first.has_next and not second.has_next
    assert len(set(article_ids(first)) | set(article_ids(second))) == 4


def test_paging_past_the_candidate_set_is_refused(corpus):
    with pytest.raises(QueryError, match=f"page {MAX_PAGE}"):
        search(query="ITIN", kind="article", page=MAX_PAGE + 1)


@pytest.mark.parametrize("query", ["", "\x00\x00", "?!.,;:", "-ITIN", '"', "ITIN " * 2048])
def test_hostile_queries_are_refused_with_a_sentence(corpus, query):
    with pytest.raises(QueryError) as error:
        search(query=query)
    assert str(error.value).endswith(".")


@pytest.mark.parametrize("query", ["ITIN\x00", "ITIN!!! (((", "ITIN & | ! <-> :*"])
def test_operators_and_nul_bytes_in_a_query_are_read_as_text(corpus, query):
    results = search(query=query, kind="article")
    assert corpus["itin"].pk in article_ids(results)


def test_an_unbalanced_quote_still_searches(corpus):
    results = search(query='"data sharing', kind="article")
    assert sorted(article_ids(results)) == sorted([corpus["itin"].pk, corpus["lawsuit"].pk])
