"""SLO verdicts: each threshold against the run's statistics, the way Locust counts them."""

from __future__ import annotations

import json

import pytest
from summaries import entry, stats_of

from ocgate.load.slo import CHECKOUT_FLOW, FLOW, OVERALL, LoadStats, Threshold, evaluate


def verdict(threshold: Threshold, stats: LoadStats):
    (only,) = evaluate([threshold], stats)
    return only


def test_latency_percentiles_are_locusts_own():
    # 100 requests: 80 took 10 ms, 15 took 200 ms, 5 took 900 ms. Locust's percentile is the
    # slowest bucket that leaves no more than the percentile's share of requests below it
    # (locust.stats.calculate_response_time_percentile gives 10, 200, 900, 900 here).
    stats = stats_of(entry("GET /me/products", times={10: 80, 200: 15, 900: 5}))
    observed = [verdict(Threshold("GET /me/products", f"p{p}_ms", 1), stats).observed for p in (50, 90, 95, 100)]
    assert observed == [10, 200, 900, 900]


def test_a_latency_above_its_limit_is_a_breach_and_says_so():
    stats = stats_of(entry("GET /me/products", times={10: 90, 200: 10}))
    breach = verdict(Threshold("GET /me/products", "p95_ms", 100), stats)
    assert not breach.passed
    assert breach.message == "SLO breach: GET /me/products: p95 latency <= 100 ms, observed 200 ms"
    assert verdict(Threshold("GET /me/products", "p95_ms", 200), stats).passed


def test_overall_merges_every_request_but_leaves_flows_out():
    stats = stats_of(
        entry("GET /me/products", times={10: 50}),
        entry("POST /orders/Outgoing", "POST", times={20: 50}),
        entry(CHECKOUT_FLOW, FLOW, times={5000: 100}),
    )
    assert verdict(Threshold(OVERALL, "p99_ms", 20), stats).observed == 20
    assert verdict(Threshold(CHECKOUT_FLOW, "p99_ms", 5000), stats).observed == 5000


def test_throttled_answers_are_their_own_category_not_errors():
    stats = stats_of(entry("GET /me/products", times={10: 100}, failures=7, throttled=5))
    assert verdict(Threshold(OVERALL, "max_error_rate", 0.02), stats).observed == pytest.approx(0.02)
    assert verdict(Threshold(OVERALL, "max_throttled_rate", 0.05), stats).observed == pytest.approx(0.05)
    assert not verdict(Threshold(OVERALL, "max_error_rate", 0.01), stats).passed


def test_throughput_is_requests_per_second_of_the_run():
    stats = stats_of(entry("GET /me/products", times={10: 50}, seconds=10), entry("GET /me", times={10: 50}, seconds=20))
    assert verdict(Threshold(OVERALL, "min_rps", 5), stats).observed == pytest.approx(5.0)
    assert verdict(Threshold("GET /me/products", "min_rps", 5), stats).passed
    assert not verdict(Threshold("GET /me", "min_rps", 5), stats).passed


def test_checkouts_completed_are_the_checkout_flows_that_did_not_fail():
    stats = stats_of(entry("GET /me", times={10: 10}), entry(CHECKOUT_FLOW, FLOW, times={900: 12}, failures=2))
    assert verdict(Threshold(OVERALL, "min_checkouts", 10), stats).observed == 10
    assert not verdict(Threshold(OVERALL, "min_checkouts", 11), stats).passed
    assert verdict(Threshold(CHECKOUT_FLOW, "min_completed", 10), stats).passed


def test_a_request_that_never_ran_breaches_its_thresholds():
    stats = stats_of(entry("GET /me"))
    missing = verdict(Threshold("POST /orders/Outgoing/{orderID}/submit", "p95_ms", 1000), stats)
    assert not missing.passed and missing.observed is None
    assert "no request named 'POST /orders/Outgoing/{orderID}/submit' was made" in missing.message


def test_no_checkouts_at_all_is_zero_not_missing():
    assert verdict(Threshold(OVERALL, "min_checkouts", 1), stats_of(entry("GET /me"))).observed == 0


def test_statistics_are_read_from_the_summary_the_load_model_writes(tmp_path):
    path = tmp_path / "locust_summary.json"
    path.write_text(json.dumps({"workers": 2, "entries": [entry("GET /me", times={3: 4})], "errors": []}))
    stats = LoadStats.from_summary(path)
    assert stats.workers == 2
    assert stats.named("GET /me").num_requests == 4
    assert stats.named("GET /me").percentile(0.5) == 3
