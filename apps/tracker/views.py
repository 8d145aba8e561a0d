"""HTML pages of the curated record, for journalists: thin views over one queryset per page."""

from csp.decorators import csp_replace
from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from . import exports
from .changelog import agreement_change_log
from .changes import recent_changes
from .filtersets import (
    ActorFilterSet,
    AgreementFilterSet,
    LegalChallengeFilterSet,
    TopicFilterSet,
)
from .models import (
    Actor,
    Agreement,
    ChallengeParty,
    Event,
    LegalChallenge,
    MergedRecord,
    Position,
    Statement,
    Topic,
)
from .querysets import TIMELINE_CAP
from .redirects import redirect_to_survivor
from .timeline_chart import build_chart

PER_PAGE = 25
# The dashboard narrows what changed by these; the index pages offer every filter of the resource.
DASHBOARD_FILTERS = ("topic", "actor", "status")
# Labels for a reader; the API keeps the parameter names.
FORM_LABELS = {
    "topic": "Topic",
    "actor": "Party (agency, department…)",
    "court": "Court",
    "agreement": "Agreement",
    "updated_since": "Changed since",
    "search": "Words",
    "ordering": "Sort by",
}


def _group_by_choice(items, *, attr, choices):
    """Items grouped in the order the choices are declared (supporters before opponents,
    plaintiffs before defendants), not alphabetically; only groups with members are listed."""
    groups = {value: [] for value in choices.values}
    for item in items:
        groups[getattr(item, attr)].append(item)
    return [
        {"value": value, "label": choices(value).label, "members": members}
        for value, members in groups.items()
        if members
    ]


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _filter(request, filterset_class, queryset, *, only=None):
    """The resource's shared FilterSet over the query string, with a form fit for a page: a record
    named by slug is a text box (a <select> of every actor would not scale), and `only` limits
    the fields shown."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    form = filterset.form
    for name, form_field in list(form.fields.items()):
        if only is not None and name not in only:
            del form.fields[name]
            continue
        form_field.label = FORM_LABELS.get(name, form_field.label)
        if isinstance(form_field, forms.ModelChoiceField):
            form_field.widget = forms.TextInput(attrs={"placeholder": "slug, e.g. irs"})
        form_field.required = False
    return filterset


def _filtered_list(request, filterset, *, template, context, csv_columns=None, csv_name=""):
    """Render an index page (or its CSV) for a FilterSet: 400 with the form's errors when a
    value does not validate, never an unfiltered list."""
    if filterset.is_bound and not filterset.is_valid():
        return render(
            request,
            template,
            {**context, "filter": filterset, "page": None, "csv_url": None},
            status=400,
        )
    queryset = filterset.qs
    if request.GET.get("format") == "csv" and csv_columns:
        return exports.csv_response(queryset, columns=csv_columns, filename=csv_name)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, template, {**context, "filter": filterset, "page": page})


def home(request):
    """What changed, newest recorded first, narrowed by topic, party or status; agreements by
    status; lawsuits with recent rulings."""
    filterset = _filter(
        request, AgreementFilterSet, Agreement.objects.all(), only=DASHBOARD_FILTERS
    )
    valid = not filterset.is_bound or filterset.is_valid()
    narrowed = filterset.is_bound and valid and any(request.GET.get(k) for k in DASHBOARD_FILTERS)
    agreements = filterset.qs if narrowed else Agreement.objects.all()
    changes = (
        recent_changes(
            agreements=agreements if narrowed else None,
            page=_page_number(request),
            per_page=PER_PAGE,
        )
        if valid
        else None
    )
    by_status = []
    if valid:
        counts = dict(
            agreements.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        by_status = [
            {"value": value, "label": label, "count": counts[value]}
            for value, label in Agreement.Status.choices
            if counts.get(value)
        ]
    return render(
        request,
        "tracker/home.html",
        {
            "filter": filterset,
            "changes": changes,
            "by_status": by_status,
            "recent_rulings": Event.objects.recent_rulings(limit=5),
        },
        status=200 if valid else 400,
    )


def agreement_list(request):
    filterset = _filter(request, AgreementFilterSet, Agreement.objects.for_home_page())
    return _filtered_list(
        request,
        filterset,
        template="tracker/agreement_list.html",
        context={},
        csv_columns=exports.AGREEMENT_COLUMNS,
        csv_name="agreements.csv",
    )


def actor_list(request):
    filterset = _filter(request, ActorFilterSet, Actor.objects.select_related("parent"))
    return _filtered_list(
        request,
        filterset,
        template="tracker/actor_list.html",
        context={},
        csv_columns=exports.ACTOR_COLUMNS,
        csv_name="actors.csv",
    )


def challenge_list(request):
    queryset = LegalChallenge.objects.select_related("court").prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.order_by("title", "id"))
    )
    filterset = _filter(request, LegalChallengeFilterSet, queryset)
    return _filtered_list(
        request,
        filterset,
        template="tracker/challenge_list.html",
        context={},
        csv_columns=exports.CHALLENGE_COLUMNS,
        csv_name="challenges.csv",
    )


def topic_list(request):
    queryset = Topic.objects.annotate(agreement_count=Count("agreements")).order_by("name", "id")
    filterset = _filter(request, TopicFilterSet, queryset)
    return _filtered_list(
        request,
        filterset,
        template="tracker/topic_list.html",
        context={},
        csv_columns=exports.TOPIC_COLUMNS,
        csv_name="topics.csv",
    )


def _fold_syndicated(links):
    """Confirmed coverage with each syndicated copy under its original when the original is
    listed too; a copy whose original is not listed stands on its own."""
    listed = {link.article_id for link in links}
    copies = {}
    for link in links:
        original = link.article.near_duplicate_of_id
        if original in listed and original != link.article_id:
            copies.setdefault(original, []).append(link)
    folded = [
        {"link": link, "copies": copies.get(link.article_id, [])}
        for link in links
        if link.article.near_duplicate_of_id not in listed
        or link.article.near_duplicate_of_id == link.article_id
    ]
    return folded


# The page and the embed draw at most TIMELINE_CAP entries, the latest ones: the largest records
# carry thousands, which no reader scrolls and no page should weigh. The whole timeline is
# /agreements/<slug>/timeline/ (paged), the CSV download and the API's paged timeline.
PAGE_TIMELINE_CAP = TIMELINE_CAP
TIMELINE_PAGE_SIZE = 100


def _latest_entries(record, events):
    """The latest PAGE_TIMELINE_CAP events in reading order; the record learns the total."""
    # Newest first through the same index backwards, then back into reading order.
    timeline = list(events.reverse()[: PAGE_TIMELINE_CAP + 1])[::-1]
    if len(timeline) > PAGE_TIMELINE_CAP:
        timeline = timeline[1:]
        record.timeline_total = events.count()
    else:
        record.timeline_total = len(timeline)
    return timeline


def _agreement_timeline(agreement):
    timeline = _latest_entries(agreement, Event.objects.timeline_of_agreement(agreement))
    chart = build_chart(
        events=timeline,
        main_label=agreement.title,
        main_url=agreement.get_absolute_url() + "#timeline",
        challenges=agreement.challenges.all(),
    )
    return timeline, chart


def agreement_detail(request, slug):
    agreement = get_object_or_404(Agreement.objects.for_detail_page(), slug=slug)
    timeline, chart = _agreement_timeline(agreement)
    return render(
        request,
        "tracker/agreement_detail.html",
        {
            "agreement": agreement,
            "timeline": timeline,
            "chart": chart,
            "stances": _group_by_choice(
                agreement.positions.all(), attr="stance", choices=Position.Stance
            ),
            "coverage": _fold_syndicated(agreement.confirmed_links),
            "change_log": agreement_change_log(agreement),
            "retrieved_on": timezone.localdate(),
        },
    )


def _timeline_page(request, *, record, title, events, show_challenge):
    """Every entry of a record's timeline, a page at a time, in reading order."""
    page = Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/timeline_page.html",
        {
            "record": record,
            "title": title,
            "timeline": page.object_list,
            "page": page,
            "show_challenge": show_challenge,
        },
    )


def agreement_timeline(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    return _timeline_page(
        request,
        record=agreement,
        title=agreement.title,
        events=Event.objects.timeline_of_agreement(agreement),
        show_challenge=True,
    )


def challenge_timeline(request, slug):
    challenge = get_object_or_404(LegalChallenge, slug=slug)
    return _timeline_page(
        request,
        record=challenge,
        title=challenge.caption,
        events=Event.objects.timeline_of_challenge(challenge),
        show_challenge=False,
    )


def _timeline_url_of(event):
    """Where `event` stands in its record's paged timeline: the page that shows it today and
    its anchor there. Pages move as entries are added, so this is a link to follow, while
    the event's own page (`Event.get_absolute_url`) is the permalink to cite."""
    if event.agreement_id:
        events = Event.objects.timeline_of_agreement(event.agreement)
        url = reverse("tracker:agreement-timeline", kwargs={"slug": event.agreement.slug})
    else:
        events = Event.objects.timeline_of_challenge(event.challenge)
        url = reverse("tracker:challenge-timeline", kwargs={"slug": event.challenge.slug})
    page_number = events.before(event).count() // TIMELINE_PAGE_SIZE + 1
    if page_number > 1:
        url += f"?page={page_number}"
    return f"{url}#event-{event.pk}"


def event_detail(request, pk):
    """One event on its own page, so its permalink works however long its timeline grows."""
    event = get_object_or_404(Event.objects.for_permalink_page(), pk=pk)
    return render(
        request,
        "tracker/event_detail.html",
        {
            "event": event,
            "record": event.agreement or event.challenge,
            "timeline_url": _timeline_url_of(event),
            "retrieved_on": timezone.localdate(),
        },
    )


def statement_detail(request, pk):
    """One statement on its own page, so its permalink works however many statements and
    positions its agreement gathers (its page lists the first few of each)."""
    statement = get_object_or_404(Statement.objects.for_permalink_page(), pk=pk)
    return render(
        request,
        "tracker/statement_detail.html",
        {"statement": statement, "position": statement.position},
    )


COVERAGE_PAGE_SIZE = 50


def _coverage_page(request, *, record, title):
    """A record's confirmed coverage, newest first, a page at a time, syndicated copies folded
    under their original when both are on the page. Read by the link's index on its target
    and status."""
    links = record.article_links.confirmed().for_record_page()
    page = Paginator(links, COVERAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/coverage_page.html",
        {
            "record": record,
            "title": title,
            "coverage": _fold_syndicated(list(page.object_list)),
            "page": page,
        },
    )


def agreement_coverage(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    return _coverage_page(request, record=agreement, title=agreement.title)


def actor_coverage(request, slug):
    actor = get_object_or_404(Actor, slug=slug)
    return _coverage_page(request, record=actor, title=actor.name)


def challenge_coverage(request, slug):
    challenge = get_object_or_404(LegalChallenge, slug=slug)
    return _coverage_page(request, record=challenge, title=challenge.caption)


def agreement_timeline_csv(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    events = Event.objects.timeline_of_agreement(agreement)
    return exports.timeline_csv_response(
        events, request=request, filename=f"{agreement.slug}-timeline.csv"
    )


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def agreement_embed(request, slug):
    """The timeline alone, to be framed by any site (the one view exempt from X-Frame-Options
    and the CSP's frame-ancestors 'none'): minimal markup, its own small stylesheet, no script,
    no cookies set and nothing loaded from elsewhere."""
    agreement = get_object_or_404(Agreement.objects.prefetch_related("challenges"), slug=slug)
    timeline, chart = _agreement_timeline(agreement)
    return render(
        request,
        "tracker/agreement_embed.html",
        {"agreement": agreement, "timeline": timeline, "chart": chart},
    )


def actor_detail(request, slug):
    actor = Actor.objects.for_detail_page().filter(slug=slug).first()
    if actor is None:
        return redirect_to_survivor(Actor, kind=MergedRecord.Kind.ACTOR, key=slug)
    # Statements the actor made on its own positions are listed under those positions already.
    spoken_for_others = list(Statement.objects.spoken_for_others_by(actor))
    return render(
        request,
        "tracker/actor_detail.html",
        {
            "actor": actor,
            "spoken_for_others": spoken_for_others,
            "stance_history": _stance_history(actor),
        },
    )


def _stance_history(actor):
    """The actor's stance on each agreement with its statements by date: what it said, when, and
    on which side, across every agreement it has a position on."""
    rows = []
    for position in actor.positions.all():
        statements = [s for s in position.statements.all() if s.said_on]
        rows.append(
            {
                "position": position,
                "first": statements[0].said_on if statements else None,
                "last": statements[-1].said_on if statements else None,
                "statements": statements,
            }
        )
    rows.sort(key=lambda row: (row["first"] is None, row["first"] or 0, row["position"].pk))
    return rows


def challenge_detail(request, slug):
    challenge = get_object_or_404(LegalChallenge.objects.for_detail_page(), slug=slug)
    timeline = _latest_entries(challenge, Event.objects.timeline_of_challenge(challenge))
    return render(
        request,
        "tracker/challenge_detail.html",
        {
            "challenge": challenge,
            "party_groups": _group_by_choice(
                challenge.parties.all(), attr="role", choices=ChallengeParty.Role
            ),
            "timeline": timeline,
            "chart": build_chart(
                events=timeline,
                main_label=challenge.caption,
                main_url=challenge.get_absolute_url() + "#timeline",
            ),
        },
    )


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = Paginator(Agreement.objects.for_topic_page(topic), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tracker/topic_detail.html",
        {"topic": topic, "agreements": page, "page": page},
    )
