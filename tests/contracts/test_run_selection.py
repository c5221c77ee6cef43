"""Who calls each operation, which operations a run selects, and how the gate is started."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from ocgate.config import ConfigError, ContractSettings, load_settings
from ocgate.contract.personas import APPROVER, ME_WRITER, SELLER, SHOPPER, persona_for
from ocgate.contract.suite import pytest_command
from ocgate.errors import ExitCode, reason_file
from ocgate.run import RunOptions, Suites, preflight
from ocgate.spec import Spec, load_spec


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(load_settings().spec_location)


@pytest.mark.parametrize(
    ("operation_id", "persona"),
    [
        ("Buyers.Create", SELLER),  # marketplace administration: the seller admin (FullAccess)
        ("Products.List", SELLER),
        ("MessageSenders.List", SELLER),  # /messagesenders is not a /me route
        ("Me.ListProducts", SHOPPER),  # /me routes: the buyer shopper
        ("Me.Get", SHOPPER),
        ("Orders.Submit", SHOPPER),  # Shopper is one of its roles
        ("LineItems.Create", SHOPPER),
        ("Orders.Approve", APPROVER),  # only the approving group's members may approve
        ("Me.Save", ME_WRITER),  # changes the caller itself: never the shared shopper
        ("Me.RevokeTokens", ME_WRITER),
    ],
)
def test_each_operation_is_called_by_a_persona_holding_one_of_its_roles(spec: Spec, operation_id: str, persona: str) -> None:
    assert persona_for(spec.operation(operation_id)) == persona


def test_every_operation_has_a_caller(spec: Spec) -> None:
    assert {persona_for(op) for op in spec.operations} <= {SELLER, SHOPPER, APPROVER, ME_WRITER}


def test_filters_combine_and_each_accepts_any_of_its_values(spec: Spec) -> None:
    selection = ContractSettings(tags=["Buyers", "Orders"], methods=["get"])
    selected = {op.operation_id for op in spec.operations if selection.selects(op)}
    assert {"Buyers.Get", "Buyers.List", "Orders.Get", "Orders.List"} <= selected
    assert all(spec.operation(op).method == "GET" for op in selected)
    assert "Buyers.Create" not in selected and "Products.Get" not in selected


def test_a_path_filter_ending_in_a_star_matches_a_prefix(spec: Spec) -> None:
    selection = ContractSettings(paths=["/buyers/{buyerID}/users*"])
    selected = {op.path for op in spec.operations if selection.selects(op)}
    assert selected and all(path.startswith("/buyers/{buyerID}/users") for path in selected)


def test_environment_variables_override_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_CONTRACT__PROFILE", "deep")
    monkeypatch.setenv("OCGATE_CONTRACT__OPERATION_IDS", '["Orders.Submit"]')
    chosen = load_settings().contract
    assert (chosen.profile, chosen.operation_ids) == ("deep", ["Orders.Submit"])


@pytest.mark.parametrize("written", ["Buyers,Orders", "Buyers, Orders", "Buyers Orders", '["Buyers", "Orders"]'])
def test_a_list_in_the_environment_may_be_written_as_people_write_it(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    monkeypatch.setenv("OCGATE_CONTRACT__TAGS", written)
    assert load_settings().contract.tags == ["Buyers", "Orders"]


def test_a_persona_scope_in_the_environment_may_be_space_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_PERSONAS__SELLER_ADMIN__SCOPE", "FullAccess Shopper")
    assert load_settings().persona("seller_admin").scope == ["FullAccess", "Shopper"]


def test_an_unknown_profile_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_CONTRACT__PROFILE", "fast")
    with pytest.raises(ConfigError, match="contract.profile: .*OCGATE_CONTRACT__PROFILE"):
        load_settings()


def test_run_options_override_the_contract_table_and_are_checked_like_it() -> None:
    contract = load_settings().contract
    assert contract.with_options(profile="deep", tags=("Buyers",), operation_ids=()).model_dump() == {**contract.model_dump(), "profile": "deep", "tags": ["Buyers"]}
    with pytest.raises(ConfigError, match="contract.profile: .*OCGATE_CONTRACT__PROFILE"):
        contract.with_options(profile="fast")


def test_the_gate_command_carries_profile_filters_and_report_locations(tmp_path: Path) -> None:
    command = pytest_command(tmp_path, profile="deep", tags=["Buyers"], operation_ids=["Orders.Submit", "Orders.Get"])
    assert command[command.index("--profile") + 1] == "deep"
    assert command[command.index("--tag") + 1] == "Buyers"
    assert [command[i + 1] for i, part in enumerate(command) if part == "--operation-id"] == ["Orders.Submit", "Orders.Get"]
    assert str(tmp_path / "allure-results" / "contract") in command
    assert str(tmp_path / "junit" / "contract.xml") in command


def test_without_options_the_gate_command_leaves_the_choice_to_the_contract_table(tmp_path: Path) -> None:
    command = pytest_command(tmp_path)
    assert not {"--profile", "--tag", "--operation-id", "--waivers"} & set(command)


def test_a_selection_of_no_operation_cannot_run() -> None:
    with pytest.raises(ConfigError, match="no operation of the spec matches"):
        preflight(load_settings(), RunOptions(only=("contract",), operations=("No.Such",)))


def test_a_malformed_waiver_file_stops_the_gate_in_one_line_with_exit_code_2_and_says_why_in_a_file(tmp_path: Path) -> None:
    broken = tmp_path / "waivers.toml"
    broken.write_text("[[waiver]\n", encoding="utf-8")
    command = pytest_command(tmp_path, operation_ids=["Buyers.Get"], waivers=str(broken))
    env = {**os.environ, "OCGATE_REPORTS_DIR": str(tmp_path)}
    completed = subprocess.run(command, cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, check=False, timeout=300)
    assert completed.returncode == ExitCode.CANNOT_RUN
    assert f"ocgate: {broken}: not valid TOML" in completed.stdout
    assert reason_file(tmp_path, "contract").read_text().startswith(f"{broken}: not valid TOML")


def test_one_workers_option_sets_the_gates_operations_and_the_role_matrixs_probes_in_flight(tmp_path: Path) -> None:
    settings = load_settings().model_copy(update={"reports_dir": str(tmp_path)})
    suites = Suites(RunOptions(workers=3), settings, "http://127.0.0.1:1", Console(quiet=True))
    for name, option in (("contract", "--workers"), ("scenarios", "--matrix-workers")):
        command = suites.pytest_command(name)
        assert command[command.index(option) + 1] == "3"
    default = Suites(RunOptions(), settings, "http://127.0.0.1:1", Console(quiet=True))
    assert "--matrix-workers" not in default.pytest_command("scenarios")  # the suite's default, 8
