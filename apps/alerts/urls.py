from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("follows/", views.follows, name="follows"),
    path("follow/", views.follow_create, name="follow"),
    path("follows/<int:pk>/", views.follow_update, name="follow-update"),
    path("follows/<int:pk>/delete/", views.follow_delete, name="follow-delete"),
    path("follows/<int:pk>/open/", views.follow_open, name="follow-open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/revoke/", views.feed_revoke, name="feed-revoke"),
    path("feed/<str:token>/", views.private_feed, name="feed"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path(
        "webhooks/<int:pk>/<str:action>/",
        views.webhook_action,
        name="webhook-action",
    ),
]
