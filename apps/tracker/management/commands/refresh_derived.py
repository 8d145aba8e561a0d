"""`manage.py refresh_derived`: recompute every denormalised field from its source rows."""

from django.core.management.base import BaseCommand

from apps.tracker.services import refresh_derived
from policytracker.response_cache import replace_record_version


class Command(BaseCommand):
    help = (
        "Recompute every denormalised field (each agreement's latest event) from the source "
        "rows, and drop every cached public answer. Run it after a bulk load, a restore or an "
        "import that bypassed save(); running it twice changes nothing the second time."
    )

    def handle(self, *args, **options):
        for name, changed in refresh_derived().items():
            self.stdout.write(f"{name}: {changed} changed")
        # What bypassed save() also bypassed the response cache's watch on writes.
        replace_record_version()
