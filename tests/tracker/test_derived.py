"""The latest event kept on each agreement: what the services keep on every write is exactly
what `manage.py refresh_derived` recomputes from the events."""

import datetime
import io

import pytest
from django.core.management import call_command

from apps.tracker.models import Agreement, DatePrecision, Event
from tests.factories import AgreementFactory, EventFactory, LegalChallengeFactory

pytestmark = pytest.mark.django_db

DERIVED = list(Agreement.DERIVED_FIELDS)


def derived_state():
    return list(Agreement.objects.order_by("pk").values_list("pk", *DERIVED))


def day(n):
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=n)


def test_latest_event_follows_the_newest_own_event():
    agreement = AgreementFactory()
    EventFactory(agreement=agreement, date=day(1), title="First")
    newest = EventFactory(agreement=agreement, date=day(5), title="Newest")
    EventFactory(agreement=agreement, date=day(3), title="Between")

    agreement.refresh_from_db()
    assert (agreement.latest_event_id, agreement.latest_event_title) == (newest.pk, "Newest")
    assert agreement.latest_event_date == day(5)


def test_latest_event_counts_events_of_challenges_and_follows_pairing():
    agreement = AgreementFactory()
    EventFactory(agreement=agreement, date=day(1))
    challenge = LegalChallengeFactory()
    ruling = EventFactory(agreement=None, challenge=challenge, date=day(9), title="Ruling")

    challenge.agreements.add(agreement)
    agreement.refresh_from_db()
    assert agreement.latest_event_id == ruling.pk

    challenge.agreements.clear()
    agreement.refresh_from_db()
    assert agreement.latest_event_date == day(1)


def test_latest_event_follows_edits_moves_and_deletes():
    agreement, other = AgreementFactory(), AgreementFactory()
    old = EventFactory(agreement=agreement, date=day(1), title="Old")
    event = EventFactory(agreement=agreement, date=day(40), title="Draft")

    event.title = "Final"
    event.date_precision = DatePrecision.MONTH
    event.save()
    agreement.refresh_from_db()
    assert agreement.latest_event_title == "Final"
    assert agreement.latest_event_precision == DatePrecision.MONTH

    event.agreement = other
    event.save()
    agreement.refresh_from_db()
    other.refresh_from_db()
    assert (agreement.latest_event_id, other.latest_event_id) == (old.pk, event.pk)

    event.delete()
    other.refresh_from_db()
    assert other.latest_event_id is None
    assert (other.latest_event_date, other.latest_event_title) == (None, "")


def test_ties_break_as_the_timeline_does():
    agreement = AgreementFactory()
    EventFactory(agreement=agreement, date=day(4), sequence=2)
    last = EventFactory(agreement=agreement, date=day(4), sequence=3)
    EventFactory(agreement=agreement, date=day(4), sequence=1)

    agreement.refresh_from_db()
    timeline = list(Event.objects.timeline_of_agreement(agreement))
    assert agreement.latest_event_id == last.pk == timeline[-1].pk


def test_refresh_derived_recomputes_exactly_what_the_services_keep():
    agreements = [AgreementFactory() for _ in range(4)]
    challenge = LegalChallengeFactory()
    challenge.agreements.add(agreements[0], agreements[1])
    for n, agreement in enumerate(agreements[:3]):
        EventFactory(agreement=agreement, date=day(n), title=f"Own {n}")
    EventFactory(agreement=None, challenge=challenge, date=day(2), title="Case")
    moved = EventFactory(agreement=agreements[2], date=day(7))
    moved.agreement = agreements[3]
    moved.save()
    kept = derived_state()
    assert all(row[1] is not None for row in kept)

    # What a bulk load leaves behind: no save(), so nothing derived.
    Agreement.objects.update(
        latest_event=None, latest_event_date=None, latest_event_precision="", latest_event_title=""
    )
    out = io.StringIO()
    call_command("refresh_derived", stdout=out)

    assert derived_state() == kept
    assert "agreement latest events: 4 changed" in out.getvalue()

    call_command("refresh_derived", stdout=out)
    assert out.getvalue().endswith("agreement latest events: 0 changed\n")
