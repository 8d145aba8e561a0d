"""The search parameters, read once for the page and the API: q, type, dates, agreement, actor,
page. A bad value is an error naming its parameter."""

from django import forms

from apps.tracker.models import Actor, Agreement

from .models import SearchDocument
from .query import MAX_QUERY_LENGTH
from .selectors import MAX_PAGE


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True, max_length=MAX_QUERY_LENGTH * 2)
    type = forms.ChoiceField(required=False, choices=[("", "All"), *SearchDocument.Kind.choices])
    date_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    agreement = forms.ModelChoiceField(
        required=False, queryset=Agreement.objects.all(), to_field_name="slug"
    )
    actor = forms.ModelChoiceField(
        required=False, queryset=Actor.objects.all(), to_field_name="slug"
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    PARAMETERS = ("q", "type", "date_from", "date_to", "agreement", "actor", "page")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the date range comes before its start.")
        return data

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "kind": data.get("type") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "agreement": data.get("agreement"),
            "actor": data.get("actor"),
            "page": data.get("page") or 1,
        }
