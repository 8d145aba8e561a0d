"""seed_bench: the counts of each scale, every model rule, the skew, and the same rows per seed."""

import datetime as dt
import statistics

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from apps.news.models import Article, ArticleLink
from apps.tracker.models import (
    Actor,
    Agreement,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    truncate_date,
)
from bench.seed import SCALES

SMALL = SCALES["small"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small scale, loaded once for the module (VACUUM needs a real commit)."""
    with django_db_blocker.unblock():
        call_command("seed_bench", "--scale", "small", "--reset", "--seed", "7", verbosity=0)
        yield
        call_command("flush", "--noinput", verbosity=0)


pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_small_scale_has_the_counts_it_promises(seeded):
    assert Agreement.objects.count() == SMALL.agreements
    assert Actor.objects.count() == SMALL.actors
    assert Article.objects.count() == SMALL.articles
    assert Event.objects.count() == SMALL.events
    assert Statement.objects.count() == SMALL.statements
    assert ArticleLink.objects.count() == SMALL.links
    assert LegalChallenge.objects.count() == SMALL.challenges


def test_every_row_passes_the_model_constraints(seeded):
    # The database checked its own constraints on COPY; these are the rules Django holds.
    for model in (Agreement, Actor, Party, Position, LegalChallenge):
        for row in model.objects.all()[:200]:
            row.validate_constraints()
    for link in ArticleLink.objects.all()[:200]:
        link.validate_constraints()


def test_dates_are_stored_as_their_precision_says(seeded):
    for event in Event.objects.exclude(date_precision="day")[:500]:
        assert event.date == truncate_date(event.date, event.date_precision)
    for statement in Statement.objects.exclude(said_on_precision="day")[:500]:
        assert statement.said_on == truncate_date(statement.said_on, statement.said_on_precision)


def test_every_agreement_has_events_and_a_few_carry_most_of_them(seeded):
    counts = sorted(
        Agreement.objects.annotate(n=Count("events")).values_list("n", flat=True), reverse=True
    )
    assert min(counts) >= 1
    assert counts[0] > 10 * statistics.median(counts)
    # The most prominent agreement is also the most discussed.
    top = Agreement.objects.annotate(n=Count("events")).order_by("-n").first()
    statements = Statement.objects.filter(position__agreement=top).count()
    assert statements == max(
        Statement.objects.values("position__agreement")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )


def test_links_point_at_one_target_and_statements_at_existing_sources(seeded):
    assert not ArticleLink.objects.filter(
        Q(agreement__isnull=True) & Q(actor__isnull=True) & Q(challenge__isnull=True)
    ).exists()
    assert not Party.objects.filter(signed_by=F("actor")).exists()
    assert Statement.objects.filter(source__isnull=False).count() > SMALL.statements // 2


def test_new_rows_get_fresh_ids_after_the_load(seeded):
    actor = Actor.objects.create(kind="person", name="New Person", slug="new-person")
    assert actor.pk > SMALL.actors


def test_the_pages_render_over_seeded_data(seeded, client):
    agreement = Agreement.objects.annotate(n=Count("events")).order_by("-n").first()
    assert client.get(agreement.get_absolute_url()).status_code == 200
    assert client.get(f"/api/v1/agreements/{agreement.slug}/timeline/").status_code == 200
    assert client.get("/api/v1/articles/").status_code == 200


def test_a_populated_database_needs_reset(seeded):
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_bench", "--scale", "small", verbosity=0)


def test_the_same_seed_gives_the_same_rows(seeded, django_db_blocker):
    def fingerprint():
        return (
            list(Agreement.objects.order_by("id").values_list("title", "announced_on")[:50]),
            list(Event.objects.order_by("id").values_list("agreement_id", "date")[:500]),
            list(ArticleLink.objects.order_by("id").values_list("article_id", "status")[:500]),
        )

    before = fingerprint()
    with django_db_blocker.unblock():
        call_command("seed_bench", "--scale", "small", "--reset", "--seed", "7", verbosity=0)
    assert fingerprint() == before
    assert Agreement.objects.filter(announced_on__lte=dt.date(2026, 11, 1)).count() == (
        SMALL.agreements
    )
