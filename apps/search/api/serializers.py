"""The shape of /api/v1/search/ responses (for the schema and for rendering)."""

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

    def _page_url(self, page: int) -> str:
        request = self.context["request"]
        params = request.query_params.copy()
        params["page"] = str(page)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    def get_next(self, results) -> str | None:
        return self._page_url(results.page + 1) if results.has_next else None

    def get_previous(self, results) -> str | None:
        return self._page_url(results.page - 1) if results.kind and results.page > 1 else None
