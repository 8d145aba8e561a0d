"""Atom feeds of the record (Django's syndication framework): everything, and per agreement,
actor, legal challenge and topic. An item is a timeline event, newest recorded first, linking to
its permalink; each feed is capped at the latest FEED_SIZE events."""

import re

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from .models import Actor, Agreement, Event, LegalChallenge, Party, Topic

FEED_SIZE = 50
# The characters XML 1.0 cannot carry, escaped or not (Django's generator refuses them).
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _XMLSafeGenerator(SimplerXMLGenerator):
    def characters(self, content):
        super().characters(XML_ILLEGAL.sub("", content) if content else content)


class AtomFeed(Atom1Feed):
    """Atom that leaves out the control characters a curator's pasted text may hold, which XML
    cannot carry: without this one such character made the whole feed a 500."""

    def write(self, outfile, encoding):
        handler = _XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class EventFeed(Feed):
    feed_type = AtomFeed

    def item_title(self, item):
        return f"{item.display_date} · {item.get_kind_display()}: {item.title}"

    def item_description(self, item):
        where = item.agreement or item.challenge
        return f"{item.description}\n\n{where}".strip()

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"event-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def _latest(self, events):
        return Event.objects.filter(pk__in=events.values("pk")).recorded_recently(limit=FEED_SIZE)


class EverythingFeed(EventFeed):
    title = "PolicyTracker: everything recorded"
    subtitle = "New timeline entries across every tracked agreement and legal challenge."

    def link(self):
        return reverse("tracker:home")

    def items(self):
        return Event.objects.recorded_recently(limit=FEED_SIZE)


class AgreementFeed(EventFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Agreement, slug=slug)

    def title(self, obj):
        return f"PolicyTracker: {obj.title}"

    def subtitle(self, obj):
        return "New entries on the agreement's timeline and those of the lawsuits against it."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._latest(Event.objects.about_agreements(Agreement.objects.filter(pk=obj.pk)))


class ActorFeed(EventFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Actor, slug=slug)

    def title(self, obj):
        return f"PolicyTracker: {obj.name}"

    def subtitle(self, obj):
        return "New events that involve this actor or an agreement it is a party to."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        involved = Event.actors.through.objects.filter(event=OuterRef("pk"), actor=obj)
        is_party = Party.objects.filter(agreement=OuterRef("pk"), actor=obj)
        party_to = Agreement.objects.filter(Exists(is_party))
        return self._latest(
            Event.objects.filter(Exists(involved)) | Event.objects.about_agreements(party_to)
        )


class ChallengeFeed(EventFeed):
    def get_object(self, request, slug):
        return get_object_or_404(LegalChallenge, slug=slug)

    def title(self, obj):
        return f"PolicyTracker: {obj.caption}"

    def subtitle(self, obj):
        return "New filings, rulings and other events in this case."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return Event.objects.filter(challenge=obj).recorded_recently(limit=FEED_SIZE)


class TopicFeed(EventFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"PolicyTracker: {obj.name}"

    def subtitle(self, obj):
        return "New events on the agreements under this topic."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._latest(Event.objects.about_agreements(Agreement.objects.filter(topics=obj)))
