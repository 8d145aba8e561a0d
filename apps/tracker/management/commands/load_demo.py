"""`manage.py load_demo`: load the IRS–ICE MOU demo record; safe to run again."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from apps.tracker.demo import load_demo_data


class Command(BaseCommand):
    help = (
        "Load the IRS–ICE MOU demo record: the agreement, its parties, stakeholders, lawsuit, "
        "timeline and source article. Records already present are left as curators left them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restore",
            action="store_true",
            help="Put the demo's values back on demo records that a curator has changed.",
        )

    def handle(self, *args, restore: bool = False, **options):
        try:
            result = load_demo_data(restore=restore)
        except (ValidationError, IntegrityError) as exc:
            raise CommandError(f"Demo data not loaded, nothing was changed: {exc}") from exc
        self.stdout.write(result.summary())
