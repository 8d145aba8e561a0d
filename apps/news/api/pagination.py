"""Keyset pagination for the article list: newest first by publication time, then undated
articles newest-id first, stable while articles keep arriving."""

from apps.tracker.api.pagination import NewestFirstPagination


class NewestArticlesPagination(NewestFirstPagination):
    key_field = "published_at"
    key_is_datetime = True
    what = "Articles"
