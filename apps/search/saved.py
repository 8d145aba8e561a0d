"""Saved searches: a search's query string kept so that a user can follow it, and the question
the alerts app asks of it when a record changes — does this search find that record now?

The answer comes from the same code as the /search/ page (the form reads the parameters, the
backend matches the text, `selectors.documents` applies the filters), so a followed search alerts
on exactly what the page would list.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.http import urlencode

from .backends import backend
from .forms import SearchForm
from .models import SearchDocument
from .query import ParsedQuery, QueryError, parse_query
from .selectors import documents

# What a saved search keeps of a /search/ URL: not the page, not the format.
SAVED_PARAMETERS = ("q", "type", "date_from", "date_to", "agreement", "actor")
# Encoded, a 500-character query in a non-Latin script is several times longer; a unique
# B-tree key stays well under PostgreSQL's 2,700-byte limit at this length.
SAVED_SEARCH_MAX_LENGTH = 2000


class SavedSearchError(ValueError):
    """A search that cannot be saved, with a sentence saying why."""


def _params(search) -> QueryDict:
    if isinstance(search, QueryDict):
        return search
    return QueryDict(str(search).strip().lstrip("?"))


def clean_saved_search(search) -> str:
    """The search's query string as a follow stores it: only the search parameters, blank ones
    dropped, the query's white space collapsed, in a stable order, so one search is one follow.
    Raises SavedSearchError for a search the page itself would refuse."""
    params = _params(search)
    form = SearchForm({key: params.get(key, "") for key in SAVED_PARAMETERS})
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        raise SavedSearchError(f"This search cannot be followed: {errors}")
    try:
        text = parse_query(form.cleaned_data.get("q") or "").text
    except QueryError as error:
        raise SavedSearchError(f"This search cannot be followed: {error}") from error
    if form.cleaned_data.get("type") == SearchDocument.Kind.ACTOR:
        # No change is ever about an actor's own record: such a follow would never be told.
        raise SavedSearchError(
            "This search cannot be followed: no change is ever about an actor itself, so "
            "follow the actor's own page instead."
        )
    kept = {"q": text}
    for key in SAVED_PARAMETERS[1:]:
        value = form.cleaned_data.get(key)
        if hasattr(value, "isoformat"):  # 2025-1-5 and 2025-01-05 are one search
            value = value.isoformat()
        elif hasattr(value, "slug"):
            value = value.slug
        if value:
            kept[key] = value
    saved = urlencode(sorted(kept.items()))
    if len(saved) > SAVED_SEARCH_MAX_LENGTH:
        raise SavedSearchError("This search is too long to follow: shorten the query.")
    return saved


def describe_saved_search(search: str) -> str:
    """“ITIN” (events, from 2025-01-01, agreement irs-ice-mou): the follow's label."""
    params = _params(search)
    details = []
    if kind := params.get("type"):
        details.append(dict(SearchDocument.Kind.choices).get(kind, kind).lower())
    if start := params.get("date_from"):
        details.append(f"from {start}")
    if end := params.get("date_to"):
        details.append(f"to {end}")
    if agreement := params.get("agreement"):
        details.append(f"agreement {agreement}")
    if actor := params.get("actor"):
        details.append(f"actor {actor}")
    label = f"“{params.get('q', '')}”"
    return f"{label} ({', '.join(details)})" if details else label


@dataclass(frozen=True)
class SavedSearch:
    """A saved search read once (its parameters validated, its query parsed), to be asked of
    many records."""

    kind: str | None
    parsed: ParsedQuery
    filters: dict

    def finds(self, *, kind: str, ids: Iterable[int]) -> set[int]:
        """Which of these records of `kind` the search finds now: one query."""
        ids = list(ids)
        if not ids or (self.kind and self.kind != kind):
            return set()
        filtered = documents(kind=kind, **self.filters).filter(object_id__in=ids)
        found = backend().matches(filtered, self.parsed.text, self.parsed)
        return set(found.values_list("object_id", flat=True))


def read_saved_search(search: str) -> SavedSearch | None:
    """The saved search ready to match, or None when it no longer reads (say, its agreement
    was deleted)."""
    form = SearchForm(_params(search))
    if not form.is_valid():
        return None
    arguments = form.search_arguments()
    try:
        parsed = parse_query(arguments["query"])
    except QueryError:
        return None
    return SavedSearch(
        kind=arguments["kind"],
        parsed=parsed,
        filters={key: arguments[key] for key in ("date_from", "date_to", "agreement", "actor")},
    )
