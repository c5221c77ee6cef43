"""What the engine does around every operation: it holds the store lock, and applies the declared guards and perspectives.

The lock: every request (a generic operation, a hand-written handler, the token endpoint) runs
with the store lock held by the thread answering it; handlers never take it themselves, and a
burst of concurrent writes to one object loses no update. Guards: a collection's declared guard
decides what its generic get, list, save, patch and delete reach; what the caller may not see is
404, as if it did not exist. Perspectives: a /me collection is stored where it is declared to be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop: a fixture)
from _sandbox_api import created, token_request

from ocgate.config import Settings
from ocgate.sandbox.errors import not_found
from ocgate.sandbox.registry import GUARDS, HANDLERS, PRESENTERS, WRITE_HOOKS, Call, Guard
from ocgate.sandbox.server import EmbeddedSandbox
from ocgate.sandbox.state import Marketplace


def market_of(sandbox: EmbeddedSandbox) -> Marketplace:
    assert sandbox.market is not None
    return sandbox.market


def held_by_this_thread(lock: Any) -> bool:
    """Whether the store lock is held here: another thread cannot take it (it tries without waiting)."""
    taken: list[bool] = []

    def try_to_take() -> None:
        got = lock.acquire(blocking=False)
        if got:
            lock.release()
        taken.append(got)

    other = threading.Thread(target=try_to_take)
    other.start()
    other.join()
    return not taken[0]


class LockWitness:
    """Records, each time it is called from inside the sandbox, whether the store lock was held."""

    def __init__(self, market: Marketplace) -> None:
        self.market = market
        self.seen: list[bool] = []

    def look(self) -> None:
        self.seen.append(held_by_this_thread(self.market.store.lock))


# -- the store lock ----------------------------------------------------------------------------------------------


def test_a_hand_written_handler_runs_with_the_store_lock_held(sandbox: EmbeddedSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    witness = LockWitness(market_of(sandbox))
    me_get = HANDLERS["Me.Get"]

    def observed(call: Call) -> Any:
        witness.look()
        return me_get(call)

    monkeypatch.setitem(HANDLERS, "Me.Get", observed)
    ok(admin.get("/me"))
    assert witness.seen == [True]


def test_generic_writes_and_reads_run_with_the_store_lock_held(sandbox: EmbeddedSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    witness = LockWitness(market_of(sandbox))
    monkeypatch.setitem(WRITE_HOOKS, "/catalogs", [*WRITE_HOOKS.get("/catalogs", []), lambda call, obj, previous: witness.look()])

    def presenter(call: Call, obj: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
        witness.look()
        return obj

    monkeypatch.setitem(PRESENTERS, "/catalogs", [*PRESENTERS.get("/catalogs", []), presenter])
    catalog = created(admin.post("/catalogs", json={"Name": "Witnessed"}))  # a write hook, then the presenter
    ok(admin.patch(f"/catalogs/{catalog['ID']}", json={"Name": "Still witnessed"}))
    ok(admin.get(f"/catalogs/{catalog['ID']}"))
    assert len(witness.seen) >= 5 and all(witness.seen)


def test_the_token_endpoint_runs_with_the_store_lock_held(sandbox: EmbeddedSandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    market = market_of(sandbox)
    witness = LockWitness(market)
    grant = market.tokens.grant

    def observed(form: dict[str, str]) -> dict[str, Any]:
        witness.look()
        return grant(form)

    monkeypatch.setattr(market.tokens, "grant", observed)
    persona = settings.persona("seller_admin")
    assert persona.username and persona.password
    answer = token_request(sandbox.base_url, grant_type="password", client_id=settings.client_id, username=persona.username, password=persona.password.get_secret_value())
    assert answer.status_code == 200, answer.text
    assert witness.seen == [True]


def test_concurrent_patches_of_one_object_are_applied_one_at_a_time(sandbox: EmbeddedSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each PATCH counts itself from the version it read; a slow write hook widens the race.
    Interleaved requests would both read N and both write N + 1; one at a time, none is lost."""
    market = market_of(sandbox)
    catalog = created(admin.post("/catalogs", json={"Name": "Contended", "xp": {"Writes": 0}}))

    def count_the_write(call: Call, obj: dict[str, Any], previous: dict[str, Any] | None) -> None:
        before = ((previous or {}).get("xp") or {}).get("Writes", 0)
        time.sleep(0.001)  # let another thread run, were it allowed in
        obj["xp"] = {**(obj.get("xp") or {}), "Writes": before + 1}

    monkeypatch.setitem(WRITE_HOOKS, "/catalogs", [*WRITE_HOOKS.get("/catalogs", []), count_the_write])
    patch: Callable[[int], Any] = lambda n: market.invoke("Catalogs.Patch", {"catalogID": catalog["ID"]}, {"Description": f"write {n}"})  # noqa: E731
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(patch, range(80)))
    assert ok(admin.get(f"/catalogs/{catalog['ID']}"))["xp"]["Writes"] == 80


# -- declared guards ----------------------------------------------------------------------------------------------


def test_a_declared_guard_applies_to_the_generic_get_list_save_patch_and_delete(admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = created(admin.post("/catalogs", json={"ID": "guarded-secret", "Name": "Secret"}))
    created(admin.post("/catalogs", json={"ID": "guarded-public", "Name": "Public"}))
    with monkeypatch.context() as guarded:
        guarded.setitem(GUARDS, "/catalogs", Guard(can_see=lambda call, catalog: not catalog["ID"].endswith("-secret")))
        error(admin.get(f"/catalogs/{secret['ID']}"), 404, "NotFound")
        listed = ok(admin.get("/catalogs", params={"ID": "guarded-*"}))["Items"]
        assert [catalog["ID"] for catalog in listed] == ["guarded-public"]
        error(admin.patch(f"/catalogs/{secret['ID']}", json={"Name": "Renamed"}), 404, "NotFound")
        error(admin.put(f"/catalogs/{secret['ID']}", json={"Name": "Replaced"}), 404, "NotFound")
        error(admin.delete(f"/catalogs/{secret['ID']}"), 404, "NotFound")
        assert ok(admin.get("/catalogs/guarded-public"))["Name"] == "Public"
    assert ok(admin.get(f"/catalogs/{secret['ID']}"))["Name"] == "Secret"  # none of the refused writes happened


def test_a_declared_parent_guard_applies_before_anything_under_the_parent_is_reached(admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    created(admin.post("/catalogs", json={"ID": "sealed", "Name": "Sealed"}))
    category = created(admin.post("/catalogs/sealed/categories", json={"ID": "inside", "Name": "Inside"}))

    def only_open_catalogs(call: Call) -> None:
        if call.params["catalogID"] == "sealed":
            raise not_found("Catalog", "sealed")

    with monkeypatch.context() as guarded:
        guarded.setitem(GUARDS, "/catalogs/{catalogID}/categories", Guard(parent=only_open_catalogs))
        assert error(admin.get("/catalogs/sealed/categories"), 404, "NotFound")["ObjectType"] == "Catalog"
        assert error(admin.get(f"/catalogs/sealed/categories/{category['ID']}"), 404, "NotFound")["ObjectType"] == "Catalog"
        assert error(admin.post("/catalogs/sealed/categories", json={"Name": "New"}), 404, "NotFound")["ObjectType"] == "Catalog"
        assert error(admin.patch(f"/catalogs/sealed/categories/{category['ID']}", json={"Name": "X"}), 404, "NotFound")["ObjectType"] == "Catalog"
        assert error(admin.delete(f"/catalogs/sealed/categories/{category['ID']}"), 404, "NotFound")["ObjectType"] == "Catalog"
    assert [c["ID"] for c in ok(admin.get("/catalogs/sealed/categories"))["Items"]] == ["inside"]


def test_another_buyers_user_cannot_reach_a_shipment_through_the_generic_operations(shop: Shop) -> None:  # noqa: F811
    order = shop.submitted((shop.product(), 1))
    shipment = f"guarded-{order['ID']}"
    ok(shop.admin.post(f"/orders/Incoming/{order['ID']}/ship", json={"ID": shipment}))
    stranger = shop.make_user(roles=("ShipmentAdmin",)).api
    error(stranger.get(f"/shipments/{shipment}"), 404, "NotFound")
    error(stranger.patch(f"/shipments/{shipment}", json={"Shipper": "Someone"}), 404, "NotFound")
    error(stranger.put(f"/shipments/{shipment}", json={"Shipper": "Someone"}), 404, "NotFound")
    error(stranger.delete(f"/shipments/{shipment}"), 404, "NotFound")
    assert ok(shop.shopper.get(f"/me/shipments/{shipment}"))["ID"] == shipment
    assert ok(shop.admin.get(f"/shipments/{shipment}"))["Shipper"] is None


def test_what_hangs_off_an_order_the_caller_cannot_see_is_404_order(shop: Shop) -> None:  # noqa: F811
    order = shop.order_with((shop.product(), 1))
    line = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"][0]
    stranger = shop.make_user().api
    for path in ("lineitems", f"lineitems/{line['ID']}", "payments", "approvals", "promotions"):
        assert error(stranger.get(f"/orders/Outgoing/{order['ID']}/{path}"), 404, "NotFound")["ObjectType"] == "Order", path
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}"))["ID"] == line["ID"]


# -- declared perspectives ----------------------------------------------------------------------------------------


def test_a_users_product_collections_are_stored_under_the_user_and_go_with_it(sandbox: EmbeddedSandbox, shop: Shop) -> None:  # noqa: F811
    store = market_of(sandbox).store
    template = "/buyers/{buyerID}/users/{userID}/productcollections"
    me = shop.colleague()
    collection = ok(me.api.post("/me/productcollections", json={"Name": "Keep"}))
    assert store.get(template, (me.buyer_id, me.user_id), collection["ID"]) is not None
    ok(shop.admin.delete(f"/buyers/{me.buyer_id}/users/{me.user_id}"))
    assert store.get(template, (me.buyer_id, me.user_id), collection["ID"]) is None
