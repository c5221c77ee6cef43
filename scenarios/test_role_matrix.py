"""The role matrix: for every operation of the spec, who gets 403 and who gets through.

One test per operation × persona group (see `ocgate.scenarios.role_matrix`): personas holding
none of the operation's roles get 403 InsufficientRoles naming the sufficient roles;
personas holding one of them get past the role check. Requests are harmless (IDs that
name nothing, a body that is no model). The whole matrix is also written to
reports/role-matrix.csv and .md.

The probes are independent calls: the first test of the module sends those of every selected
test at once (`role_matrix.probe_all`, `--matrix-workers` of them in flight; 1: one by one in
matrix order), and each test then judges its own answers. A test's report is what it was when
it sent its probes itself: one step per call (persona, method, path, status, duration), its
requests and responses attached when it fails.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import allure
import httpx
import pytest

from ocgate.api.client import OrderCloudClient, attach_exchange, unrecorded
from ocgate.api.seeding import SeededMarketplace
from ocgate.api.target import Target
from ocgate.config import load_settings
from ocgate.redact import redact_text
from ocgate.scenarios import role_matrix
from ocgate.spec import load_spec

ENTRIES = role_matrix.build_matrix(load_spec(load_settings().spec_location))

pytestmark = [allure.epic("Scenarios"), allure.feature("Role matrix")]


@dataclass(frozen=True)
class Answer:
    """One probe's outcome, sent ahead of its test: the response, or what was raised instead."""

    title: str | None  # its step's name as the client gives it (persona: method path); None: not recorded
    response: httpx.Response | None
    error: Exception | None = None
    milliseconds: float = 0.0

    def replay(self) -> httpx.Response:
        """The step the call would have made in the test (client.OrderCloudClient.request), its
        exchange kept for the report should the test fail; the response, or the error raised."""
        if self.title is None:
            if self.error is not None:
                raise self.error
        elif self.error is not None:
            with allure.step(f"{self.title} → {self.error.__class__.__name__}"):
                raise self.error
        else:
            assert self.response is not None
            with allure.step(f"{self.title} → {self.response.status_code} ({self.milliseconds:.0f} ms)"):
                attach_exchange(self.response, self.title)
        assert self.response is not None
        return self.response


Answers = dict[tuple[str, role_matrix.RolePersona], Answer]


@pytest.fixture(scope="module")
def answers(
    request: pytest.FixtureRequest,
    matrix_workers: int,
    role_personas: dict[str, role_matrix.RolePersona],
    api: Callable[[str], OrderCloudClient],
    target: Target,
    marketplace: SeededMarketplace,
) -> Answers:
    """Every selected test's probes, sent at once (their steps are made by each test, `Answer.replay`)."""
    selected = [item.callspec.params["entry"] for item in request.session.items if isinstance(getattr(getattr(item, "callspec", None), "params", {}).get("entry"), role_matrix.MatrixEntry)]
    clients = {name: api(name) for name in role_personas}  # made here: the threads share them
    # The first test's context, in every thread: the checks each answer must pass (conftest.py) apply to the probes too.
    context = contextvars.copy_context()

    def send(entry: role_matrix.MatrixEntry, persona: role_matrix.RolePersona) -> Answer:
        return context.copy().run(send_here, entry, persona)

    def send_here(entry: role_matrix.MatrixEntry, persona: role_matrix.RolePersona) -> Answer:
        probe = role_matrix.probe_for(entry.op, marketplace.run_id)
        # A token in the query string would show in the recorded request: such probes go unrecorded.
        title = None if probe.token_params else redact_text(f"{persona.name}: {probe.method} {probe.path}")
        try:
            params = probe.query(target.tokens.token(persona.name))
            started = time.perf_counter()
            with unrecorded():  # steps are made by each test
                response = clients[persona.name].request(probe.method, probe.path, json_body=probe.body, params=params or None)
        except Exception as error:  # raised again by the test it belongs to
            return Answer(title, None, error)
        return Answer(title, response, milliseconds=(time.perf_counter() - started) * 1000)

    return role_matrix.probe_all(selected, send, marketplace.run_id, matrix_workers)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_operation_answers_by_role(entry: role_matrix.MatrixEntry, answers: Answers, marketplace: SeededMarketplace, matrix_log: Path) -> None:
    op = entry.op
    allure.dynamic.story(op.resource)
    allure.dynamic.title(f"{op.operation_id} {entry.group}")
    allure.dynamic.description(f"{op.method} {op.path}; sufficient roles: {', '.join(op.roles) or 'none (any valid token)'}")
    probe = role_matrix.probe_for(op, marketplace.run_id)
    problems = []
    for persona in entry.personas:
        response = answers[(entry.id, persona)].replay()
        observation = role_matrix.judge(entry, persona, probe, response)
        role_matrix.record(observation, matrix_log)
        if not observation.passed:
            problems.append(f"{observation.persona}: {observation.problem}")
    assert not problems, f"{op.method} {probe.path}: " + "; ".join(problems)
