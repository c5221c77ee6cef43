"""Several workers find what one finds: the same operations reach 2xx, nothing fails, and the
sandbox holds the same objects afterwards (contract/workers.py runs operations at once).

The tags cover the pools (orders in each status, their payments and line items), the cart (one
per shopper: its operations share a lane) and plain CRUD; one run with one worker, one with four.
"""

from __future__ import annotations

from pathlib import Path

from gate_harness import run_gate, sandbox_counts, served

from ocgate.config import Settings
from ocgate.sandbox.app import create_app
from ocgate.sandbox.server import build_marketplace

TAGS = ["LineItems", "Payments", "Cart", "Buyers"]


def test_four_workers_find_what_one_finds_and_leave_the_sandbox_as_found(settings: Settings, tmp_path: Path) -> None:
    with served(create_app(build_marketplace(settings)), settings) as url:
        before = sandbox_counts(url)
        one = run_gate(url, settings, tmp_path / "one", [], tags=TAGS, workers=1)
        four = run_gate(url, settings, tmp_path / "four", [], tags=TAGS, workers=4)
        after = sandbox_counts(url)
    for run in (one, four):
        assert run.exit_code == 0, run.output[-3000:]
        assert not [operation for operation, failure in run.results.items() if failure], run.output[-3000:]
    assert (one.coverage["workers"], four.coverage["workers"]) == (1, 4)
    assert four.coverage["operations"] == one.coverage["operations"] > 40
    assert sorted(four.coverage["without_2xx"]) == sorted(one.coverage["without_2xx"])
    assert after == before
