"""The raw limit: each page or endpoint as one SQL statement and orjson, nothing else.

Served by the same gunicorn as the app (see `bench/wsgi.py`), under `/__raw__/<name>`, so a
ratio app/raw measures what Django, DRF, the ORM and the templates cost over the database work
a perfect implementation cannot avoid. PostgreSQL builds the JSON; orjson wraps it without
parsing it again. The HTML counterparts parse that JSON and write plain escaped markup.

What "perfect" returns is the bounded shape the issue asks for: a detail carries at most `CAP`
items of each long collection (with the total count), a page at most `PAGE_TIMELINE_CAP`
timeline entries, and the timeline endpoint its first page of `TIMELINE_PAGE` entries with the
total count (the paginated sub-resource the issue asks for).
"""

import html
import os
import re
from pathlib import Path
from urllib.parse import parse_qs

import orjson
import psycopg

CAP = 20
TIMELINE_PAGE = 100
PAGE_TIMELINE_CAP = 200
PAGE_SIZE = 50

_ACTOR = "json_build_object('slug', {0}.slug, 'name', {0}.name, 'kind', {0}.kind)"
_EVENT_ORDER = "e.date {d}, e.date_precision {d}, e.sequence {d}, e.id {d}"

_LATEST_EVENT = f"""(
  SELECT json_build_object('id', e.id, 'date', e.date, 'date_precision', e.date_precision,
                           'title', e.title)
  FROM (
    (SELECT e.id, e.date, e.date_precision, e.sequence, e.title FROM tracker_event e
      WHERE e.agreement_id = a.id ORDER BY {_EVENT_ORDER.format(d="DESC")} LIMIT 1)
    UNION ALL
    (SELECT e.id, e.date, e.date_precision, e.sequence, e.title FROM tracker_event e
      JOIN tracker_legalchallenge_agreements lca ON lca.legalchallenge_id = e.challenge_id
      WHERE lca.agreement_id = a.id ORDER BY {_EVENT_ORDER.format(d="DESC")} LIMIT 1)
  ) e ORDER BY {_EVENT_ORDER.format(d="DESC")} LIMIT 1)"""

_AGREEMENT_SUMMARY = f"""json_build_object(
  'title', a.title, 'slug', a.slug, 'kind', a.kind, 'status', a.status, 'summary', a.summary,
  'announced_on', a.announced_on, 'signed_on', a.signed_on, 'effective_on', a.effective_on,
  'expires_on', a.expires_on, 'updated_at', a.updated_at,
  'topics', (SELECT coalesce(json_agg(t.slug ORDER BY t.name), '[]')
             FROM tracker_agreement_topics at JOIN tracker_topic t ON t.id = at.topic_id
             WHERE at.agreement_id = a.id),
  'parties', (SELECT coalesce(json_agg(json_build_object('actor', {_ACTOR.format("ac")},
                'role', p.role) ORDER BY p.sequence, p.id), '[]')
              FROM tracker_party p JOIN tracker_actor ac ON ac.id = p.actor_id
              WHERE p.agreement_id = a.id),
  'latest_event', {_LATEST_EVENT})"""


def _agreement_list(where: str) -> str:
    # One statement per filter shape: "%(status)s IS NULL OR …" would keep a prepared
    # statement's generic plan off the index.
    return f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_agreement a WHERE {where}),
  'results', (SELECT coalesce(json_agg({_AGREEMENT_SUMMARY} ORDER BY a.title, a.id), '[]')
              FROM (SELECT * FROM tracker_agreement a WHERE {where}
                    ORDER BY a.title, a.id LIMIT {PAGE_SIZE}) a))::text"""


AGREEMENT_LIST = _agreement_list("true")
AGREEMENT_LIST_BY_STATUS = _agreement_list("a.status = %(status)s")

_SOURCES = """(SELECT coalesce(json_agg(json_build_object('id', ar.id, 'title', ar.title,
    'url', ar.url, 'outlet', o.name, 'published_at', ar.published_at)
    ORDER BY ar.published_at, ar.id), '[]')
  FROM tracker_event_sources es JOIN news_article ar ON ar.id = es.article_id
  LEFT JOIN news_outlet o ON o.id = ar.outlet_id WHERE es.event_id = e.id)"""

_TIMELINE_EVENT = f"""json_build_object('id', e.id, 'date', e.date,
  'date_precision', e.date_precision, 'kind', e.kind, 'title', e.title,
  'description', e.description, 'sources', {_SOURCES})"""


def _timeline(limit: str = "") -> str:
    """The agreement's events and its challenges' events (a UNION of two index scans)."""
    return f"""(SELECT coalesce(json_agg({_TIMELINE_EVENT} ORDER BY {_EVENT_ORDER.format(d="")}),
                  '[]')
    FROM (SELECT * FROM (
        SELECT e.* FROM tracker_event e WHERE e.agreement_id = a.id
        UNION
        SELECT e.* FROM tracker_event e
          JOIN tracker_legalchallenge_agreements lca ON lca.legalchallenge_id = e.challenge_id
          WHERE lca.agreement_id = a.id) e
      ORDER BY {_EVENT_ORDER.format(d="")} {limit}) e)"""


def _capped(select: str, order: str, source: str, key: str) -> str:
    """At most CAP items of a collection as JSON, and its total count. The CAP keys are chosen
    first, on narrow rows, so JSON is built for those alone (`source` ends in a WHERE clause)."""
    return f"""json_build_object(
      'count', (SELECT count(*) {source}),
      'results', (SELECT coalesce(json_agg({select} ORDER BY {order}), '[]') {source}
                  AND {key} IN (SELECT {key} {source} ORDER BY {order} LIMIT {CAP})))"""


_AGREEMENT_DETAIL = f"""{_AGREEMENT_SUMMARY}::jsonb || jsonb_build_object(
  'parties', (SELECT coalesce(json_agg(json_build_object('actor', {_ACTOR.format("ac")},
                'role', p.role, 'signed_by', {_ACTOR.format("sb")}, 'signed_on', p.signed_on)
                ORDER BY p.sequence, p.id), '[]')
              FROM tracker_party p JOIN tracker_actor ac ON ac.id = p.actor_id
              LEFT JOIN tracker_actor sb ON sb.id = p.signed_by_id WHERE p.agreement_id = a.id),
  'documents', (SELECT coalesce(json_agg(json_build_object('title', d.title, 'url', d.url,
                 'published_on', d.published_on) ORDER BY d.published_on, d.id), '[]')
                FROM tracker_agreementdocument d WHERE d.agreement_id = a.id),
  'aliases', (SELECT coalesce(json_agg(al.text ORDER BY al.text), '[]') FROM tracker_alias al
              WHERE al.agreement_id = a.id),
  'positions', {
    _capped(
        f"json_build_object('id', po.id, 'actor', {_ACTOR.format('pa')}, 'stance', po.stance, "
        "'summary', po.summary)",
        "po.stance, pa.name, po.id",
        "FROM tracker_position po JOIN tracker_actor pa ON pa.id = po.actor_id "
        "WHERE po.agreement_id = a.id",
        "po.id",
    )
},
  'statements', {
    _capped(
        f"json_build_object('id', s.id, 'speaker', {_ACTOR.format('sp')}, 'kind', s.kind, "
        "'text', s.text, 'said_on', s.said_on, 'venue', s.venue, 'source_id', s.source_id)",
        "s.said_on DESC, s.id DESC",
        "FROM tracker_statement s JOIN tracker_position po ON po.id = s.position_id "
        "JOIN tracker_actor sp ON sp.id = s.speaker_id WHERE po.agreement_id = a.id",
        "s.id",
    )
},
  'challenges', {
    _capped(
        "json_build_object('caption', c.caption, 'slug', c.slug, 'docket_number', "
        "c.docket_number, 'status', c.status, 'filed_on', c.filed_on)",
        "c.filed_on DESC, c.id",
        "FROM tracker_legalchallenge c JOIN tracker_legalchallenge_agreements lca "
        "ON lca.legalchallenge_id = c.id WHERE lca.agreement_id = a.id",
        "c.id",
    )
},
  'articles', {
    _capped(
        "json_build_object('id', ar.id, 'title', ar.title, 'url', ar.url, "
        "'published_at', ar.published_at)",
        "ar.published_at DESC, ar.id DESC",
        "FROM news_articlelink l JOIN news_article ar ON ar.id = l.article_id "
        "WHERE l.agreement_id = a.id AND l.status = 'confirmed'",
        "l.id",
    )
})"""

AGREEMENT_DETAIL = f"""SELECT ({_AGREEMENT_DETAIL})::text
FROM tracker_agreement a WHERE a.slug = %(slug)s"""

AGREEMENT_TIMELINE = f"""SELECT json_build_object(
  'count', (SELECT count(*) FROM (
      SELECT e.id FROM tracker_event e WHERE e.agreement_id = a.id
      UNION
      SELECT e.id FROM tracker_event e
        JOIN tracker_legalchallenge_agreements lca ON lca.legalchallenge_id = e.challenge_id
        WHERE lca.agreement_id = a.id) e),
  'results', {_timeline(f"LIMIT {TIMELINE_PAGE}")})::text
FROM tracker_agreement a WHERE a.slug = %(slug)s"""

AGREEMENT_PAGE = f"""SELECT json_build_object('agreement', {_AGREEMENT_DETAIL},
  'timeline', {_timeline(f"LIMIT {PAGE_TIMELINE_CAP}")})::text
FROM tracker_agreement a WHERE a.slug = %(slug)s"""

HOME_PAGE = f"""
SELECT json_build_object(
  'agreements', (SELECT coalesce(json_agg({_AGREEMENT_SUMMARY} ORDER BY a.title, a.id), '[]')
                 FROM (SELECT * FROM tracker_agreement a ORDER BY a.title, a.id
                       LIMIT {PAGE_SIZE}) a),
  'recent_events', (SELECT json_agg(json_build_object('id', e.id, 'date', e.date,
                      'title', e.title, 'agreement_id', e.agreement_id,
                      'challenge_id', e.challenge_id) ORDER BY {_EVENT_ORDER.format(d="DESC")})
                    FROM (SELECT * FROM tracker_event e
                          ORDER BY {_EVENT_ORDER.format(d="DESC")} LIMIT 10) e))::text"""

_ARTICLE = """json_build_object('id', ar.id, 'url', ar.url, 'canonical_url', ar.canonical_url,
  'title', ar.title, 'byline', ar.byline, 'published_at', ar.published_at,
  'language', ar.language, 'text', ar.text, 'near_duplicate_of', ar.near_duplicate_of_id,
  'outlet', (SELECT json_build_object('slug', o.slug, 'name', o.name) FROM news_outlet o
             WHERE o.id = ar.outlet_id),
  'seen_urls', (SELECT coalesce(json_agg(u.url ORDER BY u.first_seen_at, u.id), '[]')
                FROM news_articleurl u WHERE u.article_id = ar.id),
  'links', (SELECT coalesce(json_agg(json_build_object(
       'target_kind', CASE WHEN l.agreement_id IS NOT NULL THEN 'agreement'
                           WHEN l.actor_id IS NOT NULL THEN 'actor' ELSE 'challenge' END,
       'target_slug', coalesce(ag.slug, ac.slug, ch.slug),
       'target_name', coalesce(ag.title, ac.name, ch.caption),
       'status', l.status, 'matched_terms', l.matched_terms) ORDER BY l.id), '[]')
     FROM news_articlelink l
     LEFT JOIN tracker_agreement ag ON ag.id = l.agreement_id
     LEFT JOIN tracker_actor ac ON ac.id = l.actor_id
     LEFT JOIN tracker_legalchallenge ch ON ch.id = l.challenge_id
     WHERE l.article_id = ar.id))"""


def _articles(where: str) -> str:
    return f"""
SELECT coalesce(json_agg({_ARTICLE} ORDER BY ar.published_at DESC, ar.id DESC), '[]')::text
FROM (SELECT * FROM news_article ar
      WHERE ar.fetch_status = 'fetched' AND ar.published_at IS NOT NULL AND {where}
      ORDER BY ar.published_at DESC, ar.id DESC LIMIT {PAGE_SIZE}) ar"""


ARTICLES = _articles("true")
ARTICLES_AFTER = _articles(
    "(ar.published_at, ar.id) < (%(published_at)s::timestamptz, %(id)s::bigint)"
)

# No index serves a substring search yet; this is the same filter the API runs (title
# icontains), so the ratio shows the framework's overhead and the absolute time the scan.
ARTICLE_SEARCH = f"""
SELECT coalesce(json_agg({_ARTICLE} ORDER BY ar.published_at DESC, ar.id DESC), '[]')::text
FROM (SELECT * FROM news_article ar
      WHERE ar.fetch_status = 'fetched' AND upper(ar.title) LIKE upper(%(pattern)s)
      ORDER BY ar.published_at DESC NULLS LAST, ar.id DESC LIMIT {PAGE_SIZE}) ar"""

ACTOR_PAGE = f"""
SELECT json_build_object('slug', x.slug, 'name', x.name, 'kind', x.kind,
  'description', x.description, 'website', x.website, 'wikidata_qid', x.wikidata_qid,
  'parent', (SELECT {_ACTOR.format("pr")} FROM tracker_actor pr WHERE pr.id = x.parent_id),
  'aliases', (SELECT coalesce(json_agg(al.text ORDER BY al.text), '[]') FROM tracker_alias al
              WHERE al.actor_id = x.id),
  'parties', {
    _capped(
        "json_build_object('agreement', ag.title, 'slug', ag.slug, 'role', p.role)",
        "ag.title, p.sequence, p.id",
        "FROM tracker_party p JOIN tracker_agreement ag ON ag.id = p.agreement_id "
        "WHERE p.actor_id = x.id",
        "p.id",
    )
},
  'positions', {
    _capped(
        "json_build_object('agreement', ag.title, 'slug', ag.slug, 'stance', po.stance, "
        "'summary', po.summary)",
        "ag.title, po.id",
        "FROM tracker_position po JOIN tracker_agreement ag ON ag.id = po.agreement_id "
        "WHERE po.actor_id = x.id",
        "po.id",
    )
},
  'statements', {
    _capped(
        "json_build_object('id', s.id, 'text', s.text, 'said_on', s.said_on, "
        "'agreement', ag.title)",
        "s.said_on DESC, s.id",
        "FROM tracker_statement s JOIN tracker_position po ON po.id = s.position_id "
        "JOIN tracker_agreement ag ON ag.id = po.agreement_id WHERE s.speaker_id = x.id",
        "s.id",
    )
},
  'cases', {
    _capped(
        "json_build_object('caption', c.caption, 'slug', c.slug, 'role', cp.role)",
        "c.caption, cp.id",
        "FROM tracker_challengeparty cp JOIN tracker_legalchallenge c "
        "ON c.id = cp.challenge_id WHERE cp.actor_id = x.id",
        "cp.id",
    )
},
  'articles', {
    _capped(
        "json_build_object('id', ar.id, 'title', ar.title, 'url', ar.url, "
        "'published_at', ar.published_at)",
        "ar.published_at DESC, ar.id DESC",
        "FROM news_articlelink l JOIN news_article ar ON ar.id = l.article_id "
        "WHERE l.actor_id = x.id AND l.status = 'confirmed'",
        "l.id",
    )
})::text
FROM tracker_actor x WHERE x.slug = %(slug)s"""

CHALLENGE_PAGE = f"""
SELECT json_build_object('caption', c.caption, 'slug', c.slug, 'status', c.status,
  'docket_number', c.docket_number, 'filed_on', c.filed_on, 'summary', c.summary,
  'court', (SELECT {_ACTOR.format("co")} FROM tracker_actor co WHERE co.id = c.court_id),
  'parties', (SELECT coalesce(json_agg(json_build_object('actor', {_ACTOR.format("pa")},
                'role', cp.role) ORDER BY cp.role, cp.sequence, cp.id), '[]')
              FROM tracker_challengeparty cp JOIN tracker_actor pa ON pa.id = cp.actor_id
              WHERE cp.challenge_id = c.id),
  'agreements', (SELECT coalesce(json_agg(json_build_object('title', ag.title, 'slug', ag.slug)
                   ORDER BY ag.title), '[]')
                 FROM tracker_legalchallenge_agreements lca
                 JOIN tracker_agreement ag ON ag.id = lca.agreement_id
                 WHERE lca.legalchallenge_id = c.id),
  'timeline', (SELECT coalesce(json_agg({_TIMELINE_EVENT} ORDER BY {_EVENT_ORDER.format(d="")}),
                 '[]')
               FROM (SELECT * FROM tracker_event e WHERE e.challenge_id = c.id
                     ORDER BY {_EVENT_ORDER.format(d="")} LIMIT {PAGE_TIMELINE_CAP}) e)
)::text
FROM tracker_legalchallenge c WHERE c.slug = %(slug)s"""

# The site search (/api/v1/search/ and /search/) in one statement: each kind's newest 1,000
# matches, ranked; counts; the best five of each kind with a ts_headline snippet; the names that
# hold, for every query word, one of its closest words in the names' vocabulary (the app also
# tries the nearest words alone and any word, and orders by edit distance). The app adds its
# per-search settings and escaping. Two versions, each the best one statement for its query: a rare
# word reads each kind's matches at once; a common word (the bench's search word, in about 2 % of
# the articles, 18,576 at large scale) reads the articles in date windows, newest first, as the
# app does for a kind with more than 3,000 matches making up at least 1 % of it
# (apps/search/backends.py); its few thousand events and statements are read at once, which is
# faster for them. Neither counts the matches first: the app's estimate that picks the way
# (a sampled count, under a millisecond) is the work it adds.
_KIND_NEWEST = """(SELECT id FROM search_searchdocument WHERE kind = '{kind}'
   AND vector @@ (SELECT query FROM q) {where} ORDER BY date DESC NULLS LAST, id DESC LIMIT 1000)"""
_WINDOWS = (
    "AND date >= current_date - 31",
    "AND date >= current_date - 92 AND date + 0 < current_date - 31",
    "AND date >= current_date - 365 AND date + 0 < current_date - 92",
    "AND date >= current_date - 1096 AND date + 0 < current_date - 365",
    "AND date + 0 < current_date - 1096",
    "AND date IS NULL",
)
_KINDS = ("agreement", "actor", "challenge", "event", "statement", "article")


def _site_search(*, windowed: bool) -> str:
    branches = []
    for kind in _KINDS:
        if windowed and kind == "article":
            windows = " UNION ALL ".join(
                _KIND_NEWEST.format(kind=kind, where=where) for where in _WINDOWS
            )
            branches.append(f"(SELECT id FROM ({windows}) w LIMIT 1000)")
        else:
            branches.append(_KIND_NEWEST.format(kind=kind, where=""))
    return (
        "\nWITH q AS (SELECT websearch_to_tsquery('english', %(q)s) AS query),\n"
        "candidates AS MATERIALIZED (\n  "
        + " UNION ALL\n  ".join(branches)
        + "\n),\n"
        + _SITE_SEARCH_REST
    )


_SITE_SEARCH_REST = """ranked AS (
  SELECT d.id, d.kind, d.date, ts_rank_cd(d.vector, (SELECT query FROM q), 32) AS rank,
         count(*) OVER (PARTITION BY d.kind) AS found
  FROM candidates c JOIN search_searchdocument d ON d.id = c.id),
numbered AS (
  SELECT *, row_number() OVER (PARTITION BY kind ORDER BY rank DESC, date DESC NULLS LAST,
                                id DESC) AS position FROM ranked),
top AS (SELECT * FROM numbered WHERE position <= 5)
SELECT json_build_object(
  'counts', (SELECT coalesce(json_object_agg(kind, found), '{}')
             FROM (SELECT DISTINCT kind, found FROM numbered) c),
  'results', (SELECT coalesce(json_agg(json_build_object(
      'type', d.kind, 'id', d.object_id, 'title', d.title, 'url', d.url, 'date', d.date,
      'snippet', ts_headline('english', left(coalesce(s_agreement.summary, s_actor.description,
                               s_challenge.summary, s_event.description, s_statement.text,
                               s_article.text), 20000),
                             (SELECT query FROM q), 'MaxWords=35, MinWords=15, MaxFragments=2'))
      ORDER BY t.kind, t.position), '[]')
    FROM top t JOIN search_searchdocument d ON d.id = t.id
  LEFT JOIN tracker_agreement s_agreement ON d.kind = 'agreement' AND s_agreement.id = d.object_id
  LEFT JOIN tracker_actor s_actor ON d.kind = 'actor' AND s_actor.id = d.object_id
  LEFT JOIN tracker_legalchallenge s_challenge
    ON d.kind = 'challenge' AND s_challenge.id = d.object_id
  LEFT JOIN tracker_event s_event ON d.kind = 'event' AND s_event.id = d.object_id
  LEFT JOIN tracker_statement s_statement ON d.kind = 'statement' AND s_statement.id = d.object_id
  LEFT JOIN news_article s_article ON d.kind = 'article' AND s_article.id = d.object_id),
  'names', (SELECT coalesce(json_agg(json_build_object('title', n.title, 'url', n.url)), '[]')
    FROM (WITH query_words AS (
            SELECT DISTINCT lexeme AS word FROM unnest(to_tsvector('simple', %(q)s))),
          close AS (
            SELECT q.word AS query_word, c.word FROM query_words q CROSS JOIN LATERAL (
              SELECT word, levenshtein(q.word, word) AS distance FROM search_nameword
              WHERE word %% q.word ORDER BY distance LIMIT 5) c
            WHERE c.distance <= CASE WHEN length(q.word) <= 5 THEN 1 ELSE 2 END),
          every_word AS (
            SELECT string_agg(alternatives, ' & ')::tsquery AS query FROM (
              SELECT '(' || string_agg(quote_literal(word), ' | ') || ')' AS alternatives
              FROM close GROUP BY query_word) a),
          found AS (
            SELECT id FROM search_searchdocument
            WHERE names <> '' AND to_tsvector('simple', names) @@ (SELECT query FROM every_word)
              AND kind::text || '' IN ('actor', 'agreement', 'challenge') LIMIT 20)
          SELECT d.title, d.url FROM found JOIN search_searchdocument d ON d.id = found.id
          ORDER BY word_similarity(%(q)s, d.names) DESC, d.id LIMIT 3) n)
)::text"""


SITE_SEARCH = _site_search(windowed=False)
SITE_SEARCH_COMMON_WORD = _site_search(windowed=True)


# The journalists' pages (issue 13): what changed, the index pages, feeds.
INDEX_PAGE_SIZE = 25

CHANGES_PAGE = f"""
SELECT json_agg(json_build_object('kind', x.kind, 'id', x.id, 'at', x.at) ORDER BY x.at DESC)::text
FROM ((SELECT 'event' kind, id, created_at at FROM tracker_event
        ORDER BY created_at DESC, id DESC LIMIT {INDEX_PAGE_SIZE + 1})
      UNION ALL
      (SELECT 'statement', id, created_at FROM tracker_statement
        ORDER BY created_at DESC, id DESC LIMIT {INDEX_PAGE_SIZE + 1})
      UNION ALL
      (SELECT 'coverage', id, decided_at FROM news_articlelink
        WHERE status = 'confirmed' AND decided_at IS NOT NULL
        ORDER BY decided_at DESC, id DESC LIMIT {INDEX_PAGE_SIZE + 1})
      ORDER BY 3 DESC LIMIT {INDEX_PAGE_SIZE + 1}) x"""

AGREEMENT_INDEX = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_agreement),
  'results', (SELECT coalesce(json_agg({_AGREEMENT_SUMMARY} ORDER BY a.title, a.id), '[]')
              FROM (SELECT * FROM tracker_agreement a ORDER BY a.title, a.id
                    LIMIT {INDEX_PAGE_SIZE}) a))::text"""

ACTOR_INDEX = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_actor),
  'results', (SELECT coalesce(json_agg(json_build_object('name', a.name, 'slug', a.slug,
                'kind', a.kind, 'description', a.description) ORDER BY a.name, a.id), '[]')
              FROM (SELECT * FROM tracker_actor a ORDER BY a.name, a.id
                    LIMIT {INDEX_PAGE_SIZE}) a))::text"""

CHALLENGE_INDEX = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_legalchallenge),
  'results', (SELECT coalesce(json_agg(json_build_object('caption', c.caption,
                'slug', c.slug, 'status', c.status, 'docket_number', c.docket_number,
                'court', co.name) ORDER BY c.filed_on DESC, c.caption, c.id), '[]')
              FROM (SELECT * FROM tracker_legalchallenge c
                    ORDER BY c.filed_on DESC, c.caption, c.id LIMIT {INDEX_PAGE_SIZE}) c
              LEFT JOIN tracker_actor co ON co.id = c.court_id))::text"""

TOPIC_INDEX = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_topic),
  'results', (SELECT coalesce(json_agg(json_build_object('name', t.name, 'slug', t.slug,
                'agreements', (SELECT count(*) FROM tracker_agreement_topics at
                               WHERE at.topic_id = t.id)) ORDER BY t.name, t.id), '[]')
              FROM (SELECT * FROM tracker_topic t ORDER BY t.name, t.id
                    LIMIT {INDEX_PAGE_SIZE}) t))::text"""

EVENT_FEED = f"""
SELECT json_agg({_TIMELINE_EVENT} ORDER BY e.created_at DESC, e.id DESC)::text
FROM (SELECT * FROM tracker_event e ORDER BY e.created_at DESC, e.id DESC LIMIT 50) e"""


# The API's other resources (issue 12) and the pages that list a record's long collections.
API_PAGE = 50

_AGREEMENT_LINK = "json_build_object('slug', {0}.slug, 'title', {0}.title)"

_ACTOR_RECORD = f"""json_build_object('slug', x.slug, 'name', x.name, 'kind', x.kind,
  'description', x.description, 'website', x.website, 'wikidata_qid', x.wikidata_qid,
  'parent', (SELECT {_ACTOR.format("pr")} FROM tracker_actor pr WHERE pr.id = x.parent_id),
  'aliases', (SELECT coalesce(json_agg(al.text ORDER BY al.text), '[]') FROM tracker_alias al
              WHERE al.actor_id = x.id))"""

ACTOR_LIST = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_actor),
  'results', (SELECT coalesce(json_agg({_ACTOR_RECORD} ORDER BY x.name, x.id), '[]')
              FROM (SELECT * FROM tracker_actor x ORDER BY x.name, x.id LIMIT {API_PAGE}) x)
)::text"""

ACTOR_DETAIL = f"SELECT ({_ACTOR_RECORD})::text FROM tracker_actor x WHERE x.slug = %(slug)s"

_STATEMENT_RECORD = f"""json_build_object('id', s.id, 'kind', s.kind, 'text', s.text,
  'said_on', s.said_on, 'venue', s.venue, 'speaker', {_ACTOR.format("sp")},
  'actor', {_ACTOR.format("pa")}, 'agreement', {_AGREEMENT_LINK.format("ag")},
  'stance', po.stance,
  'source', (SELECT json_build_object('id', ar.id, 'title', ar.title, 'url', ar.url,
               'outlet', o.name, 'published_at', ar.published_at)
             FROM news_article ar LEFT JOIN news_outlet o ON o.id = ar.outlet_id
             WHERE ar.id = s.source_id))"""


# A list's ?search=: the rows whose search document matches, in the list's own order. The
# matches are read first as an array (the app's plan for a word with up to 5,000 of them, as
# the bench's search word is); as IN, the planner walks the list's order testing every row.
_MATCHING = """{0}.id = ANY(ARRAY(SELECT object_id FROM search_searchdocument
  WHERE kind = '{1}' AND vector @@ websearch_to_tsquery('english', %(q)s)))"""


def _statements(where: str) -> str:
    """The newest dated statements (the keyset paginator's first page), then their joins."""
    return f"""
SELECT coalesce(json_agg({_STATEMENT_RECORD} ORDER BY s.said_on DESC, s.id DESC), '[]')::text
FROM (SELECT s.* FROM tracker_statement s WHERE s.said_on IS NOT NULL AND {where}
      ORDER BY s.said_on DESC, s.id DESC LIMIT {API_PAGE}) s
JOIN tracker_actor sp ON sp.id = s.speaker_id
JOIN tracker_position po ON po.id = s.position_id
JOIN tracker_actor pa ON pa.id = po.actor_id
JOIN tracker_agreement ag ON ag.id = po.agreement_id"""


STATEMENT_LIST = _statements("true")
STATEMENT_SEARCH = _statements(_MATCHING.format("s", "statement"))
ACTOR_STATEMENTS = _statements(
    "s.speaker_id = (SELECT id FROM tracker_actor WHERE slug = %(slug)s)"
)


def _events(where: str) -> str:
    return f"""
SELECT coalesce(json_agg({_TIMELINE_EVENT}::jsonb || jsonb_build_object(
    'agreement', (SELECT {_AGREEMENT_LINK.format("ag")} FROM tracker_agreement ag
                  WHERE ag.id = e.agreement_id),
    'challenge', (SELECT json_build_object('slug', c.slug, 'caption', c.caption)
                  FROM tracker_legalchallenge c WHERE c.id = e.challenge_id),
    'actors', (SELECT coalesce(json_agg({_ACTOR.format("ac")} ORDER BY ac.name), '[]')
               FROM tracker_event_actors ea JOIN tracker_actor ac ON ac.id = ea.actor_id
               WHERE ea.event_id = e.id))
  ORDER BY {_EVENT_ORDER.format(d="DESC")}), '[]')::text
FROM (SELECT * FROM tracker_event e WHERE {where} ORDER BY {_EVENT_ORDER.format(d="DESC")}
      LIMIT {API_PAGE}) e"""


EVENT_LIST = _events("true")
EVENT_SEARCH = _events(_MATCHING.format("e", "event"))


POSITION_LIST = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_position),
  'results', (SELECT coalesce(json_agg(json_build_object('id', po.id,
                'actor', {_ACTOR.format("pa")}, 'agreement', {_AGREEMENT_LINK.format("ag")},
                'stance', po.stance, 'summary', po.summary)
                ORDER BY po.agreement_id, po.stance, po.id), '[]')
              FROM (SELECT * FROM tracker_position po
                    ORDER BY po.agreement_id, po.stance, po.id LIMIT {API_PAGE}) po
              JOIN tracker_actor pa ON pa.id = po.actor_id
              JOIN tracker_agreement ag ON ag.id = po.agreement_id))::text"""

_CHALLENGE_RECORD = f"""json_build_object('caption', c.caption, 'slug', c.slug,
  'status', c.status, 'docket_number', c.docket_number, 'filed_on', c.filed_on,
  'summary', c.summary,
  'court', (SELECT {_ACTOR.format("co")} FROM tracker_actor co WHERE co.id = c.court_id),
  'parties', (SELECT coalesce(json_agg(json_build_object('actor', {_ACTOR.format("pa")},
                'role', cp.role) ORDER BY cp.role, cp.sequence, cp.id), '[]')
              FROM tracker_challengeparty cp JOIN tracker_actor pa ON pa.id = cp.actor_id
              WHERE cp.challenge_id = c.id),
  'agreements', (SELECT coalesce(json_agg({_AGREEMENT_LINK.format("ag")}
                   ORDER BY ag.title, ag.id), '[]')
                 FROM tracker_legalchallenge_agreements lca
                 JOIN tracker_agreement ag ON ag.id = lca.agreement_id
                 WHERE lca.legalchallenge_id = c.id))"""

CHALLENGE_LIST = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_legalchallenge),
  'results', (SELECT coalesce(json_agg({_CHALLENGE_RECORD}
                ORDER BY c.filed_on DESC NULLS LAST, c.caption, c.id), '[]')
              FROM (SELECT * FROM tracker_legalchallenge c
                    ORDER BY c.filed_on DESC NULLS LAST, c.caption, c.id LIMIT {API_PAGE}) c)
)::text"""

CHALLENGE_DETAIL = f"""SELECT ({_CHALLENGE_RECORD})::text
FROM tracker_legalchallenge c WHERE c.slug = %(slug)s"""

CHALLENGE_TIMELINE = f"""SELECT json_build_object(
  'count', (SELECT count(*) FROM tracker_event e WHERE e.challenge_id = c.id),
  'results', (SELECT coalesce(json_agg({_TIMELINE_EVENT} ORDER BY {_EVENT_ORDER.format(d="")}),
                '[]')
              FROM (SELECT * FROM tracker_event e WHERE e.challenge_id = c.id
                    ORDER BY {_EVENT_ORDER.format(d="")} LIMIT {TIMELINE_PAGE}) e))::text
FROM tracker_legalchallenge c WHERE c.slug = %(slug)s"""

TOPIC_LIST = TOPIC_INDEX.replace(f"LIMIT {INDEX_PAGE_SIZE}", f"LIMIT {API_PAGE}")

OUTLET_LIST = f"""
SELECT json_build_object(
  'count', (SELECT count(*) FROM news_outlet),
  'results', (SELECT coalesce(json_agg(json_build_object('slug', o.slug, 'name', o.name,
                'homepage', o.homepage, 'domain', o.domain, 'updated_at', o.updated_at)
                ORDER BY o.name, o.id), '[]')
              FROM (SELECT * FROM news_outlet o ORDER BY o.name, o.id LIMIT {API_PAGE}) o)
)::text"""

# What the public sees of /api/v1/links/: confirmed links, newest first (a keyset page).
LINK_LIST = f"""
SELECT coalesce(json_agg(json_build_object('id', l.id, 'article', l.article_id,
    'target_kind', CASE WHEN l.agreement_id IS NOT NULL THEN 'agreement'
                        WHEN l.actor_id IS NOT NULL THEN 'actor' ELSE 'challenge' END,
    'target_slug', coalesce(ag.slug, ac.slug, ch.slug),
    'target_name', coalesce(ag.title, ac.name, ch.caption),
    'status', l.status, 'matched_terms', l.matched_terms, 'decided_at', l.decided_at)
    ORDER BY l.created_at DESC, l.id DESC), '[]')::text
FROM (SELECT * FROM news_articlelink l WHERE l.status = 'confirmed'
      ORDER BY l.created_at DESC, l.id DESC LIMIT {API_PAGE}) l
LEFT JOIN tracker_agreement ag ON ag.id = l.agreement_id
LEFT JOIN tracker_actor ac ON ac.id = l.actor_id
LEFT JOIN tracker_legalchallenge ch ON ch.id = l.challenge_id"""

# The agreement's whole timeline as a page of TIMELINE_PAGE entries, the third one.
AGREEMENT_TIMELINE_PAGE_3 = f"""SELECT json_build_object(
  'title', a.title,
  'count', (SELECT count(*) FROM (
      SELECT e.id FROM tracker_event e WHERE e.agreement_id = a.id
      UNION
      SELECT e.id FROM tracker_event e
        JOIN tracker_legalchallenge_agreements lca ON lca.legalchallenge_id = e.challenge_id
        WHERE lca.agreement_id = a.id) e),
  'results', {_timeline(f"LIMIT {TIMELINE_PAGE} OFFSET {2 * TIMELINE_PAGE}")})::text
FROM tracker_agreement a WHERE a.slug = %(slug)s"""

TOPIC_PAGE = f"""SELECT json_build_object('name', t.name, 'slug', t.slug,
  'count', (SELECT count(*) FROM tracker_agreement_topics at WHERE at.topic_id = t.id),
  'agreements', (SELECT coalesce(json_agg({_AGREEMENT_SUMMARY}
                   ORDER BY a.latest_event_date DESC NULLS LAST, a.title, a.id), '[]')
                 FROM (SELECT a.* FROM tracker_agreement a
                       JOIN tracker_agreement_topics at ON at.agreement_id = a.id
                       WHERE at.topic_id = t.id
                       ORDER BY a.latest_event_date DESC NULLS LAST, a.title, a.id
                       LIMIT {INDEX_PAGE_SIZE}) a))::text
FROM tracker_topic t WHERE t.slug = %(slug)s"""

# A record's coverage a page at a time and one event on its own page (issue 13).


def _coverage(table: str, column: str) -> str:
    source = f"FROM news_articlelink l WHERE l.{column} = x.id AND l.status = 'confirmed'"
    return f"""SELECT json_build_object(
  'count', (SELECT count(*) {source}),
  'results', (SELECT coalesce(json_agg(json_build_object('id', ar.id, 'title', ar.title,
                'url', ar.url, 'outlet', o.name, 'published_at', ar.published_at)
                ORDER BY ar.published_at DESC NULLS LAST, l.id DESC), '[]')
              FROM (SELECT l.id, l.article_id {source} ORDER BY l.id DESC LIMIT {PAGE_SIZE}) l
              JOIN news_article ar ON ar.id = l.article_id
              LEFT JOIN news_outlet o ON o.id = ar.outlet_id))::text
FROM {table} x WHERE x.slug = %(slug)s"""


AGREEMENT_COVERAGE = _coverage("tracker_agreement", "agreement_id")
ACTOR_COVERAGE = _coverage("tracker_actor", "actor_id")

EVENT_PAGE = f"""SELECT {_TIMELINE_EVENT}::text FROM tracker_event e WHERE e.id = %(id)s"""
CHANGES = """
SELECT json_build_object('next', NULL, 'previous', NULL, 'results', coalesce(json_agg(
  json_build_object('resource', d.resource, 'id', d.record_id, 'slug', nullif(d.slug, ''),
                    'deleted_at', d.deleted_at) ORDER BY d.deleted_at, d.id), '[]'))::text
FROM (SELECT * FROM opendata_deletion d WHERE d.deleted_at >= %(since)s
      ORDER BY d.deleted_at, d.id LIMIT 100) d"""

# A file of the published bulk dump, read whole from disk: the limit of serving it.
DUMP_FILE = re.compile(r"^[a-z][a-z0-9-]*\.(?:jsonl|csv|json)\Z")


def _dump_file(name: str) -> bytes | None:
    from django.conf import settings  # the bench's gunicorn has Django configured

    if not DUMP_FILE.match(name):
        return None
    path = Path(settings.DUMP_DIR) / "current" / name
    return path.read_bytes() if path.is_file() else None


def _params(query: dict) -> dict:
    one = {key: values[0] for key, values in query.items()}
    return {
        "slug": one.get("slug", ""),
        "status": one.get("status") or None,
        "published_at": one.get("published_at") or None,
        "id": int(one.get("id", 0) or 0),
        "q": one.get("q", ""),
        "since": one.get("since") or None,
        "name": one.get("name", ""),
        "pattern": "%" + one.get("q", "").replace("%", r"\%").replace("_", r"\_") + "%",
    }


# name: (SQL, is it a page?)
HANDLERS = {
    "agreements": (AGREEMENT_LIST, False),
    "agreement": (AGREEMENT_DETAIL, False),
    "timeline": (AGREEMENT_TIMELINE, False),
    "articles": (ARTICLES, False),
    "search": (ARTICLE_SEARCH, False),
    "site-search": (SITE_SEARCH, False),
    "site-search-common-word": (SITE_SEARCH_COMMON_WORD, False),
    "site-search-page": (SITE_SEARCH_COMMON_WORD, True),
    "home": (HOME_PAGE, True),
    "agreement-page": (AGREEMENT_PAGE, True),
    "actor-page": (ACTOR_PAGE, True),
    "challenge-page": (CHALLENGE_PAGE, True),
    "changes-page": (CHANGES_PAGE, True),
    "agreement-index": (AGREEMENT_INDEX, True),
    "actor-index": (ACTOR_INDEX, True),
    "challenge-index": (CHALLENGE_INDEX, True),
    "topic-index": (TOPIC_INDEX, True),
    "embed-page": (AGREEMENT_TIMELINE, True),
    "feed": (EVENT_FEED, False),
    "actors": (ACTOR_LIST, False),
    "actor": (ACTOR_DETAIL, False),
    "actor-statements": (ACTOR_STATEMENTS, False),
    "statements": (STATEMENT_LIST, False),
    "events": (EVENT_LIST, False),
    "events-search": (EVENT_SEARCH, False),
    "statements-search": (STATEMENT_SEARCH, False),
    "positions": (POSITION_LIST, False),
    "challenges": (CHALLENGE_LIST, False),
    "challenge": (CHALLENGE_DETAIL, False),
    "challenge-timeline": (CHALLENGE_TIMELINE, False),
    "topics": (TOPIC_LIST, False),
    "outlets": (OUTLET_LIST, False),
    "links": (LINK_LIST, False),
    "agreement-timeline-page": (AGREEMENT_TIMELINE_PAGE_3, True),
    "topic-page": (TOPIC_PAGE, True),
    "challenge-timeline-page": (CHALLENGE_TIMELINE, True),
    "agreement-coverage-page": (AGREEMENT_COVERAGE, True),
    "actor-coverage-page": (ACTOR_COVERAGE, True),
    "event-page": (EVENT_PAGE, True),
    "changes": (CHANGES, False),
}

_connection = None


def _cursor():
    """One autocommit connection per worker process, opened on first use. Without JIT: the
    site search's statement is priced past jit_above_cost and compiling it took 200 ms of a
    0.3 s answer; the app's search turns JIT off too, and the limit should not pay for it."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(
            os.environ["DATABASE_URL"], autocommit=True, options="-c jit=off"
        )
    return _connection.cursor()


def _to_html(value) -> str:
    if isinstance(value, dict):
        items = "".join(
            f"<dt>{html.escape(str(k))}</dt><dd>{_to_html(v)}</dd>" for k, v in value.items()
        )
        return f"<dl>{items}</dl>"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_to_html(v)}</li>" for v in value) + "</ul>"
    return "" if value is None else html.escape(str(value))


def render_page(title: str, data) -> bytes:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/static/site.css">'
        f"</head><body><main>{_to_html(data)}</main></body></html>"
    ).encode()


def application(environ, start_response):
    name = environ.get("PATH_INFO", "").removeprefix("/__raw__/").strip("/")
    if name == "ping":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    if name == "dump-file":
        body = _dump_file(_params(parse_qs(environ.get("QUERY_STRING", "")))["name"])
        if body is None:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"detail":"Not found."}']
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]
    if name not in HANDLERS:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"Not found."}']
    sql, is_page = HANDLERS[name]
    params = _params(parse_qs(environ.get("QUERY_STRING", "")))
    if name == "agreements" and params["status"]:
        sql = AGREEMENT_LIST_BY_STATUS
    elif name == "articles" and params["published_at"]:
        sql = ARTICLES_AFTER
    with _cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"Not found."}']
    if is_page:
        body = render_page(name, orjson.loads(row[0]))
        content_type = "text/html; charset=utf-8"
    else:
        body = orjson.dumps(orjson.Fragment(row[0]))
        content_type = "application/json"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
