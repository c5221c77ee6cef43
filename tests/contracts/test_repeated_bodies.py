"""A coverage body goes to one write of its resource: the gate profile does not send the same
body to the PUT and PATCH after the POST was sent it (contract/repeats.py), and still reaches
2xx on every write, also where most coverage bodies are refused (Promotion's expressions)."""

from __future__ import annotations

from pathlib import Path

from gate_harness import run_gate, served

from ocgate.config import Settings
from ocgate.contract.repeats import resource_of
from ocgate.sandbox.app import create_app
from ocgate.sandbox.server import build_marketplace

WRITES = ["ApiClients.Create", "ApiClients.Save", "ApiClients.Patch", "Promotions.Create", "Promotions.Save", "Promotions.Patch"]


def calls(run, operation_id: str) -> int:
    return sum(run.coverage["statuses"][operation_id].values())


def test_the_resource_of_an_item_path_is_its_collection() -> None:
    assert resource_of("/buyers/{buyerID}/users/{userID}") == "/buyers/{buyerID}/users"
    assert resource_of("/buyers/{buyerID}/users") == "/buyers/{buyerID}/users"
    assert resource_of("/orders/{direction}/{orderID}/submit") == "/orders/{direction}/{orderID}/submit"


def test_saves_are_not_sent_the_bodies_their_create_was_sent_and_still_reach_2xx(settings: Settings, tmp_path: Path) -> None:
    with served(create_app(build_marketplace(settings)), settings) as url:
        run = run_gate(url, settings, tmp_path, WRITES)
    assert run.exit_code == 0, run.output[-3000:]
    assert run.coverage["without_2xx"] == {}, run.coverage["statuses"]
    assert run.coverage["bodies_not_sent"] > 100
    # The save gets its own examples, fuzzing and the accepted bodies until it answers 2xx once.
    assert calls(run, "ApiClients.Save") < calls(run, "ApiClients.Create") / 2
    assert "repeated coverage bodies not sent" in run.output
