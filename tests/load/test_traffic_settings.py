"""Traffic settings (weights, think time, pacing) and the accounts file handed to Locust."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ocgate.config import ConfigError
from ocgate.load.traffic import Account, Accounts, Traffic, load_traffic

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_traffic_file_spells_out_the_defaults():
    assert load_traffic(REPO_ROOT / "load" / "traffic.toml") == Traffic()


def test_settings_left_out_keep_their_defaults(write_file):
    traffic = load_traffic(write_file("traffic.toml", "[storefront.weights]\ncheckout = 50\n"))
    assert traffic.storefront.weights.checkout == 50
    assert traffic.storefront.weights.browse == Traffic().storefront.weights.browse
    assert traffic.fulfilment == Traffic().fulfilment


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[storefront.weights]\nteleport = 3", "storefront.weights.teleport: unknown setting"),
        ("[storefront]\nthink_time = [5, 1]", "think_time is [min, max] seconds"),
        ("[storefront]\nmax_quantity = 0", "storefront.max_quantity: Input should be greater than or equal to 1"),
        ("[fulfilment]\ncomplete_share = 2", "fulfilment.complete_share"),
        (
            "[storefront.weights]\nbrowse = 0\nproduct_detail = 0\ncategories = 0\nadd_to_cart = 0\n"
            "change_quantity = 0\nabandon_cart = 0\ncheckout = 0\nmy_orders = 0",
            "at least one weight must be above 0",
        ),
        ("[storefront\n", "not valid TOML"),
    ],
)
def test_a_bad_traffic_file_is_refused_with_one_line(write_file, text, says):
    path = write_file("traffic.toml", text)
    with pytest.raises(ConfigError) as refused:
        load_traffic(path)
    assert says in str(refused.value) and str(path) in str(refused.value) and "\n" not in str(refused.value)


def accounts() -> Accounts:
    seller = Account("ful", "Secret-Seller-1", ("OrderAdmin",))
    return Accounts("ocgabc123", "http://127.0.0.1:1/oauth/token", "client", seller, seller, [Account("b1", "Secret-Buyer-1", ("Shopper",))])


def test_the_accounts_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{}")
    path.chmod(0o644)
    accounts().write(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Accounts.read(path) == accounts()


def test_a_file_that_is_not_an_accounts_file_is_refused(write_file):
    with pytest.raises(ConfigError, match="not an ocgate accounts file"):
        Accounts.read(write_file("accounts.json", '{"run_id": "x"}'))
