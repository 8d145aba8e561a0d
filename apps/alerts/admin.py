"""Admin for the alerts app: curators can see the outbox and deliveries; follows are the users'."""

from django.contrib import admin

from .models import Change, Delivery, Follow, Webhook


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "agreement",
        "actor",
        "challenge",
        "topic",
        "query",
        "frequency",
        "created_at",
    ]
    list_filter = ["frequency"]
    raw_id_fields = ["user", "agreement", "actor", "challenge", "topic"]
    list_select_related = ["user", "agreement", "actor", "challenge", "topic"]
    search_fields = ["user__email"]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["type", "object_id", "outcome", "created_at", "dispatched_at"]
    list_filter = ["type", "outcome"]
    # A change written by hand (a type and a record id) is announced like any other; one the
    # record wrote is kept as it was.
    fields = ["type", "object_id", "detail"]
    frozen_fields = [
        "public_id",
        "type",
        "object_id",
        "detail",
        "created_at",
        "outcome",
        "dispatched_at",
        "payload",
    ]

    def get_fields(self, request, obj=None):
        return self.frozen_fields if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.frozen_fields if obj else []


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "is_active", "disabled_reason", "created_at"]
    list_filter = ["is_active"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    exclude = ["secret", "previous_secret"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "change",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "last_response_status",
    ]
    list_filter = ["status"]
    list_select_related = ["change", "webhook"]
    raw_id_fields = ["webhook", "change"]
