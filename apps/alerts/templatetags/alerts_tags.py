"""The follow button's one lookup: does the signed-in user follow this record already."""

from django import template

from ..models import Follow
from ..outbox import clean_saved_query

register = template.Library()

KIND_OF_MODEL = {
    "agreement": "agreement",
    "actor": "actor",
    "legalchallenge": "challenge",
    "topic": "topic",
}


@register.simple_tag(takes_context=True)
def follow_state(context, target=None, query=""):
    """{kind, id, query, follow}: what the follow form posts, and the user's follow if any;
    {hidden} for a list with no filters (following everything is not a follow)."""
    user = context["request"].user
    if target:  # an unset template variable arrives as ""
        kind = KIND_OF_MODEL[target._meta.model_name]
        lookup = {kind: target}
        state = {"kind": kind, "id": target.pk, "query": ""}
    else:
        query = clean_saved_query(query or "")
        if not query:
            return {"hidden": True}
        lookup = {"query": query}
        state = {"kind": "", "id": "", "query": query}
    state["follow"] = (
        Follow.objects.filter(user=user, **lookup).first() if user.is_authenticated else None
    )
    return state
