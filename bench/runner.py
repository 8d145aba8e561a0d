"""`python -m bench`: load-test every page and endpoint against its raw limit, interleaved.

1. Find the records worth measuring in the seeded database (the typical and the largest
   agreement, the busiest actor, a cursor deep in the articles…).
2. Start gunicorn with production settings (DEBUG=0, 3 sync workers) on `bench.wsgi`, which
   serves the app and the raw handlers of `bench/raw.py` side by side.
3. Ask each endpoint once with `X-Bench-Count-Queries` (status, bytes, SQL statements), with a
   timeout: an endpoint that does not answer in time is reported as timing out and is not
   loaded, so one hopeless page cannot hold the workers for the rest of the run.
4. Drive each endpoint and its raw counterpart with wrk from this (second) process, A B A B …
   for `--rounds` rounds, so both halves of a ratio see the same machine.
5. Print the table, write `bench/results/<scale>.json` and, with matplotlib, a PNG plot.

The exit status is 1 when an endpoint answered anything but 2xx or timed out, never because of
its speed.
"""

import argparse
import base64
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psycopg

from .endpoints import ENDPOINTS, Endpoint

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
RARE_WORD = "zyzzogeton"
# The changes feed's `since` when the seeded data holds no deletions.
REFERENCE_SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Site search is measured on a word in about this share of the articles (the bar is
# for terms matching up to 5 %), found in a sample of the search index.
SEARCH_WORD_SHARE = 0.02
SEARCH_WORD = f"""
SELECT word FROM ts_stat('SELECT vector FROM search_searchdocument
                          WHERE kind = ''article'' AND id % 50 = 0'),
     (SELECT greatest(count(*), 1) n FROM search_searchdocument
      WHERE kind = 'article' AND id % 50 = 0) sample
WHERE length(word) > 3
ORDER BY abs(ndoc::float / sample.n - {SEARCH_WORD_SHARE}), word LIMIT 1"""


def misspelt(name: str) -> str:
    """The name with one letter changed, as a hurried typist would: the last vowel of its
    longest word, so "Kristi Noem" becomes "Kristi Noam"."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    for i in range(len(word) - 1, 0, -1):
        if word[i] in "aeiou":
            words[longest] = word[:i] + ("a" if word[i] != "a" else "e") + word[i + 1 :]
            break
    return " ".join(words)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default=None, help="Label of the results (default: guessed).")
    parser.add_argument("--seed-first", action="store_true", help="Run seed_bench --reset first.")
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds per endpoint.")
    parser.add_argument("--connections", type=int, default=3, help="wrk connections.")
    parser.add_argument("--timeout", type=float, default=15.0, help="Seconds per request.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8120)))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="Unmeasured requests to each side of an endpoint before its rounds (default: two "
        "per worker, none with --quick).",
    )
    parser.add_argument("--only", default="", help="Comma-separated substrings of names.")
    parser.add_argument("--output", type=Path, help="JSON path (default bench/results/…).")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--report", type=Path, help="Print the table, .md and plot of a results JSON; no run."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke: one 1-second round per endpoint, results not written to bench/results.",
    )
    parser.add_argument("--ingest", action="store_true", help="Also measure ingestion.")
    parser.add_argument("--ingest-only", action="store_true", help="Measure ingestion only.")
    parser.add_argument(
        "--ingest-articles", type=int, default=5000, help="Articles for the ingestion run."
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument(
        "--soak",
        type=int,
        metavar="SECONDS",
        help="Soak: a mix of every endpoint for SECONDS, sampling each worker's memory.",
    )
    parser.add_argument("--soak-slice", type=int, default=30, help="Seconds per soak slice.")
    parser.add_argument("--sample-every", type=float, default=5.0, help="Seconds between samples.")
    parser.add_argument(
        "--soak-slow",
        type=float,
        default=5.0,
        help="Leave out of the soak an endpoint whose first answer takes longer (seconds).",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Response cache off (RESPONSE_CACHE_SECONDS=0): every request renders. Without "
        "REDIS_URL the cache is off anyway.",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds = 1, 1
    if args.warmup is None:
        args.warmup = 0 if args.quick else 2 * args.workers
    return args


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("python -m bench needs DATABASE_URL pointing at a seeded PostgreSQL database.")
    return url


# --- targets -------------------------------------------------------------------------------


def find_targets(url: str) -> tuple[dict, dict]:
    """The records each endpoint is measured on, and the row counts of the data set."""
    with psycopg.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
        counts = {}
        for table in (
            "tracker_agreement",
            "tracker_actor",
            "tracker_event",
            "tracker_statement",
            "news_article",
            "news_articlelink",
        ):
            counts[table] = one(f"SELECT count(*) FROM {table}")[0]
        if not counts["tracker_agreement"]:
            sys.exit("The database holds no agreements: run manage.py seed_bench first.")
        per_agreement = """SELECT a.slug FROM tracker_agreement a
            LEFT JOIN (SELECT agreement_id, count(*) n FROM tracker_event GROUP BY 1) e
            ON e.agreement_id = a.id ORDER BY coalesce(e.n, 0) {order}, a.id"""
        largest = one(per_agreement.format(order="DESC") + " LIMIT 1")[0]
        typical = one(
            per_agreement.format(order="")
            + " OFFSET (SELECT count(*) / 2 FROM tracker_agreement) LIMIT 1"
        )[0]
        busiest = one(
            """SELECT a.slug FROM tracker_actor a JOIN (
                 SELECT speaker_id id FROM tracker_statement UNION ALL
                 SELECT actor_id FROM tracker_position UNION ALL
                 SELECT actor_id FROM tracker_party UNION ALL
                 SELECT actor_id FROM news_articlelink WHERE actor_id IS NOT NULL) x
               ON x.id = a.id GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1"""
        )[0]
        search_word = one(SEARCH_WORD)
        busiest_name = one(
            f"SELECT name FROM tracker_actor WHERE slug = '{busiest.replace(chr(39), '')}'"
        )[0]
        challenge = one(
            """SELECT c.slug FROM tracker_legalchallenge c
               LEFT JOIN (SELECT challenge_id, count(*) n FROM tracker_event GROUP BY 1) e
               ON e.challenge_id = c.id ORDER BY coalesce(e.n, 0), c.id
               OFFSET (SELECT count(*) / 2 FROM tracker_legalchallenge) LIMIT 1"""
        )
        topic = one(
            """SELECT t.slug FROM tracker_topic t JOIN tracker_agreement_topics at
               ON at.topic_id = t.id GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1"""
        )
        # An event in the middle of the largest timeline: its page finds where it stands.
        middle_event = one(
            f"""SELECT e.id FROM tracker_event e JOIN tracker_agreement a ON a.id = e.agreement_id
               WHERE a.slug = '{largest.replace(chr(39), "")}'
               ORDER BY e.date, e.date_precision, e.sequence, e.id
               OFFSET (SELECT count(*) / 2 FROM tracker_event e JOIN tracker_agreement a
                       ON a.id = e.agreement_id WHERE a.slug = '{largest.replace(chr(39), "")}')
               LIMIT 1"""
        )
        # A point 4/5 into the deletions, so the changes feed answers a full page from deep in it.
        since = one(
            """SELECT deleted_at FROM opendata_deletion ORDER BY deleted_at, id
               OFFSET (SELECT count(*) * 4 / 5 FROM opendata_deletion) LIMIT 1"""
        )
        deep = one(
            """SELECT published_at, id FROM news_article
               WHERE fetch_status = 'fetched' AND published_at IS NOT NULL
               ORDER BY published_at DESC, id DESC
               OFFSET (SELECT count(*) * 4 / 5 FROM news_article) LIMIT 1"""
        )
    published_at = deep[0].astimezone(dt.UTC)
    cursor = {"p": published_at.isoformat(), "i": deep[1], "r": 0}
    encoded = base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode())
    targets = {
        "typical_agreement": typical,
        "largest_agreement": largest,
        "busiest_actor": busiest,
        "typical_challenge": challenge[0] if challenge else "none",
        "busiest_topic": topic[0] if topic else "none",
        "deep_cursor": quote(encoded.decode()),
        "deep_published_at": quote(published_at.isoformat()),
        "deep_id": deep[1],
        "rare_word": RARE_WORD,
        "search_word": quote(search_word[0] if search_word else RARE_WORD),
        "typo_name": quote(misspelt(busiest_name)),
        "middle_event": middle_event[0] if middle_event else 0,
        "changes_since": quote((since[0] if since else REFERENCE_SINCE).isoformat()),
    }
    return targets, counts


def guess_scale(counts: dict) -> str:
    agreements = counts["tracker_agreement"]
    return "large" if agreements >= 40_000 else "medium" if agreements >= 5_000 else "small"


# --- gunicorn ------------------------------------------------------------------------------


def response_cache_on(args) -> bool:
    return bool(os.environ.get("REDIS_URL")) and not args.cold


def server_environment(url: str, *, response_cache: bool = False) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=url,
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="policytracker.settings",
        # The throttle stays in the path (its cost is part of every request) but at a rate no
        # load generator reaches: a 429 would measure the refusal, not the page.
        API_ANON_RATE="100000000/min",
        API_USER_RATE="100000000/min",
        RESPONSE_CACHE_SECONDS="300" if response_cache else "0",
    )
    return env


def _manage(env: dict, *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def collect_static(env: dict) -> None:
    _manage(env, "collectstatic", "--noinput", "-v", "0")


def publish_dump(env: dict) -> None:
    """The dump endpoints serve the published bulk dump: write one if DUMP_DIR has none."""
    _manage(env, "export_dump", "--if-missing", "-v", "0")


class Server:
    def __init__(self, *, port: int, workers: int, timeout: float, env: dict):
        self.base = f"http://127.0.0.1:{port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        # Statements stop when a request would have timed out, so no query outlives its worker.
        env = {**env, "PGOPTIONS": f"-c statement_timeout={int(timeout * 1000)}"}
        self.process = subprocess.Popen(
            [
                str(gunicorn) if gunicorn.exists() else "gunicorn",
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                str(int(timeout) + 5),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def wait_ready(self, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with status {self.process.returncode}.")
            try:
                with urllib.request.urlopen(self.base + "/__raw__/ping", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        sys.exit("gunicorn did not answer within a minute.")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- measuring -----------------------------------------------------------------------------


def probe(base: str, path: str, timeout: float) -> dict:
    """One request: status, size, SQL statements (app only), seconds; or a timeout."""
    # A cookie keeps this request out of the response cache: the count is of a real render.
    request = urllib.request.Request(
        base + path, headers={"X-Bench-Count-Queries": "1", "Cookie": "bench=uncached"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            status, queries = response.status, response.headers.get("X-Bench-Queries")
    except urllib.error.HTTPError as error:
        body, status, queries = error.read(), error.code, error.headers.get("X-Bench-Queries")
    except (TimeoutError, urllib.error.URLError) as error:
        return {"status": None, "error": f"no answer in {timeout:g} s ({error})"}
    return {
        "status": status,
        "bytes": len(body),
        "queries": int(queries) if queries is not None else None,
        "seconds": round(time.perf_counter() - started, 4),
    }


def run_wrk(url: str, *, duration: int, connections: int, timeout: float) -> dict:
    command = [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={max(1, int(timeout))}s",
        "-s",
        str(LUA),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 30)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")


def summarise(runs: list[dict]) -> dict:
    """Throughput over all rounds; latency percentiles as the median of the rounds'."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["duration_us"] for r in runs) / 1e6
    errors = sum(
        r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] + r["non2xx"]
        for r in runs
    )
    answered = [r for r in runs if r["requests"]]  # a round too short for one answer has none

    def ms(key, pick=statistics.median):
        return round(pick(r[key] for r in answered) / 1000, 2) if answered else None

    return {
        "requests": requests,
        "rps": round(requests / seconds, 2) if seconds else 0.0,
        "p50_ms": ms("p50_us"),
        "p95_ms": ms("p95_us"),
        "p99_ms": ms("p99_us"),
        "max_ms": ms("max_us", max),
        "errors": errors,
        "timeouts": sum(r["timeouts"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "bytes_per_response": round(sum(r["bytes"] for r in runs) / requests) if requests else 0,
    }


def _ok(status) -> bool:
    return status is not None and 200 <= status < 300


def _sequential(seconds: list) -> dict:
    """Figures from single requests one after another (an endpoint too slow for wrk)."""
    answered = [x for x in seconds if x is not None]
    if not answered:
        return {"errors": len(seconds), "timeouts": len(seconds), "note": "no answer"}
    middle = statistics.median(answered)
    return {
        "requests": len(answered),
        "rps": round(1 / middle, 3),
        "p50_ms": round(middle * 1000, 1),
        "p99_ms": round(max(answered) * 1000, 1),
        "max_ms": round(max(answered) * 1000, 1),
        "errors": len(seconds) - len(answered),
        "timeouts": len(seconds) - len(answered),
        "non2xx": 0,
        "note": "single requests in sequence: too slow for a wrk run",
    }


def measure(endpoint: Endpoint, targets: dict, server: Server, args) -> dict:
    path, raw = endpoint.path.format(**targets), endpoint.raw.format(**targets)
    result = {"name": endpoint.name, "kind": endpoint.kind, "path": path, "raw_path": raw}
    app_probe = probe(server.base, path, args.timeout)
    raw_probe = probe(server.base, raw, args.timeout)
    result["probe"], result["raw_probe"] = app_probe, raw_probe
    result["queries"] = app_probe.get("queries")
    failed = [
        (side, p) for side, p in (("app", app_probe), ("raw", raw_probe)) if not _ok(p["status"])
    ]
    if failed:
        for side, p in failed:
            note = p.get("error") or f"HTTP {p['status']}"
            result[side] = {"errors": 1, "timeouts": int(p["status"] is None), "note": note}
        for side in {"app", "raw"} - {side for side, _ in failed}:
            result[side] = {"errors": 0, "note": "not loaded: its counterpart failed"}
        result["throughput_ratio"] = result["p50_ratio"] = result["bytes_ratio"] = None
        if any(p["status"] is None for _, p in failed):
            # A worker is still busy with the request that timed out: let gunicorn end it.
            time.sleep(args.timeout + 5)
        return result
    app_runs, raw_runs, app_seconds = [], [], []
    options = {"duration": args.duration, "connections": args.connections}
    # Slower than half a wrk run: wrk would see hardly an answer, so time single requests.
    slow = app_probe["seconds"] > args.duration / 2
    raw_slow = raw_probe["seconds"] > args.duration / 2
    raw_seconds = []
    if not (slow or raw_slow):
        # Each worker's first requests for an endpoint pay for its session's first plans
        # (catalog lookups, an extension's library loaded): 5-10 times a warm request, enough
        # to fill a short run's p99. Both sides warm up alike; wrk measures what follows.
        for _ in range(args.warmup):
            probe(server.base, path, args.timeout)
            probe(server.base, raw, args.timeout)
    for _ in range(args.rounds):
        if slow:
            app_seconds.append(probe(server.base, path, args.timeout).get("seconds"))
        else:
            app_runs.append(run_wrk(server.base + path, timeout=args.timeout, **options))
        if raw_slow:
            raw_seconds.append(probe(server.base, raw, args.timeout).get("seconds"))
        else:
            raw_runs.append(run_wrk(server.base + raw, timeout=args.timeout, **options))
    result["raw"] = _sequential(raw_seconds) if raw_slow else summarise(raw_runs)
    result["app"] = _sequential(app_seconds) if slow else summarise(app_runs)
    app, raw_ = result["app"], result["raw"]
    measured = app.get("requests") and raw_.get("requests")
    result["throughput_ratio"] = round(app["rps"] / raw_["rps"], 4) if measured else None
    result["p50_ratio"] = (
        round(app["p50_ms"] / raw_["p50_ms"], 2) if app["p50_ms"] and raw_["p50_ms"] else None
    )
    result["bytes_ratio"] = (
        round(app_probe["bytes"] / raw_probe["bytes"], 2) if raw_probe.get("bytes") else None
    )
    return result


# --- reporting -----------------------------------------------------------------------------


def _size(n) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} B"


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ratio(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def table(results: list[dict]) -> str:
    head = (
        f"{'endpoint':<26} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'errors':>6} "
        f"{'bytes':>9} {'SQL':>5} {'raw req/s':>9} {'raw p50':>8} {'× raw':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        app, raw = r["app"], r.get("raw", {})
        ratio = r.get("throughput_ratio")
        if "p50_ms" not in app or "p50_ms" not in raw:
            failed = app if app.get("errors") else raw
            side = "" if failed is app else "raw: "
            lines.append(f"{r['name']:<26} {side}failed: {failed.get('note')}")
            continue
        lines.append(
            f"{r['name']:<26} {app['rps']:>8.1f} {_ms(app['p50_ms']):>9} {_ms(app['p99_ms']):>9} "
            f"{app['errors']:>6} {_size(r['probe'].get('bytes')):>9} "
            f"{r['queries'] if r['queries'] is not None else '—':>5} {raw['rps']:>9.1f} "
            f"{_ms(raw['p50_ms']):>8} {_ratio(ratio):>7}"
        )
    return "\n".join(lines)


def markdown_table(results: list[dict]) -> str:
    """The README's table: one row per endpoint, app figures then the raw limit's."""
    lines = [
        "| page or endpoint | req/s | p50 | p99 | errors | bytes | SQL | raw req/s | raw p50 "
        "| × raw (throughput) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        app, raw = r["app"], r.get("raw", {})
        if "p50_ms" not in app or "p50_ms" not in raw:
            failed = app if app.get("errors") else raw
            lines.append(f"| {r['name']} | {failed.get('note')} | | | {app.get('errors', 0)} "
                         "| | | | | |")  # fmt: skip
            continue
        slow = " (seq.)" if "single requests" in (app.get("note") or "") else ""
        raw_slow = " (seq.)" if "single requests" in (raw.get("note") or "") else ""
        lines.append(
            f"| {r['name']} | {app['rps']:.3g}{slow} | {_ms(app['p50_ms'])} ms "
            f"| {_ms(app['p99_ms'])} ms | {app['errors']} | {_size(r['probe'].get('bytes'))} "
            f"| {r['queries'] if r['queries'] is not None else '—'} | {raw['rps']:.3g}{raw_slow} "
            f"| {_ms(raw['p50_ms'])} ms | {_ratio(r.get('throughput_ratio'))} |"
        )
    return "\n".join(lines)


def plot(results: list[dict], path: Path, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (pip install -e '.[bench]'): no plot written")
        return False
    names = [r["name"] for r in results][::-1]
    ratios = [r.get("throughput_ratio") or 1e-4 for r in results][::-1]
    colours = ["#3a7" if r >= 0.5 else "#e93" if r >= 0.1 else "#c33" for r in ratios]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(names) + 1.4))
    ax.barh(names, ratios, color=colours)
    ax.set_xscale("log")
    ax.set_xlim(1e-4, 1.5)
    ax.axvline(0.5, color="#555", linestyle="--", linewidth=1)
    ax.axvline(0.3, color="#999", linestyle=":", linewidth=1)
    ax.set_xlabel("throughput as a fraction of the raw limit (log scale; targets 0.3–0.6)")
    ax.set_title(title, fontsize=10)
    for y, r in enumerate(ratios):
        ax.text(r * 1.1, y, f"{r:.3g}" if r > 1e-4 else "failed", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def ingest(args) -> dict:
    from .ingestion import measure_ingestion

    return measure_ingestion(
        args.corpus / "scrapinghub-aeb", articles=args.ingest_articles, quick=args.quick
    )


def write_summaries(report: dict, output: Path, *, plot_too: bool) -> None:
    """The Markdown table and the PNG plot next to a results JSON."""
    output.with_suffix(".md").write_text(markdown_table(report["endpoints"]) + "\n")
    print(f"table: {output.with_suffix('.md')}")
    title = f"PolicyTracker at {report['scale']} scale vs the raw limit ({report['measured_at']})"
    if plot_too and plot(report["endpoints"], output.with_suffix(".png"), title):
        print(f"plot: {output.with_suffix('.png')}")


def main(argv=None) -> int:
    args = parse_args(argv)
    # Stopped from outside: still stop gunicorn on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.report:
        report = json.loads(args.report.read_text())
        print(table(report["endpoints"]))
        write_summaries(report, args.report, plot_too=not args.no_plot)
        return 0
    url = database_url()
    env = server_environment(url, response_cache=response_cache_on(args))
    if args.seed_first:
        subprocess.run(
            [sys.executable, "manage.py", "seed_bench", "--scale", args.scale or "small", "--reset"]
            + (["--corpus", str(args.corpus / "scrapinghub-aeb")] if args.corpus.exists() else []),
            cwd=ROOT,
            check=True,
        )
    targets, counts = find_targets(url)
    scale = args.scale or guess_scale(counts)
    cache_state = "on (Redis)" if response_cache_on(args) else "off"
    print(
        f"bench: {scale} scale, {counts['tracker_agreement']:,} agreements, response cache "
        f"{cache_state}, targets {targets}"
    )
    if args.ingest_only:
        output = args.output or RESULTS / "ingestion.json"
        ingestion = ingest(args)
        report = {
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "ingestion": ingestion,
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            },
        }
        print(json.dumps(report, indent=2))
        output.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {output}")
        return 0
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    selected = [e for e in ENDPOINTS if not wanted or any(w in e.name for w in wanted)]
    collect_static(env)
    # Writing the dump reads every table (long at large scale): only when a dump is measured.
    if args.soak or any(e.path.startswith("/api/v1/dumps") for e in selected):
        publish_dump(env)
    server = Server(port=args.port, workers=args.workers, timeout=args.timeout, env=env)
    if args.soak:
        return run_soak(args, server=server, targets=targets, scale=scale)
    started = time.perf_counter()
    results = []
    try:
        server.wait_ready()
        for endpoint in selected:
            result = measure(endpoint, targets, server, args)
            results.append(result)
            app = result["app"]
            print(
                f"  {endpoint.name:<26} {app.get('rps', 0):>9.1f} req/s  "
                f"ratio {result.get('throughput_ratio')}  errors {app.get('errors')}",
                flush=True,
            )
    finally:
        server.stop()
    ingestion = ingest(args) if args.ingest else None
    print()
    print(table(results))
    report = {
        "scale": scale,
        "counts": counts,
        "targets": targets,
        "settings": {
            "duration_s": args.duration,
            "rounds": args.rounds,
            "connections": args.connections,
            "workers": args.workers,
            "warmup_requests": args.warmup,
            "timeout_s": args.timeout,
            "response_cache": cache_state,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "endpoints": results,
    }
    if ingestion is not None:
        report["ingestion"] = ingestion
        print(json.dumps(ingestion, indent=2))
    name = scale if response_cache_on(args) else f"{scale}-cold"
    output = args.output or (None if args.quick else RESULTS / f"{name}.json")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {output}")
        write_summaries(report, output, plot_too=not args.no_plot)
    failed = [r["name"] for r in results if r["app"].get("errors") or r["raw"].get("errors")]
    if failed:
        print(f"bench: errors (non-2xx answers or timeouts) on: {', '.join(failed)}")
        return 1
    return 0


def run_soak(args, *, server: Server, targets: dict, scale: str) -> int:
    from .soak import print_summary, soak

    try:
        server.wait_ready()
        report, failed = soak(args, server=server, targets=targets, scale=scale, probe=probe)
    finally:
        server.stop()
    report["response_cache"] = response_cache_on(args)
    print_summary(report)
    name = f"soak-{scale}" if report["response_cache"] else f"soak-{scale}-cold"
    output = args.output or RESULTS / f"{name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {output}")
    return 1 if failed else 0
