"""The run's statistics for the SLO verdicts: `<csv prefix>_summary.json`, beside Locust's CSV files.

Written once, when Locust quits, by the process that holds the whole run's
statistics (the master in distributed mode). It keeps what the CSV files
round away: each request name's latency histogram, so any percentile can be
checked exactly as Locust computes it, and the 429/503 answers counted apart
from the other failures, and how many worker processes took part.
`ocgate.load.slo.LoadStats.from_summary` reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from locust.env import Environment
from locust.stats import StatsError
from ordercloud_user import BusinessFailure, Throttled

#: How Locust writes the failures of each category: Throttled('429'), BusinessFailure('400 ...').
CATEGORIES = {Throttled.__name__ + "(": "throttled", BusinessFailure.__name__ + "(": "business"}


def write_summary(environment: Environment, path: Path) -> None:
    stats = environment.stats
    errors = [_error(error) for error in stats.errors.values()]
    throttled: dict[tuple[str, str], int] = {}
    for error in errors:
        if error["category"] == "throttled":
            key = (error["method"], error["name"])
            throttled[key] = throttled.get(key, 0) + error["occurrences"]
    entries = [
        {
            "method": entry.method,
            "name": entry.name,
            "num_requests": entry.num_requests,
            "num_failures": entry.num_failures,
            "num_throttled": throttled.get((entry.method, entry.name), 0),
            "total_response_time": entry.total_response_time,
            "max_response_time": entry.max_response_time,
            "response_times": entry.response_times,
            "start_time": entry.start_time,
            "last_request_timestamp": entry.last_request_timestamp,
        }
        for entry in stats.entries.values()
        if entry.num_requests
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    # Worker processes that took part (the master numbers each one that connects); 1 when local.
    workers = len(getattr(environment.runner, "worker_indexes", {})) or 1
    path.write_text(json.dumps({"workers": workers, "entries": entries, "errors": errors}, indent=1), encoding="utf-8")


def _error(error: StatsError) -> dict[str, Any]:
    text = StatsError.parse_error(error.error)
    category = next((name for prefix, name in CATEGORIES.items() if text.startswith(prefix)), "transport")
    return {"method": error.method, "name": error.name, "error": text, "occurrences": error.occurrences, "category": category}
