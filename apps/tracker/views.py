"""HTML pages of the curated record (placeholder, being written)."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("PolicyTracker")


def agreement_detail(request, slug):
    return HttpResponse(slug)


def actor_detail(request, slug):
    return HttpResponse(slug)


def challenge_detail(request, slug):
    return HttpResponse(slug)


def topic_detail(request, slug):
    return HttpResponse(slug)
