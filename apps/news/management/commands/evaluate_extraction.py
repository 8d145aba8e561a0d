"""`manage.py evaluate_extraction`: measure article extraction against three public benchmarks,
scored the way each benchmark's own authors score it."""

import gzip
import json
import logging
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.news.extract import (
    DEFAULT_OPTIONS,
    ExtractedArticle,
    ExtractionError,
    ExtractionOptions,
    extract_article,
    find_publication_date,
)

# Each alternative changes one knob of the default, so a row shows what that knob is worth.
CONFIGURATIONS = {
    "default": DEFAULT_OPTIONS,
    "balanced": replace(DEFAULT_OPTIONS, favor_precision=False, favor_recall=False),
    "recall": replace(DEFAULT_OPTIONS, favor_precision=False, favor_recall=True),
    "no-tables": replace(DEFAULT_OPTIONS, include_tables=False),
    "no-extensive-date": replace(DEFAULT_OPTIONS, extensive_date_search=False),
    "url-date-first": replace(DEFAULT_OPTIONS, url_date_last=False),
}

# The chatty third-party loggers: each warns about every page it discards.
_QUIET_LOGGERS = ("trafilatura", "htmldate", "charset_normalizer", "apps.news.extract")


# --- scrapinghub article-extraction-benchmark: token 4-gram shingles ------------------------
# Their evaluate.py tokenises with \w+ (Unicode, case kept), counts shingles as a multiset,
# normalises each page's (tp, fp, fn) to sum to 1 so long pages weigh no more than short ones,
# then averages precision over pages that predicted something and recall over pages with truth.

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than one shingle still counts as one (shorter) shingle; an empty one, none.
    return Counter(
        tuple(tokens[i : i + size])
        for i in range(max(1, len(tokens) - size + 1))
        if tokens[i : i + size]
    )


def shingle_matching(*, truth: str, prediction: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum to 1."""
    true_shingles = shingles(truth)
    predicted = shingles(prediction)
    tp = sum((true_shingles & predicted).values())
    fp = sum((predicted - true_shingles).values())
    fn = sum((true_shingles - predicted).values())
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def shingle_scores(matches: list[tuple[float, float, float]]) -> dict[str, float]:
    precisions = [_precision(*m) for m in matches if m[0] + m[1] > 0]
    recalls = [_recall(*m) for m in matches if m[0] + m[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# --- trafilatura evaluation: must-have and must-not-have segments ---------------------------
# Their eval_common.py: a segment counts as found when its whitespace-normalised text is a
# substring of the whitespace-normalised extraction; counts are summed over all pages.


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def segment_counts(*, with_: list[str], without: list[str], prediction: str) -> Counter:
    extracted = _normalise_space(prediction)
    tp = sum(1 for segment in with_ if _normalise_space(segment) in extracted)
    fp = sum(1 for segment in without if _normalise_space(segment) in extracted)
    return Counter(tp=tp, fn=len(with_) - tp, fp=fp, tn=len(without) - fp)


def segment_scores(counts: Counter) -> dict[str, float]:
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    total = tp + fp + fn + tn
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "accuracy": (tp + tn) / total if total else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
    }


# --- corpora --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    path: Path
    truth: dict


def _read_html(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def aeb_pages(root: Path) -> Iterator[Page]:
    for page_id, truth in _load_json(root / "ground-truth.json").items():
        yield Page(page_id, truth.get("url", ""), root / "html" / f"{page_id}.html.gz", truth)


def mediacloud_pages(root: Path) -> Iterator[Page]:
    for url, truth in _load_json(root / "eval_mediacloud_2020-subset.json").items():
        yield Page(truth["file"], url, root / "html" / truth["file"], truth)


def trafilatura_pages(root: Path) -> Iterator[Page]:
    for url, truth in _load_json(root / "evaldata-en-subset.json").items():
        yield Page(truth["file"], url, root / "html" / truth["file"], truth)


@dataclass
class Tally:
    """What one corpus run accumulates, page by page."""

    pages: int = 0
    errors: int = 0  # crashes: anything but ExtractionError
    no_text: int = 0  # ExtractionError: the extractor found no article
    seconds: float = 0.0
    matches: list = field(default_factory=list)
    segments: Counter = field(default_factory=Counter)
    dates_found: int = 0
    dates_right: int = 0  # the right date, or rightly none
    dates_right_when_found: int = 0
    local_dates_right: int = 0
    error_samples: list = field(default_factory=list)


def _score_aeb(tally: Tally, page: Page, article: ExtractedArticle | None, **_context) -> None:
    prediction = article.text if article else ""
    tally.matches.append(shingle_matching(truth=page.truth["articleBody"], prediction=prediction))


def _score_trafilatura(
    tally: Tally, page: Page, article: ExtractedArticle | None, **_context
) -> None:
    tally.segments.update(
        segment_counts(
            with_=page.truth.get("with", []),
            without=page.truth.get("without", []),
            prediction=article.text if article else "",
        )
    )


def _reference_date(page: Page) -> date | None:
    # A few pages have no known date (NaN in the JSON): htmldate's evaluation counts finding
    # none there as right, and finding one as wrong.
    value = page.truth.get("date")
    return date.fromisoformat(value) if isinstance(value, str) else None


def _score_dates(
    tally: Tally,
    page: Page,
    article: ExtractedArticle | None,
    *,
    html: bytes,
    options: ExtractionOptions,
) -> None:
    reference = _reference_date(page)
    # As `published_at` stores it, in UTC: a page that gives a time late in its own day lands
    # on the next UTC day, the right instant on another calendar day.
    found = article.published_at.date() if article and article.published_at else None
    tally.dates_found += found is not None
    tally.dates_right += found == reference
    tally.dates_right_when_found += found is not None and found == reference
    # On the page's own calendar, as htmldate's benchmark scores it.
    local = find_publication_date(html, url=page.url, options=options)
    tally.local_dates_right += (local.date() if local else None) == reference


def _summarise_aeb(tally: Tally) -> dict:
    return shingle_scores(tally.matches)


def _summarise_trafilatura(tally: Tally) -> dict:
    return {**segment_scores(tally.segments), "segments": dict(tally.segments)}


def _summarise_dates(tally: Tally) -> dict:
    return {
        "date_accuracy": tally.local_dates_right / tally.pages if tally.pages else 0.0,
        "date_accuracy_utc": tally.dates_right / tally.pages if tally.pages else 0.0,
        "date_coverage": tally.dates_found / tally.pages if tally.pages else 0.0,
        "date_precision": (
            tally.dates_right_when_found / tally.dates_found if tally.dates_found else 0.0
        ),
    }


@dataclass(frozen=True)
class Corpus:
    name: str  # also the name of its folder in the corpora directory
    pages: Callable[[Path], Iterator[Page]]
    score: Callable[..., None]  # (tally, page, article, *, html, options)
    summarise: Callable[[Tally], dict]


CORPORA = (
    Corpus("scrapinghub-aeb", aeb_pages, _score_aeb, _summarise_aeb),
    Corpus("trafilatura-eval-en", trafilatura_pages, _score_trafilatura, _summarise_trafilatura),
    Corpus("htmldate-mediacloud2020", mediacloud_pages, _score_dates, _summarise_dates),
)


def evaluate_corpus(
    corpus: Corpus, root: Path, *, options: ExtractionOptions, limit: int | None = None
) -> dict:
    tally = Tally()
    for page in corpus.pages(root):
        if limit is not None and tally.pages >= limit:
            break
        tally.pages += 1
        article, html = None, b""
        # A benchmark counts crashes rather than stopping at the first.
        try:
            html = _read_html(page.path)
            started = time.perf_counter()
            try:
                article = extract_article(html, url=page.url, options=options)
            finally:
                tally.seconds += time.perf_counter() - started
        except ExtractionError:
            tally.no_text += 1
        except Exception as error:
            _record_error(tally, page, error)
        try:
            corpus.score(tally, page, article, html=html, options=options)
        except Exception as error:
            _record_error(tally, page, error)
    return _summary(tally, corpus)


def _record_error(tally: Tally, page: Page, error: Exception) -> None:
    tally.errors += 1
    if len(tally.error_samples) < 5:
        tally.error_samples.append(f"{page.id}: {type(error).__name__}: {error}")


def _summary(tally: Tally, corpus: Corpus) -> dict:
    summary = {
        "pages": tally.pages,
        "errors": tally.errors,
        "no_text": tally.no_text,
        "pages_per_second": tally.pages / tally.seconds if tally.seconds else 0.0,
        **corpus.summarise(tally),
    }
    if tally.error_samples:
        summary["error_samples"] = tally.error_samples
    return summary


@contextmanager
def _quiet_libraries():
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            # dateutil warns about every time zone abbreviation it cannot place.
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


_METRIC_COLUMNS = (
    ("precision", "P"),
    ("recall", "R"),
    ("f1", "F1"),
    ("date_accuracy", "date acc"),
    ("date_accuracy_utc", "date acc UTC"),
    ("date_coverage", "date cov"),
)


class Command(BaseCommand):
    help = (
        "Score extract_article on the shared benchmark corpora: body-text shingle F1 "
        "(scrapinghub-aeb), segment F1 (trafilatura-eval-en), publication-date accuracy "
        "(htmldate-mediacloud2020), and pages per second."
    )
    # It reads files and touches no database: it runs wherever the extractor imports.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "corpora_dir",
            nargs="?",
            default=str(Path(settings.BASE_DIR).parent / "shared" / "corpora"),
            help="folder holding the corpus folders (default: ../shared/corpora)",
        )
        parser.add_argument("--limit", type=int, help="at most N pages per corpus")
        parser.add_argument(
            "--config",
            action="append",
            choices=sorted(CONFIGURATIONS),
            help="configuration to measure (repeatable; default: default)",
        )
        parser.add_argument("--compare", action="store_true", help="measure every configuration")
        parser.add_argument(
            "--corpus",
            action="append",
            choices=[corpus.name for corpus in CORPORA],
            help="corpus to measure (repeatable; default: every one found)",
        )
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args, **options):
        root = Path(options["corpora_dir"])
        corpora = [
            corpus
            for corpus in CORPORA
            if (root / corpus.name).is_dir()
            and (not options["corpus"] or corpus.name in options["corpus"])
        ]
        if not corpora:
            raise CommandError(
                f"No corpus found in {root}: expected one of "
                + ", ".join(corpus.name for corpus in CORPORA)
            )
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        names = sorted(CONFIGURATIONS) if options["compare"] else options["config"] or ["default"]

        results = {}
        with _quiet_libraries():
            for name in names:
                results[name] = {
                    corpus.name: evaluate_corpus(
                        corpus,
                        root / corpus.name,
                        options=CONFIGURATIONS[name],
                        limit=options["limit"],
                    )
                    for corpus in corpora
                }
                if not options["json"]:
                    self._print_configuration(name, results[name])

        if options["json"]:
            self.stdout.write(json.dumps({"corpora_dir": str(root), "results": results}, indent=2))

    def _print_configuration(self, name: str, results: dict) -> None:
        self.stdout.write(f"configuration: {name} ({CONFIGURATIONS[name]})")
        for corpus_name, summary in results.items():
            scores = "  ".join(
                f"{label}={summary[key]:.3f}" for key, label in _METRIC_COLUMNS if key in summary
            )
            self.stdout.write(
                f"  {corpus_name:<24} pages={summary['pages']:<4} errors={summary['errors']:<3} "
                f"no_text={summary['no_text']:<3} {scores}  "
                f"pages/s={summary['pages_per_second']:.1f}"
            )
            for sample in summary.get("error_samples", []):
                self.stdout.write(f"    error {sample}")
