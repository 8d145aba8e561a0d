"""The ?search= filter of the lists, answered by whichever search the project installs.

apps/search sits on top of this app and the news app and fills this hook in its
AppConfig.ready(); neither lower app imports it. Unset (the search app not installed), a
search is a plain case-insensitive match on the fields each filter names.
"""

from collections.abc import Callable

import django_filters
from django import forms
from django.db.models import QuerySet

_validate: Callable[[str], str] | None = None
_filter: Callable[..., QuerySet] | None = None


def register(*, validate: Callable[[str], str], filter: Callable[..., QuerySet]) -> None:
    """Install a search: `validate(text)` returns the query to run or raises ValueError with a
    sentence; `filter(queryset, kind=..., text=...)` narrows a list to the matching rows."""
    global _validate, _filter
    _validate, _filter = validate, filter


class SearchField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value or _validate is None:
            return value
        try:
            return _validate(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class SearchFilter(django_filters.CharFilter):
    """?search=words on a list, with the search box's syntax ("phrase", OR, -word).

    `kind` names the list's records for the installed search; `fallback` narrows the queryset
    by a plain match when none is installed."""

    field_class = SearchField

    def __init__(self, *, kind: str, fallback: Callable[[QuerySet, str], QuerySet], **kwargs):
        self.kind = kind
        self.fallback = fallback
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if _filter is None:
            return self.fallback(qs, value)
        return _filter(qs, kind=self.kind, text=value)
