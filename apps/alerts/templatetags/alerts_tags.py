"""The follow button's lookup: does the signed-in user follow this record or search already,
and if so, what reached them since their last visit."""

from django import template

from apps.search.saved import SavedSearchError, clean_saved_search

from ..models import Follow
from ..outbox import clean_saved_query
from ..services import visit

register = template.Library()

KIND_OF_MODEL = {
    "agreement": "agreement",
    "actor": "actor",
    "legalchallenge": "challenge",
    "topic": "topic",
}


@register.simple_tag(takes_context=True)
def follow_state(context, target=None, query="", search=""):
    """{kind, id, query, search, follow}: what the follow form posts, and the user's follow if
    any; {hidden} for a list with no filters (following everything is not a follow) or a search
    that cannot be followed."""
    user = context["request"].user
    if target:  # an unset template variable arrives as ""
        kind = KIND_OF_MODEL[target._meta.model_name]
        lookup = {kind: target}
        state = {"kind": kind, "id": target.pk, "query": ""}
    elif search:
        try:
            search = clean_saved_search(search)
        except SavedSearchError:
            return {"hidden": True}
        lookup = {"search": search}
        state = {"kind": "", "id": "", "query": "", "search": search}
    else:
        query = clean_saved_query(query or "")
        if not query:
            return {"hidden": True}
        lookup = {"query": query}
        state = {"kind": "", "id": "", "query": query}
    follow = Follow.objects.filter(user=user, **lookup).first() if user.is_authenticated else None
    state["follow"] = follow
    if follow is not None and context["request"].method == "GET":
        # The page a follower opens shows what reached them since they last opened it (a HEAD
        # request, such as a link checker's, shows nothing and so sees nothing).
        state["since"] = visit(follow=follow)
    return state
