"""`python -m bench --soak SECONDS`: a mix of every page and endpoint under steady load for a
while, against the gunicorn the runner starts, with each worker's memory sampled throughout.

The load is wrk driving `bench/wrk_mix.lua`, which asks the endpoints' paths in turn, in slices
of `--soak-slice` seconds so the report has errors and throughput over time. A thread reads
every gunicorn worker's resident set size from /proc every `--sample-every` seconds. The first
slice warms the workers (imports, connection, caches); memory is judged from the end of that
slice to the end of the run: flat when no worker grew by more than FLAT_MB or FLAT_SHARE.

The report goes to bench/results/soak-<scale>.json (-cold without the response cache). The exit
status is 1 when any request failed (a non-2xx answer, a timeout, a connection error) or a
worker died, never because of memory: that is reported, for a person to judge.
"""

import datetime as dt
import json
import os
import statistics
import subprocess
import threading
import time
from pathlib import Path

from .endpoints import ENDPOINTS

MIX_LUA = Path(__file__).resolve().parent / "wrk_mix.lua"
PAGE_SIZE_KB = os.sysconf("SC_PAGESIZE") // 1024
# A worker whose memory grows less than this after warm-up is called flat.
FLAT_MB = 8.0
FLAT_SHARE = 0.10


def worker_pids(master: int) -> list[int]:
    """The processes gunicorn's master started (its workers), from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended while we looked
        # The command name is in parentheses and may hold spaces: the fields follow the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def rss_mb(pid: int) -> float | None:
    try:
        resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(resident_pages * PAGE_SIZE_KB / 1024, 2)


class MemorySampler(threading.Thread):
    """Samples every worker's RSS until stopped: [{"t": seconds, "workers": {pid: MB}}]."""

    def __init__(self, master: int, every: float):
        super().__init__(daemon=True)
        self.master, self.every = master, every
        self.samples: list[dict] = []
        self.started = time.monotonic()
        self._stopping = threading.Event()

    def sample(self) -> None:
        workers = {str(pid): rss_mb(pid) for pid in worker_pids(self.master)}
        self.samples.append(
            {
                "t": round(time.monotonic() - self.started, 1),
                "workers": {pid: mb for pid, mb in workers.items() if mb is not None},
            }
        )

    def run(self) -> None:
        while not self._stopping.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self._stopping.set()
        self.join()
        self.sample()


def memory_summary(samples: list[dict], *, warm_from: float) -> dict:
    """Per worker: MB at the first sample, after warm-up, at the end, growth since warm-up and
    its trend (least-squares MB per minute); and whether every worker stayed flat. A worker
    that appears or disappears during the run (a restart) is reported as such."""
    pids = sorted({pid for sample in samples for pid in sample["workers"]})
    workers = {}
    for pid in pids:
        series = [(s["t"], s["workers"][pid]) for s in samples if pid in s["workers"]]
        warm = [(t, mb) for t, mb in series if t >= warm_from] or series[-1:]
        start_mb, warm_mb, end_mb = series[0][1], warm[0][1], series[-1][1]
        growth = round(end_mb - warm_mb, 2)
        workers[pid] = {
            "start_mb": start_mb,
            "warm_mb": warm_mb,
            "end_mb": end_mb,
            "peak_mb": max(mb for _, mb in series),
            "growth_after_warmup_mb": growth,
            "trend_mb_per_minute": _slope_per_minute(warm),
            "flat": growth <= max(FLAT_MB, FLAT_SHARE * warm_mb),
            "present_throughout": len(series) == len(samples),
        }
    return {
        "workers": workers,
        "flat": bool(workers) and all(w["flat"] for w in workers.values()),
        "restarted": any(not w["present_throughout"] for w in workers.values()),
        "flat_means": f"growth after warm-up ≤ {FLAT_MB:g} MB or {FLAT_SHARE:.0%} of the warm size",
    }


def _slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 2 or len({t for t, _ in points}) < 2:
        return None
    slope = statistics.linear_regression([t for t, _ in points], [mb for _, mb in points]).slope
    return round(slope * 60, 3)


def load_slice(base: str, paths: list[str], *, seconds: int, connections: int, timeout: float):
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={max(1, int(timeout))}s",
        "-s",
        str(MIX_LUA),
        base,
        "--",
        *paths,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 30)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")


def soak(args, *, server, targets: dict, scale: str, probe) -> tuple[dict, bool]:
    """Run the soak against a started server; return the report and whether it failed."""
    mix, left_out = [], []
    for endpoint in ENDPOINTS:
        path = endpoint.path.format(**targets)
        answer = probe(server.base, path, args.timeout)
        status = answer.get("status")
        if status is None or not 200 <= status < 300:
            left_out.append({"name": endpoint.name, "path": path, "failed": answer})
        elif answer["seconds"] > args.soak_slow:
            left_out.append({"name": endpoint.name, "path": path, "too_slow_s": answer["seconds"]})
        else:
            mix.append({"name": endpoint.name, "path": path})
    failed_probes = [item for item in left_out if "failed" in item]
    print(f"soak: {len(mix)} endpoints in the mix, {len(left_out)} left out", flush=True)
    sampler = MemorySampler(server.process.pid, args.sample_every)
    sampler.sample()
    sampler.start()
    slices = []
    began = time.monotonic()
    try:
        while (left := args.soak - (time.monotonic() - began)) >= 1:
            seconds = int(min(args.soak_slice, left))
            figures = load_slice(
                server.base,
                [item["path"] for item in mix],
                seconds=seconds,
                connections=args.connections,
                timeout=args.timeout,
            )
            errors = sum(
                figures[key]
                for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "non2xx")
            )
            slices.append(
                {
                    "t_end": round(time.monotonic() - sampler.started, 1),
                    "requests": figures["requests"],
                    "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
                    "p50_ms": round(figures["p50_us"] / 1000, 1),
                    "p99_ms": round(figures["p99_us"] / 1000, 1),
                    "errors": errors,
                    "non2xx": figures["non2xx"],
                    "timeouts": figures["timeouts"],
                }
            )
            latest = sampler.samples[-1]["workers"] if sampler.samples else {}
            print(
                f"  t={slices[-1]['t_end']:>6}s {slices[-1]['rps']:>7} req/s "
                f"errors {errors}  RSS MB {sorted(latest.values())}",
                flush=True,
            )
    finally:
        sampler.stop()
    warm_from = slices[0]["t_end"] if len(slices) > 1 else 0.0
    memory = memory_summary(sampler.samples, warm_from=warm_from)
    errors = sum(s["errors"] for s in slices) + len(failed_probes)
    report = {
        "scale": scale,
        "soak_seconds": args.soak,
        "settings": {
            "slice_s": args.soak_slice,
            "sample_every_s": args.sample_every,
            "connections": args.connections,
            "workers": args.workers,
            "timeout_s": args.timeout,
            "left_out_slower_than_s": args.soak_slow,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mix": mix,
        "left_out": left_out,
        "requests": sum(s["requests"] for s in slices),
        "errors": errors,
        "slices": slices,
        "memory": memory,
        "memory_samples": sampler.samples,
    }
    return report, bool(errors) or memory["restarted"]


def print_summary(report: dict) -> None:
    print(
        f"\nsoak: {report['requests']:,} requests in {report['soak_seconds']} s over "
        f"{len(report['mix'])} endpoints, {report['errors']} errors"
    )
    for pid, worker in report["memory"]["workers"].items():
        print(
            f"  worker {pid}: {worker['start_mb']} MB at start, {worker['warm_mb']} warm, "
            f"{worker['end_mb']} at the end (peak {worker['peak_mb']}), "
            f"{worker['growth_after_warmup_mb']:+} MB after warm-up, "
            f"trend {worker['trend_mb_per_minute']} MB/min"
        )
    verdict = "flat" if report["memory"]["flat"] else "GROWING"
    print(f"  memory: {verdict} ({report['memory']['flat_means']})")
    for item in report["left_out"]:
        print(f"  left out: {item['name']} {item.get('failed') or item.get('too_slow_s')}")
