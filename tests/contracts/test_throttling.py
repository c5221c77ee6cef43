"""A target that asks the gate to slow down (429 with Retry-After) is waited out, not reported:
the call is sent again after the wait, counted as a throttle and a retry, and no check sees it.
The pacer's own rules (api/pacing.py) are tested without a target, its sleeps recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gate_harness import run_gate, sandbox_counts, served

from ocgate.api import pacing
from ocgate.api.pacing import MAX_RETRIES, Pacer
from ocgate.config import Settings
from ocgate.sandbox.app import create_app
from ocgate.sandbox.routing import Router
from ocgate.sandbox.server import build_marketplace

OPERATIONS = ["Buyers.List", "Buyers.Create", "Buyers.Get", "Products.List"]


class FirstCallThrottled:
    """The sandbox, answering the first call of each operation with 429 and Retry-After: 1."""

    def __init__(self, app: Any, router: Router) -> None:
        self.app = app
        self.router = router
        self.throttled: set[str] = set()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        operation = self._operation(scope)
        if operation is None or operation in self.throttled:
            await self.app(scope, receive, send)
            return
        self.throttled.add(operation)
        body = json.dumps({"Errors": [{"ErrorCode": "TooManyRequests", "Message": "slow down", "Data": None}]}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1")]})
        await send({"type": "http.response.body", "body": body})

    def _operation(self, scope: dict) -> str | None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or not path.startswith("/v1/"):
            return None
        try:
            op, _ = self.router.match(scope["method"], path.removeprefix("/v1"))
        except Exception:  # not an operation of the spec: the sandbox answers it
            return None
        return op.operation_id


def test_a_429_with_retry_after_is_waited_out_counted_and_not_reported(settings: Settings, tmp_path: Path) -> None:
    market = build_marketplace(settings)
    target = FirstCallThrottled(create_app(market), Router(market.spec.operations))
    with served(target, settings) as url:
        before = sandbox_counts(url)
        run = run_gate(url, settings, tmp_path, OPERATIONS, workers=2)
        after = sandbox_counts(url)
    assert run.exit_code == 0, run.output[-3000:]
    assert set(run.results) == set(OPERATIONS) and not any(run.results.values())
    assert set(OPERATIONS) <= target.throttled
    # Setup calls (seeding, fixtures) met the throttle too: at least one per operation of the run.
    assert run.coverage["throttles"] == run.coverage["retries"] >= len(OPERATIONS)
    assert run.coverage["reached_2xx"] == len(OPERATIONS)
    assert "throttled (429/503)" in run.output
    assert after == before


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(pacing.time, "sleep", waits.append)
    return waits


def test_the_pacer_waits_as_retry_after_says_and_gives_up_after_the_last_retry(slept: list[float]) -> None:
    pacer = Pacer()
    assert [pacer.throttled({"Retry-After": "2"}, attempt) for attempt in range(MAX_RETRIES + 1)] == [True] * MAX_RETRIES + [False]
    assert slept == [2.0] * MAX_RETRIES
    assert pacer.counts() == {"calls": 0, "retries": MAX_RETRIES, "throttles": MAX_RETRIES + 1}


def test_without_retry_after_the_pacer_backs_off_exponentially(slept: list[float]) -> None:
    pacer = Pacer()
    for attempt in range(MAX_RETRIES):
        pacer.throttled({}, attempt)
    assert slept == [0.5, 1.0, 2.0]


def test_max_rps_spaces_the_turns_of_every_thread(slept: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing.time, "monotonic", lambda: 100.0)  # a frozen clock: each turn is booked after the last
    pacer = Pacer(max_rps=4)
    for _ in range(8):
        pacer.turn()
    # The bucket's second's worth of turns (4) and the current one go at once, the next ones 1/4 s apart.
    assert slept == [0.25, 0.5, 0.75]
    assert pacer.calls == 8
