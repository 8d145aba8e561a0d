"""The two ways search runs: PostgreSQL full text with trigram names, or SQLite's FTS5.

`backend()` is the one place that looks at the database vendor. Both backends take the same
parsed query and filters and return the same shapes; everything above them (selectors, views,
the API) is vendor-blind.
"""

import contextlib
import datetime
import functools
import itertools
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .documents import BUILDERS, SOURCES, Document
from .documents_sql import select_sql
from .models import SearchDocument
from .query import ParsedQuery, fts5_expression, parse_query

CONFIG = "english"
DOCUMENTS = SearchDocument._meta.db_table
FTS_TABLE = "search_fts"
NAMED_KINDS = (
    SearchDocument.Kind.ACTOR,
    SearchDocument.Kind.AGREEMENT,
    SearchDocument.Kind.CHALLENGE,
)
# Names are matched only for short queries: a name is a few words.
MAX_NAME_QUERY = 60
NAME_CANDIDATES = 20
# The closest words of the names' vocabulary kept for each word of the query.
CLOSE_WORDS = 5
NAME_WORDS = "search_nameword"
INSERT_NAME_WORDS = f"""
    INSERT INTO {NAME_WORDS} (word)
    SELECT DISTINCT lexeme FROM {DOCUMENTS}, unnest(to_tsvector('simple', names))
    WHERE names <> ''"""
SEARCH_SETTINGS = {
    "work_mem": "32MB",
    # Low enough that a one-letter typo in a four-letter word gets through ("noam" and "noem"
    # share 2 of their 8 trigrams); edit distance then decides (typo_allowance).
    "pg_trgm.similarity_threshold": "0.25",
    "statement_timeout": "5s",
    # A common word's statement is priced past jit_above_cost, and compiling it took 200-340 ms
    # (of a 1.5 s search for "policy") to save nothing on a thousand rows.
    "jit": "off",
}
HEADLINE_SOURCE_CHARS = 20_000
# A list narrowed by ?search= reads the matches first when there are at most this many.
FEW_MATCHES = 5_000
START, STOP = "\x01", "\x02"  # snippet highlight markers, escaped and replaced on the way out
# A kind whose matches probably outnumber this, and make up at least WINDOWED_SHARE of its
# documents, is read in date windows (see PostgresBackend._windowed_sql). Measured at large
# scale: a word in 1.9 % of a million articles took 12 ms in windows, and 100 ms sorted whole;
# one in 0.23 % of 1.5 million events took 91 ms in windows (each window lists every event
# dated in it, and few of them match), and about 10 ms sorted whole.
WINDOWED_AFTER = 3_000
WINDOWED_SHARE = 0.01
# The estimate reads the documents whose id is a multiple of this, through their own GIN index
# (migration 0005, whose condition must be the same): a fixed sample, so the same query takes
# the same path every time.
SAMPLE_MODULUS = 100
# Date windows, newest first, in days before today; then everything older, then undated.
WINDOW_DAYS = (31, 92, 365, 1096)


def unindexed_dates(queryset: QuerySet) -> QuerySet:
    """The queryset with `unindexed_date`, the date as an expression no index serves (date + 0
    days), for a date condition the planner must test on the rows it has, not look up."""
    return queryset.alias(
        unindexed_date=ExpressionWrapper(F("date") + Value(0), output_field=DateField())
    )


@dataclass
class Candidate:
    document_id: int
    kind: str
    rank: float
    found: int  # matches of this kind among the bounded candidates (at most the cap)
    position: int  # 1-based position within its kind, best first


@dataclass
class NameMatch:
    document_id: int
    similarity: float


@dataclass(frozen=True)
class NameQuery:
    """Names close to `text` are wanted: at most `limit`, of these kinds."""

    text: str
    kinds: tuple[str, ...]
    limit: int


@dataclass
class Found:
    """What a backend's find() gives: the candidates (see search_sql), the name matches best
    first, the documents of both by id, and the snippets of the rows on the pages."""

    candidates: list[Candidate] = field(default_factory=list)
    names: list[NameMatch] = field(default_factory=list)
    documents: dict[int, SearchDocument] = field(default_factory=dict)
    snippets: dict[int, str] = field(default_factory=dict)


def _weighted_vector(a: str, b: str, c: str, d: str) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}', {text}), '{weight}')"
        for text, weight in ((a, "A"), (b, "B"), (c, "C"), (d, "D"))
    )


UPSERT = f"""
    INSERT INTO {DOCUMENTS} (kind, object_id, title, names, date, url, indexed_at, vector)
    {{rows}}
    ON CONFLICT (kind, object_id) DO UPDATE SET
        title = EXCLUDED.title, names = EXCLUDED.names, date = EXCLUDED.date,
        url = EXCLUDED.url, indexed_at = EXCLUDED.indexed_at, vector = EXCLUDED.vector
"""


class PostgresBackend:
    vendor = "postgresql"

    def write(self, documents: list[Document]) -> None:
        sql = UPSERT.format(
            rows="VALUES (%s, %s, %s, %s, %s, %s, %s, "
            + _weighted_vector("%s", "%s", "%s", "%s")
            + ")"
        )
        now = timezone.now()
        rows = [
            (
                d.kind,
                d.object_id,
                d.title[:500],
                d.names,
                d.date,
                d.url,
                now,
                *(_no_nul(text) for text in (d.a, d.b, d.c, d.d)),
            )
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        for kind in {d.kind for d in documents}:
            self.add_name_words(kind=kind, ids=[d.object_id for d in documents if d.kind == kind])

    def rebuild(self, *, kind: str, ids: list[int]) -> int:
        """Write the documents of these records from inside the database (documents_sql.py):
        for rebuilding a whole index, where sending every article's text through Python would
        take hours. Returns how many documents were written."""
        rows = f"""
            SELECT %s, src.id, left(src.title, 500), src.names, src.date, src.url, now(),
                   {_weighted_vector("src.a", "src.b", "src.c", "src.d")}
            FROM ({select_sql()[kind]}) AS src (id, title, names, date, url, a, b, c, d)
        """
        with connection.cursor() as cursor:
            cursor.execute(UPSERT.format(rows=rows), [kind, ids])
            written = cursor.rowcount
        self.add_name_words(kind=kind, ids=ids)
        return written

    def add_name_words(self, *, kind: str, ids: list[int]) -> None:
        """The words of these documents' names added to the vocabulary. In word order, so two
        writers adding the same words take their locks in the same order."""
        if kind not in NAMED_KINDS:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"{INSERT_NAME_WORDS} AND kind = %s AND object_id = ANY(%s) "
                "ORDER BY lexeme ON CONFLICT DO NOTHING",
                [kind, list(ids)],
            )

    def refresh_name_words(self) -> None:
        """The vocabulary made again from the names there are now. Writes only add words, so a
        renamed record leaves its old words behind; they find nothing, but take a place among a
        query word's closest words until this runs (after a full rebuild). The index's pending
        list is merged and the table analysed at once: until then every lookup would read the
        whole list, and the planner would rightly scan the table instead."""
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {NAME_WORDS}")
            cursor.execute(INSERT_NAME_WORDS)
            cursor.execute("SELECT gin_clean_pending_list('search_nameword_trgm')")
            cursor.execute(f"ANALYZE {NAME_WORDS}")

    def delete(self, *, kind: str, object_ids) -> None:
        SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()

    def matches(self, queryset: QuerySet, text: str, parsed: ParsedQuery | None = None):
        return queryset.filter(vector=SearchQuery(text, search_type="websearch", config=CONFIG))

    def narrow(self, queryset: QuerySet, object_ids: QuerySet) -> QuerySet:
        """`queryset` (a list, in its own order) cut to the rows whose ids `object_ids` gives.

        As `IN (subquery)` the planner walks the list's order index and tests each row, which
        stops after a page when matches are common (a word in 38,000 of 300,000 events: 35 ms)
        but reads every row for a rare word (4 s). Read first as an array, the matches are
        fetched by key and sorted (the rare word: 45 ms), which costs about 15 µs a match. So
        a capped count of the matches (one GIN bitmap scan) picks the plan."""
        if object_ids[: FEW_MATCHES + 1].count() > FEW_MATCHES:
            return queryset.filter(pk__in=object_ids)
        return queryset.filter(
            Func(
                F("pk"),
                ArraySubquery(object_ids),
                template="(%(expressions)s))",
                arg_joiner=" = ANY(",
                output_field=BooleanField(),
            )
        )

    def find(
        self,
        *,
        parsed: ParsedQuery,
        branches: dict[str, QuerySet],
        cap: int,
        pages: dict,
        newest: datetime.date | None = None,
        names: NameQuery | None = None,
    ) -> Found:
        """The whole search in one statement (see search_sql), once an estimate has picked how
        each kind's matches are read: the candidates of each kind, the rows and snippets of the
        page, the names close to the query."""
        sql, params = self.search_sql(
            parsed=parsed,
            branches=branches,
            cap=cap,
            pages=pages,
            newest=newest,
            names=names,
            windowed=self.kinds_with_many_matches(parsed, kinds=list(branches)),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = Found()
        named = []
        for role, pk, kind, object_id, title, url, date, score, count, place, snippet in rows:
            found.documents[pk] = SearchDocument(
                id=pk, kind=kind, object_id=object_id, title=title, url=url, date=date
            )
            if role == "hit":
                found.candidates.append(Candidate(pk, kind, score, count, place))
                if snippet is not None:
                    found.snippets[pk] = snippet
            else:
                named.append((place, NameMatch(pk, score)))
        found.names = [match for _, match in sorted(named, key=lambda pair: pair[0])]
        return found

    def kinds_with_many_matches(self, parsed: ParsedQuery, *, kinds: list[str]) -> set[str]:
        """The kinds whose matches are best read in date windows: probably more than
        WINDOWED_AFTER of them, and at least WINDOWED_SHARE of the kind's documents.

        Estimated from a fixed one-in-SAMPLE_MODULUS sample of the documents, counted through
        the sample's own GIN index (a fraction of a millisecond at any size: only the sampled
        matches are fetched), against each kind's size in the table's statistics. A sample
        of the table's pages cost 5-9 ms at a million articles (every sampled row's vector was
        read), and an exact count stopped at 3,000 took 6-9 ms a kind for a common word. Only
        the speed depends on it: both ways find the same newest matches."""
        if not kinds:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(*self.estimate_sql(parsed, kinds=kinds))
            return {
                kind
                for kind, hits, documents in cursor.fetchall()
                if hits * SAMPLE_MODULUS > WINDOWED_AFTER
                # A size never counted (no statistics yet) does not hold the windows back.
                and hits * SAMPLE_MODULUS >= WINDOWED_SHARE * (documents or 0)
            }

    def estimate_sql(self, parsed: ParsedQuery, *, kinds: list[str]) -> tuple[str, list]:
        """Each kind's matches in the sample, and the kind's size as the statistics last saw
        it: its share of the kinds (ANALYZE) times the table's rows (VACUUM or ANALYZE). Not
        its index's row count: a partial GIN index counts its entries after CREATE INDEX and
        the whole table after a VACUUM without ANALYZE."""
        return (
            f"""
                SELECT sampled.kind, sampled.hits, sizes.documents
                FROM (
                    SELECT kind, count(*) AS hits FROM {DOCUMENTS}
                    WHERE mod(id, {SAMPLE_MODULUS}) = 0 AND kind = ANY(%s)
                      AND vector @@ websearch_to_tsquery('{CONFIG}', %s)
                    GROUP BY kind
                ) AS sampled
                LEFT JOIN (
                    SELECT share.kind, share.frequency * tables.reltuples AS documents
                    FROM pg_stats AS stats
                    CROSS JOIN LATERAL unnest(
                        stats.most_common_vals::text::text[], stats.most_common_freqs
                    ) AS share (kind, frequency)
                    JOIN pg_class AS tables ON tables.oid = '{DOCUMENTS}'::regclass
                    WHERE stats.schemaname = current_schema()
                      AND stats.tablename = '{DOCUMENTS}' AND stats.attname = 'kind'
                ) AS sizes ON sizes.kind = sampled.kind
            """,
            [list(kinds), parsed.text],
        )

    def search_sql(
        self,
        *,
        parsed,
        branches,
        cap,
        pages,
        newest=None,
        names: NameQuery | None = None,
        windowed: set[str] = frozenset(),
    ) -> tuple[str, list]:
        """One statement, so a search costs one round trip and one plan:

        - `candidates` … `picked`: each kind's newest `cap` matches (read in date windows for
          the kinds in `windowed`, see _windowed_sql), ranked; the rows of the requested pages
          plus the first of every kind (which carries its count). `pages` maps kind to
          (offset, limit); `newest` is the last date the branches allow.
        - the names close to the query (_names_sql), when `names` asks for them;
        - snippets, cut for the rows of the pages only: ts_headline reads the source text.

        Each answer row: role ('hit' or 'name'), the document's id, kind, object_id, title,
        url and date, then rank, count and position for a hit (similarity, 0 and place for
        a name), and a hit's snippet."""
        text = parsed.text
        matches = f"vector @@ websearch_to_tsquery('{CONFIG}', %s)"
        parts, params = [], []
        newest_first = f"ORDER BY date DESC NULLS LAST, id DESC LIMIT {int(cap)}"
        for kind, branch in branches.items():
            where, where_params = _where(branch)
            if kind not in windowed:
                parts.append(
                    f"(SELECT id FROM {DOCUMENTS} WHERE ({where}) AND {matches} {newest_first})"
                )
                params.extend([*where_params, text])
                continue
            windows, window_params = self._windowed_sql(where, matches, newest_first, newest)
            parts.append(f"(SELECT id FROM ({windows}) AS windows LIMIT {int(cap)})")
            for window_param in window_params:
                params.extend([*where_params, text, *window_param])
        if not parts:
            parts = [f"(SELECT id FROM {DOCUMENTS} WHERE false)"]
        wanted = " OR ".join(["(kind = %s AND position > %s AND position <= %s)"] * len(pages))
        page_params = [
            value
            for kind, (offset, limit) in pages.items()
            for value in (kind, offset, offset + limit)
        ]
        wanted = wanted or "false"
        names_sql, names_params, named_rows = "", [], ""
        if names:
            names_sql, names_params = self._names_sql(names)
            named_rows = f"""UNION ALL
                SELECT 'name', d.id, d.kind, d.object_id, d.title, d.url, d.date,
                       n.similarity, 0, n.place, NULL
                FROM named n JOIN {DOCUMENTS} d ON d.id = n.id"""
        sql = f"""
            WITH candidates AS MATERIALIZED ({" UNION ALL ".join(parts)}),
            ranked AS (
                SELECT d.id, d.kind, d.date,
                       ts_rank_cd(d.vector, websearch_to_tsquery('{CONFIG}', %s), 32) AS rank,
                       count(*) OVER (PARTITION BY d.kind) AS found
                FROM candidates c JOIN {DOCUMENTS} d ON d.id = c.id
            ),
            numbered AS (
                SELECT id, kind, rank, found, row_number() OVER (
                    PARTITION BY kind ORDER BY rank DESC, date DESC NULLS LAST, id DESC
                ) AS position
                FROM ranked
            ),
            picked AS MATERIALIZED (
                SELECT id, rank, found, position, ({wanted}) AS shown FROM numbered
                WHERE position = 1 OR ({wanted})
            ){names_sql}
            SELECT 'hit', d.id, d.kind, d.object_id, d.title, d.url, d.date,
                   p.rank, p.found, p.position,
                   CASE WHEN p.shown THEN {self._snippet_sql()} END
            FROM picked p JOIN {DOCUMENTS} d ON d.id = p.id
            {named_rows}
        """
        options = (
            f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2, "
            'FragmentDelimiter=" … "'
        )
        return sql, [
            *params,
            text,
            *page_params,
            *page_params,
            *names_params,
            START + STOP,
            text,
            options,
        ]

    @staticmethod
    def _snippet_sql() -> str:
        """The highlighted passages of the document's source text (its first
        HEADLINE_SOURCE_CHARS characters, the markers taken out), read by kind."""
        sources = " ".join(
            f"WHEN '{kind}' THEN (SELECT {model._meta.get_field(field).column} "
            f"FROM {model._meta.db_table} WHERE id = d.object_id)"
            for kind, (model, field) in SOURCES.items()
        )
        return f"""ts_headline('{CONFIG}',
            translate(left(CASE d.kind {sources} END, {HEADLINE_SOURCE_CHARS}), %s, ''),
            websearch_to_tsquery('{CONFIG}', %s), %s)"""

    @staticmethod
    def _windowed_sql(
        where: str, matches: str, newest_first: str, newest: datetime.date | None = None
    ) -> tuple[str, list[list]]:
        """The same rows as the plain newest-first read, one date window at a time, newest
        first. Returns the SQL and, per window, its own parameters (each window repeats the
        branch's and the query's).

        Sorting every match by date costs a heap fetch per match (a word in 18,576 of a
        million articles: 17,000 pages, 100 ms). Each window here is one scan of the kind's
        GIN index on (date, vector) and fetches only that window's rows; the windows are
        disjoint and in date order, and the Append under the LIMIT starts a window only when
        the ones before it have run out, so a common word stops in the first window or two
        (12 ms). A rare word would pay for every window's date range instead, which is why
        kinds_with_many_matches decides."""
        # Counted back from the last date the search allows: a search that ends in 2019 starts
        # its windows there, not in empty years after it.
        anchor = min(timezone.localdate(), newest) if newest else timezone.localdate()
        edges = [anchor - datetime.timedelta(days=days) for days in WINDOW_DAYS]
        # Each window has one indexable bound, its start: a GIN index reads a date range by
        # listing every row in it, so an end (`date < x`) would list everything older. Ends,
        # which leave out the windows already read, are tested on the rows instead (date + 0
        # is a value no index serves).
        windows = [("date >= %s", [edges[0]])]
        windows += [
            ("date >= %s AND date + 0 < %s", [older, newer])
            for newer, older in itertools.pairwise(edges)
        ]
        windows += [("date + 0 < %s", [edges[-1]]), ("date IS NULL", [])]
        sql = " UNION ALL ".join(
            f"(SELECT id FROM {DOCUMENTS} WHERE ({where}) AND {matches} AND {condition} "
            f"{newest_first})"
            for condition, _ in windows
        )
        return sql, [window_params for _, window_params in windows]

    @staticmethod
    def _names_sql(names: NameQuery) -> tuple[str, list]:
        """The names closest to the query, a typo or two per word forgiven ("Noam" finds
        Kristi Noem), as CTEs ending in `named` (id, similarity, place):

        - `close`: each word of the query (as the names' index splits them) with its
          CLOSE_WORDS nearest words of the names' vocabulary and their edit distance, within
          its typo_allowance, through the vocabulary's trigram index;
        - `name_found`: the documents whose names hold the nearest word for every query word,
          and those holding a close word for every query word; NAME_CANDIDATES of each, found
          through the index of name words (a common name has thousands of holders, all
          equally near). Only if too few: those holding a close word for any query word
          ("Governor Noam"), asked only then because a common word's holders (every
          "network") cost a bitmap of tens of thousands of names.
        - `named`: in that order, then by edit distance word by word (split as the vocabulary
          splits them), so "Noam" puts Noem (one letter) before Noel (two), then by how much
          of the name the query covers.

        The kind is tested on the rows found, not looked up: as an index condition it joins
        the bitmap of a few names with one of every named document (260,000 rows, 40 ms)."""
        kinds = [kind for kind in names.kinds if kind in NAMED_KINDS]
        text = names.text if kinds and len(names.text) <= MAX_NAME_QUERY else ""
        lexeme = lexeme_literal_sql("word")
        every_unless_nearest = "AND (SELECT every <> nearest FROM tiers)"
        any_word_if_too_few = (
            "AND (SELECT words > 1 FROM tiers) AND (SELECT count(*) FROM name_found) < %s"
        )
        holders = f"""SELECT id FROM {DOCUMENTS}
            WHERE names <> '' AND to_tsvector('simple', names) @@ (SELECT {{tier}} FROM tiers)
              AND kind::text || '' = ANY(%s) {{gate}}
            LIMIT {NAME_CANDIDATES}"""
        sql = f""",
            query_words AS (
                SELECT DISTINCT left(lexeme, 100) AS word
                FROM unnest(to_tsvector('simple', %s))
            ),
            close AS MATERIALIZED (
                SELECT query.word AS query_word, close.word, close.distance,
                       min(close.distance) OVER (PARTITION BY query.word) AS best
                FROM query_words AS query
                CROSS JOIN LATERAL (
                    SELECT word, levenshtein(query.word, left(word, 100)) AS distance
                    FROM {NAME_WORDS} WHERE word %% query.word
                    ORDER BY distance, similarity(word, query.word) DESC, word
                    LIMIT {CLOSE_WORDS}
                ) AS close
                WHERE close.distance <= {typo_allowance_sql("query.word")}
            ),
            per_word AS (
                SELECT '(' || string_agg({lexeme}, ' | ') FILTER (WHERE distance = best)
                           || ')' AS nearest,
                       '(' || string_agg({lexeme}, ' | ') || ')' AS alternatives
                FROM close GROUP BY query_word
            ),
            tiers AS MATERIALIZED (
                SELECT string_agg(nearest, ' & ')::tsquery AS nearest,
                       string_agg(alternatives, ' & ')::tsquery AS every,
                       string_agg(alternatives, ' | ')::tsquery AS any_word,
                       count(*) AS words
                FROM per_word
            ),
            name_found AS MATERIALIZED (
                SELECT DISTINCT id FROM (
                    ({holders.format(tier="nearest", gate="")})
                    UNION ALL
                    ({holders.format(tier="every", gate=every_unless_nearest)})
                ) AS holders
            ),
            name_found_any AS (
                {holders.format(tier="any_word", gate=any_word_if_too_few)}
            ),
            named AS (
                SELECT d.id, word_similarity(%s, d.names) AS similarity,
                       row_number() OVER (ORDER BY f.tier, (
                           SELECT sum((
                               SELECT min(levenshtein(left(query_word, 100), left(name_word, 100)))
                               FROM unnest(tsvector_to_array(to_tsvector('simple', d.names)))
                                   AS name_word
                           )) FROM unnest(tsvector_to_array(to_tsvector('simple', %s)))
                               AS query_word
                       ), word_similarity(%s, d.names) DESC, d.id) AS place
                FROM (
                    SELECT id, min(tier) AS tier FROM (
                        SELECT id, 0 AS tier FROM name_found
                        UNION ALL SELECT id, 1 FROM name_found_any
                    ) AS tiered GROUP BY id
                ) AS f
                JOIN {DOCUMENTS} d ON d.id = f.id
                ORDER BY place LIMIT %s
            )"""
        params = [text, kinds, kinds, kinds, names.limit, text, text, text, names.limit]
        return sql, params

    def within_dates(self, queryset: QuerySet, date_from, date_to) -> QuerySet:
        """The documents dated within these bounds (either may be None), tested row by row:
        as an index condition, an open range on the (date, vector) GIN index lists every row
        in it (a million for `date <= x`), where testing each match's date costs little."""
        if not date_from and not date_to:
            return queryset
        queryset = unindexed_dates(queryset)
        if date_from:
            queryset = queryset.filter(unindexed_date__gte=date_from)
        if date_to:
            queryset = queryset.filter(unindexed_date__lte=date_to)
        return queryset

    @contextlib.contextmanager
    def bounded_work(self, *, restore: bool = True):
        """Settings for the search queries alone: enough memory that ranking and sorting stay
        in RAM, a name threshold that lets a one-letter typo in a short name through, no JIT,
        and a ceiling so no search holds a connection long. Set local to the transaction; with
        `restore`, read first and put back afterwards, so a caller's own transaction keeps its
        settings (a search that begins its own transaction has nothing to put back: the commit
        ends them). On an error the rollback puts them back."""
        names = list(SEARCH_SETTINGS)
        changes = ", ".join(["set_config(%s, %s, true)"] * len(names))
        previous = None
        with connection.cursor() as cursor:
            if restore:
                cursor.execute(
                    "SELECT " + ", ".join(["current_setting(%s, true)"] * len(names)), names
                )
                previous = cursor.fetchone()
            cursor.execute(
                f"SELECT {changes}", [v for item in SEARCH_SETTINGS.items() for v in item]
            )
        yield
        if previous is None:
            return
        # An extension's setting read before anything set it is '' (a placeholder), which
        # set_config refuses for a number; such a setting has nothing to put back.
        restored = [(n, v) for n, v in zip(names, previous, strict=True) if v]
        if restored:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(restored)),
                    [v for item in restored for v in item],
                )


class SQLiteBackend:
    """FTS5 (porter-stemmed, bm25-ranked) when SQLite has it, else a plain match on titles
    and names. Made for the embedded demo, not for a million articles."""

    vendor = "sqlite"

    @property
    def has_fts(self) -> bool:
        return _fts_table_exists(connection.alias)

    def write(self, documents: list[Document]) -> None:
        for d in documents:
            document, _ = SearchDocument.objects.update_or_create(
                kind=d.kind,
                object_id=d.object_id,
                defaults={"title": d.title[:500], "names": d.names, "date": d.date, "url": d.url},
            )
            if self.has_fts:
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [document.id])
                    cursor.execute(
                        f"INSERT INTO {FTS_TABLE} (rowid, a, b, c, d) VALUES (%s, %s, %s, %s, %s)",
                        [document.id, d.a, d.b, d.c, d.d],
                    )

    def refresh_name_words(self) -> None:
        """No vocabulary: names are matched as text (see names)."""

    def rebuild(self, *, kind: str, ids: list[int]) -> int:
        """The Python builders: SQLite holds the embedded demo, never a large index."""
        documents = list(BUILDERS[kind](ids))
        self.write(documents)
        return len(documents)

    def delete(self, *, kind: str, object_ids) -> None:
        documents = SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids))
        if self.has_fts:
            ids = list(documents.values_list("id", flat=True))
            if ids:
                with connection.cursor() as cursor:
                    marks = ", ".join(["%s"] * len(ids))
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)
        documents.delete()

    def matches(self, queryset: QuerySet, text: str, parsed: ParsedQuery | None = None):
        parsed = parsed or parse_query(text)
        if self.has_fts:
            fts = RawSQL(  # noqa: S611
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                [fts5_expression(parsed)],
            )
            return queryset.filter(id__in=fts)
        condition = Q(pk__in=[])
        for alternative in parsed.alternatives:
            both = Q()
            for term in alternative.terms:
                phrase = " ".join(term.words)
                found = Q(title__icontains=phrase) | Q(names__icontains=phrase)
                both &= ~found if term.negated else found
            condition |= both
        return queryset.filter(condition)

    def narrow(self, queryset: QuerySet, object_ids: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=object_ids)

    def within_dates(self, queryset: QuerySet, date_from, date_to) -> QuerySet:
        if date_from:
            queryset = queryset.filter(date__gte=date_from)
        if date_to:
            queryset = queryset.filter(date__lte=date_to)
        return queryset

    def find(self, *, parsed, branches, cap, pages, newest=None, names=None) -> Found:
        """The same answer as PostgreSQL's, in a few statements: the demo's data is small."""
        found = Found(candidates=self.candidates(parsed=parsed, branches=branches, cap=cap))
        shown = [c for c in found.candidates if on_page(c, pages)]
        found.candidates = [c for c in found.candidates if c.position == 1 or on_page(c, pages)]
        if names:
            found.names = self.names(text=names.text, kinds=names.kinds, limit=names.limit)
        found.documents = SearchDocument.objects.in_bulk(
            [c.document_id for c in found.candidates] + [m.document_id for m in found.names]
        )
        found.snippets = self.snippets(
            parsed=parsed, documents=[found.documents[c.document_id] for c in shown]
        )
        return found

    def candidates(self, *, parsed, branches, cap) -> list[Candidate]:
        """Each kind's newest `cap` matches, ranked, every one of them."""
        result = []
        for kind, branch in branches.items():
            if self.has_fts:
                branch_sql, branch_params = branch.values("id").query.sql_with_params()
                # bm25 is lower for better matches; negated, higher is better as on PostgreSQL.
                sql = f"""
                    SELECT d.id, -bm25({FTS_TABLE}, 10.0, 5.0, 2.0, 1.0) AS rank
                    FROM {FTS_TABLE} JOIN {DOCUMENTS} d ON d.id = {FTS_TABLE}.rowid
                    WHERE {FTS_TABLE} MATCH %s AND d.id IN ({branch_sql})
                    ORDER BY rank DESC, d.date DESC, d.id DESC LIMIT %s
                """
                with connection.cursor() as cursor:
                    cursor.execute(sql, [fts5_expression(parsed), *branch_params, cap])
                    rows = cursor.fetchall()
            else:
                matching = self.matches(branch, parsed.text, parsed)
                ids = matching.order_by(F("date").desc(nulls_last=True), "-id")
                rows = [(pk, 0.0) for pk in ids.values_list("id", flat=True)[:cap]]
            result += [
                Candidate(pk, kind, rank, len(rows), position)
                for position, (pk, rank) in enumerate(rows, start=1)
            ]
        return result

    def snippets(self, *, parsed: ParsedQuery, documents) -> dict[int, str]:
        if not self.has_fts or not documents:
            return {}
        ids = [d.id for d in documents]
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 30) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [START, STOP, fts5_expression(parsed), *ids])
            return dict(cursor.fetchall())

    def names(self, *, text: str, kinds, limit: int) -> list[NameMatch]:
        # No trigrams here: a name that contains the text, as the plain fallback does.
        kinds = [kind for kind in kinds if kind in NAMED_KINDS]
        if not kinds or len(text) > MAX_NAME_QUERY:
            return []
        rows = SearchDocument.objects.filter(kind__in=kinds, names__icontains=text).order_by("id")[
            :limit
        ]
        return [NameMatch(pk, 1.0) for pk in rows.values_list("id", flat=True)]

    @contextlib.contextmanager
    def bounded_work(self, *, restore: bool = True):
        yield


def typo_allowance_sql(word: str) -> str:
    """How many edits a word of this length may be from what was meant: none up to two
    letters, one up to five, then two (the fuzziness most search engines default to)."""
    return f"CASE WHEN length({word}) <= 2 THEN 0 WHEN length({word}) <= 5 THEN 1 ELSE 2 END"


def lexeme_literal_sql(word: str) -> str:
    """SQL for a word as a tsquery lexeme, quoted (a quote or backslash in it escaped), so
    nothing in a name is read as an operator when lexemes are joined into a query."""
    return r"('''' || replace(replace(" + word + r", '\', '\\'), '''', '''''') || '''')"


def on_page(candidate: Candidate, pages: dict) -> bool:
    if candidate.kind not in pages:
        return False
    offset, limit = pages[candidate.kind]
    return offset < candidate.position <= offset + limit


def _where(queryset: QuerySet) -> tuple[str, list]:
    """The WHERE clause of a queryset of search documents, as SQL on the table unaliased: the
    filters a branch carries (kind, dates, agreement, actor), put into search_sql's reads."""
    query = queryset.query
    sql, params = query.get_compiler(using=queryset.db).compile(query.where)
    return sql or "true", list(params)


def _no_nul(text: str) -> str:
    return (text or "").replace("\x00", "")


@functools.cache
def _fts_table_exists(alias: str) -> bool:
    return FTS_TABLE in connection.introspection.table_names(include_views=False)


def backend() -> PostgresBackend | SQLiteBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SQLiteBackend()


@contextlib.contextmanager
def search_transaction(engine):
    """One transaction per search, with the backend's settings for it. A search inside a
    caller's transaction puts that transaction's settings back afterwards."""
    inside_a_transaction = connection.in_atomic_block
    with transaction.atomic(), engine.bounded_work(restore=inside_a_transaction):
        yield
