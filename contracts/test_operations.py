"""Every selected operation of the spec meets its contract, one test per operation.

Schemathesis generates the calls (examples, coverage and fuzzing phases; positive and
negative data, as the profile says); the run's session fills in who calls and which
objects the call names. A coverage body another write of the same resource
was already sent is not sent again (gate profile, see ocgate/contract/repeats.py). Each answer must pass Schemathesis's checks and OrderCloud's
(contracts/checks.py); failures covered by contracts/waivers.toml are reported as known.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from schemathesis import Case

from ocgate.contract.plan import current_plan
from ocgate.contract.session import GateSession

SCHEMA = current_plan().schema(examples=Path(__file__).with_name("examples.toml"))


@pytest.fixture(scope="module", autouse=True)
def bound(gate: GateSession) -> None:
    gate.bind(SCHEMA)


@SCHEMA.parametrize()
def test_operation_meets_contract(case: Case, gate: GateSession, contract_checks: list) -> None:
    if gate.already_sent(case):
        return  # another write of the same resource was sent this very body (ocgate.contract.repeats)
    response = gate.send(case)
    gate.validate(case, response, contract_checks)
