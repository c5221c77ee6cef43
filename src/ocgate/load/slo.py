"""Service-level objectives of a load run: the SLO file, the run's statistics, the verdicts.

An SLO file (TOML, `load/slo.toml`) holds thresholds for the whole run and per
request name, the way k6 thresholds do:

    [overall]                       # every HTTP request of the run together
    p95_ms = 800
    max_error_rate = 0.01
    min_checkouts = 1               # checkout flows whose order reached Open

    [requests."GET /me/products"]   # the request name, as Locust reports it
    p99_ms = 1500

The statistics come from the summary file the load model writes when Locust
finishes (`<csv prefix>_summary.json`): per request name, the counts, the
429/503 answers counted apart from other failures, and Locust's latency
histogram, so every percentile here is the one Locust's own report shows.
Flows (a whole checkout) are entries of type FLOW: they have thresholds of
their own and are left out of "overall", which is about single requests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError
from .traffic import read_toml

OVERALL = "overall"
#: The request type of flow entries (several requests that make one user journey).
FLOW = "FLOW"
#: The flow entry whose successes count as completed checkouts (order reached Open).
CHECKOUT_FLOW = "checkout"

_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)_ms$")
#: Thresholds besides the latency percentiles (`p50_ms`, `p95_ms`, `p99.9_ms`, ...).
_LIMITS = {
    "max_error_rate": "error rate",
    "max_throttled_rate": "throttled (429/503) rate",
    "min_rps": "throughput",
    "min_completed": "completed",
}
_OVERALL_ONLY = {"min_checkouts": "checkouts completed"}


@dataclass(frozen=True)
class Threshold:
    """One limit: `scope` is "overall" or a request name, `metric` a key of the SLO file."""

    scope: str
    metric: str
    limit: float

    @property
    def is_minimum(self) -> bool:
        return self.metric.startswith("min_")

    @property
    def percentile(self) -> float | None:
        match = _PERCENTILE.match(self.metric)
        return float(match.group(1)) / 100 if match else None

    @property
    def what(self) -> str:
        if self.percentile is not None:
            return f"p{self.metric[1:-3]} latency"
        return {**_LIMITS, **_OVERALL_ONLY}[self.metric]

    @property
    def title(self) -> str:
        return f"{self.scope}: {self.what} {'>=' if self.is_minimum else '<='} {format_value(self.metric, self.limit)}"


def format_value(metric: str, value: float | None) -> str:
    if value is None:
        return "no data"
    if metric.endswith("_ms"):
        return f"{value:.0f} ms"
    if metric.endswith("_rate"):
        return f"{value * 100:.2f}%"
    if metric == "min_rps":
        return f"{value:.2f}/s"
    return f"{value:.0f}"


# -- the SLO file ------------------------------------------------------------------------


def load_slo(path: Path) -> list[Threshold]:
    """Read an SLO file, or raise ConfigError naming the file, the setting and the fix."""
    document = read_toml(path, "SLO")
    unknown = sorted(set(document) - {OVERALL, "requests"})
    if unknown:
        raise ConfigError(f"{path}: unknown section [{unknown[0]}]; use [overall] and [requests.\"<request name>\"]")
    thresholds = _section(path, OVERALL, document.get(OVERALL, {}), overall=True)
    requests = document.get("requests", {})
    if not isinstance(requests, dict):
        raise ConfigError(f"{path}: requests must be tables, e.g. [requests.\"GET /me/products\"]")
    for name, limits in requests.items():
        thresholds += _section(path, name, limits, overall=False)
    if not thresholds:
        raise ConfigError(f"{path}: no thresholds; add at least one, e.g. [overall] p95_ms = 800")
    return thresholds


def _section(path: Path, scope: str, limits: Any, *, overall: bool) -> list[Threshold]:
    where = OVERALL if overall else f'requests."{scope}"'
    if not isinstance(limits, dict):
        raise ConfigError(f"{path}: {where} must be a table of thresholds")
    known = {**_LIMITS, **(_OVERALL_ONLY if overall else {})}
    thresholds = []
    for metric, limit in limits.items():
        if isinstance(limit, dict):
            raise ConfigError(f'{path}: {where}.{metric}: a dot in a bare key makes a table; quote the key, e.g. "p99.9_ms" = 3000')
        if metric not in known and not _PERCENTILE.match(metric):
            names = ", ".join(["p50_ms", "p95_ms", "p99_ms", *known])
            raise ConfigError(f"{path}: {where}.{metric}: unknown threshold; use one of {names}")
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0 or math.isnan(limit):
            raise ConfigError(f"{path}: {where}.{metric}: must be a number >= 0, not {limit!r}")
        if metric.endswith("_rate") and limit > 1:
            raise ConfigError(f"{path}: {where}.{metric}: a rate is a fraction between 0 and 1 (0.01 = 1%), not {limit}")
        threshold = Threshold(scope, metric, float(limit))
        if threshold.percentile is not None and not 0 < threshold.percentile <= 1:
            raise ConfigError(f"{path}: {where}.{metric}: a percentile is between p1 and p100")
        thresholds.append(threshold)
    return thresholds


# -- the statistics of a run ---------------------------------------------------------------


@dataclass
class EntryStats:
    """Locust's statistics of one request name (or of several, merged)."""

    method: str
    name: str
    num_requests: int = 0
    num_failures: int = 0
    num_throttled: int = 0
    total_response_time: float = 0
    max_response_time: float = 0
    response_times: dict[float, int] = field(default_factory=dict)
    start_time: float = 0
    last_request_timestamp: float = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EntryStats:
        return cls(
            method=data["method"],
            name=data["name"],
            num_requests=int(data["num_requests"]),
            num_failures=int(data["num_failures"]),
            num_throttled=int(data.get("num_throttled", 0)),
            total_response_time=float(data.get("total_response_time") or 0),
            max_response_time=float(data.get("max_response_time") or 0),
            response_times={float(key): int(count) for key, count in (data.get("response_times") or {}).items()},
            start_time=float(data.get("start_time") or 0),
            last_request_timestamp=float(data.get("last_request_timestamp") or 0),
        )

    @property
    def num_completed(self) -> int:
        return self.num_requests - self.num_failures

    @property
    def error_rate(self) -> float:
        """Failures other than throttling (429/503), per request."""
        return (self.num_failures - self.num_throttled) / self.num_requests if self.num_requests else 0.0

    @property
    def throttled_rate(self) -> float:
        return self.num_throttled / self.num_requests if self.num_requests else 0.0

    @property
    def rps(self) -> float:
        elapsed = self.last_request_timestamp - self.start_time
        return self.num_requests / elapsed if elapsed > 0 else 0.0

    @property
    def average_ms(self) -> float:
        return self.total_response_time / self.num_requests if self.num_requests else 0.0

    def percentile(self, fraction: float) -> float:
        """Locust's own percentile: the smallest bucket that `fraction` of the requests finished within."""
        counted = sum(self.response_times.values())
        within = int(counted * fraction)
        processed = 0
        for response_time in sorted(self.response_times, reverse=True):
            processed += self.response_times[response_time]
            if counted - processed <= within:
                return response_time
        return 0.0


def merge(entries: Iterable[EntryStats], method: str, name: str) -> EntryStats:
    merged = EntryStats(method, name, start_time=math.inf)
    for entry in entries:
        merged.num_requests += entry.num_requests
        merged.num_failures += entry.num_failures
        merged.num_throttled += entry.num_throttled
        merged.total_response_time += entry.total_response_time
        merged.max_response_time = max(merged.max_response_time, entry.max_response_time)
        for response_time, count in entry.response_times.items():
            merged.response_times[response_time] = merged.response_times.get(response_time, 0) + count
        merged.start_time = min(merged.start_time, entry.start_time)
        merged.last_request_timestamp = max(merged.last_request_timestamp, entry.last_request_timestamp)
    if merged.start_time == math.inf:
        merged.start_time = 0
    return merged


@dataclass
class LoadStats:
    """Everything the thresholds are checked against."""

    entries: list[EntryStats]
    errors: list[dict[str, Any]] = field(default_factory=list)
    workers: int = 1  # Locust processes that generated the load

    @classmethod
    def from_summary(cls, path: Path) -> LoadStats:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([EntryStats.from_json(entry) for entry in data["entries"]], data.get("errors", []), int(data.get("workers", 1)))

    def requests(self) -> list[EntryStats]:
        """Single HTTP requests (no flows), in name order."""
        return sorted((e for e in self.entries if e.method != FLOW), key=lambda e: e.name)

    def flows(self) -> list[EntryStats]:
        return sorted((e for e in self.entries if e.method == FLOW), key=lambda e: e.name)

    def overall(self) -> EntryStats:
        return merge(self.requests(), "", "overall")

    def named(self, name: str) -> EntryStats | None:
        matching = [entry for entry in self.entries if entry.name == name]
        return merge(matching, matching[0].method, name) if matching else None

    @property
    def checkouts_completed(self) -> int:
        checkout = self.named(CHECKOUT_FLOW)
        return checkout.num_completed if checkout else 0


# -- verdicts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    threshold: Threshold
    observed: float | None  # None: no request of that name was made
    passed: bool

    @property
    def message(self) -> str:
        t = self.threshold
        observed = format_value(t.metric, self.observed)
        if self.passed:
            return f"{t.title}: observed {observed}"
        if self.observed is None:
            return f"SLO breach: {t.title}, but no request named {t.scope!r} was made"
        return f"SLO breach: {t.title}, observed {observed}"


def evaluate(thresholds: Iterable[Threshold], stats: LoadStats) -> list[Verdict]:
    """Check each threshold against the run; a named request that never ran breaches its thresholds."""
    verdicts = []
    for threshold in thresholds:
        observed = observe(threshold, stats)
        passed = observed is not None and (observed >= threshold.limit if threshold.is_minimum else observed <= threshold.limit)
        verdicts.append(Verdict(threshold, observed, passed))
    return verdicts


def observe(threshold: Threshold, stats: LoadStats) -> float | None:
    """The run's value of the threshold's metric, or None when there was no such request."""
    if threshold.metric == "min_checkouts":
        return float(stats.checkouts_completed)
    entry = stats.overall() if threshold.scope == OVERALL else stats.named(threshold.scope)
    if entry is None or entry.num_requests == 0:
        return None
    if threshold.percentile is not None:
        return entry.percentile(threshold.percentile)
    return {
        "max_error_rate": entry.error_rate,
        "max_throttled_rate": entry.throttled_rate,
        "min_rps": entry.rps,
        "min_completed": float(entry.num_completed),
    }[threshold.metric]
