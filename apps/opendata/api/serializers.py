"""JSON shapes of the open data: a deletion in the changes feed, a dump's manifest."""

from rest_framework import serializers

from ..models import Deletion


class DeletionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="record_id", help_text="The deleted record's id.")
    slug = serializers.CharField(
        allow_null=True, help_text="Its slug, for resources named by slug (else null)."
    )

    class Meta:
        model = Deletion
        fields = ["resource", "id", "slug", "deleted_at"]

    def to_representation(self, deletion):
        data = super().to_representation(deletion)
        data["slug"] = data["slug"] or None
        return data


class DumpFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField(help_text="Download link.")
    resource = serializers.CharField()
    format = serializers.ChoiceField(choices=["jsonl", "csv"])
    bytes = serializers.IntegerField()
    sha256 = serializers.CharField()


class DumpResourceSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())


class DumpSerializer(serializers.Serializer):
    format_version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    manifest_url = serializers.URLField()
    resources = serializers.DictField(child=DumpResourceSerializer())
    files = DumpFileSerializer(many=True)
