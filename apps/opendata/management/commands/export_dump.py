"""`manage.py export_dump DIR`: the whole public record as JSON Lines and CSV files."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.opendata.services import CURRENT, DumpError, dump_path, export_dump


class Command(BaseCommand):
    help = (
        "Write the public record (what the API shows) as one JSON Lines and one CSV file per "
        f"resource plus manifest.json into DIR/{CURRENT}/, swapped in whole when complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", help="Where to write (default: settings.DUMP_DIR)."
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Write only if DIR holds no published dump yet (the bench uses it).",
        )

    def handle(self, *args, directory=None, if_missing=False, verbosity=1, **options):
        directory = directory or settings.DUMP_DIR
        if if_missing and dump_path(directory) is not None:
            if verbosity:
                self.stdout.write(f"{directory}/{CURRENT}/ exists; nothing written.")
            return
        try:
            manifest = export_dump(directory=directory)
        except DumpError as error:
            raise CommandError(str(error)) from error
        if not verbosity:
            return
        for name, resource in manifest["resources"].items():
            self.stdout.write(f"{name}: {resource['rows']} rows")
        self.stdout.write(f"Written to {directory}/{CURRENT}/")
