"""`manage.py load_demo`: the IRS–ICE MOU demo record, loaded once, idempotently, all or nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from apps.news.models import Article, ArticleLink, Outlet
from apps.tracker.demo import AGREEMENT_SLUG, ARTICLE_URL, CHALLENGE_SLUG
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
from tests.factories import ActorFactory, LegalChallengeFactory

pytestmark = pytest.mark.django_db


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table of both apps, history and many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for app_label in ("tracker", "news")
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
    }


@pytest.fixture
def demo():
    load_demo()
    return Agreement.objects.get(slug=AGREEMENT_SLUG)


def test_loads_the_expected_number_of_each_record(demo):
    counts = {
        Topic: 2,
        Actor: 19,
        Alias: 48,
        Affiliation: 6,
        Agreement: 1,
        Party: 4,
        Position: 6,
        Statement: 8,
        LegalChallenge: 1,
        ChallengeParty: 6,
        Event: 6,
        Outlet: 1,
        Article: 1,
        ArticleLink: 1,
    }
    assert {model: model.objects.count() for model in counts} == counts


def test_reports_what_it_created():
    assert load_demo() == "Demo data: 110 created, 0 updated, 0 left as they were.\n"


def test_agreement_is_the_signed_mou_with_its_dates_and_topics(demo):
    assert demo.kind == Agreement.Kind.MOU
    assert demo.status == Agreement.Status.SIGNED
    assert demo.signed_on == datetime.date(2025, 4, 7)
    assert demo.effective_on is None
    assert set(demo.topics.values_list("slug", flat=True)) == {
        "immigration-enforcement",
        "taxpayer-privacy",
    }


def test_parties_name_the_signatories_and_the_agencies(demo):
    parties = {
        (p.actor.slug, p.role, p.signed_by.slug if p.signed_by else None, p.signed_on)
        for p in demo.parties.select_related("actor", "signed_by")
    }
    signed = datetime.date(2025, 4, 7)
    assert parties == {
        ("irs", Party.Role.PROVIDING, None, None),
        ("treasury", Party.Role.SIGNATORY, "scott-bessent", signed),
        ("ice", Party.Role.REQUESTING, None, None),
        ("dhs", Party.Role.SIGNATORY, "kristi-noem", signed),
    }


def test_agencies_sit_within_their_departments(demo):
    parents = dict(Actor.objects.filter(parent__isnull=False).values_list("slug", "parent__slug"))
    assert parents == {"irs": "treasury", "ice": "dhs"}


def test_acronyms_match_case_sensitively_and_names_do_not(demo):
    aliases = dict(Alias.objects.filter(actor__slug="ice").values_list("text", "case_sensitive"))
    assert aliases == {"ICE": True, "Immigration and Customs Enforcement": False}
    assert Alias.objects.get(actor__slug="irs", text="IRS").case_sensitive
    assert not Alias.objects.get(agreement=demo, text="IRS–ICE MOU").case_sensitive


def test_positions_record_each_quoted_stakeholder(demo):
    stances = dict(demo.positions.values_list("actor__slug", "stance"))
    assert stances == {
        "treasury": Position.Stance.SUPPORTS,
        "nina-olson": Position.Stance.CONCERNED,
        "jimmy-gomez": Position.Stance.OPPOSES,
        "aaron-reichlin-melnick": Position.Stance.CONCERNED,
        "public-citizen": Position.Stance.OPPOSES,
        "bipartisan-policy-center": Position.Stance.NEUTRAL,
    }


def test_statements_are_exact_quotes_from_their_source_article(demo):
    article = Article.objects.get(canonical_url=ARTICLE_URL)
    statements = Statement.objects.filter(position__agreement=demo)
    assert statements.count() == 8
    for statement in statements:
        assert statement.source == article
        assert statement.kind == Statement.Kind.QUOTE
        assert statement.text in article.text


def test_statements_name_speakers_and_venues_as_the_article_does(demo):
    said = {
        (s.speaker.slug, s.speaker_label, s.venue)
        for s in Statement.objects.filter(position__agreement=demo).select_related("speaker")
    }
    assert said == {
        ("treasury", "a Treasury spokesperson", "in a statement to CNN"),
        ("nina-olson", "", "told the New York Times"),
        ("jimmy-gomez", "", "in a post on X"),
        ("aaron-reichlin-melnick", "", "in a post on X"),
        ("public-citizen", "Public Citizen’s attorneys", ""),
        ("bipartisan-policy-center", "", ""),
    }
    assert Statement.objects.filter(speaker__slug="aaron-reichlin-melnick").count() == 2


def test_statement_dates_are_no_more_exact_than_the_article(demo):
    bpc = Statement.objects.get(speaker__slug="bipartisan-policy-center")
    assert (bpc.said_on, bpc.said_on_precision) == (datetime.date(2018, 1, 1), "year")
    olson = Statement.objects.get(speaker__slug="nina-olson")
    assert olson.said_on is None
    gomez = Statement.objects.filter(speaker__slug="jimmy-gomez")
    assert {(s.said_on, s.said_on_precision) for s in gomez} == {
        (datetime.date(2025, 4, 1), "month")
    }


def test_timeline_runs_in_date_order_with_its_sources(demo):
    article = Article.objects.get(canonical_url=ARTICLE_URL)
    timeline = [
        (e.date, e.date_precision, e.kind, list(e.sources.all()))
        for e in Event.objects.filter(agreement=demo).chronological()
    ]
    assert timeline == [
        (datetime.date(2025, 4, 7), "day", Event.Kind.SIGNED, [article]),
        (datetime.date(2025, 4, 8), "day", Event.Kind.REPORTED, [article]),
        (datetime.date(2025, 4, 8), "day", Event.Kind.STATEMENT, [article]),
        (datetime.date(2025, 4, 8), "day", Event.Kind.STATEMENT, [article]),
        (datetime.date(2025, 4, 8), "day", Event.Kind.STATEMENT, [article]),
        (datetime.date(2025, 5, 1), "month", Event.Kind.RULING, []),
    ]


def test_ruling_belongs_to_the_case_and_the_agreement(demo):
    ruling = Event.objects.get(kind=Event.Kind.RULING)
    assert ruling.challenge.slug == CHALLENGE_SLUG
    assert ruling.agreement == demo
    assert ruling.display_date == "May 2025"
    assert set(ruling.actors.values_list("slug", flat=True)) == {
        "dabney-friedrich",
        "us-district-court-dc",
    }


def test_lawsuit_has_its_parties_and_no_invented_filing_date(demo):
    case = LegalChallenge.objects.get(slug=CHALLENGE_SLUG)
    assert case.caption == "Centro de Trabajadores Unidos v. Bessent"
    assert case.docket_number == "25-cv-0677"
    assert case.court.kind == Actor.Kind.COURT
    assert case.filed_on is None
    assert case.status == LegalChallenge.Status.INJUNCTION_DENIED
    assert list(case.agreements.all()) == [demo]
    roles = {(p.actor.slug, p.role) for p in case.parties.select_related("actor")}
    assert roles == {
        ("centro-de-trabajadores-unidos", "plaintiff"),
        ("immigrant-solidarity-dupage", "plaintiff"),
        ("somos-un-pueblo-unido", "plaintiff"),
        ("inclusive-action-for-the-city", "plaintiff"),
        ("scott-bessent", "defendant"),
        ("public-citizen", "counsel"),
    }
    assert not case.events.filter(kind=Event.Kind.FILED).exists()


def test_article_keeps_the_body_without_page_furniture(demo):
    article = Article.objects.get(canonical_url=ARTICLE_URL)
    assert article.canonical_url.startswith("https://seed.policytracker.example/")
    assert article.published_at.date() == datetime.date(2025, 4, 8)
    assert article.language == "en"
    assert article.text.startswith("The Internal Revenue Service will assist")
    assert article.text.endswith("virtually never prosecuted,” he added.")
    assert "Recommended Stories" not in article.text
    assert "Chip Roy" not in article.text
    assert "TRACKING WHAT DOGE" not in article.text


def test_article_is_confirmed_as_reporting_the_agreement_by_an_alias_it_contains(demo):
    link = ArticleLink.objects.get()
    assert (link.article.canonical_url, link.agreement, link.status) == (
        ARTICLE_URL,
        demo,
        ArticleLink.Status.CONFIRMED,
    )
    assert link.matched_terms == ["deal between the IRS and ICE"]
    assert "deal between the IRS and ICE" in link.snippet


def test_second_run_changes_no_row_and_no_history():
    load_demo()
    before = row_counts()

    output = load_demo()

    assert output == "Demo data already loaded: 110 records, nothing changed.\n"
    assert row_counts() == before
    assert before["tracker.HistoricalAgreement"] >= 1  # history is recorded, just not twice


def test_restore_with_nothing_changed_writes_nothing():
    load_demo()
    before = row_counts()

    load_demo("--restore")

    assert row_counts() == before


def test_a_curators_edit_survives_a_second_run(demo):
    demo.summary = "Corrected by a curator."
    demo.save()
    position = Position.objects.get(actor__slug="nina-olson")
    position.stance = Position.Stance.OPPOSES
    position.save()
    before = row_counts()

    load_demo()

    demo.refresh_from_db()
    position.refresh_from_db()
    assert demo.summary == "Corrected by a curator."
    assert position.stance == Position.Stance.OPPOSES
    assert row_counts() == before


def test_restore_puts_the_demo_values_back_with_one_history_record_each(demo):
    demo.summary = "Corrected by a curator."
    demo.save()
    demo.topics.clear()
    history_before = demo.history.count()

    output = load_demo("--restore")

    demo.refresh_from_db()
    assert demo.summary.startswith("Under this memorandum the Internal Revenue Service")
    assert demo.topics.count() == 2
    assert output == "Demo data: 0 created, 1 updated, 109 left as they were.\n"
    latest = demo.history.first()
    assert latest.history_change_reason == "Loaded by load_demo"
    assert demo.history.count() > history_before


def test_a_deleted_demo_record_is_added_back(demo):
    Alias.objects.get(actor__slug="ice", text="ICE").delete()

    output = load_demo()

    assert Alias.objects.get(actor__slug="ice", text="ICE").case_sensitive
    assert output == "Demo data: 1 created, 0 updated, 109 left as they were.\n"


def test_a_conflict_midway_loads_nothing():
    court = ActorFactory(
        slug="us-district-court-dc", kind=Actor.Kind.COURT, name="A court a curator added"
    )
    LegalChallengeFactory(slug="another-case", court=court, docket_number="25-cv-0677")
    before = row_counts()

    with pytest.raises(CommandError, match="nothing was changed"):
        load_demo()

    assert row_counts() == before
    assert not Agreement.objects.filter(slug=AGREEMENT_SLUG).exists()
