"""What only PostgreSQL does: trigram name matching, index use, per-search settings."""

import pytest
from django.db import connection

from apps.news.models import Article
from apps.search.backends import NameQuery, PostgresBackend, search_transaction
from apps.search.models import NameWord, SearchDocument
from apps.search.query import parse_query
from apps.search.selectors import KINDS, documents, search
from apps.search.services import rebuild_index
from apps.tracker.models import Event
from tests.factories import (
    ActorFactory,
    AliasFactory,
    ArticleFactory,
    EventFactory,
    LegalChallengeFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.postgres


def test_a_misspelt_name_still_finds_the_person_first(corpus):
    PersonFactory(name="Noel Francisco", slug="noel-francisco")
    results = search(query="Noam")
    assert results.total == 0  # no word matches: only the name does
    assert [hit.title for hit in results.name_matches][:1] == ["Kristi Noem"]


def test_a_misspelt_surname_in_a_full_name(corpus):
    PersonFactory(name="Scott Bessent", slug="scott-bessent")
    results = search(query="Scot Besent")
    assert results.name_matches[0].title == "Scott Bessent"


def test_an_exact_hit_is_not_repeated_among_the_names(corpus):
    results = search(query="Kristi Noem", kind="actor")
    assert [hit.title for hit in results.hits] == ["Kristi Noem"]
    assert "Kristi Noem" not in [hit.title for hit in results.name_matches]


def test_work_mem_is_set_for_the_search_alone(corpus):
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
    search(query="ITIN")
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == before != "32MB"


@pytest.mark.django_db(transaction=True)
def test_a_search_after_one_that_failed_still_answers(corpus_committed):
    """A search stopped by its timeout can leave the name threshold an empty placeholder on
    the connection; the next search must not try to put '' back (set_config refuses it for a
    number once pg_trgm is loaded: that was a 500 in the bench)."""
    connection.close()  # a new session, where pg_trgm's library is not loaded yet
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '', false)")
    assert search(query="Noam").name_matches[0].title == "Kristi Noem"


@pytest.fixture
def corpus_committed(request):
    return request.getfixturevalue("corpus")


@pytest.fixture
def many_articles(corpus):
    """Enough article documents, each with an article's worth of distinct words, that reading
    them all costs the planner more than the index does (as at any real size)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO search_searchdocument
                (kind, object_id, title, names, date, url, indexed_at, vector)
            SELECT 'article', 1000000 + g, 'Filler ' || g, '', date '2025-01-01' + g % 300,
                   '/news/articles/' || g || '/', now(),
                   to_tsvector('english', 'filler text about nothing ' || g || ' '
                       || array_to_string(
                           array(SELECT md5((g * k)::text) FROM generate_series(1, 30) k), ' ')
                       || CASE WHEN g % 200 = 0 THEN ' rareword' ELSE '' END)
            FROM generate_series(1, 20000) g
            """
        )
    settle_documents()


def settle_documents() -> None:
    """What autovacuum would have done by now after a bulk insert: fresh statistics, and the GIN
    indexes' pending lists merged (rows inserted with fastupdate wait in a list that every index
    scan reads in full, so the planner prices the index above a sequential scan until it is
    merged). CI's PostgreSQL runs with autovacuum off."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT gin_clean_pending_list(indexrelid::regclass) FROM pg_index
            JOIN pg_class ON pg_class.oid = pg_index.indexrelid
            JOIN pg_am ON pg_am.oid = pg_class.relam
            WHERE indrelid = 'search_searchdocument'::regclass AND amname = 'gin'
            """
        )
        cursor.execute("ANALYZE search_searchdocument")


def explain(sql, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_plan_uses_the_indexes_and_never_scans_the_articles(many_articles):
    branches = {kind: documents(kind=kind) for kind in KINDS}
    sql, params = PostgresBackend().search_sql(
        parsed=parse_query("rareword"),
        branches=branches,
        cap=1000,
        pages={"article": (0, 20)},
        names=NameQuery(text="rareword", kinds=KINDS, limit=3),
    )
    plan = explain(sql, params)
    assert "searchdocument_article_vector" in plan
    assert "Seq Scan on search_searchdocument" not in plan
    assert "Seq Scan on news_article" not in plan
    estimate = explain(*PostgresBackend().estimate_sql(parse_query("rareword"), kinds=KINDS))
    assert "searchdocument_sample_vector" in estimate
    assert "Seq Scan on search_searchdocument" not in estimate
    assert search(query="rareword", kind="article").selected.count == 100


@pytest.fixture
def dated_articles(corpus):
    """6,000 articles over six years up to ten days ahead, one in twenty undated; every one says
    "filler", one in three "common"."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO search_searchdocument
                (kind, object_id, title, names, date, url, indexed_at, vector)
            SELECT 'article', 2000000 + g, 'Dated ' || g, '',
                   CASE WHEN g % 20 = 0 THEN NULL ELSE current_date + 10 - (g * 7919) % 2200 END,
                   '/news/articles/' || g || '/', now(),
                   to_tsvector('english', 'filler ' || md5(g::text)
                       || CASE WHEN g % 3 = 0 THEN ' common' ELSE '' END)
            FROM generate_series(1, 6000) g
            """
        )
    settle_documents()


def _candidates(windowed: set, word: str, cap: int, date_to=None) -> list:
    branches = {kind: documents(kind=kind, date_to=date_to) for kind in KINDS}
    sql, params = PostgresBackend().search_sql(
        parsed=parse_query(word),
        branches=branches,
        cap=cap,
        pages={"article": (0, cap)},
        newest=date_to,
        windowed=windowed,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # (id, kind, rank, count, position) of each hit
        return sorted(row[1:3] + row[7:10] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("word", "cap"), [("filler", 1000), ("common", 1000), ("filler", 5900), ("common", 50)]
)
def test_reading_in_date_windows_finds_the_same_newest_matches(dated_articles, word, cap):
    # Within the cap, across the windows' edges, and past the dated ones into the undated.
    windowed = _candidates({"article"}, word, cap)
    assert windowed == _candidates(set(), word, cap)
    assert len([row for row in windowed if row[1] == "article"]) == cap


def test_a_search_that_ends_in_the_past_starts_its_windows_there(dated_articles):
    import datetime

    from django.utils import timezone

    date_to = timezone.localdate() - datetime.timedelta(days=1500)
    windowed = _candidates({"article"}, "filler", 200, date_to=date_to)
    assert windowed == _candidates(set(), "filler", 200, date_to=date_to)
    assert len([row for row in windowed if row[1] == "article"]) == 200
    _sql, window_params = PostgresBackend._windowed_sql("true", "true", "", date_to)
    assert window_params[0] == [date_to - datetime.timedelta(days=31)]


def test_a_common_word_is_read_in_date_windows_through_the_index(dated_articles, monkeypatch):
    import apps.search.backends as backends

    # The sample (one document in a hundred) holds 60 of the articles, 20 of them "common".
    monkeypatch.setattr(backends, "WINDOWED_AFTER", 2500)
    engine = PostgresBackend()
    assert engine.kinds_with_many_matches(parse_query("common"), kinds=KINDS) == set()
    assert engine.kinds_with_many_matches(parse_query("filler"), kinds=KINDS) == {"article"}

    plan = explain(
        *engine.search_sql(
            parsed=parse_query("filler"),
            branches={kind: documents(kind=kind) for kind in KINDS},
            cap=1000,
            pages={"article": (0, 20)},
            windowed={"article"},
        )
    )
    assert "Index Cond: ((date >= " in plan
    assert "searchdocument_undated_vector" in plan
    # (The older windows may be read whole on data this small: the planner's right choice.)


def test_a_word_in_a_small_share_of_a_kind_is_read_whole(dated_articles, monkeypatch):
    """Windows list every document dated in them, so they pay only when the matches are a
    large enough share of the kind: 2,000 matches of 6,000 are read in windows when a third
    is enough, and whole when half is asked for."""
    import apps.search.backends as backends

    monkeypatch.setattr(backends, "WINDOWED_AFTER", 1000)
    engine = PostgresBackend()
    monkeypatch.setattr(backends, "WINDOWED_SHARE", 0.3)
    assert engine.kinds_with_many_matches(parse_query("common"), kinds=KINDS) == {"article"}
    monkeypatch.setattr(backends, "WINDOWED_SHARE", 0.5)
    assert engine.kinds_with_many_matches(parse_query("common"), kinds=KINDS) == set()
    assert engine.kinds_with_many_matches(parse_query("filler"), kinds=KINDS) == {"article"}


def test_the_name_plans_use_the_word_indexes(corpus):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO search_searchdocument
                (kind, object_id, title, names, date, url, indexed_at)
            SELECT 'actor', 1000000 + g, md5(g::text), 'Person ' || md5(g::text), NULL, '/', now()
            FROM generate_series(1, 20000) g
            """
        )
    PostgresBackend().refresh_name_words()
    settle_documents()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_nameword")
    sql, params = PostgresBackend().search_sql(
        parsed=parse_query("Noam Persn"),
        branches={},
        cap=1000,
        pages={},
        names=NameQuery(text="Noam Persn", kinds=("actor",), limit=3),
    )
    plan = explain(sql, params)
    assert "search_nameword_trgm" in plan
    assert "searchdocument_name_words" in plan
    assert "Seq Scan on search_nameword" not in plan
    assert "Seq Scan on search_searchdocument" not in plan


@pytest.mark.parametrize("statement", ["SITE_SEARCH", "SITE_SEARCH_COMMON_WORD"])
def test_the_bench_raw_counterpart_finds_what_search_finds(corpus, statement):
    import json

    pytest.importorskip(
        "orjson", reason="bench/raw.py needs the bench extra (pip install .[bench])"
    )
    from bench import raw
    from bench.raw import _params

    with connection.cursor() as cursor:
        cursor.execute(getattr(raw, statement), _params({"q": ["memorandum"]}))
        raw = json.loads(cursor.fetchone()[0])
    results = search(query="memorandum")
    assert raw["counts"] == {g.kind: g.count for g in results.groups if g.count}
    assert sorted(r["id"] for r in raw["results"]) == sorted(h.object_id for h in results.hits)


def _stored_documents():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, object_id, title, names, date, url, vector::text "
            "FROM search_searchdocument ORDER BY kind, object_id"
        )
        return cursor.fetchall()


def test_the_bulk_rebuild_writes_the_documents_that_saving_writes(corpus):
    """rebuild_index builds documents inside PostgreSQL (documents_sql.py); saving builds them
    in Python (documents.py). Both must give the same title, names, date, URL and vector."""
    court = ActorFactory(name="U.S. District Court for the District of Columbia", slug="ddc")
    AliasFactory(actor=court, agreement=None, text="D.D.C.")
    AliasFactory(actor=court, agreement=None, text="DC district court")
    case = LegalChallengeFactory(
        caption="Centro de Trabajadores Unidos v. Bessent", court=court, summary="A lawsuit."
    )
    AliasFactory(challenge=case, agreement=None, actor=None, text="Centro v. Bessent")
    LegalChallengeFactory(caption="No court yet", court=None, docket_number="", summary="")
    EventFactory(agreement=None, challenge=case, title="Injunction denied", description="")
    speaker = PersonFactory(name="Jimmy Gomez", slug="jimmy-gomez")
    StatementFactory(
        position=PositionFactory(actor=speaker),
        speaker=speaker,
        speaker_label="Rep. Jimmy Gomez (D-Calif.)",
        text="A quote long enough to be cut short in its result line, " * 4,
        venue="Press release",
    )
    StatementFactory(text="x" * 120)  # exactly the length that is kept whole
    ArticleFactory(title="", byline="", outlet=None, published_at=None, summary="", text="Body.")
    ArticleFactory(title="Not fetched", fetch_status=Article.FetchStatus.PENDING)
    saved = _stored_documents()
    assert {row[0] for row in saved} == set(KINDS)

    SearchDocument.objects.all().delete()
    rebuild_index(batch_size=3)

    assert _stored_documents() == saved


@pytest.mark.parametrize("few_matches", [0, 5_000], ids=["many: IN", "few: an array first"])
def test_a_list_search_gives_the_same_rows_whichever_plan_the_count_picks(
    api_client, corpus, monkeypatch, few_matches
):
    from apps.search import backends

    monkeypatch.setattr(backends, "FEW_MATCHES", few_matches)
    for n in range(3):
        EventFactory(agreement=corpus["mou"], title=f"Privacy hearing {n}")

    body = api_client.get("/api/v1/events/", {"search": "privacy OR memorandum"}).json()

    titles = ["Memorandum signed", "Privacy hearing 0", "Privacy hearing 1", "Privacy hearing 2"]
    newest_first = Event.objects.filter(title__in=titles).order_by("-date", "-id")
    assert [event["title"] for event in body["results"]] == [e.title for e in newest_first]
    assert len(body["results"]) == 4


def _names_found(query: str) -> list[str]:
    return [hit.title for hit in search(query=query).name_matches]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Kristy Noam", "Kristi Noem"),  # a typo in each word
        ("Governor Noam", "Kristi Noem"),  # a word that is in no name does not hide the name
        ("Secretary Noam", "Kristi Noem"),  # nor one that is in other names only
        ("Nom", "Kristi Noem"),  # three letters: one edit allowed
        ("Conan O'Brian", "Conan O'Brien"),  # an apostrophe in the name and the query
        ("Bak Slash", "Back\\slash Trust"),  # a backslash in a name splits it, as in queries
    ],
)
def test_a_misspelt_name_is_corrected_word_by_word(corpus, query, name):
    PersonFactory(name="Conan O'Brien", slug="conan-obrien")
    ActorFactory(name="Back\\slash Trust", slug="backslash-trust")
    ActorFactory(name="Office of the Secretary", slug="secretary")
    assert name in _names_found(query)


def test_an_exact_word_comes_before_a_corrected_one(corpus):
    PersonFactory(name="Noam Chomsky", slug="noam-chomsky")
    # The search page leaves Noam Chomsky out of its names: he is a hit of the words already.
    engine = PostgresBackend()
    with search_transaction(engine):  # the per-search settings, the trigram threshold among them
        found = engine.find(
            parsed=parse_query("Noam"),
            branches={},
            cap=10,
            pages={},
            names=NameQuery(text="Noam", kinds=("actor",), limit=2),
        )
    assert [found.documents[match.document_id].title for match in found.names] == [
        "Noam Chomsky",
        "Kristi Noem",
    ]


def test_a_word_too_far_from_every_name_finds_no_name(corpus):
    assert _names_found("Nxyz") == []  # two edits from Noem: four letters allow one
    assert _names_found("No") == []  # two letters must be exact


def test_a_name_written_since_is_found_by_its_typo_and_a_rebuild_forgets_old_words(corpus):
    person = PersonFactory(name="Tulsi Gabbard", slug="tulsi-gabbard")
    assert "Tulsi Gabbard" in _names_found("Gabard")
    person.name = "Tulsi Quuxley"
    person.save()
    assert "Tulsi Quuxley" in _names_found("Quxley")
    assert NameWord.objects.filter(word="gabbard").exists()  # writes only add words
    rebuild_index()
    assert not NameWord.objects.filter(word="gabbard").exists()
    assert NameWord.objects.filter(word="quuxley").exists()


@pytest.mark.parametrize("word", ["it's", "a\\b", "x & !y", "a'\\'b"])
def test_close_words_reach_the_database_as_lexemes_never_as_operators(db, word):
    from apps.search.backends import lexeme_literal_sql

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT array_to_tsvector(ARRAY[word]) @@ {lexeme_literal_sql('word')}::tsquery, "
            f"array_to_tsvector(ARRAY['x', 'y']) @@ {lexeme_literal_sql('word')}::tsquery "
            "FROM (SELECT %s::text AS word) AS given",
            [word],
        )
        assert cursor.fetchone() == (True, False)


def _settings() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('work_mem'), current_setting('jit'), "
            "current_setting('statement_timeout')"
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_search_in_its_own_transaction_sets_its_limits_and_leaves_none_behind():
    before = _settings()
    engine = PostgresBackend()
    with search_transaction(engine):
        assert _settings() == ("32MB", "off", "5s")
    assert _settings() == before != ("32MB", "off", "5s")
    search(query="anything")
    assert _settings() == before


@pytest.mark.django_db(transaction=True)  # as a request runs it: its own transaction
@pytest.mark.parametrize(
    "arguments",
    [{"query": "Noam"}, {"query": "memorandum", "kind": "article", "page": 2}],
    ids=["everything, with names", "one kind's second page"],
)
def test_a_search_is_one_statement_after_its_settings_and_estimate(
    corpus, arguments, django_assert_num_queries
):
    """The candidates, their rows and snippets, and the names, in one round trip (it was six):
    each statement more costs a plan and a round trip under load."""
    with django_assert_num_queries(5) as captured:
        search(**arguments)
    statements = [" ".join(query["sql"].split())[:24] for query in captured.captured_queries]
    assert statements == [
        "BEGIN",
        "SELECT set_config('work_",  # the search's settings
        "SELECT sampled.kind, sam",  # the estimate that picks each kind's read
        "WITH candidates AS MATER",  # the search
        "COMMIT",
    ]
