"""HTML pages of the news data: one article with what cites it, and an outlet's articles."""

from django.core.paginator import Paginator
from django.shortcuts import render

from apps.tracker.models import MergedRecord
from apps.tracker.redirects import redirect_to_survivor

from .models import Article, Outlet

ARTICLES_PER_PAGE = 25


def article_detail(request, pk):
    article = Article.objects.for_detail_page().filter(pk=pk).first()
    if article is None:
        return redirect_to_survivor(Article, kind=MergedRecord.Kind.ARTICLE, key=pk)
    return render(request, "news/article_detail.html", {"article": article})


def outlet_detail(request, slug):
    outlet = Outlet.objects.filter(slug=slug).first()
    if outlet is None:
        return redirect_to_survivor(Outlet, kind=MergedRecord.Kind.OUTLET, key=slug)
    page = Paginator(Article.objects.for_outlet_page(outlet), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "news/outlet_detail.html", {"outlet": outlet, "page": page})
