"""The role matrix sends its probes at once and finds what it finds sending them one by one.

`probe_all` is checked with a recording `send` (no network): every probe is sent once, the
ones acting on the caller's own state keep their persona's matrix order, after the rest. Then
a part of the matrix runs twice against one embedded sandbox, `--matrix-workers 1` (one by
one in matrix order, as before) and 8, and the two runs' observations must be the same.
"""

from __future__ import annotations

import csv
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocgate.config import load_settings
from ocgate.run import suite_environment
from ocgate.sandbox import EmbeddedSandbox
from ocgate.scenarios import role_matrix
from ocgate.scenarios.suite import pytest_command
from ocgate.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "ocgtest02"
#: Both kinds of probe: the cart's and /me's, kept in order per persona, and the seller's products', sent at once.
SUBSET = "Cart. or Me. or Products."


@pytest.fixture(scope="module")
def matrix() -> list[role_matrix.MatrixEntry]:
    return role_matrix.build_matrix(load_spec(load_settings().spec_location))


def calls_of(entries: list[role_matrix.MatrixEntry]) -> list[tuple[str, role_matrix.RolePersona]]:
    return [(entry.id, persona) for entry in entries for persona in entry.personas]


def recorded_probes(matrix: list[role_matrix.MatrixEntry], workers: int) -> tuple[dict, list[tuple[str, role_matrix.RolePersona]]]:
    sent: list[tuple[str, role_matrix.RolePersona]] = []
    lock = threading.Lock()

    def send(entry: role_matrix.MatrixEntry, persona: role_matrix.RolePersona) -> str:
        with lock:
            sent.append((entry.id, persona))
        return f"{entry.id} as {persona.name}"

    return role_matrix.probe_all(matrix, send, RUN_ID, workers), sent


def test_every_probe_is_sent_once_and_answers_its_own_test(matrix: list[role_matrix.MatrixEntry]) -> None:
    answers, sent = recorded_probes(matrix, workers=8)
    assert sorted(sent) == sorted(calls_of(matrix))
    assert answers == {(entry_id, persona): f"{entry_id} as {persona.name}" for entry_id, persona in calls_of(matrix)}


def test_one_worker_sends_them_in_matrix_order(matrix: list[role_matrix.MatrixEntry]) -> None:
    _, sent = recorded_probes(matrix, workers=1)
    assert sent == calls_of(matrix)


def test_probes_on_the_callers_own_state_keep_their_order_after_the_rest(matrix: list[role_matrix.MatrixEntry]) -> None:
    ordered = [(entry.id, persona) for entry in matrix for persona in entry.personas if role_matrix.ordered(entry, role_matrix.probe_for(entry.op, RUN_ID))]
    _, sent = recorded_probes(matrix, workers=8)
    first_ordered = min(sent.index(call) for call in ordered)
    assert set(sent[first_ordered:]) == set(ordered), "a probe that changes nothing went out among the ordered ones"
    for persona in {persona for _, persona in ordered}:
        assert [call for call in sent if call in ordered and call[1] == persona] == [call for call in ordered if call[1] == persona]


def test_only_probes_past_the_role_check_on_the_callers_own_state_are_ordered(matrix: list[role_matrix.MatrixEntry]) -> None:
    ordered = {entry.id for entry in matrix if role_matrix.ordered(entry, role_matrix.probe_for(entry.op, RUN_ID))}
    assert {"Cart.Get[with one of its roles]", "Cart.Delete[with one of its roles]", "Me.RevokeTokens[any valid token]", "Me.Register[with one of its roles]"} <= ordered
    assert not {entry_id for entry_id in ordered if entry_id.endswith(f"[{role_matrix.DENIED}]")}
    assert not {entry_id for entry_id in ordered if not entry_id.startswith(("Me.", "Cart."))}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(load_settings()) as running:
        yield running


def observations(sandbox: EmbeddedSandbox, reports_dir: Path, workers: int) -> list[dict[str, str]]:
    """The role matrix's rows for SUBSET, probed with `workers` in flight."""
    settings = load_settings(reports_dir=str(reports_dir))
    command = [*pytest_command(reports_dir, keyword=f"test_operation_answers_by_role and ({SUBSET})", matrix_workers=workers), "-q"]
    completed = subprocess.run(command, cwd=REPO, env=suite_environment(settings, sandbox.base_url), capture_output=True, text=True, check=False, timeout=600)
    assert completed.returncode == 0, completed.stdout[-3000:]
    with (reports_dir / "role-matrix.csv").open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def test_probes_sent_at_once_observe_what_probes_sent_one_by_one_observe(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    one_by_one = observations(sandbox, tmp_path / "one", workers=1)
    at_once = observations(sandbox, tmp_path / "eight", workers=8)
    assert {row["operation"].split(".")[0] for row in one_by_one} == {"Cart", "Me", "Products"}
    assert at_once == one_by_one
