from django.urls import path

from . import feeds, views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.EverythingFeed(), name="feed"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement-detail"),
    path(
        "agreements/<slug:slug>/timeline/",
        views.agreement_timeline,
        name="agreement-timeline",
    ),
    path(
        "agreements/<slug:slug>/timeline.csv",
        views.agreement_timeline_csv,
        name="agreement-timeline-csv",
    ),
    path("agreements/<slug:slug>/feed/", feeds.AgreementFeed(), name="agreement-feed"),
    path("embed/agreements/<slug:slug>/", views.agreement_embed, name="agreement-embed"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("actors/<slug:slug>/feed/", feeds.ActorFeed(), name="actor-feed"),
    path("challenges/", views.challenge_list, name="challenge-list"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge-detail"),
    path("challenges/<slug:slug>/feed/", feeds.ChallengeFeed(), name="challenge-feed"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic-feed"),
]
