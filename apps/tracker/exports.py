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


TIMELINE_CHUNK = 2000


def timeline_csv_response(events, *, request, filename):
    """An agreement's timeline as CSV: date as known, kind, title, case, sources, permalink.

    The largest timeline has tens of thousands of events, so no model instance is built: the
    events are read as plain rows in chunks, each chunk's source URLs in one more query, and
    each permalink joins the parent page's URL (reversed once per parent) and the event's
    anchor."""
    from django.urls import reverse

    from .models import Event, format_date_with_precision

    kinds = dict(Event.Kind.choices)
    site = request.build_absolute_uri("/").removesuffix("/")
    pages = {}

    def page_of(agreement_slug, challenge_slug):
        key = (agreement_slug, challenge_slug)
        if key not in pages:
            name, slug = (
                ("tracker:agreement-detail", agreement_slug)
                if agreement_slug
                else ("tracker:challenge-detail", challenge_slug)
            )
            pages[key] = site + reverse(name, kwargs={"slug": slug})
        return pages[key]

    plain = events.select_related(None).prefetch_related(None)
    columns = ("pk", "date", "date_precision", "kind", "title", "description")
    parents = ("agreement__slug", "challenge__slug", "challenge__caption")

    def chunks():
        chunk = []
        for row in plain.values_list(*columns, *parents).iterator(chunk_size=TIMELINE_CHUNK):
            chunk.append(row)
            if len(chunk) == TIMELINE_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def rows():
        for chunk in chunks():
            sources = {}
            links = (
                Event.sources.through.objects.filter(event_id__in=[row[0] for row in chunk])
                .order_by("article__published_at", "article_id")
                .values_list("event_id", "article__canonical_url")
            )
            for event_id, url in links:
                sources.setdefault(event_id, []).append(url)
            for (
                pk,
                day,
                precision,
                kind,
                title,
                description,
                agreement,
                challenge,
                caption,
            ) in chunk:
                yield [
                    day.isoformat(),
                    precision,
                    format_date_with_precision(day, precision),
                    kinds.get(kind, kind),
                    title,
                    description,
                    caption or "",
                    " ".join(sources.get(pk, ())),
                    f"{page_of(agreement, challenge)}#event-{pk}",
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
