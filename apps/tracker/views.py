"""HTML pages of the curated record, for journalists: thin views over one queryset per page."""

from django.shortcuts import get_object_or_404, render

from .models import (
    Actor,
    Agreement,
    ChallengeParty,
    Event,
    LegalChallenge,
    MergedRecord,
    Position,
    Topic,
)
from .redirects import redirect_to_survivor


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


def home(request):
    return render(
        request,
        "tracker/home.html",
        {
            "agreements": Agreement.objects.for_home_page(),
            "recent_events": Event.objects.for_home_page(limit=10),
        },
    )


def agreement_detail(request, slug):
    agreement = get_object_or_404(Agreement.objects.for_detail_page(), slug=slug)
    return render(
        request,
        "tracker/agreement_detail.html",
        {
            "agreement": agreement,
            "timeline": Event.objects.timeline_of_agreement(agreement),
            "stances": _group_by_choice(
                agreement.positions.all(), attr="stance", choices=Position.Stance
            ),
        },
    )


def actor_detail(request, slug):
    actor = Actor.objects.for_detail_page().filter(slug=slug).first()
    if actor is None:
        return redirect_to_survivor(Actor, kind=MergedRecord.Kind.ACTOR, key=slug)
    # Statements the actor made on its own positions are listed under those positions already.
    spoken_for_others = [s for s in actor.statements_made if s.position.actor_id != actor.pk]
    return render(
        request,
        "tracker/actor_detail.html",
        {"actor": actor, "spoken_for_others": spoken_for_others},
    )


def challenge_detail(request, slug):
    challenge = get_object_or_404(LegalChallenge.objects.for_detail_page(), slug=slug)
    return render(
        request,
        "tracker/challenge_detail.html",
        {
            "challenge": challenge,
            "party_groups": _group_by_choice(
                challenge.parties.all(), attr="role", choices=ChallengeParty.Role
            ),
            "timeline": Event.objects.timeline_of_challenge(challenge),
        },
    )


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return render(
        request,
        "tracker/topic_detail.html",
        {"topic": topic, "agreements": Agreement.objects.for_topic_page(topic)},
    )
