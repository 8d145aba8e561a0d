"""`manage.py ingest`: fetch the given feeds and articles now, synchronously, and summarise."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.news import ingest


class Command(BaseCommand):
    help = (
        "Fetch feeds and article URLs now (creating Feed records as needed), store new articles "
        "with suggested links, and print a summary. Exits 0 when it ran, even if some failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed", action="append", default=[], metavar="URL", help="a feed to poll now"
        )
        parser.add_argument(
            "--url", action="append", default=[], metavar="URL", help="an article to fetch now"
        )
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args, **options):
        if not options["feed"] and not options["url"]:
            raise CommandError("Give at least one --feed URL or --url ARTICLE_URL.")

        feeds, articles = [], []
        for url in options["feed"]:
            feeds.append(self._poll(url, articles))
        for url in options["url"]:
            articles.append(ingest.ingest_url(url=url).as_dict())

        counts = dict.fromkeys(("new", "duplicate", "near_duplicate", "error"), 0)
        for article in articles:
            counts[article["status"]] += 1
        report = {"feeds": feeds, "articles": articles, "counts": counts}

        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self._print_summary(report)

    def _poll(self, url: str, articles: list) -> dict:
        try:
            feed = ingest.register_feed(url=url)
        except ValueError as exc:
            return {"url": url, "status": "error", "error": str(exc), "entries": 0}
        outcome = ingest.poll_feed(feed=feed)
        for article in feed.articles.filter(pk__in=outcome.new_article_ids).order_by("pk"):
            articles.append(ingest.ingest_article(article=article).as_dict())
        return outcome.as_dict()

    def _print_summary(self, report: dict) -> None:
        for feed in report["feeds"]:
            line = f"feed {feed['status']:<5} {feed['url']} ({feed['entries']} entries)"
            if feed["error"]:
                line += f": {feed['error']}"
            self.stdout.write(line)
        for article in report["articles"]:
            line = f"{article['status']:<14} {article['canonical_url'] or article['url']}"
            if article["title"]:
                line += f" — {article['title']}"
            if article["error"]:
                line += f": {article['error']}"
            self.stdout.write(line)
        counts = report["counts"]
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['new']} new, {counts['duplicate']} duplicate, "
                f"{counts['near_duplicate']} near-duplicate, {counts['error']} failed"
            )
        )
