"""`manage.py ingest`: fetch the given feeds and articles now, synchronously, and summarise."""

import json
import logging
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from apps.news import ingest
from apps.news.canonical import canonicalize_url

logger = logging.getLogger(__name__)

# Each article status of the JSON report, with the words the summary uses for it.
STATUSES = {
    "new": "new",
    "duplicate": "duplicate",
    "near_duplicate": "near-duplicate",
    "error": "failed",
}


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

        feeds, articles, lines = [], [], []
        for url in options["feed"]:
            try:
                feed, entries = ingest.ingest_feed_now(url=url)
            except Exception as exc:
                feed = ingest.FeedOutcome(url=url, status="error", error=_unexpected(url, exc))
                entries = []
            feeds.append(feed.as_dict())
            articles.extend(entry.as_dict() for entry in entries)
            lines.append(self._feed_line(feed, entries))
            # Entries already stored are counted, and listed only when asked for (-v 2):
            # a feed polled again would otherwise bury its few new stories.
            shown = [e for e in entries if e.status != "duplicate" or options["verbosity"] > 1]
            lines.extend("  " + self._article_line(entry) for entry in shown)
        for url in options["url"]:
            try:
                article = ingest.ingest_url(url=url)
            except Exception as exc:
                article = ingest.ArticleOutcome(
                    url=url, status="error", error=_unexpected(url, exc)
                )
            articles.append(article.as_dict())
            lines.append(self._article_line(article))

        counts = dict.fromkeys(STATUSES, 0)
        for article in articles:
            counts[article["status"]] += 1

        if options["json"]:
            report = {"feeds": feeds, "articles": articles, "counts": counts}
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for line in lines:
            self.stdout.write(line)
        summary = ", ".join(f"{counts[status]} {label}" for status, label in STATUSES.items())
        failed = counts["error"] or any(feed["status"] == "error" for feed in feeds)
        self.stdout.write((self.style.WARNING if failed else self.style.SUCCESS)(summary))

    @staticmethod
    def _feed_line(feed: ingest.FeedOutcome, entries: list) -> str:
        if feed.status == "error":
            return f"feed error  {feed.url}: {feed.error}"
        if feed.status == "not_modified":
            return f"feed ok     {feed.url}: not modified since the last fetch"
        counts = Counter(entry.status for entry in entries)
        tally = ", ".join(
            f"{counts[status]} {label}" for status, label in STATUSES.items() if counts[status]
        )
        line = f"feed ok     {feed.url}: {feed.entries} entries" + (f" ({tally})" if tally else "")
        if feed.problems:
            line += f" (note: {'; '.join(feed.problems)})"
        return line

    @staticmethod
    def _article_line(article: ingest.ArticleOutcome) -> str:
        line = f"{article.status:<14} {article.canonical_url or article.url or '(empty URL)'}"
        if article.canonical_url and article.canonical_url != _canonical_or_none(article.url):
            line += f" (from {article.url})"  # a redirect or the page's rel=canonical
        if article.title:
            line += f" — {article.title}"
        if article.error:
            line += f": {article.error}"
        return line


def _unexpected(url: str, exc: Exception) -> str:
    # One feed or article that trips over a bug must not stop the rest of the run: it is
    # reported as failed, with the traceback in the log.
    logger.exception("ingest %s: unexpected error", url)
    return f"unexpected error: {type(exc).__name__}: {exc}"


def _canonical_or_none(url: str) -> str | None:
    try:
        return canonicalize_url(url)
    except ValueError:
        return None
