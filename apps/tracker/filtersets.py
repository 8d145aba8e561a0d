"""Filters over the curated record, one FilterSet per resource, shared by the API and the pages.

Every filter validates its value: an unknown status or slug, or a date that does not parse, is an
error naming the parameter, never a silently unfiltered list.
"""

import django_filters
from django.db.models import Exists, F, OuterRef, Q

from .models import Actor, Agreement, Alias, LegalChallenge, Party, Topic
from .text_search import SearchFilter


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


def plain_agreement_search(queryset, value):
    """?search= without the search app: the text in the title, the summary or an alias."""
    alias_match = Alias.objects.filter(agreement=OuterRef("pk"), text__icontains=value)
    return queryset.filter(
        Q(title__icontains=value) | Q(summary__icontains=value) | Exists(alias_match)
    )


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
    updated_since = django_filters.DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=(
            "ISO 8601 date or datetime (e.g. 2025-04-07T12:00:00Z); agreements that changed at "
            "or after it: their own record, or anything their detail or timeline shows (a party, "
            "position, statement, document, alias, topic, event, a legal challenge against them "
            "and its events and parties, or a curator's decision on an article link)."
        ),
    )
    search = SearchFilter(
        kind="agreement",
        fallback=plain_agreement_search,
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
