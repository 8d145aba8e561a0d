"""sitemap.xml (django.contrib.sitemaps): every agreement, actor, legal challenge and topic page,
with when it last changed. Django splits a section into pages of 50,000 URLs behind an index."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Actor, Agreement, LegalChallenge, Topic


class _RecordSitemap(Sitemap):
    model = None
    limit = 5000  # URLs per sitemap page, so each response stays small

    def items(self):
        return self.model.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class AgreementSitemap(_RecordSitemap):
    model = Agreement
    priority = 0.9


class ActorSitemap(_RecordSitemap):
    model = Actor


class ChallengeSitemap(_RecordSitemap):
    model = LegalChallenge
    priority = 0.7


class TopicSitemap(_RecordSitemap):
    model = Topic


class IndexPageSitemap(Sitemap):
    priority = 0.8

    def items(self):
        names = ["home", "agreement-list", "actor-list", "challenge-list", "topic-list"]
        return [f"tracker:{name}" for name in names]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": IndexPageSitemap,
    "agreements": AgreementSitemap,
    "actors": ActorSitemap,
    "challenges": ChallengeSitemap,
    "topics": TopicSitemap,
}
