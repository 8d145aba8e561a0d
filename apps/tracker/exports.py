"""CSV downloads: an agreement's timeline and each index page's current filter.

Cells are neutralised against formula injection (OWASP): a value a spreadsheet would run as a
formula — one starting with = + - @, a tab or a carriage return — is prefixed with a quote, so a
hostile article title cannot become a formula on a journalist's machine. Rows are streamed, so
memory stays flat however many rows a filter selects.
"""

import csv

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

AGREEMENT_COLUMNS = [
    ("title", "title"),
    ("slug", "slug"),
    ("kind", "kind"),
    ("status", "status"),
    ("announced_on", "announced_on"),
    ("signed_on", "signed_on"),
    ("effective_on", "effective_on"),
    ("expires_on", "expires_on"),
    ("updated_at", "updated_at"),
]
ACTOR_COLUMNS = [
    ("name", "name"),
    ("slug", "slug"),
    ("kind", "kind"),
    ("parent", "parent__slug"),
    ("website", "website"),
    ("wikidata_qid", "wikidata_qid"),
]
CHALLENGE_COLUMNS = [
    ("caption", "caption"),
    ("slug", "slug"),
    ("status", "status"),
    ("court", "court__name"),
    ("docket_number", "docket_number"),
    ("filed_on", "filed_on"),
]
TOPIC_COLUMNS = [("name", "name"), ("slug", "slug"), ("agreements", "agreement_count")]


def neutralise(value) -> str:
    """The cell as text, made inert if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _stream(header, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def _response(header, rows, filename):
    response = StreamingHttpResponse(_stream(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(queryset, *, columns, filename):
    """The queryset's rows as CSV, in its order, one database round trip per 2,000 rows."""
    header = [name for name, _ in columns]
    paths = [path for _, path in columns]
    rows = queryset.values_list(*paths).iterator(chunk_size=2000)
    return _response(header, rows, filename)


def timeline_csv_response(events, *, request, filename):
    """An agreement's timeline as CSV: date as known, kind, title, case, sources, permalink."""

    def rows():
        for event in events:
            yield [
                event.date.isoformat(),
                event.date_precision,
                event.display_date,
                event.get_kind_display(),
                event.title,
                event.description,
                event.challenge.caption if event.challenge_id else "",
                " ".join(article.canonical_url for article in event.sources.all()),
                request.build_absolute_uri(event.get_absolute_url()),
            ]

    header = [
        "date",
        "precision",
        "date_as_known",
        "kind",
        "title",
        "description",
        "legal_challenge",
        "sources",
        "permalink",
    ]
    return _response(header, rows(), filename)
