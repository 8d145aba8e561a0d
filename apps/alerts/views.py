"""Pages of the alerts app: following, My follows, unsubscribe, the private feed, webhook settings.

Every write is a POST with CSRF (except the one-click unsubscribe, which a mail client POSTs with
no cookie and which the signed token authorises) and works without JavaScript.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core import signing
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.tracker.feeds import AtomFeed
from apps.tracker.models import Actor, Agreement, LegalChallenge, Topic

from . import services, webhooks
from .digests import read_unsubscribe_token
from .models import (
    SUBSCRIBABLE_TYPES,
    Change,
    ChangeType,
    Follow,
    Notification,
    PrivateFeed,
    Webhook,
)
from .outbox import absolute_url

RECENT_PER_FOLLOW = 5
TARGET_MODELS = {
    "agreement": Agreement,
    "actor": Actor,
    "challenge": LegalChallenge,
    "topic": Topic,
}


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_POST
def follow_create(request):
    if not request.user.is_authenticated:
        login = reverse("account_login")
        next_url = _next_url(request, reverse("alerts:follows"))
        return redirect(f"{login}?{urlencode({'next': next_url}, safe='/')}")
    kind = request.POST.get("kind", "")
    target = None
    if kind in TARGET_MODELS:
        try:
            target = TARGET_MODELS[kind].objects.get(pk=int(request.POST.get("id", "")))
        except (ValueError, TARGET_MODELS[kind].DoesNotExist):
            return HttpResponseBadRequest("There is no such record to follow.")
    try:
        follow = services.follow(
            user=request.user,
            target=target,
            kind=kind,
            query=request.POST.get("query", ""),
            search=request.POST.get("search", ""),
            frequency=request.POST.get("frequency", ""),
        )
    except services.FollowError as exc:
        messages.error(request, str(exc))
        return redirect(_next_url(request, reverse("alerts:follows")))
    messages.success(request, f"You follow {follow.target_label}.")
    return redirect(_next_url(request, reverse("alerts:follows")))


def _own_follow(request, pk: int) -> Follow:
    return get_object_or_404(Follow, pk=pk, user=request.user)


@login_required
@require_POST
def follow_update(request, pk):
    follow = _own_follow(request, pk)
    try:
        services.set_frequency(follow=follow, frequency=request.POST.get("frequency", ""))
    except services.FollowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Email for {follow.target_label}: {follow.get_frequency_display()}."
        )
    return redirect(_next_url(request, reverse("alerts:follows")))


@login_required
@require_POST
def follow_delete(request, pk):
    follow = _own_follow(request, pk)
    label = follow.target_label
    services.unfollow(follow=follow)
    messages.success(request, f"You no longer follow {label}.")
    return redirect(_next_url(request, reverse("alerts:follows")))


@login_required
@require_GET
def follow_open(request, pk):
    """Go to the followed record or search, whose page shows (and then counts as seen) what
    reached the follow since the last visit."""
    return redirect(_own_follow(request, pk).target_url)


@login_required
def follows(request):
    recent = Notification.objects.select_related("change").order_by("-created_at", "-id")
    user_follows = (
        Follow.objects.filter(user=request.user)
        .select_related("agreement", "actor", "challenge", "topic")
        .annotate(
            new_count=Count(
                "notifications",
                filter=Q(notifications__id__gt=F("seen_notification_id")),
            )
        )
        .prefetch_related(
            Prefetch("notifications", queryset=recent[:RECENT_PER_FOLLOW], to_attr="recent")
        )
        .order_by("-created_at", "-id")[:200]
    )
    feed = services.private_feed_of(user=request.user)
    return render(
        request,
        "alerts/follows.html",
        {
            "follows": user_follows,
            "frequencies": Follow.Frequency.choices,
            "feed_url": absolute_url(reverse("alerts:feed", kwargs={"token": feed.token})),
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows one button (link scanners must not unsubscribe anyone); POST, from that button
    or a mail client's List-Unsubscribe-Post, stops the email at once."""
    try:
        target = read_unsubscribe_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=400)
    follows_named = Follow.objects.filter(
        user_id=target["user_id"], pk__in=target["follow_ids"]
    ).select_related("agreement", "actor", "challenge", "topic")
    if request.method == "POST":
        services.unsubscribe(**target)
        return render(request, "alerts/unsubscribe.html", {"done": True, "follows": follows_named})
    return render(request, "alerts/unsubscribe.html", {"follows": follows_named})


@login_required
@require_POST
def feed_revoke(request):
    services.revoke_private_feed(user=request.user)
    messages.success(request, "Your private feed has a new address; the old one no longer works.")
    return redirect("alerts:follows")


class PrivateAtomFeed(Feed):
    """Everything the user follows, newest first; the token in the URL is the only key."""

    feed_type = AtomFeed
    title = "PolicyTracker: what you follow"
    subtitle = "New events, statements, rulings and confirmed coverage on the records you follow."
    limit = 50

    def get_object(self, request, token):
        feed = PrivateFeed.objects.select_related("user").filter(token=token).first()
        if feed is None or not feed.user.is_active:
            raise Http404("No such feed.")
        return feed

    def link(self, feed):
        return reverse("alerts:follows")

    def items(self, feed):
        changes = Change.objects.filter(notifications__follow__user_id=feed.user_id).distinct()
        return changes.order_by("-created_at", "-id")[: self.limit]

    def item_title(self, change):
        return change.data.get("title", change.type)

    def item_description(self, change):
        return dict(ChangeType.choices).get(change.type, change.type)

    def item_link(self, change):
        return change.data.get("url", absolute_url("/"))

    def item_guid(self, change):
        return f"urn:uuid:{change.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.created_at

    def item_updateddate(self, change):
        return change.dispatched_at or change.created_at


private_feed = PrivateAtomFeed()


# --- Webhook settings ---------------------------------------------------------------------------


def _event_type_choices():
    labels = dict(ChangeType.choices)
    return [(value, labels[value]) for value in SUBSCRIBABLE_TYPES]


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    if request.method == "POST":
        chosen = [
            value for value in request.POST.getlist("event_types") if value in SUBSCRIBABLE_TYPES
        ]
        url = request.POST.get("url", "").strip()
        if not chosen:
            messages.error(request, "Choose at least one event type.")
        else:
            try:
                webhook = webhooks.create_webhook(owner=request.user, url=url, event_types=chosen)
            except webhooks.WebhookURLError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Webhook added. Its signing secret is shown below.")
                return redirect("alerts:webhook-detail", pk=webhook.pk)
    return render(
        request,
        "alerts/webhook_list.html",
        {
            "webhooks": Webhook.objects.filter(owner=request.user).order_by("-created_at", "-id")[
                :100
            ],
            "event_types": _event_type_choices(),
        },
    )


def _own_webhook(request, pk) -> Webhook:
    return get_object_or_404(Webhook, pk=pk, owner=request.user)


@login_required
@require_GET
def webhook_detail(request, pk):
    webhook = _own_webhook(request, pk)
    attempts = webhook.attempts.select_related("delivery__change").order_by("-attempted_at", "-id")
    return render(
        request,
        "alerts/webhook_detail.html",
        {"webhook": webhook, "attempts": attempts[:50], "labels": dict(ChangeType.choices)},
    )


@login_required
@require_POST
def webhook_action(request, pk, action):
    webhook = _own_webhook(request, pk)
    if action == "test":
        webhooks.queue_test_event(webhook=webhook)
        messages.success(
            request, "A webhook.test event is queued; it goes out with the next sweep."
        )
    elif action == "rotate":
        webhooks.rotate_secret(webhook=webhook)
        messages.success(request, "New secret issued; the previous one keeps signing for a while.")
    elif action == "enable":
        webhooks.enable_webhook(webhook=webhook)
        messages.success(request, "Deliveries are switched back on.")
    elif action == "delete":
        webhook.delete()
        messages.success(request, "Webhook deleted.")
        return redirect("alerts:webhooks")
    else:
        raise Http404("No such action.")
    return redirect("alerts:webhook-detail", pk=webhook.pk)
