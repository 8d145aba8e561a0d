"""The /search/ page: results grouped by type, with counts, filters and pages in the URL."""

from django.shortcuts import render

from .forms import SearchForm
from .query import QueryError
from .selectors import search


def search_page(request):
    form = SearchForm(request.GET or None)
    results, message = None, ""
    status = 200
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("q"):
            try:
                results = search(**form.search_arguments())
            except QueryError as error:
                message, status = str(error), 400
    elif form.is_bound:
        status = 400
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    query_without_type = query_without_page.copy()
    query_without_type.pop("type", None)
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "results": results,
            "message": message,
            "query_without_page": query_without_page.urlencode(),
            "query_without_type": query_without_type.urlencode(),
        },
        status=status,
    )
