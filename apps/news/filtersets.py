"""Filters over fetched news, one FilterSet per resource, shared by the API and the pages.

Every filter validates its value: an unknown slug or status, or a date that does not parse, is an
error naming the parameter, never a silently unfiltered list.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field

from apps.tracker.filtersets import (
    UPDATED_SINCE_FORMAT,
    PlainSearch,
    SlugFilter,
    UpdatedSinceFilter,
    comparable_in_database,
)
from apps.tracker.models import Actor, Agreement, LegalChallenge
from apps.tracker.text_search import SearchFilter

from .models import Article, ArticleLink, Feed, Outlet

LINK_FILTERS = ("agreement", "actor", "challenge", "link_status")


class DateOrDateTimeField(forms.Field):
    """An ISO 8601 date (2025-04-07) or datetime (2025-04-07T12:00:00Z); a datetime without an
    offset is read in the site's time zone."""

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date (2025-04-07) or datetime (2025-04-07T12:00:00Z)."
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = value.strip()
        try:
            # Date first: parse_datetime reads a bare date as midnight, and published_before
            # must know it was given a whole day.
            parsed = parse_date(value) or parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(parsed, datetime.datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return comparable_in_database(parsed)


@extend_schema_field(
    {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
        "description": (
            "ISO 8601 date (2025-04-07) or datetime (2025-04-07T12:00:00Z). Both bounds are "
            "inclusive; a date as published_before covers that whole day."
        ),
    }
)
class PublishedBoundFilter(django_filters.Filter):
    """An inclusive bound on the publication time. A bare date as the upper bound covers that
    whole day, so published_after=2025-04-01&published_before=2025-04-30 is all of April."""

    field_class = DateOrDateTimeField
    # A date or datetime, never empty: the API refuses an empty value (check_filter_values).
    typed = True

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, datetime.datetime):
            return qs.filter(**{f"published_at__{self.lookup_expr}": value})
        if self.lookup_expr == "gte":
            start_of_day = datetime.datetime.combine(value, datetime.time.min)
            return qs.filter(
                published_at__gte=comparable_in_database(timezone.make_aware(start_of_day))
            )
        if value == datetime.date.max:  # up to the end of time
            return qs.filter(published_at__isnull=False)
        next_day = datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min)
        return qs.filter(published_at__lt=comparable_in_database(timezone.make_aware(next_day)))


class ArticleFilterSet(django_filters.FilterSet):
    """agreement, actor, challenge and link_status all describe the same link: together,
    ?agreement=irs-ice-mou&link_status=confirmed means a confirmed link to that agreement."""

    agreement = SlugFilter(
        field_name="links__agreement",
        method="filter_by_link",
        queryset=Agreement.objects.all(),
        help_text="Slug of an agreement the article is linked to.",
    )
    actor = SlugFilter(
        field_name="links__actor",
        method="filter_by_link",
        queryset=Actor.objects.all(),
        help_text="Slug of an actor the article is linked to.",
    )
    challenge = SlugFilter(
        field_name="links__challenge",
        method="filter_by_link",
        queryset=LegalChallenge.objects.all(),
        help_text="Slug of a legal challenge the article is linked to.",
    )
    link_status = django_filters.ChoiceFilter(
        field_name="links__status",
        method="filter_by_link",
        choices=ArticleLink.Status.choices,
        help_text=(
            "Status of the link; with agreement, actor or challenge, of that link. Suggested "
            "and rejected links are seen by curators only."
        ),
    )
    outlet = SlugFilter(queryset=Outlet.objects.all(), help_text="Slug of an outlet.")
    published_after = PublishedBoundFilter(
        lookup_expr="gte",
        help_text="ISO 8601 date or datetime; articles published at or after it.",
    )
    published_before = PublishedBoundFilter(
        lookup_expr="lte",
        help_text="ISO 8601 date or datetime; articles published at or before it (a date: "
        "up to the end of that day).",
    )
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT
        + "articles that changed at or after it, including a link of theirs suggested, confirmed "
        "or rejected, or a new URL they were seen under."
    )
    search = SearchFilter(
        kind="article",
        fallback=PlainSearch(("title",)),
        help_text=(
            'Full-text search of the title, summary, byline and text: words, "a phrase", OR, '
            "-word (the search box's syntax). Keeps the list's order."
        ),
    )

    class Meta:
        model = Article
        fields = [
            "agreement",
            "actor",
            "challenge",
            "link_status",
            "outlet",
            "published_after",
            "published_before",
            "updated_since",
            "search",
        ]

    def filter_by_link(self, queryset, name, value):
        # Applied once, for all four link filters together, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        conditions = {}
        for name in LINK_FILTERS:
            value = self.form.cleaned_data.get(name)
            if value:
                conditions["status" if name == "link_status" else name] = value
        if conditions:
            # Only the links the reader may see: a suggestion is no public fact to filter by.
            visible = ArticleLink.objects.visible_to(getattr(self.request, "user", None))
            links = visible.filter(article=OuterRef("pk"), **conditions)
            queryset = queryset.filter(Exists(links))
        return queryset


class ArticleLinkFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ArticleLink.Status.choices)
    agreement = SlugFilter(queryset=Agreement.objects.all(), help_text="Slug of an agreement.")
    actor = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of an actor.")
    challenge = SlugFilter(queryset=LegalChallenge.objects.all(), help_text="Slug of a case.")
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "links suggested or decided at or after it."
    )

    class Meta:
        model = ArticleLink
        fields = ["status", "agreement", "actor", "challenge", "updated_since"]


class OutletFilterSet(django_filters.FilterSet):
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "outlets whose record changed at or after it."
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the name or domain."
    )

    class Meta:
        model = Outlet
        fields = ["updated_since", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))


class FeedFilterSet(django_filters.FilterSet):
    outlet = SlugFilter(queryset=Outlet.objects.all(), help_text="Slug of an outlet.")

    class Meta:
        model = Feed
        fields = ["active", "outlet"]
