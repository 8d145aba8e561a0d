"""The soak's memory arithmetic and its view of the workers: real processes read from /proc."""

import os
import subprocess
import sys

from bench.soak import memory_summary, rss_mb, worker_pids


def samples(*series_by_pid):
    """Samples every 10 s from per-worker series of MB."""
    length = max(len(series) for series in series_by_pid)
    return [
        {
            "t": 10.0 * i,
            "workers": {
                str(n): series[i] for n, series in enumerate(series_by_pid) if i < len(series)
            },
        }
        for i in range(length)
    ]


def test_growth_is_counted_from_the_end_of_warm_up():
    # Warm-up fills caches (100 → 130 MB); afterwards the worker holds steady.
    summary = memory_summary(samples([100, 130, 131, 131, 132]), warm_from=10.0)

    worker = summary["workers"]["0"]
    assert (worker["start_mb"], worker["warm_mb"], worker["end_mb"]) == (100, 130, 132)
    assert worker["growth_after_warmup_mb"] == 2
    assert worker["trend_mb_per_minute"] == 3.6  # 0.06 MB/s over the warm samples
    assert summary["flat"] is True


def test_a_worker_that_keeps_growing_is_not_flat():
    summary = memory_summary(samples([100, 110, 111], [100, 110, 130, 150]), warm_from=10.0)

    assert summary["workers"]["0"]["flat"] is True
    assert summary["workers"]["1"]["growth_after_warmup_mb"] == 40
    assert summary["flat"] is False


def test_a_worker_missing_from_some_samples_is_reported_as_restarted():
    summary = memory_summary(samples([100, 100, 100], [100]), warm_from=0.0)

    assert summary["workers"]["1"]["present_throughout"] is False
    assert summary["restarted"] is True


def test_worker_pids_are_the_children_of_the_master_with_their_memory():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Read its memory once the interpreter runs: just after the fork it is a bare process.
        assert child.stdout.readline() == "up\n"
        assert child.pid in worker_pids(os.getpid())
        assert rss_mb(child.pid) > 1
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert child.pid not in worker_pids(os.getpid())
    assert rss_mb(child.pid) is None
