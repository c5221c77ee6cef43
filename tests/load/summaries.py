"""Synthetic load statistics, shaped as load/summary.py writes them, for the SLO tests."""

from __future__ import annotations

from typing import Any

from ocgate.load.slo import EntryStats, LoadStats


def entry(
    name: str,
    method: str = "GET",
    times: dict[float, int] | None = None,
    failures: int = 0,
    throttled: int = 0,
    seconds: float = 10.0,
) -> dict[str, Any]:
    """One request name: `times` is Locust's histogram, {milliseconds: requests}."""
    times = times or {10: 1}
    return {
        "method": method,
        "name": name,
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "num_throttled": throttled,
        "total_response_time": sum(ms * n for ms, n in times.items()),
        "max_response_time": max(times),
        "response_times": {str(ms): n for ms, n in times.items()},
        "start_time": 1000.0,
        "last_request_timestamp": 1000.0 + seconds,
    }


def stats_of(*entries: dict[str, Any]) -> LoadStats:
    return LoadStats([EntryStats.from_json(data) for data in entries])
