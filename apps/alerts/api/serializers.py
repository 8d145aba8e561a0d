"""Webhook registration over the API: the secret is shown when it is made, and on rotation."""

from rest_framework import serializers

from ..models import SUBSCRIBABLE_TYPES, DeliveryAttempt, Webhook
from ..webhooks import WebhookURLError, check_target_url


class WebhookSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_TYPES),
        allow_empty=False,
        help_text="Which changes to receive: " + ", ".join(SUBSCRIBABLE_TYPES) + ".",
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "event_types", "is_active", "disabled_reason", "created_at"]
        read_only_fields = ["id", "is_active", "disabled_reason", "created_at"]

    def validate_url(self, value):
        try:
            check_target_url(value)
        except WebhookURLError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value


class WebhookSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_…: verify signatures with it.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    event_id = serializers.SerializerMethodField()
    event_type = serializers.CharField(source="delivery.change.type")

    class Meta:
        model = DeliveryAttempt
        fields = [
            "id",
            "event_id",
            "event_type",
            "number",
            "attempted_at",
            "response_status",
            "error",
            "duration_ms",
        ]

    def get_event_id(self, attempt) -> str:
        return f"evt_{attempt.delivery.change.public_id.hex}"


class QueuedSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    detail = serializers.CharField()
