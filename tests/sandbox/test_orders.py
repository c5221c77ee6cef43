"""Orders: who creates them, who sees them in which direction, and how they change (BEHAVIOUR.md §4.3)."""

from __future__ import annotations

import time

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def test_a_buyer_user_creates_an_unsubmitted_outgoing_order_to_the_seller(shop: Shop, settings) -> None:
    order = shop.order(Comments="first")
    assert order["Status"] == "Unsubmitted" and order["IsSubmitted"] is False
    assert (order["FromUserID"], order["FromCompanyID"], order["ToCompanyID"]) == (shop.buyer.user_id, shop.buyer.buyer_id, settings.sandbox.seller_id)
    assert order["FromUser"]["ID"] == shop.buyer.user_id and order["FromUser"]["Password"] is None
    assert (order["LineItemCount"], order["Subtotal"], order["ShippingCost"], order["TaxCost"], order["Total"]) == (0, 0, 0, 0, 0)
    assert order["DateCreated"] and order["LastUpdated"] and order["DateSubmitted"] is None


def test_a_taken_order_id_is_409_idexists(shop: Shop) -> None:
    shop.order(ID="dup-order")
    error(shop.shopper.post("/orders/Outgoing", json={"ID": "dup-order"}), 409, "IdExists")


def test_order_and_line_item_ids_may_name_incrementors_whose_next_number_replaces_them(shop: Shop) -> None:
    ok(shop.admin.post("/incrementors", json={"ID": "orderIncrementor", "Name": "Order numbers", "LastNumber": 41, "LeftPaddingCount": 6}))
    assert shop.order(ID="SO-{orderIncrementor}")["ID"] == "SO-000042"
    order = shop.order(ID="SO-{orderIncrementor}")
    assert order["ID"] == "SO-000043"
    assert shop.line(order["ID"], shop.product(), ID="{orderIncrementor}-1")["ID"] == "000044-1"
    assert ok(shop.admin.get("/incrementors/orderIncrementor"))["LastNumber"] == 44
    assert error(shop.shopper.post("/orders/Outgoing", json={"ID": "SO-{noSuchIncrementor}"}), 404, "NotFound") == {"ObjectType": "Incrementor", "ObjectID": "noSuchIncrementor"}


def test_a_buyer_user_cannot_create_incoming_orders(shop: Shop) -> None:
    error(shop.shopper.post("/orders/Incoming", json={}), 400, "Order.CannotCreateInvalid")


def test_a_seller_creates_an_incoming_order_on_behalf_of_a_buyer_user(shop: Shop) -> None:
    error(shop.admin.post("/orders/Incoming", json={"FromCompanyID": shop.buyer.buyer_id}), 400, "Order.CreateIncomingRequiresFromUser")
    error(shop.admin.post("/orders/Incoming", json={"FromCompanyID": shop.buyer.buyer_id, "FromUserID": "nobody"}), 404, "Buyer.UserNotFound")
    order = ok(shop.admin.post("/orders/Incoming", json={"FromCompanyID": shop.buyer.buyer_id, "FromUserID": shop.buyer.user_id}))
    assert (order["FromUser"]["ID"], order["FromUser"]["Username"], order["FromCompanyID"]) == (shop.buyer.user_id, shop.buyer.username, shop.buyer.buyer_id)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["ID"] == order["ID"]


def test_direction_is_the_callers_perspective(shop: Shop) -> None:
    order = shop.order()
    assert ok(shop.admin.get(f"/orders/Incoming/{order['ID']}"))["ID"] == order["ID"]
    assert ok(shop.admin.get(f"/orders/All/{order['ID']}"))["ID"] == order["ID"]
    error(shop.admin.get(f"/orders/Outgoing/{order['ID']}"), 404, "NotFound")
    error(shop.shopper.get(f"/orders/Incoming/{order['ID']}"), 404, "NotFound")
    incoming = ok(shop.admin.get("/orders/Incoming", params={"pageSize": 100}))["Items"]
    assert order["ID"] in {o["ID"] for o in incoming}
    assert ok(shop.admin.get("/orders/Outgoing"))["Meta"]["TotalCount"] == 0


def test_another_buyers_order_is_not_found(shop: Shop) -> None:
    order = shop.order()
    stranger = shop.make_user(roles=("Shopper", "OrderReader", "UnsubmittedOrderReader"))
    error(stranger.api.get(f"/orders/Outgoing/{order['ID']}"), 404, "NotFound")
    error(stranger.api.patch(f"/orders/Outgoing/{order['ID']}", json={"Comments": "mine"}), 404, "NotFound")
    assert order["ID"] not in {o["ID"] for o in ok(stranger.api.get("/orders/Outgoing"))["Items"]}


def test_colleagues_see_unsubmitted_orders_only_with_unsubmitted_order_reader(shop: Shop) -> None:
    product = shop.product()
    cart = shop.order()
    placed = shop.submitted((product, 1))
    reader = shop.colleague(("Shopper", "OrderReader"))
    assert ok(reader.api.get(f"/orders/Outgoing/{placed['ID']}"))["Status"] == "Open"
    error(reader.api.get(f"/orders/Outgoing/{cart['ID']}"), 404, "NotFound")
    listed = {o["ID"] for o in ok(reader.api.get("/orders/Outgoing", params={"pageSize": 100}))["Items"]}
    assert placed["ID"] in listed and cart["ID"] not in listed
    cart_reader = shop.colleague(("Shopper", "OrderReader", "UnsubmittedOrderReader"))
    assert ok(cart_reader.api.get(f"/orders/Outgoing/{cart['ID']}"))["ID"] == cart["ID"]


def test_patch_merges_xp_and_moves_last_updated_but_never_the_parties(shop: Shop) -> None:
    order = shop.order(xp={"a": 1, "nested": {"x": 1}})
    time.sleep(0.002)
    patched = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"xp": {"nested": {"y": 2}}, "FromCompanyID": "elsewhere", "Comments": "c"}))
    assert patched["xp"] == {"a": 1, "nested": {"x": 1, "y": 2}} and patched["Comments"] == "c"
    assert patched["FromCompanyID"] == shop.buyer.buyer_id
    assert patched["LastUpdated"] > order["LastUpdated"]


def test_put_replaces_an_order_or_creates_one_with_the_path_id(shop: Shop) -> None:
    created = ok(shop.shopper.put("/orders/Outgoing/put-order", json={"Comments": "new", "xp": {"k": 1}}))
    assert created["ID"] == "put-order" and created["Status"] == "Unsubmitted"
    replaced = ok(shop.shopper.put("/orders/Outgoing/put-order", json={"Comments": "replaced"}))
    assert replaced["Comments"] == "replaced" and replaced["xp"] is None and replaced["DateCreated"] == created["DateCreated"]


def test_shipping_and_tax_costs_need_the_override_roles(shop: Shop) -> None:
    order = shop.order()
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"ShippingCost": 5}), 403, "Order.OverrideShippingPermission")
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"TaxCost": 2}), 403, "Order.OverrideTaxPermission")
    product = shop.product()
    shop.line(order["ID"], product, 2)
    costed = ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}", json={"ShippingCost": 5, "TaxCost": 1.5}))
    assert (costed["Subtotal"], costed["ShippingCost"], costed["TaxCost"], costed["Total"]) == (20, 5, 1.5, 26.5)


def test_an_unsubmitted_order_can_change_its_id_and_keeps_its_lines(shop: Shop) -> None:
    product = shop.product()
    order = shop.order_with((product, 3))
    renamed = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"ID": f"{order['ID']}-renamed"}))
    assert renamed["ID"] == f"{order['ID']}-renamed" and renamed["LineItemCount"] == 1
    assert ok(shop.shopper.get(f"/orders/Outgoing/{renamed['ID']}/lineitems"))["Items"][0]["Quantity"] == 3
    error(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"), 404, "NotFound")


def test_a_buyer_deletes_its_cart_but_only_an_order_admin_deletes_a_submitted_order(shop: Shop) -> None:
    product = shop.product()
    cart = shop.order_with((product, 1))
    assert shop.shopper.delete(f"/orders/Outgoing/{cart['ID']}").status_code == 204
    error(shop.shopper.get(f"/orders/Outgoing/{cart['ID']}/lineitems"), 404, "NotFound")
    placed = shop.submitted((product, 1))
    error(shop.shopper.delete(f"/orders/Outgoing/{placed['ID']}"), 400, "Order.CannotModifyBadStatus")
    error(shop.shopper.patch(f"/orders/Outgoing/{placed['ID']}", json={"Comments": "late"}), 400, "Order.CannotModifyBadStatus")
    assert ok(shop.admin.patch(f"/orders/Incoming/{placed['ID']}", json={"xp": {"ErpID": "42"}}))["xp"] == {"ErpID": "42"}
    assert shop.admin.delete(f"/orders/Incoming/{placed['ID']}").status_code == 204


def test_order_lists_filter_by_buyer_and_creation_date(shop: Shop) -> None:
    order = shop.order()
    mine = ok(shop.admin.get("/orders/Incoming", params={"buyerID": shop.buyer.buyer_id, "pageSize": 100}))["Items"]
    assert order["ID"] in {o["ID"] for o in mine} and all(o["FromCompanyID"] == shop.buyer.buyer_id for o in mine)
    assert ok(shop.admin.get("/orders/Incoming", params={"buyerID": "no-such-buyer"}))["Meta"]["TotalCount"] == 0
    today = order["DateCreated"][:10]
    assert order["ID"] in {o["ID"] for o in ok(shop.admin.get("/orders/Incoming", params={"from": today, "to": today, "pageSize": 100}))["Items"]}
    assert ok(shop.admin.get("/orders/Incoming", params={"to": "2001-01-01"}))["Meta"]["TotalCount"] == 0
    error(shop.admin.get("/orders/Incoming", params={"from": "yesterday"}), 400, "List.InvalidType")


def test_me_orders_lists_the_orders_i_created(shop: Shop) -> None:
    order = shop.order()
    colleague = shop.colleague()
    theirs = shop.order(colleague.api)
    mine = {o["ID"] for o in ok(shop.shopper.get("/me/orders", params={"pageSize": 100}))["Items"]}
    assert order["ID"] in mine and theirs["ID"] not in mine


def test_patch_from_user_corrects_the_user_shown_on_the_order(shop: Shop) -> None:
    order = shop.order()
    patched = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/fromuser", json={"FirstName": "Beatrice", "ID": "other"}))
    assert patched["FromUser"]["FirstName"] == "Beatrice" and patched["FromUser"]["ID"] == shop.buyer.user_id
