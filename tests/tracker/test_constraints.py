"""The rules the database itself enforces on the curated record and on article links."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.news.models import ArticleLink
from apps.tracker.models import Actor, Alias, DatePrecision, Event, Party
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    EventFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

SLUGGED = [
    pytest.param(AgreementFactory, "Another agreement already uses this slug.", id="agreement"),
    pytest.param(ActorFactory, "Another actor already uses this slug.", id="actor"),
    pytest.param(
        LegalChallengeFactory,
        "Another legal challenge already uses this slug.",
        id="legal-challenge",
    ),
]


@pytest.mark.parametrize(("factory", "message"), SLUGGED)
def test_duplicate_slug_is_refused_by_the_database(factory, message):
    factory(slug="irs-ice-mou")

    with transaction.atomic(), pytest.raises(IntegrityError):
        factory(slug="irs-ice-mou")

    assert factory._meta.model.objects.filter(slug="irs-ice-mou").count() == 1


@pytest.mark.parametrize(("factory", "message"), SLUGGED)
def test_duplicate_slug_fails_validation_with_a_sentence(factory, message):
    factory(slug="irs-ice-mou")
    # Built, not saved; a case needs no court to be validated.
    extra = {"court": None} if factory is LegalChallengeFactory else {}
    duplicate = factory.build(slug="irs-ice-mou", **extra)

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()

    assert message in excinfo.value.messages


def test_duplicate_canonical_url_is_refused():
    ArticleFactory(canonical_url="https://news.example/irs-ice")

    with transaction.atomic(), pytest.raises(IntegrityError):
        ArticleFactory(canonical_url="https://news.example/irs-ice")


def test_duplicate_canonical_url_fails_validation_with_a_sentence():
    ArticleFactory(canonical_url="https://news.example/irs-ice")
    duplicate = ArticleFactory.build(canonical_url="https://news.example/irs-ice", outlet=None)

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()

    assert "An article with this canonical URL already exists." in excinfo.value.messages


def test_article_link_with_two_targets_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        ArticleLinkFactory(actor=ActorFactory())

    assert not ArticleLink.objects.exists()


def test_article_link_without_a_target_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        ArticleLinkFactory(agreement=None)

    assert not ArticleLink.objects.exists()


def test_article_link_target_rule_fails_validation_with_a_sentence():
    link = ArticleLink(article=ArticleFactory(), status=ArticleLink.Status.SUGGESTED)

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()

    assert (
        "A link points at exactly one agreement, actor or legal challenge."
        in excinfo.value.messages
    )


def test_alias_with_two_targets_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        AliasFactory(text="ICE", agreement=AgreementFactory())

    assert not Alias.objects.exists()


def test_alias_without_a_target_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        AliasFactory(text="ICE", actor=None)


def test_event_belonging_nowhere_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        EventFactory(agreement=None, challenge=None)

    assert not Event.objects.exists()


def test_event_belonging_nowhere_fails_validation_with_a_sentence():
    event = EventFactory.build(agreement=None, challenge=None)

    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()

    assert "An event belongs to an agreement, a challenge or both." in (excinfo.value.messages)


def test_event_may_belong_to_a_challenge_alone():
    event = EventFactory(agreement=None, challenge=LegalChallengeFactory())

    assert event.pk is not None


def test_agreement_expiring_before_it_takes_effect_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        AgreementFactory(
            effective_on=datetime.date(2025, 4, 7), expires_on=datetime.date(2025, 4, 6)
        )


def test_agreement_expiring_on_the_day_it_takes_effect_is_allowed():
    agreement = AgreementFactory(
        effective_on=datetime.date(2025, 4, 7), expires_on=datetime.date(2025, 4, 7)
    )

    assert agreement.pk is not None


def test_agreement_expiring_before_it_is_signed_fails_validation_with_a_sentence():
    agreement = AgreementFactory.build(
        signed_on=datetime.date(2025, 4, 7), expires_on=datetime.date(2025, 1, 1)
    )

    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()

    assert "An agreement cannot expire before it is signed." in excinfo.value.messages


def test_affiliation_ending_before_it_starts_is_refused():
    with transaction.atomic(), pytest.raises(IntegrityError):
        AffiliationFactory(
            start_date=datetime.date(2025, 1, 28), end_date=datetime.date(2024, 12, 31)
        )


def test_affiliation_with_an_open_start_may_end_any_time():
    affiliation = AffiliationFactory(start_date=None, end_date=datetime.date(2019, 7, 31))

    assert affiliation.pk is not None


def test_deleting_an_actor_that_is_a_party_is_refused_and_loses_nothing():
    signer = PersonFactory()
    party = PartyFactory(signed_by=signer)

    with transaction.atomic(), pytest.raises(ProtectedError):
        party.actor.delete()
    with transaction.atomic(), pytest.raises(ProtectedError):
        signer.delete()

    assert Actor.objects.filter(pk=party.actor.pk).exists()
    assert Actor.objects.filter(pk=signer.pk).exists()
    assert Party.objects.filter(pk=party.pk, signed_by=signer).exists()


def test_deleting_an_agreement_with_events_is_refused():
    event = EventFactory()

    with transaction.atomic(), pytest.raises(ProtectedError):
        event.agreement.delete()

    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("precision", "stored"),
    [
        (DatePrecision.MONTH, datetime.date(2025, 5, 1)),
        (DatePrecision.YEAR, datetime.date(2025, 1, 1)),
        (DatePrecision.DAY, datetime.date(2025, 5, 19)),
    ],
)
def test_event_date_is_stored_as_the_first_day_of_its_precision(precision, stored):
    event = EventFactory(date=datetime.date(2025, 5, 19), date_precision=precision)

    event.refresh_from_db()
    assert event.date == stored
