"""The shape of /api/v1/search/ responses: the serializers document it (the schema), and
search_response() writes it.

The serializers took 2.9 ms of a 50 ms search at a million articles (DRF builds and copies a
field object per field and hit); search_response writes the same JSON in about a tenth of that,
and a test holds the two to the same output.
"""

from rest_framework import serializers

from ..models import SearchDocument


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SearchDocument.Kind.choices, source="kind")
    id = serializers.IntegerField(source="object_id", help_text="The record's id in its type.")
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The record's page.")
    date = serializers.DateField(allow_null=True)
    rank = serializers.FloatField(help_text="Relevance; compare only within one response.")
    snippet = serializers.CharField(
        help_text="An extract around the matches, HTML-escaped, matches wrapped in <mark>."
    )

    def get_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(hit.url)


class CountSerializer(serializers.Serializer):
    type = serializers.CharField(source="kind")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Matches, counted up to the cap.")
    capped = serializers.BooleanField(help_text="True when there are at least `count` matches.")
    display = serializers.CharField(source="count_display", help_text='e.g. "1,000+"')


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    type = serializers.CharField(source="kind", allow_null=True)
    page = serializers.IntegerField()
    counts = CountSerializer(many=True, source="groups")
    name_matches = HitSerializer(
        many=True, help_text="Records whose name is close to the query (typos included)."
    )
    results = HitSerializer(many=True, source="hits")
    next = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()

    def get_next(self, results) -> str | None:
        return _next_url(results, self.context["request"])

    def get_previous(self, results) -> str | None:
        return _previous_url(results, self.context["request"])


def search_response(results, request) -> dict:
    """The response SearchResponseSerializer describes, written out."""

    def hit(each) -> dict:
        return {
            "type": each.kind,
            "id": int(each.object_id),
            "title": str(each.title),
            "url": request.build_absolute_uri(each.url),
            "date": each.date.isoformat() if each.date else None,
            "rank": float(each.rank),
            "snippet": str(each.snippet),
        }

    return {
        "query": results.query,
        "type": results.kind,
        "page": int(results.page),
        "counts": [
            {
                "type": group.kind,
                "label": str(group.label),
                "count": int(group.count),
                "capped": bool(group.capped),
                "display": group.count_display,
            }
            for group in results.groups
        ],
        "name_matches": [hit(each) for each in results.name_matches],
        "results": [hit(each) for each in results.hits],
        "next": _next_url(results, request),
        "previous": _previous_url(results, request),
    }


def _page_url(request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _next_url(results, request) -> str | None:
    return _page_url(request, results.page + 1) if results.has_next else None


def _previous_url(results, request) -> str | None:
    return _page_url(request, results.page - 1) if results.kind and results.page > 1 else None
