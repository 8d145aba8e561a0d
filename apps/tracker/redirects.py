"""The one lookup the detail views make when a slug or id is unknown: was it merged?"""

from django.http import Http404, HttpResponsePermanentRedirect

from .models import MergedRecord


def redirect_to_survivor(model, *, kind: str, key) -> HttpResponsePermanentRedirect:
    """A permanent redirect to the record that the merged record at `key` became; 404 if the
    key never named a merged record."""
    survivor_id = MergedRecord.survivor_of(kind=kind, key=key)
    survivor = model._default_manager.filter(pk=survivor_id).first() if survivor_id else None
    if survivor is None:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.")
    return HttpResponsePermanentRedirect(survivor.get_absolute_url())
