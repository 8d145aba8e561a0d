"""Keyset pagination oldest first on (deleted_at, id): a syncing client follows `next` to the
end, and a page is one range scan of the deletion_since index however far along it is. The
cursor, its checks and the page size are the newest-first lists' (apps/tracker/api)."""

from django.db.models import Q

from apps.tracker.api.pagination import NewestFirstPagination, read_page_size


class OldestFirstPagination(NewestFirstPagination):
    key_field = "deleted_at"
    key_is_datetime = True
    page_size = 100
    what = "Deletions"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        page_size = read_page_size(
            request,
            name=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.key is not None:
            # The first condition bounds the index range; the second is the tie-break.
            queryset = queryset.filter(deleted_at__gte=cursor.key).filter(
                Q(deleted_at__gt=cursor.key) | Q(pk__gt=cursor.pk)
            )
        rows = list(queryset.order_by("deleted_at", "pk")[: page_size + 1])
        # Forward only: a client syncs from `since` to the end.
        self.has_next, self.has_previous = len(rows) > page_size, False
        self.page = rows[:page_size]
        return self.page
