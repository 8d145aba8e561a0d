from django.urls import path

from . import views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement-detail"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge-detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
]
