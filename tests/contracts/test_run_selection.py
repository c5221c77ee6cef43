"""Who calls each operation, which operations a run selects, and how the gate is started."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ocgate.config import ConfigError, load_settings
from ocgate.contract_gate import gate_command, run_contract_suite
from ocgate.gate.personas import APPROVER, ME_WRITER, SELLER, SHOPPER, persona_for
from ocgate.gate.plan import contract_settings
from ocgate.gate.settings import ContractSettings
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
    chosen = contract_settings(load_settings())
    assert (chosen.profile, chosen.operation_ids) == ("deep", ["Orders.Submit"])


def test_an_unknown_profile_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_CONTRACT__PROFILE", "fast")
    with pytest.raises(ConfigError, match="contract.profile: .*OCGATE_CONTRACT__PROFILE"):
        contract_settings(load_settings())


def test_the_gate_command_carries_profile_filters_and_report_locations(tmp_path: Path) -> None:
    command = gate_command("deep", {"tags": ["Buyers"], "operation_ids": ["Orders.Submit", "Orders.Get"]}, tmp_path)
    assert command[command.index("--profile") + 1] == "deep"
    assert command[command.index("--tag") + 1] == "Buyers"
    assert [command[i + 1] for i, part in enumerate(command) if part == "--operation-id"] == ["Orders.Submit", "Orders.Get"]
    assert str(tmp_path / "allure-results" / "contract") in command
    assert str(tmp_path / "junit" / "contract.xml") in command


def test_an_unknown_filter_or_profile_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown filter colour"):
        gate_command("gate", {"colour": ["red"]}, tmp_path)
    with pytest.raises(ConfigError, match="unknown profile 'fast'"):
        run_contract_suite(load_settings(), profile="fast", filters={}, reports_dir=tmp_path)


def test_a_selection_of_no_operation_cannot_run(tmp_path: Path) -> None:
    assert run_contract_suite(load_settings(), profile="gate", filters={"operation_ids": ["No.Such"]}, reports_dir=tmp_path) == 2


def test_a_malformed_waiver_file_stops_the_gate_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    broken = tmp_path / "waivers.toml"
    broken.write_text("[[waiver]\n", encoding="utf-8")
    command = [*gate_command("gate", {"operation_ids": ["Buyers.Get"]}, tmp_path), "--waivers", str(broken)]
    completed = subprocess.run(command, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=False, timeout=300)
    assert completed.returncode == 2
    assert f"ocgate: {broken}: not valid TOML" in completed.stdout
