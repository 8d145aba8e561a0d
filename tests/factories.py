"""factory_boy factories for every model; tests build their data here, not from JSON fixtures."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.news.models import Article, ArticleLink, ArticleURL, Feed, Outlet
from apps.tracker.models import (
    Actor,
    Affiliation,
    Agreement,
    Alias,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CuratorFactory(UserFactory):
    is_staff = True
    is_superuser = True


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    kind = Actor.Kind.AGENCY
    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class PersonFactory(ActorFactory):
    kind = Actor.Kind.PERSON
    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(ActorFactory)
    role = "Secretary"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement {n}")
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    kind = Agreement.Kind.MOU
    status = Agreement.Status.SIGNED
    summary = "A data-sharing agreement."


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alias

    text = factory.Sequence(lambda n: f"Alias {n}")
    actor = factory.SubFactory(ActorFactory)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    actor = factory.SubFactory(ActorFactory)
    role = Party.Role.SIGNATORY


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    agreement = factory.SubFactory(AgreementFactory)
    actor = factory.SubFactory(ActorFactory, kind=Actor.Kind.ORGANIZATION)
    stance = Position.Stance.OPPOSES
    summary = "Opposes the agreement."


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    homepage = factory.LazyAttribute(lambda o: f"https://{o.domain}/")


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    url = factory.Sequence(lambda n: f"https://feeds.example/{n}.xml")
    outlet = factory.SubFactory(OutletFactory)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    canonical_url = factory.Sequence(lambda n: f"https://news.example/story-{n}")
    url = factory.LazyAttribute(lambda o: o.canonical_url)
    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Story {n}")
    byline = "A. Reporter"
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    language = "en"
    text = "The IRS and ICE signed an agreement."
    fetch_status = Article.FetchStatus.FETCHED
    fetched_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.fetch_status == Article.FetchStatus.FETCHED else None
    )


class ArticleURLFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleURL

    article = factory.SubFactory(ArticleFactory)
    url = factory.LazyAttribute(lambda o: o.article.canonical_url)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    position = factory.SubFactory(PositionFactory)
    speaker = factory.LazyAttribute(lambda o: o.position.actor)
    text = "This agreement is unprecedented."
    said_on = datetime.date(2025, 4, 8)
    source = factory.SubFactory(ArticleFactory)


class LegalChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalChallenge

    caption = factory.Sequence(lambda n: f"Plaintiff {n} v. Defendant")
    slug = factory.Sequence(lambda n: f"case-{n}")
    court = factory.SubFactory(ActorFactory, kind=Actor.Kind.COURT)
    docket_number = factory.Sequence(lambda n: f"25-cv-{n:04d}")
    filed_on = datetime.date(2025, 3, 7)
    status = LegalChallenge.Status.PENDING


class ChallengePartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChallengeParty

    challenge = factory.SubFactory(LegalChallengeFactory)
    actor = factory.SubFactory(ActorFactory, kind=Actor.Kind.ORGANIZATION)
    role = ChallengeParty.Role.PLAINTIFF


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        # The sources hook only sets a many-to-many relation; the event needs no second save.
        skip_postgeneration_save = True

    date = datetime.date(2025, 4, 7)
    kind = Event.Kind.SIGNED
    title = factory.Sequence(lambda n: f"Event {n}")
    agreement = factory.SubFactory(AgreementFactory)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)


class ArticleLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleLink

    article = factory.SubFactory(ArticleFactory)
    agreement = factory.SubFactory(AgreementFactory)
    status = ArticleLink.Status.SUGGESTED
    matched_terms = ["IRS–ICE MOU"]
