"""The waiver file: accepted failures are known, expired ones count again, a broken file stops the run in one line."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ocgate.config import ConfigError
from ocgate.contract.waivers import load_waivers

OPERATIONS = ["Orders.Submit", "Buyers.Get"]
CHECKS = ["status_code_conformance", "every_property_is_present"]
TODAY = datetime.date(2026, 6, 1)


def waiver_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_waives_nothing(tmp_path: Path) -> None:
    waivers = load_waivers(tmp_path / "absent.toml", OPERATIONS, CHECKS)
    assert waivers.find("Orders.Submit", ["status_code_conformance"], TODAY) is None


def test_a_live_waiver_covers_its_operation_and_check_only(tmp_path: Path) -> None:
    path = waiver_file(
        tmp_path,
        """
        [[waiver]]
        operation = "Orders.Submit"
        check = "status_code_conformance"
        reason = "answers 422; ticket 1234"
        expires = 2026-12-31
        """,
    )
    waivers = load_waivers(path, OPERATIONS, CHECKS)
    waiver = waivers.find("Orders.Submit", ["status_code_conformance"], TODAY)
    assert waiver is not None and waiver.describe() == "Orders.Submit status_code_conformance: answers 422; ticket 1234 (until 2026-12-31)"
    assert waivers.find("Orders.Submit", ["every_property_is_present"], TODAY) is None
    assert waivers.find("Buyers.Get", ["status_code_conformance"], TODAY) is None


def test_an_expired_waiver_no_longer_applies(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, '[[waiver]]\noperation = "Buyers.Get"\ncheck = "every_property_is_present"\nreason = "r"\nexpires = 2026-05-31\n')
    waivers = load_waivers(path, OPERATIONS, CHECKS)
    assert waivers.find("Buyers.Get", ["every_property_is_present"], TODAY) is None
    assert [waiver.operation for waiver in waivers.expired(TODAY)] == ["Buyers.Get"]


def test_a_waiver_without_expiry_never_expires(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, '[[waiver]]\noperation = "Buyers.Get"\ncheck = "every_property_is_present"\nreason = "r"\n')
    assert load_waivers(path, OPERATIONS, CHECKS).find("Buyers.Get", ["every_property_is_present"], datetime.date(2999, 1, 1)) is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[waiver]\n", "not valid TOML"),
        ('[[waiver]]\noperation = "Orders.Submit"\ncheck = "status_code_conformance"\n', "'reason' is required"),
        ('[[waiver]]\noperation = "Orders.Submit"\ncheck = "status_code_conformance"\nreason = "r"\nowner = "me"\n', "unknown field(s) owner"),
        ('[[waiver]]\noperation = "Orders.Sumbit"\ncheck = "status_code_conformance"\nreason = "r"\n', "unknown operation 'Orders.Sumbit'"),
        ('[[waiver]]\noperation = "Orders.Submit"\ncheck = "status_code"\nreason = "r"\n', "unknown check 'status_code'"),
        ('[[waiver]]\noperation = "Orders.Submit"\ncheck = "status_code_conformance"\nreason = "r"\nexpires = "soon"\n', "'expires' must be a TOML date"),
        ('[waiver]\noperation = "Orders.Submit"\n', "write each entry as [[waiver]]"),
        ('[[waivers]]\noperation = "Orders.Submit"\n', "unknown table(s) waivers"),
    ],
)
def test_a_malformed_file_is_refused_in_one_line_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_waivers(waiver_file(tmp_path, text), OPERATIONS, CHECKS)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert str(tmp_path) in str(refused.value)
