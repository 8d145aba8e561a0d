"""HTML pages of the news data (placeholder, being written)."""

from django.http import HttpResponse


def article_detail(request, pk):
    return HttpResponse(str(pk))


def outlet_detail(request, slug):
    return HttpResponse(slug)
