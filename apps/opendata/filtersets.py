"""The changes feed's filters: `since` is required and checked as every datetime filter is."""

import django_filters

from apps.tracker.filtersets import DateTimeFilter

from .models import Deletion


class DeletionFilterSet(django_filters.FilterSet):
    since = DateTimeFilter(
        field_name="deleted_at",
        lookup_expr="gte",
        required=True,
        help_text=(
            "Required. ISO 8601 date or datetime (e.g. 2025-04-07T12:00:00Z): deletions at or "
            "after it."
        ),
    )
    resource = django_filters.ChoiceFilter(
        choices=Deletion.Resource.choices, help_text="Only deletions of this resource."
    )

    class Meta:
        model = Deletion
        fields = ["since", "resource"]
