"""The curated record: actors, agreements, their parties and stakeholders, lawsuits and timelines.

Every model here is curated by people and keeps its change history. References between curated
records are PROTECT: deleting something another record points at is refused, never cascaded.
"""

import functools
import operator
from urllib.parse import urlencode

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from .querysets import (
    ActorQuerySet,
    AgreementQuerySet,
    EventQuerySet,
    LegalChallengeQuerySet,
    PositionQuerySet,
    StatementQuerySet,
)
from .slugs import unique_slug


class BothSidesHistoricalRecords(HistoricalRecords):
    """History whose many-to-many fields may be changed from either side.

    django-simple-history records an m2m change on the instance the signal names. Changed from
    the other side (`article.events.add(event)`, `topic.agreements.add(agreement)`) that instance
    is the article or topic, which has no such history, and the change crashed. Here a change
    from the other side is recorded on each row of this model that it touched.
    """

    _CLEARED = "_history_other_side_cleared"

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        if not reverse:
            return super().m2m_changed(
                instance=instance, action=action, attr=attr, pk_set=pk_set, reverse=reverse
            )
        if instance is None or hasattr(instance, "skip_history_when_saving"):
            return
        if action == "pre_clear":
            # The rows a clear touches are gone by post_clear: remember them now.
            cleared = set(
                model._default_manager.filter(**{attr: instance}).values_list("pk", flat=True)
            )
            setattr(instance, self._CLEARED, cleared)
            return
        if action == "post_clear":
            pk_set = getattr(instance, self._CLEARED, set())
        elif action not in ("post_add", "post_remove"):
            return
        for row in model._default_manager.filter(pk__in=pk_set or ()):
            super().m2m_changed(instance=row, action=action, attr=attr, pk_set=None, reverse=False)


class SluggedModel(models.Model):
    """A record whose slug, left blank, is made from its name (see `slugs.make_slug`)."""

    slug_source = "name"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), getattr(self, self.slug_source), exclude_pk=self.pk)
        super().save(*args, **kwargs)


SLUG_HELP = "Leave blank to make it from the name."


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def format_date_with_precision(value, precision: str) -> str:
    """'7 April 2025', 'May 2025' or '2025' — a date shown no more exactly than it is known."""
    if value is None:
        return "date unknown"
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def exactly_one_of(*fields: str) -> Q:
    """A condition that exactly one of these nullable foreign keys is set."""
    return functools.reduce(
        operator.or_,
        (Q(**{f"{field}__isnull": field != chosen for field in fields}) for chosen in fields),
    )


def truncate_date(value, precision: str):
    """The first day of the month or year that a month- or year-precision date stands for."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


class Topic(SluggedModel, TimeStamped):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, blank=True, help_text=SLUG_HELP)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:topic-detail", kwargs={"slug": self.slug})


class Actor(SluggedModel, TimeStamped):
    class Kind(models.TextChoices):
        AGENCY = "agency", "Federal agency"
        DEPARTMENT = "department", "Department"
        STATE_GOVERNMENT = "state_government", "State government"
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organisation"
        COURT = "court", "Court"
        COMMITTEE = "committee", "Committee"
        LEGISLATURE = "legislature", "Legislature"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True, help_text=SLUG_HELP)
    description = models.TextField(blank=True, help_text="One or two sentences: who this is.")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body this one sits within, e.g. ICE within DHS.",
    )
    wikidata_qid = models.CharField(
        "Wikidata QID",
        max_length=20,
        blank=True,
        help_text="e.g. Q1051454",
    )
    website = models.URLField(blank=True)

    objects = ActorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="actor_name_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="actor_unique_slug",
                violation_error_message="Another actor already uses this slug.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="actor_not_own_parent",
                violation_error_message="An actor cannot be its own parent.",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_qid="") | Q(wikidata_qid__regex=r"^Q[1-9][0-9]*$"),
                name="actor_wikidata_qid_format",
                violation_error_message="A Wikidata QID looks like Q123.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:actor-detail", kwargs={"slug": self.slug})


class Affiliation(TimeStamped):
    """A person's role at an organisation over a span of time (Secretary of the Treasury)."""

    person = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="affiliations")
    organization = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=200, help_text="e.g. Secretary of the Treasury")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person__name", "-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="affiliation_end_after_start",
                violation_error_message="An affiliation cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(person=F("organization")),
                name="affiliation_not_self",
                violation_error_message="A person cannot be affiliated with themself.",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.role}, {self.organization}"

    def get_absolute_url(self):
        return self.person.get_absolute_url()


class Agreement(SluggedModel, TimeStamped):
    slug_source = "title"
    DERIVED_FIELDS = (
        "latest_event",
        "latest_event_date",
        "latest_event_precision",
        "latest_event_title",
    )

    class Kind(models.TextChoices):
        MOU = "mou", "Memorandum of understanding"
        EXECUTIVE_ORDER = "executive_order", "Executive order"
        RULE = "rule", "Rule"
        GUIDANCE = "guidance", "Guidance"
        STATUTE = "statute", "Statute"
        COURT_ORDER = "court_order", "Court order"
        POLICY = "policy", "Policy"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SIGNED = "signed", "Signed"
        IN_EFFECT = "in_effect", "In effect"
        SUSPENDED = "suspended", "Suspended"
        PARTIALLY_ENJOINED = "partially_enjoined", "Partially enjoined"
        ENJOINED = "enjoined", "Enjoined"
        RESCINDED = "rescinded", "Rescinded"
        EXPIRED = "expired", "Expired"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200, blank=True, help_text="Leave blank to make it from the title."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    summary = models.TextField(blank=True)
    announced_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="agreements")

    # The newest entry of the timeline (its own events and those of challenges against it), so
    # lists sort and show it without touching events. Derived data: apps/tracker/services.py
    # keeps it current and `manage.py refresh_derived` recomputes it from the events.
    latest_event = models.ForeignKey(
        "Event",
        on_delete=models.SET_NULL,  # derived: the service recomputes it after the delete
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    latest_event_date = models.DateField(null=True, blank=True, editable=False)
    latest_event_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, blank=True, editable=False
    )
    latest_event_title = models.CharField(max_length=300, blank=True, editable=False)

    objects = AgreementQuerySet.as_manager()
    history = BothSidesHistoricalRecords(m2m_fields=[topics])

    class Meta:
        ordering = ["title", "id"]
        # The home and topic pages' order (latest activity first) is served by the index
        # agreement_latest_activity, created on PostgreSQL only by migration 0002: SQLite cannot
        # index NULLS LAST.
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="agreement_unique_slug",
                violation_error_message="Another agreement already uses this slug.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gte=F("effective_on")),
                name="agreement_expires_after_effective",
                violation_error_message="An agreement cannot expire before it takes effect.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(expires_on__gte=F("signed_on")),
                name="agreement_expires_after_signed",
                violation_error_message="An agreement cannot expire before it is signed.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracker:agreement-detail", kwargs={"slug": self.slug})


class AgreementDocument(TimeStamped):
    """An official text of an agreement: the signed MOU, the Federal Register notice."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)
    published_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "published_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "url"],
                name="agreementdocument_unique_url",
                violation_error_message="This document is already listed for the agreement.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url


class Alias(TimeStamped):
    """A name a tracked record goes by in text ("ICE", "IRS–ICE MOU"), used to match articles.

    An alias belongs to exactly one actor, agreement or legal challenge. Acronyms match
    case-sensitively so that an "ice storm" is not ICE.
    """

    text = models.CharField(max_length=200)
    case_sensitive = models.BooleanField(
        default=False,
        help_text="Match only this exact capitalisation. Set it for acronyms such as ICE or IRS.",
    )
    # An alias is part of its record: it goes when its record goes.
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    challenge = models.ForeignKey(
        "LegalChallenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["text", "id"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of("actor", "agreement", "challenge"),
                name="alias_exactly_one_target",
                violation_error_message=(
                    "An alias belongs to exactly one actor, agreement or legal challenge."
                ),
            ),
            models.UniqueConstraint(
                fields=["actor", "text"],
                condition=Q(actor__isnull=False),
                name="alias_unique_per_actor",
                violation_error_message="This actor already has this alias.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "text"],
                condition=Q(agreement__isnull=False),
                name="alias_unique_per_agreement",
                violation_error_message="This agreement already has this alias.",
            ),
            models.UniqueConstraint(
                fields=["challenge", "text"],
                condition=Q(challenge__isnull=False),
                name="alias_unique_per_challenge",
                violation_error_message="This legal challenge already has this alias.",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def target(self):
        return self.actor or self.agreement or self.challenge

    def get_absolute_url(self):
        return self.target.get_absolute_url()


class Party(TimeStamped):
    """An actor's part in an agreement, and who signed for it."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", "Signatory"
        REQUESTING = "requesting", "Requesting agency"
        PROVIDING = "providing", "Providing agency"
        OVERSIGHT = "oversight", "Oversight"
        OTHER = "other", "Other"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=Role.choices)
    signed_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        help_text="The person who signed on this party's behalf.",
    )
    signed_on = models.DateField(null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(default=0, help_text="Order on the page.")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["agreement", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "actor", "role"],
                name="party_unique_role",
                violation_error_message="This actor already has this role in the agreement.",
            ),
            models.CheckConstraint(
                condition=~Q(signed_by=F("actor")),
                name="party_signer_not_party",
                violation_error_message="The signer acts for the party and cannot be the party.",
            ),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()}) — {self.agreement}"

    def get_absolute_url(self):
        return self.agreement.get_absolute_url()


class Position(TimeStamped):
    """A stakeholder's stance on an agreement, backed by statements."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        OPPOSES = "opposes", "Opposes"
        CONCERNED = "concerned", "Concerned"
        NEUTRAL = "neutral", "Neutral"
        UNCLEAR = "unclear", "Unclear"

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="positions")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="positions")
    stance = models.CharField(max_length=20, choices=Stance.choices, db_index=True)
    summary = models.TextField(blank=True)

    objects = PositionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "stance", "actor__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "agreement"],
                name="position_unique_actor_agreement",
                violation_error_message="This actor already has a position on this agreement.",
            )
        ]

    def __str__(self):
        return f"{self.actor}: {self.get_stance_display()} — {self.agreement}"

    def get_absolute_url(self):
        return self.agreement.get_absolute_url() + f"#position-{self.pk}"


class Statement(TimeStamped):
    """A quote or paraphrase by a speaker, on a stakeholder's position, in a source."""

    class Kind(models.TextChoices):
        QUOTE = "quote", "Quote"
        PARAPHRASE = "paraphrase", "Paraphrase"

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="statements")
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="Who said it; may be a person speaking for the position's actor.",
    )
    speaker_label = models.CharField(
        max_length=200,
        blank=True,
        help_text='How the source names an unnamed speaker, e.g. "a Treasury spokesperson".',
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.QUOTE)
    text = models.TextField()
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    venue = models.CharField(
        max_length=200,
        blank=True,
        help_text='Where it was said, e.g. "in a post on X", "told the New York Times".',
    )
    source = models.ForeignKey(
        "news.Article",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        help_text="The article that reports the statement.",
    )
    source_url = models.URLField(
        max_length=1000, blank=True, help_text="The original post or document, when there is one."
    )
    sequence = models.PositiveSmallIntegerField(default=0)

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "said_on", "sequence", "id"]
        indexes = [
            models.Index(fields=["speaker", "said_on"], name="statement_speaker_date"),
            # "What changed": statements newest-recorded first.
            models.Index(fields=["-created_at", "-id"], name="statement_recorded"),
            # The API's statement list: newest first, keyset on (said_on, id).
            models.Index(fields=["-said_on", "-id"], name="statement_latest"),
            # A position's statements in the order its page and API list them.
            models.Index(
                fields=["position", "said_on", "sequence", "id"], name="statement_position_order"
            ),
        ]

    def __str__(self):
        return f"{self.speaker}: “{Truncator(self.text).chars(60)}”"

    def get_absolute_url(self):
        # Its own page: the agreement's page lists only the first statements of each position.
        return reverse("tracker:statement-detail", kwargs={"pk": self.pk})

    @property
    def is_sourced(self) -> bool:
        return bool(self.source_id or self.source_url)


class LegalChallenge(SluggedModel, TimeStamped):
    slug_source = "caption"

    class Status(models.TextChoices):
        FILED = "filed", "Filed"
        PENDING = "pending", "Pending"
        INJUNCTION_GRANTED = "injunction_granted", "Injunction granted"
        INJUNCTION_DENIED = "injunction_denied", "Injunction denied"
        DISMISSED = "dismissed", "Dismissed"
        DECIDED = "decided", "Decided"
        ON_APPEAL = "on_appeal", "On appeal"
        SETTLED = "settled", "Settled"

    caption = models.CharField(
        max_length=300, help_text="e.g. Centro de Trabajadores Unidos v. Bessent"
    )
    slug = models.SlugField(
        max_length=200, blank=True, help_text="Leave blank to make it from the caption."
    )
    court = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        limit_choices_to={"kind": Actor.Kind.COURT},
    )
    docket_number = models.CharField(max_length=100, blank=True)
    docket_url = models.URLField(
        "docket link",
        max_length=1000,
        blank=True,
        help_text="The case's docket (CourtListener, PACER, the court's site). Empty: the page "
        "links a CourtListener search for the docket number.",
    )
    filed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.FILED, db_index=True
    )
    summary = models.TextField(blank=True)
    agreements = models.ManyToManyField(Agreement, related_name="challenges", blank=True)

    objects = LegalChallengeQuerySet.as_manager()
    history = BothSidesHistoricalRecords(m2m_fields=[agreements])

    class Meta:
        ordering = ["-filed_on", "caption", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                name="legalchallenge_unique_slug",
                violation_error_message="Another legal challenge already uses this slug.",
            ),
            models.UniqueConstraint(
                fields=["court", "docket_number"],
                condition=~Q(docket_number=""),
                name="legalchallenge_unique_docket",
                violation_error_message="A case with this docket number in this court exists.",
            ),
        ]

    def __str__(self):
        return self.caption

    def get_absolute_url(self):
        return reverse("tracker:challenge-detail", kwargs={"slug": self.slug})

    @property
    def docket_link(self) -> str:
        """The stored docket link, else a CourtListener search for the docket number in this
        court; empty when there is no docket number to search for."""
        if self.docket_url:
            return self.docket_url
        if not self.docket_number:
            return ""
        query = f'docketNumber:"{self.docket_number}"'
        if self.court_id:
            query += f' AND court:"{self.court.name}"'
        return "https://www.courtlistener.com/?" + urlencode({"type": "r", "q": query})


class ChallengeParty(TimeStamped):
    class Role(models.TextChoices):
        PLAINTIFF = "plaintiff", "Plaintiff"
        DEFENDANT = "defendant", "Defendant"
        INTERVENOR = "intervenor", "Intervenor"
        AMICUS = "amicus", "Amicus curiae"
        COUNSEL = "counsel", "Counsel"

    challenge = models.ForeignKey(LegalChallenge, on_delete=models.PROTECT, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="challenge_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    represents = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="represented_by",
        help_text="For counsel: the parties it represents.",
    )
    sequence = models.PositiveSmallIntegerField(default=0)

    history = BothSidesHistoricalRecords(m2m_fields=[represents])

    class Meta:
        verbose_name = "challenge party"
        verbose_name_plural = "challenge parties"
        ordering = ["challenge", "role", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "actor", "role"],
                name="challengeparty_unique_role",
                violation_error_message="This actor already has this role in the case.",
            )
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()}) — {self.challenge}"

    def get_absolute_url(self):
        return self.challenge.get_absolute_url()


class Event(TimeStamped):
    """One dated entry on a timeline, with the sources that support it."""

    class Kind(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        SIGNED = "signed", "Signed"
        TOOK_EFFECT = "took_effect", "Took effect"
        FILED = "filed", "Filed"
        RULING = "ruling", "Ruling"
        STATEMENT = "statement", "Statement"
        REPORTED = "reported", "Reported"
        HEARING = "hearing", "Hearing"
        AMENDED = "amended", "Amended"
        RESCINDED = "rescinded", "Rescinded"
        OTHER = "other", "Other"

    date = models.DateField(help_text="For month or year precision, the first day of it.")
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    challenge = models.ForeignKey(
        LegalChallenge, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actors = models.ManyToManyField(Actor, blank=True, related_name="events")
    sources = models.ManyToManyField("news.Article", blank=True, related_name="events")
    sequence = models.PositiveSmallIntegerField(
        default=0, help_text="Order among events on the same date."
    )

    objects = EventQuerySet.as_manager()
    history = BothSidesHistoricalRecords(m2m_fields=[sources, actors])

    class Meta:
        ordering = ["date", "date_precision", "sequence", "id"]
        indexes = [
            # The timeline's full order, under each of the two keys it is read by.
            models.Index(
                fields=["agreement", "date", "date_precision", "sequence", "id"],
                name="event_agreement_timeline",
            ),
            models.Index(
                fields=["challenge", "date", "date_precision", "sequence", "id"],
                name="event_challenge_timeline",
            ),
            models.Index(
                fields=["-date", "-date_precision", "-sequence", "-id"], name="event_latest"
            ),
            # "What changed" and the Atom feeds: events newest-recorded first.
            models.Index(fields=["-created_at", "-id"], name="event_recorded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(challenge__isnull=False),
                name="event_belongs_somewhere",
                violation_error_message="An event belongs to an agreement, a challenge or both.",
            ),
        ]

    def __str__(self):
        return f"{self.display_date}: {self.title}"

    def get_absolute_url(self):
        # Its own page: a record's page shows only the latest TIMELINE_CAP events, and a page
        # of the full timeline shifts as events are added.
        return reverse("tracker:event-detail", kwargs={"pk": self.pk})

    @property
    def display_date(self) -> str:
        return format_date_with_precision(self.date, self.date_precision)

    def save(self, *args, **kwargs):
        # Normalise rather than refuse: "May 2025" is stored as 1 May 2025, so events of the
        # same month sort together whatever day a curator typed.
        if self.date:
            self.date = truncate_date(self.date, self.date_precision)
        super().save(*args, **kwargs)


class MergedRecord(models.Model):
    """A record merged into another: its old address (slug, or id for articles) leads to the
    survivor, so links to the duplicate's page keep working."""

    class Kind(models.TextChoices):
        ACTOR = "actor", "Actor"
        OUTLET = "outlet", "Outlet"
        ARTICLE = "article", "Article"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_key = models.CharField(max_length=200, help_text="The merged record's slug or id.")
    old_id = models.BigIntegerField()
    survivor_id = models.BigIntegerField(db_index=True)
    note = models.CharField(max_length=500, blank=True)
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "old_key"],
                name="mergedrecord_unique_old_key",
                violation_error_message="This address already leads to a merged record.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.old_key} → #{self.survivor_id}"

    @classmethod
    def survivor_of(cls, *, kind: str, key) -> int | None:
        """The id of the record that the merged record at `key` now lives on, if any."""
        return (
            cls.objects.filter(kind=kind, old_key=str(key))
            .values_list("survivor_id", flat=True)
            .first()
        )
