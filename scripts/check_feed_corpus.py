"""Run parse_feed over every file under a folder and count how each one ends, to show that no
input makes the parser crash.

Usage: python scripts/check_feed_corpus.py PATH [PATH ...]
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.news.feeds import NotAFeed, parse_feed

# Licence and provenance notes that sit beside corpus files; they are not inputs.
NOT_INPUTS = ("LICENSE", "README")
CONTENT_TYPES = {".json": "application/feed+json"}


def check(root: Path) -> int:
    files = sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not path.name.upper().startswith(NOT_INPUTS)
    )
    parsed = not_a_feed = entries = with_problems = 0
    crashes: list[tuple[Path, str]] = []
    slowest = (0.0, None)
    started = time.perf_counter()
    for path in files:
        content = path.read_bytes()
        before = time.perf_counter()
        try:
            feed = parse_feed(
                content,
                url=f"https://feeds.example.org/{path.relative_to(root).as_posix()}",
                content_type=CONTENT_TYPES.get(path.suffix.lower(), ""),
            )
        except NotAFeed:
            not_a_feed += 1
        except Exception:
            crashes.append((path, traceback.format_exc(limit=3)))
        else:
            parsed += 1
            entries += len(feed.entries)
            with_problems += bool(feed.problems)
        slowest = max(slowest, (time.perf_counter() - before, path), key=lambda pair: pair[0])
    elapsed = time.perf_counter() - started
    print(f"{root}")
    print(f"  files:      {len(files)}")
    print(f"  parsed ok:  {parsed} ({entries} entries; {with_problems} with problems noted)")
    print(f"  NotAFeed:   {not_a_feed}")
    print(f"  crashes:    {len(crashes)}")
    print(f"  time taken: {elapsed:.2f} s (slowest file {slowest[0] * 1000:.0f} ms: {slowest[1]})")
    for path, trace in crashes[:20]:
        print(f"  CRASH {path}\n{trace}")
    return len(crashes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    crashes = sum(check(path) for path in parser.parse_args().paths)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
