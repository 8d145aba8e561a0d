"""Filters over the curated record, one FilterSet per resource, shared by the API and the pages.

Every filter validates its value: an unknown status or slug, or a date that does not parse, is an
error naming the parameter, never a silently unfiltered list.
"""

import dataclasses
import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q

from .models import (
    Actor,
    Agreement,
    Alias,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
)
from .text_search import SearchFilter

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


def comparable_in_database(value):
    """A date or datetime filter value that every database can compare with, for any value
    ISO 8601 allows: a datetime goes in as UTC (PostgreSQL refuses an offset beyond ±15:59), and
    one whose UTC time falls outside the calendar (0001-01-01T00:00+05:00) becomes the calendar's
    first or last instant, which every stored time is after or before alike."""
    if not isinstance(value, datetime.datetime) or value.utcoffset() is None:
        return value
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        edge = datetime.datetime.min if value.utcoffset() > datetime.timedelta(0) else None
        return (edge or datetime.datetime.max).replace(tzinfo=datetime.UTC)


class CheckedDateTimeField(forms.DateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        return value if value is None else comparable_in_database(value)


class CheckedDateField(forms.DateField):
    """Every date ISO 8601 allows, 0001-01-01 to 9999-12-31, compares in the database as it is."""


class DateTimeFilter(django_filters.DateTimeFilter):
    """A datetime filter whose values the database can always take."""

    field_class = CheckedDateTimeField


class DateFilter(django_filters.DateFilter):
    field_class = CheckedDateField


UPDATED_SINCE_FORMAT = "ISO 8601 date or datetime (e.g. 2025-04-07T12:00:00Z); "


class UpdatedSinceFilter(DateTimeFilter):
    """?updated_since=: the rows whose `updated_at` is at or after the value (the derived
    `updated_at` that tracker.signals keeps, so "changed" includes what a record's page shows).
    Its help text starts with UPDATED_SINCE_FORMAT and says what counts as a change."""

    def filter(self, qs, value):
        return qs if value is None else qs.filter(updated_at__gte=value)


class SlugFilter(django_filters.ModelChoiceFilter):
    """A record named by its slug; an unknown slug is an error, not an empty list."""

    def __init__(self, *args, **kwargs):
        # Set on the declaration, where the schema reads it too. No mutation testing: this runs
        # when the module is imported, before mutmut switches a mutant on (every slug filter's
        # tests and tests/test_schema.py check it).
        kwargs.setdefault("to_field_name", "slug")  # pragma: no mutate
        super().__init__(*args, **kwargs)  # pragma: no mutate


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


def _search(queryset, fields: tuple[str, ...], value: str, alias_of: str | None = None):
    """Rows where any of `fields` (or an alias, for records that have them) contains the words.
    A plain filter on purpose: apps/search supplies the full-text implementation."""
    value = value.strip()
    if not value:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    if alias_of:
        condition |= Exists(
            Alias.objects.filter(**{alias_of: OuterRef("pk")}, text__icontains=value)
        )
    return queryset.filter(condition)


@dataclasses.dataclass(frozen=True)
class PlainSearch:
    """A list's ?search= for when no search app is installed (see text_search): the rows where
    any of `fields`, or one of their aliases (`alias_of` names the alias's link to the record),
    contains the text, case-insensitively."""

    fields: tuple[str, ...]
    alias_of: str | None = None

    def __call__(self, queryset, value):
        return _search(queryset, self.fields, value, alias_of=self.alias_of)


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
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT
        + "agreements that changed at or after it: their own record, or anything their detail or "
        "timeline shows (a party, position, statement, document, alias, topic, event, a legal "
        "challenge against them and its events and parties, or a curator's decision on an "
        "article link)."
    )
    search = SearchFilter(
        kind="agreement",
        fallback=PlainSearch(("title", "summary"), alias_of="agreement"),
        help_text=(
            'Full-text search of the title, aliases and summary: words, "a phrase", OR, -word '
            "(the search box's syntax). Keeps the list's order."
        ),
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


SEARCH_SYNTAX = "words, \"a phrase\", OR, -word (the search box's syntax). Keeps the list's order."


class ActorFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices)
    parent = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of the parent body.")
    agreement = SlugFilter(
        field_name="parties__agreement",
        method="filter_agreement",
        queryset=Agreement.objects.all(),
        help_text="Slug of an agreement the actor is a party to.",
    )
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "actors whose record changed at or after it."
    )
    search = SearchFilter(
        kind="actor",
        fallback=PlainSearch(("name", "description"), alias_of="actor"),
        help_text="Full-text search of the name, aliases and description: " + SEARCH_SYNTAX,
    )
    ordering = TieBreakOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at")),
        help_text="Sort key (name by default); prefix with - for descending.",
    )

    class Meta:
        model = Actor
        fields = ["kind", "parent", "agreement", "updated_since", "search", "ordering"]

    def filter_agreement(self, queryset, name, value):
        return queryset.filter(Exists(Party.objects.filter(actor=OuterRef("pk"), agreement=value)))


class LegalChallengeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LegalChallenge.Status.choices)
    court = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of the court.")
    agreement = SlugFilter(
        field_name="agreements",
        method="filter_agreement",
        queryset=Agreement.objects.all(),
        help_text="Slug of an agreement the case challenges.",
    )
    party = SlugFilter(
        field_name="parties__actor",
        method="filter_party",
        queryset=Actor.objects.all(),
        help_text="Slug of an actor that is a party to the case (with role, in that role).",
    )
    role = django_filters.ChoiceFilter(
        choices=ChallengeParty.Role.choices,
        method="filter_party",
        help_text="With party: that actor's role in the case (plaintiff, defendant, …).",
    )
    filed_after = DateFilter(
        field_name="filed_on", lookup_expr="gte", help_text="Filed on or after."
    )
    filed_before = DateFilter(
        field_name="filed_on", lookup_expr="lte", help_text="Filed on or before."
    )
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT
        + "cases that changed at or after it (their record, parties or events)."
    )
    search = SearchFilter(
        kind="challenge",
        fallback=PlainSearch(("caption", "docket_number", "summary"), alias_of="challenge"),
        help_text="Full-text search of the caption, docket number, aliases and summary: "
        + SEARCH_SYNTAX,
    )
    ordering = TieBreakOrderingFilter(
        fields=(("filed_on", "filed_on"), ("caption", "caption"), ("updated_at", "updated_at")),
        help_text="Sort key (newest filing first by default); prefix with - for descending.",
    )

    class Meta:
        model = LegalChallenge
        fields = [
            "status",
            "court",
            "agreement",
            "party",
            "role",
            "filed_after",
            "filed_before",
            "updated_since",
            "search",
            "ordering",
        ]

    def filter_agreement(self, queryset, name, value):
        challenged = LegalChallenge.agreements.through.objects.filter(
            legalchallenge=OuterRef("pk"), agreement=value
        )
        return queryset.filter(Exists(challenged))

    def filter_party(self, queryset, name, value):
        # Applied once, for party and role together, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        conditions = {}
        if self.form.cleaned_data.get("party"):
            conditions["actor"] = self.form.cleaned_data["party"]
        if self.form.cleaned_data.get("role"):
            conditions["role"] = self.form.cleaned_data["role"]
        if conditions:
            parties = ChallengeParty.objects.filter(challenge=OuterRef("pk"), **conditions)
            queryset = queryset.filter(Exists(parties))
        return queryset


class EventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices)
    agreement = SlugFilter(
        queryset=Agreement.objects.all(),
        help_text="Slug of an agreement: its own events (its timeline adds its cases' events).",
    )
    challenge = SlugFilter(queryset=LegalChallenge.objects.all(), help_text="Slug of a case.")
    actor = SlugFilter(
        field_name="actors",
        method="filter_actor",
        queryset=Actor.objects.all(),
        help_text="Slug of an actor involved in the event.",
    )
    date_after = DateFilter(field_name="date", lookup_expr="gte", help_text="On or after.")
    date_before = DateFilter(field_name="date", lookup_expr="lte", help_text="On or before.")
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "events that changed at or after it."
    )
    search = SearchFilter(
        kind="event",
        fallback=PlainSearch(("title", "description")),
        help_text="Full-text search of the title and description: " + SEARCH_SYNTAX,
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "agreement",
            "challenge",
            "actor",
            "date_after",
            "date_before",
            "updated_since",
            "search",
        ]

    def filter_actor(self, queryset, name, value):
        through = Event.actors.through
        return queryset.filter(Exists(through.objects.filter(event=OuterRef("pk"), actor=value)))


class StatementFilterSet(django_filters.FilterSet):
    speaker = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of the actor who said it.")
    actor = SlugFilter(
        field_name="position__actor",
        queryset=Actor.objects.all(),
        help_text="Slug of the stakeholder whose position the statement backs.",
    )
    agreement = SlugFilter(
        field_name="position__agreement",
        queryset=Agreement.objects.all(),
        help_text="Slug of the agreement the statement is about.",
    )
    kind = django_filters.ChoiceFilter(choices=Statement.Kind.choices)
    stance = django_filters.ChoiceFilter(
        field_name="position__stance",
        choices=Position.Stance.choices,
        help_text="Stance of the position the statement backs.",
    )
    said_after = DateFilter(field_name="said_on", lookup_expr="gte", help_text="Said on or after.")
    said_before = DateFilter(
        field_name="said_on", lookup_expr="lte", help_text="Said on or before."
    )
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "statements that changed at or after it."
    )
    search = SearchFilter(
        kind="statement",
        fallback=PlainSearch(("text", "venue", "speaker_label")),
        help_text="Full-text search of the text, the speaker and the venue: " + SEARCH_SYNTAX,
    )

    class Meta:
        model = Statement
        fields = [
            "speaker",
            "actor",
            "agreement",
            "kind",
            "stance",
            "said_after",
            "said_before",
            "updated_since",
            "search",
        ]


class PositionFilterSet(django_filters.FilterSet):
    stance = django_filters.ChoiceFilter(choices=Position.Stance.choices)
    actor = SlugFilter(queryset=Actor.objects.all(), help_text="Slug of the stakeholder.")
    agreement = SlugFilter(queryset=Agreement.objects.all(), help_text="Slug of the agreement.")
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "positions that changed at or after it."
    )
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the summary.")
    ordering = TieBreakOrderingFilter(
        fields=(("updated_at", "updated_at"),),
        help_text="Sort key (agreement, then stance by default); prefix with - for descending.",
    )

    class Meta:
        model = Position
        fields = ["stance", "actor", "agreement", "updated_since", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, ("summary",), value)


class TopicFilterSet(django_filters.FilterSet):
    updated_since = UpdatedSinceFilter(
        help_text=UPDATED_SINCE_FORMAT + "topics that changed at or after it."
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the name or description."
    )
    ordering = TieBreakOrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at")),
        help_text="Sort key (name by default); prefix with - for descending.",
    )

    class Meta:
        model = Topic
        fields = ["updated_since", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, ("name", "description"), value)
