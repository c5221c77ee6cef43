"""Coverage of a contract run: requests per operation, and which operations got a 2xx.

An operation that never answered 2xx was only exercised on its error paths; the share of
operations reaching 2xx says how much of the business logic the run actually touched.
The report is written to `reports/contract-coverage.json` after every run.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPORT_NAME = "contract-coverage.json"


@dataclass
class Coverage:
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    #: operationId -> ErrorCodes of its 4xx answers, for seeing why an operation never got a 2xx
    errors: dict[str, Counter[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation_id: str, status: int, error_code: str | None = None) -> None:
        with self._lock:
            self.statuses.setdefault(operation_id, Counter())[status] += 1
            if error_code:
                self.errors.setdefault(operation_id, Counter())[error_code] += 1

    @property
    def requests(self) -> int:
        return sum(sum(counts.values()) for counts in self.statuses.values())

    def reached(self, operation_id: str) -> bool:
        """Whether the operation has answered 2xx in this run so far."""
        with self._lock:
            return any(200 <= status < 300 for status in self.statuses.get(operation_id, ()))

    def reached_2xx(self) -> set[str]:
        return {op for op, counts in self.statuses.items() if any(200 <= status < 300 for status in counts)}

    def report(self, selected: list[str], **extra: Any) -> dict[str, Any]:
        reached = self.reached_2xx() & set(selected)
        return {
            **extra,
            "operations": len(selected),
            "exercised": len(set(self.statuses) & set(selected)),
            "reached_2xx": len(reached),
            "share_2xx": round(len(reached) / len(selected), 4) if selected else 0.0,
            "requests": self.requests,
            "without_2xx": {op: dict(self.errors.get(op, Counter()).most_common(3)) for op in sorted(set(selected) - reached)},
            "statuses": {op: {str(status): count for status, count in sorted(self.statuses.get(op, Counter()).items())} for op in sorted(selected)},
        }

    def write(self, directory: Path, report: dict[str, Any]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / REPORT_NAME
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return path
