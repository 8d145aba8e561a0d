from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet-detail"),
]
