"""HTML pages of the news data: one article with what cites it, and an outlet's articles."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Article, Outlet

ARTICLES_PER_PAGE = 25


def article_detail(request, pk):
    article = get_object_or_404(Article.objects.for_detail_page(), pk=pk)
    return render(request, "news/article_detail.html", {"article": article})


def outlet_detail(request, slug):
    outlet = get_object_or_404(Outlet, slug=slug)
    page = Paginator(Article.objects.for_outlet_page(outlet), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "news/outlet_detail.html", {"outlet": outlet, "page": page})
