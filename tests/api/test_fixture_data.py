"""The fixture marketplace is described by data/marketplace.toml: seeding follows the file, and a bad file is one line, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runs import REPO, assert_one_line_error, ocgate

from ocgate.api.fixture_data import DATA_FILE, DataError, load_fixture_data
from ocgate.api.seeding import SeedPlan, seed_marketplace
from ocgate.api.target import open_target
from ocgate.config import load_settings

SHIPPED = REPO / "data" / DATA_FILE


Edit = tuple[str, str, str | None]


def edited(text: str, table: str, key: str, value: str | None) -> str:
    """`text` with `key = value` in [table]: changed, added, or removed when value is None."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.split("#")[0].strip() == f"[{table}]")
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("[")), len(lines))
    found = next((n for n in range(start + 1, end) if lines[n].split("=")[0].strip() == key), None)
    if found is None:
        lines.insert(start + 1, f"{key} = {value}")
    elif value is None:
        del lines[found]
    else:
        lines[found] = f"{key} = {value}"
    return "\n".join(lines) + "\n"


def doctored(tmp_path: Path, *edits: Edit) -> Path:
    """A data folder holding the shipped file with `edits` made to it."""
    text = SHIPPED.read_text(encoding="utf-8")
    for table, key, value in edits:
        text = edited(text, table, key, value)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / DATA_FILE).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository's ocgate.toml, with no OCGATE_* variables from outside."""
    for name in [name for name in os.environ if name.startswith("OCGATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(REPO)


# -- the shipped data -----------------------------------------------------------------------------


def test_the_shipped_data_gives_the_shape_the_suites_rely_on() -> None:
    data = load_fixture_data(SHIPPED.parent)
    assert (data.buyers.count, data.buyers.shoppers, data.categories.count, data.products.count) == (2, 2, 3, 12)
    assert data.roles.shopper == ["Shopper", "MeAdmin", "MeAddressAdmin", "MeCreditCardAdmin", "MeXpAdmin", "PasswordReset"]
    assert data.approval.threshold == 1000
    assert [(step.quantity, step.price_factor) for step in data.products.price_breaks] == [(1, 1.0), (10, 0.9)]
    assert data.products.colors == ["red", "green", "blue"]  # scenarios/test_browsing.py and load/storefront.py filter on them
    assert (data.products.inventory.quantity, data.orders.place, data.faker.seed) == (100_000, True, 2026)


def test_the_data_folder_is_beside_ocgate_toml_unless_configured(in_repository: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_settings().data_path == REPO / "data"
    assert load_settings(data_dir="fixtures").data_path == REPO / "fixtures"
    monkeypatch.setenv("OCGATE_DATA_DIR", str(tmp_path))
    assert load_settings().data_path == tmp_path


def test_a_run_plan_replaces_the_counts_and_nothing_else() -> None:
    data = load_fixture_data(SHIPPED.parent)
    planned = SeedPlan(shoppers_per_buyer=5, products=24, orders=False).applied_to(data)
    assert (planned.buyers.count, planned.buyers.shoppers, planned.products.count, planned.orders.place) == (2, 5, 24, False)
    assert planned.products.price_breaks == data.products.price_breaks
    assert SeedPlan().applied_to(data) == data


# -- a team's own data ----------------------------------------------------------------------------


def test_a_doctored_copy_changes_what_is_seeded(in_repository: None, tmp_path: Path) -> None:
    folder = doctored(tmp_path, ("buyers", "count", "1"), ("buyers", "shoppers", "1"), ("categories", "count", "1"), ("products", "count", "3"), ("approval", "threshold", "2000"))
    with open_target(load_settings(target="embedded", data_dir=str(folder))) as target:
        seeder, market = seed_marketplace(target)
        try:
            seller = target.client("seller_admin")
            buyer = market.buyers[0]
            assert (len(market.buyers), len(market.product_ids), len(market.category_ids)) == (1, 3, 1)
            assert [user.persona for user in buyer.shoppers if user.user_id.startswith(market.run_id + "-b1-")] == ["b1-shopper1"]
            [rule] = seller.ok("GET", f"/buyers/{buyer.id}/approvalrules")["Items"]
            assert rule["RuleExpression"] == "order.Total > 2000"
            waiting = seller.ok("GET", f"/orders/Incoming/{market.orders['AwaitingApproval'][0]}")
            assert waiting["Status"] == "AwaitingApproval" and waiting["Total"] > 2000
        finally:
            assert seeder.cleanup() == []


# -- data that cannot be used ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        ((("buyers", "count", "= 2"),), ("not valid TOML",)),
        ((("products", "colour", '"red"'),), ("products.colour", "unknown key")),
        ((("products", "count", "-1"),), ("products.count", "greater than or equal to 1")),
        ((("approval", "threshold", '"lots"'),), ("approval.threshold",)),
    ],
    ids=["bad-toml", "unknown-key", "negative-count", "wrong-type"],
)
def test_malformed_data_stops_seeding_in_one_line_naming_the_file_and_key(tmp_path: Path, edits: tuple[Edit, ...], words: tuple[str, ...]) -> None:
    folder = doctored(tmp_path, *edits)
    assert_one_line_error(ocgate("seed", env={"OCGATE_DATA_DIR": str(folder)}), str(folder / DATA_FILE), *words)


def test_a_missing_data_file_stops_seeding_in_one_line_saying_where_it_was_looked_for(tmp_path: Path) -> None:
    assert_one_line_error(ocgate("seed", env={"OCGATE_DATA_DIR": str(tmp_path)}), str(tmp_path / DATA_FILE), "not found", "data_dir")


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        ((("approval", "threshold", "300"),), ("approval.threshold", "price_max", "Open order")),
        ((("orders", "place", "true"), ("products", "count", "2")), ("products.count", "first three products")),
        ((("products", "price_max", "1.0"),), ("products:", "price_max must be at least price_min")),
        ((("roles", "approver", None),), ("roles.approver", "missing")),
    ],
    ids=["threshold-under-the-open-order", "too-few-products-for-the-orders", "prices-upside-down", "missing-key"],
)
def test_data_the_seeding_could_not_follow_is_refused_in_one_line(tmp_path: Path, edits: tuple[Edit, ...], words: tuple[str, ...]) -> None:
    with pytest.raises(DataError) as refused:
        load_fixture_data(doctored(tmp_path, *edits))
    message = str(refused.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "data" / DATA_FILE))
    for word in words:
        assert word in message
