"""Filters over the curated record, one FilterSet per resource, shared by the API and the pages.

Every filter validates its value: an unknown status or slug, or a date that does not parse, is an
error naming the parameter, never a silently unfiltered list.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q

from .models import Actor, Agreement, Alias, LegalChallenge, Party, Topic

# PostgreSQL refuses a time zone displacement beyond ±15:59 (and no real zone comes near it).
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)
OUT_OF_RANGE_MESSAGE = "Out of range: use a date between 0001-01-02 and 9999-12-30."
OFFSET_MESSAGE = "UTC offset out of range: it must be between -15:59 and +15:59."


def check_date_or_datetime(value):
    """Refuse a value the database or the bound arithmetic cannot take, as a form error that
    names its parameter rather than a 500: an offset beyond ±15:59, or a day at the very edge of
    the calendar (a whole-day bound adds a day, converting to UTC may move across one)."""
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(OFFSET_MESSAGE, code="invalid_offset")
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not datetime.date(1, 1, 2) <= day <= datetime.date(9999, 12, 30):
        raise forms.ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")
    return value


class CheckedDateTimeField(forms.DateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        return value if value is None else check_date_or_datetime(value)


class CheckedDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        return value if value is None else check_date_or_datetime(value)


class DateTimeFilter(django_filters.DateTimeFilter):
    """A datetime filter whose values the database can always take."""

    field_class = CheckedDateTimeField


class DateFilter(django_filters.DateFilter):
    field_class = CheckedDateField


def updated_since_filter(what: str) -> DateTimeFilter:
    return DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=f"ISO 8601 date or datetime (e.g. 2025-04-07T12:00:00Z); {what}",
    )


class SlugFilter(django_filters.ModelChoiceFilter):
    """A record named by its slug; an unknown slug is an error, not an empty list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class TieBreakOrderingFilter(django_filters.OrderingFilter):
    """Ordering whose last key is always the id, so pages never shuffle rows of equal value, and
    whose empty values sort last on every database (SQLite and PostgreSQL disagree otherwise)."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            descending = name.startswith("-")
            expression = F(name.lstrip("-"))
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        last_descending = self.get_ordering_value(value[-1]).startswith("-")
        return qs.order_by(*ordering, "-id" if last_descending else "id")


class AgreementFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices)
    topic = SlugFilter(
        field_name="topics",
        queryset=Topic.objects.all(),
        help_text="Slug of a topic.",
    )
    actor = SlugFilter(
        field_name="parties__actor",  # for the schema; filter_actor does the filtering
        method="filter_actor",
        queryset=Actor.objects.all(),
        help_text="Slug of an actor that is a party to the agreement, in any role.",
    )
    updated_since = updated_since_filter(
        "agreements that changed at or after it: their own record, or anything their detail or "
        "timeline shows (a party, position, statement, document, alias, topic, event, a legal "
        "challenge against them and its events and parties, or a curator's decision on an "
        "article link)."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words in the title, the summary or one of the agreement's aliases.",
    )
    ordering = TieBreakOrderingFilter(
        fields=(("title", "title"), ("signed_on", "signed_on"), ("updated_at", "updated_at")),
        help_text="Sort key; prefix with - for descending. Ties are broken by id.",
    )

    class Meta:
        model = Agreement
        fields = ["status", "kind", "topic", "actor", "updated_since", "search", "ordering"]

    def filter_actor(self, queryset, name, value):
        # EXISTS rather than a join: an actor with two roles in one agreement must not list it
        # twice.
        return queryset.filter(Exists(Party.objects.filter(agreement=OuterRef("pk"), actor=value)))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        alias_match = Alias.objects.filter(agreement=OuterRef("pk"), text__icontains=value)
        return queryset.filter(
            Q(title__icontains=value) | Q(summary__icontains=value) | Exists(alias_match)
        )


class ActorFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices)
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the name or one of the actor's aliases."
    )
    ordering = TieBreakOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at")),
        help_text="Sort key; prefix with - for descending. Ties are broken by id.",
    )

    class Meta:
        model = Actor
        fields = ["kind", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        alias_match = Alias.objects.filter(actor=OuterRef("pk"), text__icontains=value)
        return queryset.filter(Q(name__icontains=value) | Exists(alias_match))


class LegalChallengeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LegalChallenge.Status.choices)
    court = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of the court.")
    agreement = SlugFilter(
        field_name="agreements",
        method="filter_agreement",
        queryset=Agreement.objects.all(),
        help_text="Slug of an agreement the case challenges.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words in the caption, docket number, summary or one of the case's aliases.",
    )
    ordering = TieBreakOrderingFilter(
        fields=(("filed_on", "filed_on"), ("caption", "caption"), ("updated_at", "updated_at")),
        help_text="Sort key; prefix with - for descending. Ties are broken by id.",
    )

    class Meta:
        model = LegalChallenge
        fields = ["status", "court", "agreement", "search", "ordering"]

    def filter_agreement(self, queryset, name, value):
        challenged = LegalChallenge.agreements.through.objects.filter(
            legalchallenge=OuterRef("pk"), agreement=value
        )
        return queryset.filter(Exists(challenged))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        alias_match = Alias.objects.filter(challenge=OuterRef("pk"), text__icontains=value)
        return queryset.filter(
            Q(caption__icontains=value)
            | Q(docket_number__icontains=value)
            | Q(summary__icontains=value)
            | Exists(alias_match)
        )


class TopicFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", help_text="Words in the topic's name."
    )
    ordering = TieBreakOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at")),
        help_text="Sort key; prefix with - for descending. Ties are broken by id.",
    )

    class Meta:
        model = Topic
        fields = ["search", "ordering"]
