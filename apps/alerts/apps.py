from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    verbose_name = "Follows and alerts"

    def ready(self):
        from . import signals

        signals.connect()
