"""Ingestion throughput of one worker, against trafilatura alone and against our extraction
alone on the same pages, interleaved, and the worker's memory after 500 and after 5,000
articles.

The ScrapingHub benchmark pages (`../shared/corpora/scrapinghub-aeb/html/*.html.gz`) are served
from a local HTTP server on 127.0.0.1 under ever new URLs (`/r<n>/<id>.html`), so every article
is new to the tracker although the pages repeat. One worker process (`python -m bench.ingestion
worker …`, a fresh interpreter like a Celery pool process) runs the real service,
`apps.news.ingest.ingest_url` — fetch through safe_fetch, extract, deduplicate, match, store —
into its own database, seeded at small scale so matching has records to find.
"""

import contextlib
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "policytracker_bench_ingest"


def load_pages(corpus: Path) -> dict[str, bytes]:
    return {
        path.name.removesuffix(".html.gz"): gzip.decompress(path.read_bytes())
        for path in sorted((corpus / "html").glob("*.html.gz"))
    }


class _PageServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def serve_pages(pages: dict[str, bytes], port: int) -> _PageServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1].removesuffix(".html")
            body = pages.get(name)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = _PageServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# Articles per slice: the worker alternates a slice of ingestion with the same pages through
# trafilatura alone and through our extraction alone, so a machine that gets busier or quieter
# during the run weighs on all three alike (A B C A B C …, as the HTTP bench interleaves).
SLICE = 20


def worker(base: str, names: list[str], count: int, checkpoints: list[int], pages_dir: str) -> dict:
    """Runs inside the worker process: ingest `count` articles in slices, each followed by the
    same pages through trafilatura alone and through apps.news.extract alone; note the RSS at
    the checkpoints."""
    import django

    django.setup()
    import trafilatura

    from apps.news.extract import ExtractionError, extract_article
    from apps.news.ingest import ingest_url

    pages = load_pages(Path(pages_dir))
    seconds = {"ingest": 0.0, "trafilatura": 0.0, "extraction": 0.0}
    marks, statuses = {}, {}
    for first in range(0, count, SLICE):
        batch = range(first, min(first + SLICE, count))
        started = time.perf_counter()
        for i in batch:
            outcome = ingest_url(url=f"{base}/r{i}/{names[i % len(names)]}.html")
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            if i + 1 in checkpoints:
                marks[str(i + 1)] = {"rss_mb": round(_rss_mb(), 1)}
        seconds["ingest"] += time.perf_counter() - started
        started = time.perf_counter()
        for i in batch:
            name = names[i % len(names)]
            trafilatura.extract(pages[name].decode("utf-8", "replace"), url=f"{base}/{name}.html")
        seconds["trafilatura"] += time.perf_counter() - started
        started = time.perf_counter()
        for i in batch:
            name = names[i % len(names)]
            with contextlib.suppress(ExtractionError):
                extract_article(pages[name], url=f"{base}/{name}.html")
        seconds["extraction"] += time.perf_counter() - started
    return {"marks": marks, "statuses": statuses, "seconds": seconds}


def _create_database(url: str) -> None:
    """The worker's own database, made on the same server if it is not there yet."""
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure_ingestion(
    corpus: Path, *, articles: int = 5000, quick: bool = False, port: int = 8121
) -> dict:
    if not (corpus / "html").is_dir():
        return {"skipped": f"no corpus at {corpus}"}
    database = os.environ.get("BENCH_INGEST_DATABASE_URL", "")
    if not database:
        server_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        database = f"{server_url}/{os.environ.get('BENCH_INGEST_DATABASE', DEFAULT_DATABASE)}"
    count = 60 if quick else articles
    checkpoints = [count // 10, count]
    pages = load_pages(corpus)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "INGEST_ALLOWED_PRIVATE_HOSTS": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": "bench-ingestion",
        "DJANGO_SETTINGS_MODULE": "policytracker.settings",
    }
    env.pop("REDIS_URL", None)
    _create_database(database)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_bench", "--scale", "small", "--reset"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"ingestion: {count} articles from {len(pages)} pages, one worker", flush=True)
    server = serve_pages(pages, port)
    try:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "bench.ingestion", "worker"),
                *(f"http://127.0.0.1:{port}", str(count), ",".join(map(str, checkpoints))),
                str(corpus),
            ],
            cwd=ROOT,
            env={**env, "BENCH_PAGE_NAMES": ",".join(pages)},
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        server.shutdown()
    run = json.loads(done.stdout.strip().splitlines()[-1])
    first, last = (run["marks"][str(c)] for c in checkpoints)
    spent = run["seconds"]
    rate = {name: round(count / seconds, 2) for name, seconds in spent.items()}
    return {
        "articles": count,
        "pages": len(pages),
        "statuses": run["statuses"],
        "interleaved_slices_of": SLICE,
        "ingest_articles_per_s": rate["ingest"],
        "trafilatura_pages_per_s": rate["trafilatura"],
        "extraction_pages_per_s": rate["extraction"],
        "ingest_vs_trafilatura_ratio": round(spent["trafilatura"] / spent["ingest"], 3),
        "ingest_vs_extraction_ratio": round(spent["extraction"] / spent["ingest"], 3),
        "extraction_vs_trafilatura_ratio": round(spent["trafilatura"] / spent["extraction"], 3),
        f"rss_mb_after_{checkpoints[0]}": first["rss_mb"],
        f"rss_mb_after_{checkpoints[1]}": last["rss_mb"],
        "rss_growth_ratio": round(last["rss_mb"] / first["rss_mb"], 3),
    }


if __name__ == "__main__" and sys.argv[1:2] == ["worker"]:
    base, count, checkpoints, pages_dir = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    names = os.environ["BENCH_PAGE_NAMES"].split(",")
    result = worker(base, names, count, [int(c) for c in checkpoints.split(",")], pages_dir)
    print(json.dumps(result))
