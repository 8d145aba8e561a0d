"""Fill the configured PostgreSQL database with synthetic data at a benchmark scale."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.seed import SCALES, SeedError, load


class Command(BaseCommand):
    help = (
        "Fill the database with realistic synthetic agreements, actors, events, statements, "
        "articles and links (PostgreSQL COPY). small: 100 agreements / 2,000 articles; "
        "medium: 10,000 / 200,000; large: 50,000 / 1,000,000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same rows.")
        parser.add_argument(
            "--reset", action="store_true", help="Empty the record and news tables first."
        )
        parser.add_argument(
            "--corpus",
            type=Path,
            help="Prose to train the word model on: a ground-truth.json, a .txt file or a "
            "folder of them (e.g. ../shared/corpora/scrapinghub-aeb). Default: built-in text.",
        )
        parser.add_argument(
            "--no-search-index",
            dest="search_index",
            action="store_false",
            help="Skip building the search documents (run rebuild_search_index later).",
        )

    def handle(
        self,
        *args,
        scale,
        seed: int,
        reset: bool,
        corpus: Path | None,
        search_index: bool = True,
        **options,
    ):
        if corpus is not None and not corpus.exists():
            raise CommandError(f"No corpus at {corpus}.")
        self.stdout.write(f"seed_bench: scale {scale}, seed {seed}")
        try:
            report = load(
                scale=SCALES[scale],
                seed=seed,
                corpus=corpus,
                wipe=reset,
                search_index=search_index,
                log=self.stdout.write,
            )
        except SeedError as error:
            raise CommandError(str(error)) from None
        rows = sum(report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bench: {rows:,} rows in {report.seconds['total']:.1f} s "
                f"(load {report.seconds['load']:.1f} s, "
                f"vacuum analyze {report.seconds['vacuum analyze']:.1f} s)"
            )
        )
