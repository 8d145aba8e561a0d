from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "apps.opendata"
    verbose_name = "Open data"

    def ready(self):
        from . import signals

        signals.connect()
