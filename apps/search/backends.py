"""The two ways search runs: PostgreSQL full text with trigram names, or SQLite's FTS5.

`backend()` is the one place that looks at the database vendor. Both backends take the same
parsed query and filters and return the same shapes; everything above them (selectors, views,
the API) is vendor-blind.
"""

import contextlib
import datetime
import functools
import itertools
from dataclasses import dataclass

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
# A kind whose matches probably outnumber this is read in date windows (see candidates_sql).
WINDOWED_AFTER = 3_000
# The share of the documents' pages the estimate reads (a percentage, for TABLESAMPLE), and its
# fixed seed: the same query takes the same path every time.
ESTIMATE_SAMPLE_PERCENT = 0.1
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

    def candidates(
        self,
        *,
        parsed: ParsedQuery,
        branches: dict[str, QuerySet],
        cap: int,
        pages: dict,
        newest: datetime.date | None = None,
    ) -> list[Candidate]:
        """Each kind's newest `cap` matches, ranked; the rows of the requested pages plus the
        first of every kind (which carries its count). `pages` maps kind to (offset, limit);
        `newest` is the last date the branches allow, if they end before today."""
        windowed = self.kinds_with_many_matches(parsed, kinds=list(branches))
        sql, params = self.candidates_sql(
            parsed=parsed,
            branches=branches,
            cap=cap,
            pages=pages,
            windowed=windowed,
            newest=newest,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Candidate(*row) for row in cursor.fetchall()]

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

    def kinds_with_many_matches(self, parsed: ParsedQuery, *, kinds: list[str]) -> set[str]:
        """The kinds where the query probably matches more than WINDOWED_AFTER documents,
        estimated from a fixed sample of the documents' pages (a few milliseconds at any size).
        Only the speed depends on it: both ways find the same newest matches."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT kind, count(*) FROM {DOCUMENTS}
                TABLESAMPLE SYSTEM (%s) REPEATABLE (0)
                WHERE kind = ANY(%s) AND vector @@ websearch_to_tsquery('{CONFIG}', %s)
                GROUP BY kind
                """,
                [ESTIMATE_SAMPLE_PERCENT, list(kinds), parsed.text],
            )
            scale = 100 / ESTIMATE_SAMPLE_PERCENT
            return {kind for kind, hits in cursor.fetchall() if hits * scale > WINDOWED_AFTER}

    def _newest_matches_sql(self, branch: QuerySet, text: str, cap: int) -> tuple[str, list]:
        return (
            self.matches(branch, text)
            .order_by(F("date").desc(nulls_last=True), "-id")
            .values("id")[:cap]
            .query.sql_with_params()
        )

    def _windowed_sql(
        self, branch: QuerySet, text: str, cap: int, newest: datetime.date | None = None
    ) -> tuple[str, list]:
        """The same rows as _newest_matches_sql, read one date window at a time, newest first.

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
        # which leave out the windows already read, are tested on the rows instead.
        windows = [branch.filter(date__gte=edges[0])]
        windows += [
            unindexed_dates(branch).filter(date__gte=older, unindexed_date__lt=newer)
            for newer, older in itertools.pairwise(edges)
        ]
        windows += [
            unindexed_dates(branch).filter(unindexed_date__lt=edges[-1]),
            branch.filter(date__isnull=True),
        ]
        parts, params = [], []
        for window in windows:
            sql, window_params = self._newest_matches_sql(window, text, cap)
            parts.append(f"({sql})")
            params.extend(window_params)
        return f"SELECT id FROM ({' UNION ALL '.join(parts)}) AS windows LIMIT {int(cap)}", params

    def candidates_sql(
        self, *, parsed, branches, cap, pages, windowed: set[str] = frozenset(), newest=None
    ) -> tuple[str, list]:
        parts, params = [], []
        for kind, branch in branches.items():
            if kind in windowed:
                sql, branch_params = self._windowed_sql(branch, parsed.text, cap, newest)
            else:
                sql, branch_params = self._newest_matches_sql(branch, parsed.text, cap)
            parts.append(f"({sql})")
            params.extend(branch_params)
        wanted = ["(kind = %s AND position > %s AND position <= %s)"] * len(pages)
        wanted_params = [
            value
            for kind, (offset, limit) in pages.items()
            for value in (kind, offset, offset + limit)
        ]
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
            )
            SELECT id, kind, rank, found, position FROM numbered
            WHERE position = 1 {"OR " + " OR ".join(wanted) if wanted else ""}
        """
        return sql, [*params, parsed.text, *wanted_params]

    def snippets(self, *, parsed: ParsedQuery, documents: list[SearchDocument]) -> dict[int, str]:
        """Highlighted extracts for the page's rows only: ts_headline reads the source text."""
        by_kind: dict[str, list[int]] = {}
        for document in documents:
            by_kind.setdefault(document.kind, []).append(document.id)
        parts, params = [], []
        options = (
            f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2, "
            'FragmentDelimiter=" … "'
        )
        for kind, ids in by_kind.items():
            model, field = SOURCES[kind]
            column = model._meta.get_field(field).column
            parts.append(
                f"""SELECT d.id, ts_headline('{CONFIG}',
                        translate(left(s.{column}, {HEADLINE_SOURCE_CHARS}), %s, ''),
                        websearch_to_tsquery('{CONFIG}', %s), %s)
                    FROM {DOCUMENTS} d JOIN {model._meta.db_table} s ON s.id = d.object_id
                    WHERE d.id = ANY(%s) AND d.kind = %s"""
            )
            params.extend([START + STOP, parsed.text, options, ids, kind])
        if not parts:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return dict(cursor.fetchall())

    def names(self, *, text: str, kinds, limit: int) -> list[NameMatch]:
        """The names closest to the query, a typo or two per word forgiven ("Noam" finds
        Kristi Noem), in short statements: each query word's closest words in the names'
        vocabulary, then the names that hold them (for every word; then, if too few, any)."""
        kinds = [kind for kind in kinds if kind in NAMED_KINDS]
        if not kinds or len(text) > MAX_NAME_QUERY:
            return []
        with connection.cursor() as cursor:
            cursor.execute(*self.close_words_sql(text))
            close: dict[str, list[tuple[str, int]]] = {}
            for query_word, word, distance in cursor.fetchall():
                close.setdefault(query_word, []).append((word, distance))
            if not close:
                return []
            cursor.execute(*self.names_sql(text=text, close=close, kinds=kinds, limit=limit))
            found = [NameMatch(*row) for row in cursor.fetchall()]
            if len(found) < limit and len(close) > 1:
                # Too few names hold every word: any word will do ("Governor Noam"). Asked only
                # now, because a common word's holders (every "network") cost a bitmap of tens
                # of thousands of names.
                cursor.execute(
                    *self.names_sql(text=text, close=close, kinds=kinds, limit=limit, every=False)
                )
                seen = {match.document_id for match in found}
                rows = cursor.fetchall()
                found += [NameMatch(*row) for row in rows if row[0] not in seen]
            return found[:limit]

    def close_words_sql(self, text: str) -> tuple[str, list]:
        """Each word of the query (as the names' index splits them) with its CLOSE_WORDS
        nearest words of the vocabulary and their edit distance, within its typo_allowance;
        nearest first."""
        sql = f"""
            SELECT query.word, close.word, close.distance
            FROM (SELECT DISTINCT left(lexeme, 100) AS word
                  FROM unnest(to_tsvector('simple', %s))) AS query
            CROSS JOIN LATERAL (
                SELECT word, levenshtein(query.word, left(word, 100)) AS distance
                FROM {NAME_WORDS} WHERE word %% query.word
                ORDER BY distance, similarity(word, query.word) DESC, word
                LIMIT {CLOSE_WORDS}
            ) AS close
            WHERE close.distance <= {typo_allowance_sql("query.word")}
            ORDER BY query.word, close.distance, close.word
        """
        return sql, [text]

    def names_sql(
        self,
        *,
        text: str,
        close: dict[str, list[tuple[str, int]]],
        kinds,
        limit: int,
        every: bool = True,
    ) -> tuple[str, list]:
        """The documents whose names hold, in turn, the nearest word for every query word and
        a close word for every query word (or, with every=False, a close word for any of
        them). NAME_CANDIDATES of each are found through the index of name words (a common
        name has thousands of holders, all equally near), then ordered by edit distance word
        by word (split as the vocabulary splits them), so "Noam" puts Noem (one letter) before
        Noel (two), then by how much of the name the query covers."""
        nearest = [[w for w, d in words if d == words[0][1]] for words in close.values()]
        alternatives = [[w for w, _ in words] for words in close.values()]
        if every:
            tiers = dict.fromkeys(
                [" & ".join(map(_any_of, nearest)), " & ".join(map(_any_of, alternatives))]
            )
        else:
            tiers = {" | ".join(map(_any_of, alternatives)): None}
        # The kind is tested on the rows found, not looked up: as an index condition it joins
        # the bitmap of a few names with one of every named document (260,000 rows, 40 ms).
        branch = f"""(SELECT id FROM {DOCUMENTS}
                WHERE names <> '' AND to_tsvector('simple', names) @@ %s::tsquery
                  AND kind::text || '' = ANY(%s)
                LIMIT {NAME_CANDIDATES})"""
        sql = f"""
            WITH found AS (
                SELECT DISTINCT id FROM ({" UNION ALL ".join([branch] * len(tiers))}) AS tiers
            )
            SELECT d.id, word_similarity(%s, d.names) AS similarity
            FROM found JOIN {DOCUMENTS} d ON d.id = found.id
            ORDER BY (
                SELECT sum((
                    SELECT min(levenshtein(left(query_word, 100), left(name_word, 100)))
                    FROM unnest(tsvector_to_array(to_tsvector('simple', d.names))) name_word
                )) FROM unnest(tsvector_to_array(to_tsvector('simple', %s))) query_word
            ), similarity DESC, d.id
            LIMIT %s
        """
        params = [value for tier in tiers for value in (tier, kinds)]
        return sql, [*params, text, text, limit]

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

    def candidates(self, *, parsed, branches, cap, pages, newest=None) -> list[Candidate]:
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
            offset, limit = pages.get(kind, (0, 0))
            for position, (pk, rank) in enumerate(rows, start=1):
                if position == 1 or offset < position <= offset + limit:
                    result.append(Candidate(pk, kind, rank, len(rows), position))
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


def _any_of(words: list[str]) -> str:
    """Words as a tsquery alternative, each quoted as a lexeme (a quote or backslash in one
    escaped), so nothing in a name is read as an operator."""
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)
    return "(" + " | ".join(quoted) + ")"


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
