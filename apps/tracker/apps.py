from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "apps.tracker"
    verbose_name = "Curated record"
