"""`manage.py load_dump DIR`: load a dump written by export_dump into an empty database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.opendata.services import DumpError, load_dump


class Command(BaseCommand):
    help = (
        "Load a bulk dump (DIR holding manifest.json, or DIR/current) into an empty, migrated "
        "database: files checked against the manifest, one transaction, derived fields and the "
        "search index rebuilt afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="Leave the search index to a later `manage.py rebuild_search_index`.",
        )

    def handle(self, *args, directory, no_search_index=False, **options):
        try:
            loaded = load_dump(directory=directory)
        except DumpError as error:
            raise CommandError(str(error)) from error
        for name, count in loaded.items():
            self.stdout.write(f"{name}: {count} rows")
        if not no_search_index:
            call_command("rebuild_search_index", stdout=self.stdout)
