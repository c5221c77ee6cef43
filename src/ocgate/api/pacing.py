"""Being a good citizen of a shared sandbox: a request rate cap, and counts of calls and throttles.

One `Pacer` per process (`PACER`), shared by every thread that sends: the harness's own clients
(client.py), the contract gate's Schemathesis calls and probes (contract/session.py). Each
call first takes a turn (`turn()`): with `max_rps` set, turns are spaced 1/max_rps seconds
apart across all threads (a token bucket holding one second's worth, so a pause is not made up
with a burst larger than that). A 429 or 503 answer is counted as a throttle; the caller
waits `retry_after` (Retry-After when the target gives it) and sends again, counted as a retry.

Per process is exact for the suites: the gate runs its workers as threads of one pytest
process (contract/workers.py), the scenarios run in one process. Suites run one after another,
so each holds the whole cap while it runs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx

#: Answers that ask the client to slow down and try again.
RETRY_STATUSES = (429, 503)
MAX_RETRIES = 3
MAX_RETRY_WAIT = 10.0


def retry_after(headers: httpx.Headers | dict[str, str], attempt: int) -> float:
    """Seconds to wait before retrying: Retry-After when given, exponential otherwise."""
    header = headers.get("Retry-After", "") or ""
    try:
        return min(float(header), MAX_RETRY_WAIT)
    except ValueError:
        return min(0.5 * 2**attempt, MAX_RETRY_WAIT)


@dataclass
class Pacer:
    #: requests per second across all threads; None: no cap
    max_rps: float | None = None
    calls: int = 0
    retries: int = 0
    throttles: int = 0
    _next_turn: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def turn(self) -> None:
        """Wait until this call may go out; count it."""
        with self._lock:
            self.calls += 1
            if not self.max_rps:
                return
            now = time.monotonic()
            # A bucket of one second's worth of turns: idle time buys at most that much burst.
            start = max(self._next_turn, now - 1.0)
            self._next_turn = start + 1.0 / self.max_rps
            wait = start - now
        if wait > 0:
            time.sleep(wait)

    def throttled(self, headers: httpx.Headers | dict[str, str], attempt: int) -> bool:
        """A 429/503 answer to the `attempt`th try (0 first): count it; True after waiting as the
        target asks (send again), False when the retries are used up (the answer stands)."""
        with self._lock:
            self.throttles += 1
            if attempt >= MAX_RETRIES:
                return False
            self.retries += 1
        time.sleep(retry_after(headers, attempt))
        return True

    def counts(self) -> dict[str, int]:
        return {"calls": self.calls, "retries": self.retries, "throttles": self.throttles}


#: The process's pacer (configured once from the settings by whoever starts sending).
PACER = Pacer()
