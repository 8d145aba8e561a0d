from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "apps.tracker"
    verbose_name = "Curated record"

    def ready(self):
        from . import signals

        signals.connect()
