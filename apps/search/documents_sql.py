"""The documents of documents.py built inside PostgreSQL, for rebuilding a large index.

The Python builders read every source row into the process and send its text back to be
vectorised: fine for a save, hours for a million articles after a restore or a bulk seed. These
statements make the same documents (the same title, names, date, URL and weighted text, checked
against the builders by tests/search/test_postgres.py) from one batch of primary keys at a time,
without the text leaving the database.
"""

from django.urls import reverse

from apps.news.models import Article

from .documents import MAX_BODY_CHARS, TITLE_QUOTE_CHARS
from .models import SearchDocument

Kind = SearchDocument.Kind


def _url_sql(route: str, key: str, column: str) -> str:
    """The route's URL as SQL around one column: reverse() with a marker, cut at the marker."""
    marker = "987654321" if key == "pk" else "url-marker"
    prefix, suffix = reverse(route, kwargs={key: marker}).split(marker)
    return f"'{prefix}' || {column} || '{suffix}'"


def _aliases(owner: str, table_alias: str) -> str:
    """The record's aliases joined by spaces in id order, as documents._alias_text does."""
    return (
        f"(SELECT string_agg(al.text, ' ' ORDER BY al.id) FROM tracker_alias al "
        f"WHERE al.{owner}_id = {table_alias}.id)"
    )


def _joined(separator: str, *parts: str) -> str:
    """Non-empty parts joined by the separator, as `separator.join(filter(None, parts))`."""
    kept = ", ".join(f"nullif({part}, '')" for part in parts)
    return f"concat_ws('{separator}', {kept})"


def select_sql() -> dict[str, str]:
    """For each kind, a SELECT of (object_id, title, names, date, url, a, b, c, d) from the
    source rows whose id is in the one parameter, an array of ids."""
    agreement_url = _url_sql("tracker:agreement-detail", "slug", "{}.slug")
    challenge_url = _url_sql("tracker:challenge-detail", "slug", "{}.slug")
    actor_url = _url_sql("tracker:actor-detail", "slug", "x.slug")
    article_url = _url_sql("news:article-detail", "pk", "x.id::text")
    event_url = _url_sql("tracker:event-detail", "pk", "x.id::text")
    statement_url = _url_sql("tracker:statement-detail", "pk", "x.id::text")
    untitled = "(untitled article)"
    quote = TITLE_QUOTE_CHARS
    return {
        Kind.AGREEMENT: f"""
            SELECT x.id, x.title, {_joined(" | ", "x.title", "s.aliases")},
                   coalesce(x.announced_on, x.signed_on, x.effective_on),
                   {agreement_url.format("x")},
                   x.title, coalesce(s.aliases, ''), x.summary, ''
            FROM tracker_agreement x
            CROSS JOIN LATERAL (SELECT {_aliases("agreement", "x")} AS aliases) s
            WHERE x.id = ANY(%s)""",
        Kind.ACTOR: f"""
            SELECT x.id, x.name, {_joined(" | ", "x.name", "s.aliases")}, NULL::date,
                   {actor_url}, x.name, coalesce(s.aliases, ''), x.description, ''
            FROM tracker_actor x
            CROSS JOIN LATERAL (SELECT {_aliases("actor", "x")} AS aliases) s
            WHERE x.id = ANY(%s)""",
        Kind.CHALLENGE: f"""
            SELECT x.id, x.caption,
                   {_joined(" | ", "x.caption", "x.docket_number", "s.aliases")}, x.filed_on,
                   {challenge_url.format("x")}, x.caption,
                   {_joined(" ", "x.docket_number", "s.aliases")},
                   {_joined(" ", "x.summary", "court.name")}, ''
            FROM tracker_legalchallenge x
            LEFT JOIN tracker_actor court ON court.id = x.court_id
            CROSS JOIN LATERAL (SELECT {_aliases("challenge", "x")} AS aliases) s
            WHERE x.id = ANY(%s)""",
        Kind.EVENT: f"""
            SELECT x.id, x.title, '', x.date, {event_url}, x.title, '', x.description, ''
            FROM tracker_event x
            WHERE x.id = ANY(%s)""",
        Kind.STATEMENT: f"""
            SELECT x.id,
                   coalesce(nullif(x.speaker_label, ''), sp.name) || ': “'
                       || CASE WHEN char_length(x.text) > {quote}
                               THEN left(x.text, {quote - 1}) || '…' ELSE x.text END || '”',
                   '', x.said_on, {statement_url},
                   '', {_joined(" ", "sp.name", "x.speaker_label")}, x.text, x.venue
            FROM tracker_statement x
            JOIN tracker_actor sp ON sp.id = x.speaker_id
            WHERE x.id = ANY(%s)""",
        Kind.ARTICLE: f"""
            SELECT x.id, coalesce(nullif(x.title, ''), '{untitled}'), '',
                   (coalesce(x.published_at, x.created_at) AT TIME ZONE 'UTC')::date,
                   {article_url}, x.title, x.summary,
                   {_joined(" ", "x.byline", "o.name")}, left(x.text, {MAX_BODY_CHARS})
            FROM news_article x
            LEFT JOIN news_outlet o ON o.id = x.outlet_id
            WHERE x.id = ANY(%s)
              AND (x.fetch_status = '{Article.FetchStatus.FETCHED}'
                   OR x.fetched_at IS NOT NULL
                   OR (x.entry_method = '{Article.EntryMethod.CURATED}' AND x.text <> ''))""",
    }
