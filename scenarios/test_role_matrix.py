"""The role matrix: for every operation of the spec, who gets 403 and who gets through.

One test per operation × persona group (see `ocgate.scenarios.role_matrix`): personas holding
none of the operation's roles get 403 InsufficientRoles naming the sufficient roles;
personas holding one of them get past the role check. Requests are harmless (IDs that
name nothing, a body that is no model). The whole matrix is also written to
reports/role-matrix.csv and .md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import allure
import pytest

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededMarketplace
from ocgate.api.target import Target
from ocgate.config import load_settings
from ocgate.scenarios import role_matrix
from ocgate.spec import load_spec

ENTRIES = role_matrix.build_matrix(load_spec(load_settings().spec_location))

pytestmark = [allure.epic("Scenarios"), allure.feature("Role matrix")]


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_operation_answers_by_role(
    entry: role_matrix.MatrixEntry,
    role_personas: dict[str, role_matrix.RolePersona],
    api: Callable[[str], OrderCloudClient],
    target: Target,
    marketplace: SeededMarketplace,
    matrix_log: Path,
) -> None:
    op = entry.op
    allure.dynamic.story(op.resource)
    allure.dynamic.title(f"{op.operation_id} {entry.group}")
    allure.dynamic.description(f"{op.method} {op.path}; sufficient roles: {', '.join(op.roles) or 'none (any valid token)'}")
    probe = role_matrix.probe_for(op, marketplace.run_id)
    problems = []
    for persona in entry.personas:
        params = probe.query(target.tokens.token(persona.name))
        # A token in the query string would show in the recorded request: such probes go unrecorded.
        client = target.client(persona.name, record=False) if probe.token_params else api(persona.name)
        response = client.request(probe.method, probe.path, json_body=probe.body, params=params or None)
        observation = role_matrix.judge(entry, persona, probe, response)
        role_matrix.record(observation, matrix_log)
        if not observation.passed:
            problems.append(f"{observation.persona}: {observation.problem}")
    assert not problems, f"{op.method} {probe.path}: " + "; ".join(problems)
