"""/api/v1/webhooks/: an API user's own webhooks, with a token (or a signed-in session)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import webhooks
from ..models import Webhook
from .serializers import (
    DeliveryAttemptSerializer,
    QueuedSerializer,
    WebhookSecretSerializer,
    WebhookSerializer,
)


class AttemptPagination(CursorPagination):
    ordering = ("-attempted_at", "-id")
    page_size = 50


class WebhookViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = WebhookSerializer
    filter_backends = []
    queryset = Webhook.objects.all()  # the schema's view of the model; requests see their own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return Webhook.objects.filter(owner=self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={201: WebhookSecretSerializer})
    def create(self, request, *args, **kwargs):
        serializer = WebhookSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        webhook = webhooks.create_webhook(owner=request.user, **serializer.validated_data)
        return Response(WebhookSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Queue a webhook.test delivery through the outbox, signing and retries of every event."""
        change = webhooks.queue_test_event(webhook=self.get_object())
        return Response(
            {"event_id": f"evt_{change.public_id.hex}", "detail": "Queued for the next sweep."},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(request=None, responses={200: WebhookSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret; deliveries carry both signatures until the overlap ends."""
        webhook = webhooks.rotate_secret(webhook=self.get_object())
        return Response(WebhookSecretSerializer(webhook).data)

    @extend_schema(request=None, responses={200: DeliveryAttemptSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def attempts(self, request, pk=None):
        """The delivery log: every POST to this webhook, newest first."""
        webhook = self.get_object()
        queryset = webhook.attempts.select_related("delivery__change")
        paginator = AttemptPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(DeliveryAttemptSerializer(page, many=True).data)
