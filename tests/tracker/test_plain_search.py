"""?search= on every list when no search app is installed: the tracker's own plain match.

apps.search fills the text_search hook in its ready(), and it is installed in every settings
module, so these tests unset the hook for their duration, as a project without apps/search would
run. Each asserts exactly which rows a search lists: the words in any named field or an alias,
case-insensitively, the text trimmed, and nothing else."""

import pytest
from django.urls import reverse

from apps.tracker import text_search
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    EventFactory,
    LegalChallengeFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def without_search_app(monkeypatch):
    monkeypatch.setattr(text_search, "_validate", None)
    monkeypatch.setattr(text_search, "_filter", None)


def listed(api_client, name, search, key="slug"):
    response = api_client.get(reverse(f"api:{name}-list"), {"search": search})
    assert response.status_code == 200, response.content
    return sorted(item[key] for item in response.json()["results"])


def test_agreements_by_title_summary_or_alias_and_no_other(api_client):
    AgreementFactory(slug="by-title", title="The IRS–ICE Memorandum", summary="Data.")
    AgreementFactory(slug="by-summary", title="Accord", summary="Shares irs–ice records.")
    aliased = AgreementFactory(slug="by-alias", title="Accord", summary="Data.")
    AliasFactory(actor=None, agreement=aliased, text="The IRS-ICE deal")
    other = AgreementFactory(slug="other", title="Accord", summary="Data.")
    AliasFactory(actor=None, agreement=other, text="Unrelated")
    # An actor's alias with the same words names no agreement.
    AliasFactory(text="IRS–ICE")

    assert listed(api_client, "agreement", "irs–ice") == ["by-summary", "by-title"]
    assert listed(api_client, "agreement", "IRS-ICE DEAL") == ["by-alias"]
    assert listed(api_client, "agreement", "  Memorandum  ") == ["by-title"]


def test_actors_by_name_description_or_their_own_alias(api_client):
    ActorFactory(slug="ice", name="Immigration and Customs Enforcement", description="")
    ActorFactory(slug="dhs", name="Homeland Security", description="Parent of immigration work")
    aliased = ActorFactory(slug="irs", name="Internal Revenue Service", description="")
    AliasFactory(actor=aliased, text="The Service")
    ActorFactory(slug="court", name="District Court", description="")
    agreement = AgreementFactory(title="Service agreement")
    AliasFactory(actor=None, agreement=agreement, text="The Service deal")

    assert listed(api_client, "actor", "IMMIGRATION") == ["dhs", "ice"]
    assert listed(api_client, "actor", "the service") == ["irs"]
    assert listed(api_client, "actor", "\tcourt ") == ["court"]


def test_cases_by_caption_docket_summary_or_alias(api_client):
    LegalChallengeFactory(slug="caption", caption="Centro v. Bessent", summary="")
    LegalChallengeFactory(slug="docket", docket_number="25-CV-0998", summary="")
    LegalChallengeFactory(slug="summary", summary="Challenges the Bessent memorandum.")
    aliased = LegalChallengeFactory(slug="alias", summary="")
    AliasFactory(actor=None, challenge=aliased, text="The Centro suit")
    LegalChallengeFactory(slug="other", summary="")

    assert listed(api_client, "challenge", "bessent") == ["caption", "summary"]
    assert listed(api_client, "challenge", "25-cv-0998") == ["docket"]
    assert listed(api_client, "challenge", "centro suit") == ["alias"]


def test_events_by_title_or_description(api_client):
    EventFactory(title="Memorandum signed", description="")
    EventFactory(title="Hearing", description="The memorandum was argued.")
    EventFactory(title="Filing", description="A complaint.")

    assert listed(api_client, "event", " MEMORANDUM", key="title") == [
        "Hearing",
        "Memorandum signed",
    ]


def test_statements_by_text_venue_or_speaker_label(api_client):
    position = PositionFactory()
    StatementFactory(position=position, text="It is unprecedented.", venue="", said_on=None)
    StatementFactory(position=position, text="No comment.", venue="Unprecedented hearing")
    StatementFactory(position=position, text="No comment.", speaker_label="Mr Unprecedented")
    StatementFactory(position=position, text="Other words.", venue="Press call")

    texts = listed(api_client, "statement", "UNPRECEDENTED", key="text")

    assert texts == ["It is unprecedented.", "No comment.", "No comment."]


def test_articles_by_title_only(api_client):
    ArticleFactory(title="IRS shares data with ICE", summary="")
    ArticleFactory(title="Weather", summary="Not about the irs at all.")

    assert listed(api_client, "article", "irs shares", key="title") == ["IRS shares data with ICE"]


def test_a_blank_search_lists_everything(api_client):
    TopicFactory(slug="a", name="Privacy")
    TopicFactory(slug="b", name="Tax")

    assert listed(api_client, "topic", "   ") == ["a", "b"]
    assert listed(api_client, "topic", "TAX") == ["b"]
