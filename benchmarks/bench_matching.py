"""How fast alias matching runs as the number of aliases grows, against the raw automaton.

Times `suggest_links` (and `AliasMatcher.match`) on synthetic articles with 10, 1,000 and
10,000 aliases, next to the raw limit of the same stack: a bare pyahocorasick `iter` over the
same lower-cased text with the same keys. If the cost does not grow with the alias count, the
articles/second of each column stay flat down the table.

Run from the project root (no database needed: the matcher is built from plain tuples):

    .venv/bin/python benchmarks/bench_matching.py [--articles 1000] [--words 600]
"""

import argparse
import os
import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policytracker.settings")

import ahocorasick
import django

django.setup()

from apps.news.matching import (  # noqa: E402
    ACTOR,
    AGREEMENT,
    AliasMatcher,
    suggest_links,
)

ALIAS_COUNTS = (10, 1_000, 10_000)
MENTIONS_PER_ARTICLE = 6
# Best of a few runs: the machine is shared, and the best run is the one least disturbed.
REPEATS = 3


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))


def make_aliases(rng: random.Random, count: int) -> list[tuple[str, int, str, bool]]:
    """A mix like the real record: multi-word names (any case) and acronyms (exact case)."""
    aliases = []
    seen = set()
    while len(aliases) < count:
        index = len(aliases)
        if index % 3 == 0:
            text = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 5)))
            case_sensitive = True
        else:
            words = [pseudo_word(rng) for _ in range(rng.randint(2, 4))]
            text = " ".join(word.capitalize() for word in words)
            case_sensitive = False
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        kind = AGREEMENT if index % 10 == 9 else ACTOR
        aliases.append((kind, index, text, case_sensitive))
    return aliases


def make_parties(aliases) -> list[tuple[int, int]]:
    actors = [target_id for kind, target_id, _, _ in aliases if kind == ACTOR]
    agreements = [target_id for kind, target_id, _, _ in aliases if kind == AGREEMENT]
    return [
        (agreement, actors[(i * 2 + offset) % len(actors)])
        for i, agreement in enumerate(agreements)
        for offset in (0, 1)
    ]


def make_articles(rng: random.Random, aliases, count: int, words: int) -> list[tuple[str, str]]:
    # Filler words never collide with an alias word, so every article has the same number of
    # true mentions whatever the alias count, and the columns compare like with like.
    alias_words = {word.lower() for _, _, text, _ in aliases for word in text.split()}
    vocabulary = [
        word for word in (pseudo_word(rng) for _ in range(5_000)) if word not in alias_words
    ]
    vocabulary += ["the", "and", "of", "to", "said", "deal", "agreement", "notice", "service"]
    articles = []
    for _ in range(count):
        body = [rng.choice(vocabulary) for _ in range(words)]
        for _ in range(MENTIONS_PER_ARTICLE):
            body.insert(rng.randrange(len(body)), rng.choice(aliases)[2])
        sentences = [" ".join(body[i : i + 20]).capitalize() + "." for i in range(0, len(body), 20)]
        paragraphs = ["  ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        title = " ".join([*rng.sample(vocabulary, 6), rng.choice(aliases)[2]])
        articles.append((title, "\n".join(paragraphs)))
    return articles


def measure(aliases, articles, matcher) -> tuple[float, float, float, int]:
    # The raw limit: the automaton alone, fed the same word-padded keys and lower-cased text
    # that AliasMatcher gives it, with no tokenising, offsets or rules.
    raw = ahocorasick.Automaton()
    for _, _, text, _ in aliases:
        raw.add_word(" " + " ".join(text.lower().split()) + " ", text)
    raw.make_automaton()

    def run_raw():
        for title, text in articles:
            for _ in raw.iter(" " + title.lower() + " "):
                pass
            for _ in raw.iter(" " + text.lower() + " "):
                pass

    def run_match():
        for title, text in articles:
            matcher.match(title)
            matcher.match(text)

    suggested = []

    def run_suggest():
        suggested[:] = [
            suggest_links(title=title, text=text, matcher=matcher) for title, text in articles
        ]

    timings = (best_time(run_raw), best_time(run_match), best_time(run_suggest))
    return (*timings, sum(len(found) for found in suggested))


def best_time(run) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--words", type=int, default=600, help="words per article")
    args = parser.parse_args()

    print(
        f"{args.articles} articles of ~{args.words} words, {MENTIONS_PER_ARTICLE} alias mentions "
        "each plus one in the title; articles/second (higher is better)\n"
    )
    print(
        f"{'aliases':>8} {'build s':>8} {'suggest_links':>14} {'match':>10} "
        f"{'raw iter':>10} {'suggest/raw':>12}"
    )
    for count in ALIAS_COUNTS:
        rng = random.Random(count)  # noqa: S311 - synthetic data, not security
        aliases = make_aliases(rng, count)
        articles = make_articles(rng, aliases, args.articles, args.words)

        started = time.perf_counter()
        matcher = AliasMatcher.from_aliases(aliases, parties=make_parties(aliases))
        build_seconds = time.perf_counter() - started
        raw_seconds, match_seconds, suggest_seconds, suggested = measure(aliases, articles, matcher)

        print(
            f"{count:>8,} {build_seconds:>8.2f} {rate(len(articles), suggest_seconds):>14} "
            f"{rate(len(articles), match_seconds)} {rate(len(articles), raw_seconds)} "
            f"{suggest_seconds / raw_seconds:>11.1f}x"
        )
        if suggested < len(articles):
            raise SystemExit("Synthetic articles produced too few suggestions: check the data.")


if __name__ == "__main__":
    main()
