"""Read shapes of the news data, named for the page or endpoint they serve."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class FeedQuerySet(models.QuerySet):
    def due(self, *, now=None):
        now = now or timezone.now()
        return self.filter(active=True).filter(
            Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
        )


class ArticleQuerySet(models.QuerySet):
    pass


class ArticleLinkQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status="confirmed")

    def suggested(self):
        return self.filter(status="suggested")
