"""`manage.py send_alerts`: one sweep of everything due now, the code beat's task runs."""

import json

from django.core.management.base import BaseCommand

from apps.alerts import services


class Command(BaseCommand):
    help = "Dispatch pending changes, post due webhook deliveries and send due email digests, once."

    def handle(self, *args, **options):
        result = services.send_alerts()
        self.stdout.write(json.dumps(result))
