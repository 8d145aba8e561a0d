"""A new agreement entered on one screen: its events (with description, precision, actors and
sources) and its statements (with stakeholder and stance) saved with it, errors on their row."""

import pytest
from django.urls import reverse

from apps.tracker.models import Agreement, Event, Position, Statement
from tests.factories import ActorFactory, ArticleFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = ("aliases", "parties", "positions", "events", "documents", "article_links")


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _agreement_form(**rows):
    data = {
        "title": "CMS–ICE Medicaid data-sharing agreement",
        "slug": "",
        "kind": "mou",
        "status": "signed",
        "summary": "",
    }
    for prefix in (*INLINE_PREFIXES, "agreement_statements"):
        data.update(_management(prefix, len(rows.get(prefix, []))))
        for i, row in enumerate(rows.get(prefix, [])):
            data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def test_a_new_agreement_is_saved_with_two_events_and_a_statement(curator_client):
    cms, ice = ActorFactory(name="CMS"), ActorFactory(name="ICE")
    governor = PersonFactory(name="Gavin Newsom")
    state = ActorFactory(name="State of California", kind="state_government")
    report = ArticleFactory(title="CMS gave ICE Medicaid data")
    data = _agreement_form(
        events=[
            {
                "title": "CMS shares Medicaid data with ICE",
                "kind": "reported",
                "date": "2025-06-01",
                "date_precision": "month",
                "sequence": "0",
                "description": "Reported by the AP.",
                "actors": [cms.pk, ice.pk],
                "sources": [report.pk],
            },
            {
                "title": "States sue",
                "kind": "filed",
                "date": "2025-07-01",
                "date_precision": "day",
                "sequence": "0",
                "description": "",
            },
        ],
        agreement_statements=[
            {
                "stakeholder": state.pk,
                "stance": "opposes",
                "speaker": governor.pk,
                "speaker_label": "",
                "kind": "quote",
                "text": "An outrageous breach of privacy.",
                "said_on": "2025-06-14",
                "said_on_precision": "day",
                "venue": "",
                "source": report.pk,
                "source_url": "",
                "sequence": "0",
            },
        ],
    )

    response = curator_client.post(reverse("admin:tracker_agreement_add"), data)

    assert response.status_code == 302, response.context and [
        (f.prefix, f.errors) for f in response.context["inline_admin_formsets"] for f in [f.formset]
    ]
    agreement = Agreement.objects.get()
    assert agreement.slug == "cms-ice-medicaid-data-sharing-agreement"
    reported = agreement.events.get(title="CMS shares Medicaid data with ICE")
    assert reported.description == "Reported by the AP."
    assert reported.date_precision == "month"
    assert set(reported.actors.all()) == {cms, ice}
    assert list(reported.sources.all()) == [report]
    assert agreement.events.count() == 2
    statement = Statement.objects.get()
    assert statement.position.agreement == agreement
    assert statement.position.actor == state and statement.position.stance == "opposes"
    assert statement.speaker == governor and statement.source == report


def test_a_statement_without_a_stakeholder_is_the_speakers_own_position(curator_client):
    speaker = ActorFactory(name="Public Citizen", kind="organization")
    data = _agreement_form(
        agreement_statements=[
            {
                "stakeholder": "",
                "stance": "concerned",
                "speaker": speaker.pk,
                "kind": "paraphrase",
                "text": "Said it is unlawful.",
                "said_on": "",
                "said_on_precision": "day",
                "sequence": "0",
            },
        ],
    )

    curator_client.post(reverse("admin:tracker_agreement_add"), data)

    position = Position.objects.get()
    assert position.actor == speaker and position.stance == "concerned"


def test_an_existing_position_is_reused_and_its_statements_listed(curator_client):
    position = PositionFactory(stance="concerned")
    url = reverse("admin:tracker_agreement_change", args=[position.agreement.pk])

    page = curator_client.get(url).content.decode()
    assert "agreement_statements-TOTAL_FORMS" in page

    data = _agreement_form(
        agreement_statements=[
            {
                "stakeholder": position.actor.pk,
                "stance": "opposes",
                "speaker": position.actor.pk,
                "kind": "quote",
                "text": "We oppose it.",
                "said_on_precision": "day",
                "sequence": "0",
            },
        ],
    )
    data.update(title=position.agreement.title, slug=position.agreement.slug)
    response = curator_client.post(url, data)

    assert response.status_code == 302
    assert Position.objects.count() == 1
    position.refresh_from_db()
    assert position.stance == "opposes" and position.statements.count() == 1


def test_an_invalid_event_row_keeps_the_whole_screen_and_says_which_row(curator_client):
    data = _agreement_form(
        events=[
            {
                "title": "Good event",
                "kind": "signed",
                "date": "2025-04-07",
                "date_precision": "day",
                "sequence": "0",
            },
            {
                "title": "Bad date",
                "kind": "signed",
                "date": "2025-13-45",
                "date_precision": "day",
                "sequence": "0",
            },
        ],
    )

    response = curator_client.post(reverse("admin:tracker_agreement_add"), data)

    assert response.status_code == 200
    assert not Agreement.objects.exists() and not Event.objects.exists()
    events = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "events"
    )
    assert not events.forms[0].errors
    assert "date" in events.forms[1].errors
    assert 'value="Good event"' in response.content.decode()
