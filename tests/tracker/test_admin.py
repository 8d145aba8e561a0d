"""The curators' admin: every page renders, changelists stay at a fixed number of queries, inline
edits lose nothing, protected records cannot be deleted, and edits show in the history."""

import datetime

import lxml.html
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tracker.models import Actor, Agreement, Event, LegalChallenge, Party
from tests.factories import (
    AffiliationFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ArticleURLFactory,
    ChallengePartyFactory,
    EventFactory,
    FeedFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response, form_id):
    """What a browser would submit from the form as rendered, as a dict for the test client."""
    form = lxml.html.fromstring(response.content).get_element_by_id(form_id)
    data = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def get_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def record(db):
    """One of everything, wired together as a curator would have it."""
    agreement = AgreementFactory()
    agreement.topics.add(TopicFactory())
    party = PartyFactory(agreement=agreement, signed_by=PersonFactory())
    AliasFactory(actor=None, agreement=agreement, text="IRS–ICE MOU")
    AffiliationFactory(person=party.signed_by, organization=party.actor)
    statement = StatementFactory(position=PositionFactory(agreement=agreement))
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreement)
    ChallengePartyFactory(challenge=challenge)
    EventFactory(agreement=agreement, challenge=challenge, sources=[statement.source])
    ArticleURLFactory(article=statement.source)
    ArticleLinkFactory(article=statement.source, agreement=agreement)
    FeedFactory()
    agreement.documents.create(title="The MOU", url="https://example.gov/mou.pdf")
    return agreement


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_add_page_render(curator_client, rf, curator, record, model):
    assert curator_client.get(admin_url(model, "changelist")).status_code == 200
    request = rf.get("/")
    request.user = curator
    # Some third-party admins are read-only (django-axes' login logs): they refuse the add page.
    addable = admin.site._registry[model].has_add_permission(request)
    assert curator_client.get(admin_url(model, "add")).status_code == (200 if addable else 403)


@pytest.mark.parametrize(
    "model",
    [m for m in REGISTERED if m._meta.app_label in {"tracker", "news"}],
    ids=lambda model: model._meta.label,
)
def test_change_and_history_page_render(curator_client, record, model):
    obj = model._default_manager.first()
    assert curator_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert curator_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in REGISTERED if m._meta.app_label in {"tracker", "news"}]
)
def test_curated_models_have_search_for_autocomplete(model):
    assert admin.site._registry[model].search_fields


def build_agreements(n):
    for _ in range(n):
        agreement = AgreementFactory()
        agreement.topics.add(TopicFactory())
        PartyFactory(agreement=agreement)
        PositionFactory(agreement=agreement)
        EventFactory(agreement=agreement)
        ArticleLinkFactory(agreement=agreement)


def build_events(n):
    for i in range(n):
        event = EventFactory(challenge=LegalChallengeFactory())
        if i % 2:
            event.sources.add(ArticleFactory())


@pytest.mark.parametrize(("model", "build"), [(Agreement, build_agreements), (Event, build_events)])
def test_changelist_queries_do_not_grow_with_rows(curator_client, model, build):
    url = admin_url(model, "changelist")
    build(3)
    with_3 = get_queries(curator_client, url)
    build(27)
    with_30 = get_queries(curator_client, url)
    assert with_30 == with_3


def test_event_changelist_shows_and_filters_unsourced_events(curator_client):
    sourced = EventFactory(title="Sourced event", sources=[ArticleFactory()])
    unsourced = EventFactory(title="Unsourced event")
    url = admin_url(Event, "changelist")

    everything = curator_client.get(url)
    assert "UNSOURCED" in everything.content.decode()

    only_unsourced = curator_client.get(url, {"has_sources": "no"})
    assert list(only_unsourced.context["cl"].result_list) == [unsourced]
    only_sourced = curator_client.get(url, {"has_sources": "yes"})
    assert list(only_sourced.context["cl"].result_list) == [sourced]


def test_half_filled_party_row_is_refused_and_loses_nothing(curator_client):
    agreement = AgreementFactory(title="IRS–ICE MOU")
    existing = PartyFactory(agreement=agreement)
    url = admin_url(Agreement, "change", agreement.pk)
    data = form_data(curator_client.get(url), "agreement_form")
    data["title"] = ["Renamed while a party row is incomplete"]
    row = int(data["parties-TOTAL_FORMS"][0])
    data["parties-TOTAL_FORMS"] = [str(row + 1)]
    data[f"parties-{row}-role"] = [Party.Role.SIGNATORY]
    data[f"parties-{row}-actor"] = [""]
    data[f"parties-{row}-sequence"] = ["1"]

    response = curator_client.post(url, data)

    assert response.status_code == 200
    party_forms = next(
        fs for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == "parties"
    )
    assert party_forms.formset.errors[row] == {"actor": ["This field is required."]}
    assert "Please correct the error" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "IRS–ICE MOU"
    assert list(agreement.parties.all()) == [existing]


def test_agreement_edit_with_its_inlines_saves(curator_client):
    agreement = AgreementFactory()
    PartyFactory(agreement=agreement)
    signer = PersonFactory()
    url = admin_url(Agreement, "change", agreement.pk)
    data = form_data(curator_client.get(url), "agreement_form")
    data["parties-0-signed_by"] = [str(signer.pk)]
    data["parties-0-signed_on"] = ["2025-04-07"]

    response = curator_client.post(url, data)

    assert response.status_code == 302
    party = agreement.parties.get()
    assert party.signed_by == signer
    assert party.signed_on == datetime.date(2025, 4, 7)


def test_deleting_an_actor_that_is_a_party_is_refused(curator_client):
    party = PartyFactory(actor__name="Internal Revenue Service")
    url = admin_url(Actor, "delete", party.actor.pk)

    response = curator_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "would require deleting the following protected related objects" in body
    assert "Internal Revenue Service" in body
    assert Actor.objects.filter(pk=party.actor.pk).exists()
    assert Party.objects.filter(pk=party.pk).exists()


def test_bulk_delete_of_referenced_actors_is_refused(curator_client):
    party = PartyFactory()
    free = PersonFactory()
    response = curator_client.post(
        admin_url(Actor, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [party.actor.pk, free.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    assert Actor.objects.filter(pk__in=[party.actor.pk, free.pk]).count() == 2


def test_agreement_history_shows_an_admin_edit_and_who_made_it(curator_client, curator):
    agreement = AgreementFactory(title="Data-sharing agreement")
    url = admin_url(Agreement, "change", agreement.pk)
    data = form_data(curator_client.get(url), "agreement_form")
    data["title"] = ["IRS–ICE memorandum of understanding"]
    assert curator_client.post(url, data).status_code == 302

    history = curator_client.get(admin_url(Agreement, "history", agreement.pk))

    body = history.content.decode()
    assert "Data-sharing agreement" in body
    assert "IRS–ICE memorandum of understanding" in body
    assert curator.username in body
    latest = agreement.history.first()
    assert latest.history_user == curator
    assert latest.title == "IRS–ICE memorandum of understanding"


def test_actor_search_finds_it_by_alias(curator_client):
    ice = AliasFactory(text="ICE", actor__name="Immigration and Customs Enforcement").actor
    PersonFactory(name="Kristi Noem")

    response = curator_client.get(admin_url(Actor, "changelist"), {"q": "ICE"})

    assert list(response.context["cl"].result_list) == [ice]


def test_adding_an_article_link_from_the_agreement_confirms_it(curator_client, curator):
    agreement = AgreementFactory()
    article = ArticleFactory()
    url = admin_url(Agreement, "change", agreement.pk)
    data = form_data(curator_client.get(url), "agreement_form")
    data["article_links-TOTAL_FORMS"] = ["1"]
    data["article_links-0-article"] = [str(article.pk)]

    assert curator_client.post(url, data).status_code == 302

    link = agreement.article_links.get()
    assert link.article == article
    assert link.status == "confirmed"
    assert link.decided_by == curator


def test_agreement_changelist_counts_each_relation_once(curator_client):
    agreement = AgreementFactory()
    agreement.topics.add(TopicFactory(), TopicFactory())
    PartyFactory.create_batch(2, agreement=agreement)
    EventFactory.create_batch(3, agreement=agreement)
    ArticleLinkFactory.create_batch(2, agreement=agreement)
    ArticleLinkFactory(agreement=agreement, status="confirmed")

    response = curator_client.get(admin_url(Agreement, "changelist"))

    [row] = response.context["cl"].result_list
    assert (row.party_count, row.position_count, row.event_count) == (2, 0, 3)
    assert row.suggested_link_count == 2
    review_url = reverse("admin:news_articlelink_changelist")
    assert f"{review_url}?agreement__id__exact={agreement.pk}" in response.content.decode()


def add_inline_rows(data, prefix, rows):
    """Append rows to an inline formset of submitted form data, as the admin's "Add another"."""
    start = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for offset, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{start + offset}-{field}"] = [value]
    data[f"{prefix}-TOTAL_FORMS"] = [str(start + len(rows))]
    return data


def inline_errors(response, prefix):
    formset = next(
        fs.formset
        for fs in response.context["inline_admin_formsets"]
        if fs.formset.prefix == prefix
    )
    return [message for form in formset for message in form.non_field_errors()]


@pytest.mark.parametrize(
    ("model", "form_id", "make_parent", "message"),
    [
        (Agreement, "agreement_form", AgreementFactory, "This agreement already has this alias."),
        (Actor, "actor_form", PersonFactory, "This actor already has this alias."),
        (
            LegalChallenge,
            "legalchallenge_form",
            LegalChallengeFactory,
            "This legal challenge already has this alias.",
        ),
    ],
    ids=["agreement", "actor", "challenge"],
)
@pytest.mark.parametrize("existing", [True, False], ids=["same-as-saved", "twice-in-one-save"])
def test_duplicate_alias_in_an_inline_is_a_row_error_that_loses_nothing(
    curator_client, model, form_id, make_parent, message, existing
):
    parent = make_parent()
    fk = {"agreement": "agreement", "actor": "actor", "legalchallenge": "challenge"}[
        model._meta.model_name
    ]
    if existing:
        AliasFactory(**{"actor": None, fk: parent, "text": "IRS–ICE MOU"})
    url = admin_url(model, "change", parent.pk)
    data = form_data(curator_client.get(url), form_id)
    name_field = {"agreement": "title", "actor": "name", "challenge": "caption"}[fk]
    data[name_field] = ["Renamed in the same save"]
    rows = [{"text": "IRS–ICE MOU"}] if existing else [{"text": "ICE"}, {"text": "ICE"}]
    add_inline_rows(data, "aliases", rows)

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response, "aliases") == [message]
    assert "Renamed in the same save" in response.content.decode()
    parent.refresh_from_db()
    assert getattr(parent, name_field) != "Renamed in the same save"
    assert parent.aliases.count() == (1 if existing else 0)


def test_affiliating_a_person_with_themself_in_the_inline_is_a_row_error(curator_client):
    person = PersonFactory(name="Scott Bessent")
    url = admin_url(Actor, "change", person.pk)
    data = form_data(curator_client.get(url), "actor_form")
    add_inline_rows(data, "affiliations", [{"role": "Secretary", "organization": str(person.pk)}])

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response, "affiliations") == [
        "A person cannot be affiliated with themself."
    ]
    assert not person.affiliations.exists()


def test_linking_an_already_linked_article_from_the_agreement_is_a_row_error(curator_client):
    link = ArticleLinkFactory(agreement=AgreementFactory())
    url = admin_url(Agreement, "change", link.agreement.pk)
    data = form_data(curator_client.get(url), "agreement_form")
    add_inline_rows(data, "article_links", [{"article": str(link.article.pk)}])

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response, "article_links") == [
        "This article is already linked to this agreement."
    ]
    assert link.agreement.article_links.count() == 1


def test_new_actor_with_two_equal_aliases_is_refused_before_anything_is_saved(curator_client):
    url = admin_url(Actor, "add")
    data = form_data(curator_client.get(url), "actor_form")
    data.update(name=["Internal Revenue Service"], slug=["irs"], kind=[Actor.Kind.AGENCY])
    add_inline_rows(data, "aliases", [{"text": "IRS"}, {"text": "IRS"}])

    response = curator_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response, "aliases") == ["This actor already has this alias."]
    assert not Actor.objects.filter(slug="irs").exists()


def test_new_agreement_can_be_added_with_its_first_event_in_one_form(curator_client):
    url = admin_url(Agreement, "add")
    data = form_data(curator_client.get(url), "agreement_form")
    data.update(
        {
            "title": ["New data-sharing rule"],
            "slug": ["new-data-sharing-rule"],
            "kind": [Agreement.Kind.RULE],
            "status": [Agreement.Status.PROPOSED],
        }
    )
    add_inline_rows(
        data,
        "events",
        [
            {
                "date": "2025-05-01",
                "date_precision": "month",
                "kind": Event.Kind.ANNOUNCED,
                "title": "Rule proposed",
                "sequence": "0",
            }
        ],
    )

    response = curator_client.post(url, data)

    assert response.status_code == 302, inline_errors(response, "events")
    agreement = Agreement.objects.get(slug="new-data-sharing-rule")
    assert [event.title for event in agreement.events.all()] == ["Rule proposed"]
