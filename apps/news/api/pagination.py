"""Keyset pagination for the article list (newest first by publication time, then undated
articles newest-id first, stable while articles keep arriving) and the link list (newest
first by creation)."""

from apps.tracker.api.pagination import NewestFirstPagination


class NewestArticlesPagination(NewestFirstPagination):
    key_field = "published_at"
    key_is_datetime = True
    what = "Articles"


class NewestLinksPagination(NewestFirstPagination):
    """Links newest first: a growing collection (hundreds of thousands), so a keyset cursor
    rather than page numbers and a count of every link."""

    key_field = "created_at"
    key_is_datetime = True
    what = "Links"
