"""The bench runner's arithmetic: rounds combine into one figure, failures are errors."""

import random

from bench.runner import _sequential, markdown_table, summarise
from bench.seed import Picker, allocate, zipf_weights


def wrk_round(requests, p50_us, *, timeouts=0, non2xx=0, seconds=5):
    return {
        "requests": requests,
        "duration_us": seconds * 1_000_000,
        "bytes": requests * 1000,
        "connect_errors": 0,
        "read_errors": 0,
        "write_errors": 0,
        "status_errors": non2xx,
        "timeouts": timeouts,
        "non2xx": non2xx,
        "p50_us": p50_us,
        "p90_us": p50_us * 2,
        "p95_us": p50_us * 5 // 2,
        "p99_us": p50_us * 3,
        "max_us": p50_us * 4,
        "mean_us": p50_us,
    }


def test_rounds_sum_throughput_and_take_the_median_latency():
    summary = summarise([wrk_round(100, 10_000), wrk_round(300, 30_000), wrk_round(200, 20_000)])
    assert summary["rps"] == 40.0  # 600 answers in 15 s
    assert summary["p50_ms"] == 20.0
    assert summary["p95_ms"] == 50.0
    assert summary["p99_ms"] == 60.0
    assert summary["max_ms"] == 120.0
    assert summary["bytes_per_response"] == 1000


def test_timeouts_and_non_2xx_answers_count_as_errors():
    summary = summarise([wrk_round(10, 1000, timeouts=2), wrk_round(10, 1000, non2xx=3)])
    assert summary["errors"] == 5


def test_a_round_without_answers_has_no_latency():
    summary = summarise([wrk_round(0, 0)])
    assert summary["rps"] == 0.0
    assert summary["p50_ms"] is None


def test_single_requests_give_sequential_figures_and_count_missing_answers():
    figures = _sequential([2.0, None, 4.0])
    assert figures["p50_ms"] == 3000.0
    assert figures["rps"] == round(1 / 3.0, 3)
    assert figures["errors"] == 1


def test_the_markdown_table_names_a_failed_endpoint():
    results = [
        {
            "name": "html home",
            "app": {"errors": 1, "note": "no answer in 15 s"},
            "raw": {"errors": 0},
            "probe": {},
            "queries": None,
        }
    ]
    assert "| html home | no answer in 15 s |" in markdown_table(results)


def test_allocation_keeps_the_total_and_the_minimum():
    counts = allocate(1000, zipf_weights(50, 1.0), minimum=2)
    assert sum(counts) == 1000
    assert min(counts) >= 2
    assert counts[0] > 10 * counts[-1]


def test_distinct_draws_never_repeat_an_id():
    picker = Picker(list(range(1, 101)), 1.5, random.Random(3))
    drawn = picker.distinct(60)
    assert len(drawn) == len(set(drawn)) == 60
