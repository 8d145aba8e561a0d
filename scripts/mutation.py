"""Mutation testing of the critical modules with mutmut, each module against its own tests.

    python scripts/mutation.py                 # every module below, then the score table
    python scripts/mutation.py --changed REV   # only the modules changed since REV
    python scripts/mutation.py apps/news/canonical.py ...
    python scripts/mutation.py --report        # the score table from the last runs
    python scripts/mutation.py --changed REV --budget 120   # what CI runs

mutmut's settings are in pyproject.toml ([tool.mutmut]); this driver runs mutmut once per module
with `only_mutate` set to that module and the test selection set to the module's own test files,
so a run never waits for the whole suite. Within those files mutmut runs, for each mutant, only
the tests that call the mutated function. Results go to mutation-results/<module>.json; the
score counts a mutant as killed when a test failed or timed out, and leaves the mutants listed in
scripts/mutation_equivalents.toml (with why each changes nothing) out of the denominator.
"""

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutation-results"
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.toml"
TARGET = 0.90

# Module -> the tests that exist for it.
MODULES = {
    "apps/news/safe_fetch.py": ["tests/news/test_safe_fetch.py"],
    "apps/news/canonical.py": ["tests/news/test_canonical.py"],
    "apps/news/matching.py": ["tests/news/test_matching.py", "tests/news/test_link_suggestions.py"],
    "apps/news/near_duplicates.py": ["tests/news/test_near_duplicates.py"],
    # The article list's cursor; apps/news/api/pagination.py only names its fields. Not
    # tests/test_schema.py: each of its tests builds the whole schema (8 s here), so every mutant
    # of the schema hooks would wait minutes; tests/tracker/test_pagination.py reads the hooks.
    "apps/tracker/api/pagination.py": [
        "tests/news/test_api.py",
        "tests/test_api_parameters.py",
        "tests/test_api_errors.py",
        "tests/tracker/test_pagination.py",
    ],
    "apps/news/filtersets.py": [
        "tests/news/test_api.py",
        "tests/tracker/test_plain_search.py",
        "tests/news/test_views.py",
        "tests/test_api_parameters.py",
        "tests/test_api_errors.py",
    ],
    "apps/news/text_clean.py": ["tests/news/test_extract.py"],
    "apps/tracker/querysets.py": [
        "tests/tracker/test_views.py",
        "tests/tracker/test_api.py",
        # The permalink pages, feeds and paged lists past the caps.
        "tests/tracker/test_pages.py",
        # The other resources' endpoints (for_api) and the curator's stale filter.
        "tests/test_api_resources.py",
        "tests/news/test_curator_desk.py",
        # Capped lists' counts, each list's order and tie-break, the home page's rulings.
        "tests/tracker/test_read_orders.py",
    ],
    "apps/tracker/filtersets.py": [
        # Every list's plain ?search=, for a project without apps/search.
        "tests/tracker/test_plain_search.py",
        "tests/test_api_resources.py",
        "tests/tracker/test_api.py",
        "tests/tracker/test_views.py",
        "tests/test_api_parameters.py",
        "tests/test_api_errors.py",
    ],
    "apps/tracker/signals.py": [
        "tests/tracker/test_updated_since.py",
        "tests/tracker/test_derived.py",
    ],
    # The search syntax; search() reads every query through it (on SQLite, FTS5 too).
    "apps/search/query.py": ["tests/search/test_query.py", "tests/search/test_selectors.py"],
    # Webhook signing, retries and their sweep.
    "apps/alerts/webhooks.py": ["tests/alerts/test_webhooks.py", "tests/alerts/test_signing.py"],
    # neutralise() also guards the API's CSV renderer and the open-data dump's CSV files.
    "apps/tracker/exports.py": [
        "tests/tracker/test_pages.py",
        "tests/test_api_formats.py",
        "tests/opendata/test_dump.py",
    ],
}
KILLED = {"killed", "timeout", "segfault"}
# Wall-clock seconds of one module's whole run on the team machine (2 cores shared by nine
# engineers), from `make mutation`; `--budget` skips the modules that would not fit, and a module
# with no measured time.
MEASURED_SECONDS = {
    "apps/news/canonical.py": 334,
    "apps/news/near_duplicates.py": 141,
    "apps/news/text_clean.py": 71,
    "apps/news/safe_fetch.py": 1536,
    "apps/tracker/signals.py": 1321,
    "apps/tracker/querysets.py": 1505,
    "apps/news/matching.py": 1401,
    "apps/search/query.py": 308,
    "apps/tracker/api/pagination.py": 887,
    "apps/news/filtersets.py": 489,
    "apps/tracker/filtersets.py": 633,
    "apps/tracker/exports.py": 683,
    "apps/alerts/webhooks.py": 742,
}


def run_module(module: str, max_children: int) -> None:
    """mutmut over one module in a child process, then its results saved as JSON."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, __file__, "--mutmut-child", module, "--max-children", str(max_children)],
        cwd=ROOT,
        # No Redis: the tests that need a Celery worker are skipped, as in a plain `make test`.
        env={k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        check=False,
    )
    seconds = time.monotonic() - started
    if child.returncode != 0:
        print(f"mutmut failed on {module} (exit {child.returncode})", file=sys.stderr)
        return
    statuses = {}
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in listing.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    diffs = {}
    for name, status in statuses.items():
        if status not in KILLED:
            shown = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            diffs[name] = [
                line
                for line in shown.stdout.splitlines()
                if line.startswith(("+ ", "- ", "+\t", "-\t"))
                or (line[:1] in "+-" and not line.startswith(("+++", "---")))
            ]
    RESULTS.mkdir(exist_ok=True)
    result = {"module": module, "seconds": round(seconds), "statuses": statuses, "diffs": diffs}
    (RESULTS / (module.replace("/", ".") + ".json")).write_text(json.dumps(result, indent=1))


def mutmut_child(module: str, max_children: int) -> None:
    import mutmut.configuration as configuration
    from mutmut.__main__ import cli

    base = configuration._load_config()
    configuration._config = dataclasses.replace(
        base, only_mutate=[module], pytest_add_cli_args_test_selection=MODULES[module]
    )
    cli(["run", "--max-children", str(max_children)], standalone_mode=True)


def changed_modules(revision: str) -> list[str]:
    changed = subprocess.run(
        [
            "git",
            "diff",
            "--name-only",
            revision,
            "--",
            *MODULES,
            *{t for tests in MODULES.values() for t in tests},
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [m for m, tests in MODULES.items() if m in changed or set(tests) & set(changed)]


def report(modules: list[str]) -> bool:
    equivalents = tomllib.loads(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else {}
    all_pass = True
    header = ("mutants", "killed", "equiv.", "survived", "score", "time")
    print(f"{'module':34}", *(f"{h:>8}" for h in header))
    for module in modules:
        path = RESULTS / (module.replace("/", ".") + ".json")
        if not path.exists():
            print(f"{module:34} not run")
            all_pass = False
            continue
        result = json.loads(path.read_text())
        known = equivalents.get(module, {})
        statuses = result["statuses"]
        killed = sum(status in KILLED for status in statuses.values())
        equivalent = [n for n, s in statuses.items() if s not in KILLED and n in known]
        survivors = [n for n, s in statuses.items() if s not in KILLED and n not in known]
        counted = len(statuses) - len(equivalent)
        score = killed / counted if counted else 1.0
        all_pass &= score >= TARGET
        print(
            f"{module:34}",
            *(f"{n:8}" for n in (len(statuses), killed, len(equivalent), len(survivors))),
            f"{score:8.1%} {result['seconds']:7}s",
        )
        for name in survivors:
            print(f"    survived: {name}")
            for line in result["diffs"].get(name, []):
                print(f"        {line}")
        stale = [n for n in known if statuses.get(n) in KILLED or n not in statuses]
        for name in stale:
            print(f"    listed as equivalent but now killed or gone: {name}")
    return all_pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module paths (default: all)")
    parser.add_argument("--changed", metavar="REV", help="only modules changed since REV")
    parser.add_argument("--report", action="store_true", help="print the table, run nothing")
    parser.add_argument(
        "--budget",
        type=int,
        metavar="SECONDS",
        help="skip modules whose measured run time is longer (for CI)",
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--mutmut-child", metavar="MODULE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mutmut_child:
        mutmut_child(args.mutmut_child, args.max_children)
        return
    for module in args.modules:
        if module not in MODULES:
            parser.error(f"{module} is not a critical module: {', '.join(MODULES)}")
    modules = args.modules or (changed_modules(args.changed) if args.changed else list(MODULES))
    if args.budget is not None:
        over = [m for m in modules if MEASURED_SECONDS.get(m, float("inf")) > args.budget]
        for module in over:
            seconds = MEASURED_SECONDS.get(module)
            took = f"takes {seconds} s" if seconds else "has no measured time"
            print(f"Skipped {module}: it {took}, over the {args.budget} s budget.")
        modules = [m for m in modules if m not in over]
    if (args.changed or args.budget is not None) and not modules:
        print(
            "No critical module to mutate"
            + (f" changed since {args.changed}." if args.changed else ".")
        )
        return
    if not args.report:
        for module in modules:
            print(f"== {module}", flush=True)
            run_module(module, args.max_children)
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    sys.exit(0 if report(modules) else 1)


if __name__ == "__main__":
    main()
