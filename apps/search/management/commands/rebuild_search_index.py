"""Build or refresh the search index from the records and articles, in batches."""

from django.core.management.base import BaseCommand, CommandError

from apps.search.services import KINDS, rebuild_index


class Command(BaseCommand):
    help = (
        "Rebuild the search documents of every agreement, actor, legal challenge, event, "
        "statement and fetched article (or of the kinds named). Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=KINDS, help="Only this kind.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, kind=None, batch_size=500, verbosity=1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(each, count):
            if verbosity > 1:
                self.stdout.write(f"{each}: {count}")

        written = rebuild_index(kinds=kind or KINDS, batch_size=batch_size, progress=progress)
        for each, count in written.items():
            self.stdout.write(f"{each}: {count} documents")
