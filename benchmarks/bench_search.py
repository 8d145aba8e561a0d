"""How fast search answers at scale, against the bare SQL it needs, on PostgreSQL.

Seeds synthetic articles (words drawn from a skewed vocabulary, so some terms are rare and some
common) and person actors into the database DATABASE_URL names, builds the index with the real
rebuild path, then times, interleaved in one run:

- search() for terms matching about 0.1 %, 1 % and 5 % of articles (p50, p95, max);
- GET /api/v1/search/ through Django's test client, against the same SQL run bare on a cursor
  (ratio = bare / endpoint; 1.0 means the endpoint costs nothing above its SQL);
- a misspelt name (trigram + edit distance) (p50, p99).

Use a database of its own; --seed adds rows to it:

    createdb -h 127.0.0.1 -U postgres policytracker_h6_large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policytracker_h6_large \\
        .venv/bin/python benchmarks/bench_search.py --seed 200000 --actors 10000
    DATABASE_URL=... .venv/bin/python benchmarks/bench_search.py          # measure only
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policytracker.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.news.models import Article  # noqa: E402
from apps.search.backends import SEARCH_SETTINGS, NameQuery, PostgresBackend  # noqa: E402
from apps.search.models import SearchDocument  # noqa: E402
from apps.search.query import parse_query  # noqa: E402
from apps.search.selectors import CANDIDATES, KINDS, PER_GROUP, documents, search  # noqa: E402
from apps.search.services import index_records  # noqa: E402
from apps.tracker.models import Actor  # noqa: E402

VOCABULARY = 20_000
WORDS_PER_ARTICLE = 300
SYLLABLES = ["ba", "ko", "ri", "tem", "sul", "an", "dor", "vi", "mek", "lo", "zan", "per", "tu"]
FIRST = ["Kristi", "Scott", "Maria", "James", "Aisha", "Wei", "Olga", "Pedro", "Fatima", "John"]
LAST = ["Noem", "Bessent", "Garcia", "Okafor", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Haddad"]


def word(i: int) -> str:
    """A pronounceable, unique, stem-stable word for vocabulary index i."""
    letters = []
    while True:
        i, r = divmod(i, len(SYLLABLES))
        letters.append(SYLLABLES[r])
        if i == 0:
            break
    return "q" + "".join(letters) + "x"


def seed(articles: int, actors: int) -> None:
    rng = random.Random(2025)  # noqa: S311 - synthetic text, not security
    vocabulary = [word(i) for i in range(VOCABULARY)]
    weights = [1 / (i + 1) for i in range(VOCABULARY)]  # Zipf: a few common, many rare
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    start = Article.objects.count()
    now = timezone.now()
    batch = 2000
    for offset in range(0, articles, batch):
        rows = []
        for n in range(start + offset, start + min(offset + batch, articles)):
            words = rng.choices(vocabulary, cum_weights=cumulative, k=WORDS_PER_ARTICLE)
            rows.append(
                Article(
                    canonical_url=f"https://bench.example/{n}",
                    url=f"https://bench.example/{n}",
                    title=" ".join(words[:8]).capitalize(),
                    text=" ".join(words),
                    published_at=now - datetime.timedelta(minutes=n),
                    fetch_status=Article.FetchStatus.FETCHED,
                )
            )
        created = Article.objects.bulk_create(rows)
        # bulk_create sends no signal: index the batch through the same service.
        index_records(kind=SearchDocument.Kind.ARTICLE, ids=[a.pk for a in created])
        print(f"articles: {offset + len(rows):,}", file=sys.stderr, flush=True)
    people = []
    for n in range(actors):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}{'' if n < 50 else n}"
        people.append(Actor(kind=Actor.Kind.PERSON, name=name, slug=f"bench-person-{n}"))
    created = Actor.objects.bulk_create(people, batch_size=2000)
    for i in range(0, len(created), 2000):
        index_records(kind=SearchDocument.Kind.ACTOR, ids=[a.pk for a in created[i : i + 2000]])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")


def document_frequency(term: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_searchdocument WHERE kind = 'article' "
            "AND vector @@ websearch_to_tsquery('english', %s)",
            [term],
        )
        return cursor.fetchone()[0]


def terms_near(targets: list[float], articles: int) -> list[tuple[str, float]]:
    """A vocabulary word whose share of articles is near each target share."""
    chosen = []
    for target in targets:
        low, high = 0, VOCABULARY - 1  # share falls as the index rises
        while low < high:
            middle = (low + high) // 2
            if document_frequency(word(middle)) / articles > target:
                low = middle + 1
            else:
                high = middle
        chosen.append((word(low), document_frequency(word(low)) / articles))
    return chosen


def bare_sql(term: str) -> None:
    """The SQL the endpoint needs, run on a cursor: settings, the estimate, the search."""
    engine = PostgresBackend()
    parsed = parse_query(term)
    branches = {kind: documents(kind=kind) for kind in KINDS}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(SEARCH_SETTINGS)),
            [v for item in SEARCH_SETTINGS.items() for v in item],
        )
        cursor.execute(*engine.estimate_sql(parsed, kinds=list(KINDS)))
        windowed = {kind for kind, hits, _ in cursor.fetchall() if hits * 100 > 3000}
        sql, params = engine.search_sql(
            parsed=parsed,
            branches=branches,
            cap=CANDIDATES,
            pages=dict.fromkeys(KINDS, (0, PER_GROUP)),
            names=NameQuery(text=term, kinds=KINDS, limit=3),
            windowed=windowed,
        )
        cursor.execute(sql, params)
        cursor.fetchall()


def names_only(engine: PostgresBackend, text: str, limit: int):
    """The search statement asked for names alone (no kind's candidates)."""
    return engine.find(
        parsed=parse_query(text),
        branches={},
        cap=CANDIDATES,
        pages={},
        names=NameQuery(text=text, kinds=KINDS, limit=limit),
    )


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def percentile(values, p) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="Add this many articles first.")
    parser.add_argument("--actors", type=int, default=0, help="Add this many people first.")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL.")
    if args.seed or args.actors:
        started = time.perf_counter()
        seed(args.seed, args.actors)
        print(f"seeded and indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    articles = SearchDocument.objects.filter(kind="article").count()
    print(f"{articles:,} article documents, {Actor.objects.count():,} actors")
    client = Client()
    print(f"{'term':<14} {'share':>6} {'p50':>7} {'p95':>7} {'max':>7}  endpoint  bare  ratio")
    for term, share in terms_near([0.001, 0.01, 0.05], articles):
        selector, endpoint, bare = [], [], []
        for _ in range(args.runs):  # interleaved, so load on the machine hits all three alike
            selector.append(timed(search, query=term))
            endpoint.append(timed(client.get, "/api/v1/search/", {"q": term}))
            bare.append(timed(bare_sql, term))
        ratio = statistics.median(bare) / statistics.median(endpoint)
        print(
            f"{term:<14} {share:>6.1%} {percentile(selector, 50):>6.1f}ms "
            f"{percentile(selector, 95):>6.1f}ms {max(selector):>6.1f}ms "
            f"{statistics.median(endpoint):>7.1f}ms {statistics.median(bare):>5.1f}ms {ratio:>5.2f}"
        )
    engine = PostgresBackend()
    typo = []
    for _ in range(args.runs * 5):
        with transaction.atomic(), engine.bounded_work():
            typo.append(timed(names_only, engine, "Kristi Noam", 3))
    with transaction.atomic(), engine.bounded_work():
        best = names_only(engine, "Kristi Noam", 1)
    name = best.documents[best.names[0].document_id].title if best.names else "(none)"
    print(
        f"typo 'Kristi Noam' -> {name}: p50 {percentile(typo, 50):.1f} ms, "
        f"p99 {percentile(typo, 99):.1f} ms"
    )


if __name__ == "__main__":
    main()
