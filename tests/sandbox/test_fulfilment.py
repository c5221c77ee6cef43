"""Fulfilment: ship, shipments and their items, and what they do to orders (BEHAVIOUR.md §4.3, §4.5)."""

from __future__ import annotations

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def line_of(shop: Shop, order: dict) -> dict:
    return ok(shop.admin.get(f"/orders/Incoming/{order['ID']}/lineitems"))["Items"][0]


def test_ship_sends_everything_in_one_shipment_and_completes_the_order(shop: Shop) -> None:
    first, second = shop.product(), shop.product()
    order = shop.submitted((first, 2), (second, 1))
    shipped = ok(shop.admin.post(f"/orders/Incoming/{order['ID']}/ship", json={"Shipper": "DHL", "TrackingNumber": "T-1"}))
    assert shipped["Status"] == "Completed" and shipped["DateCompleted"]
    shipments = ok(shop.admin.get("/shipments", params={"orderID": order["ID"]}))["Items"]
    assert len(shipments) == 1 and shipments[0]["Shipper"] == "DHL" and shipments[0]["BuyerID"] == shop.buyer.buyer_id and shipments[0]["DateShipped"]
    items = ok(shop.admin.get(f"/shipments/{shipments[0]['ID']}/items"))["Items"]
    assert sorted((item["LineItemID"] is not None, item["QuantityShipped"]) for item in items) == [(True, 1), (True, 2)]
    assert all(line["QuantityShipped"] == line["Quantity"] for line in ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"])
    assert [s["ID"] for s in ok(shop.admin.get(f"/orders/Incoming/{order['ID']}/shipments"))["Items"]] == [shipments[0]["ID"]]


def test_only_an_open_order_ships(shop: Shop) -> None:
    cart = shop.order_with((shop.product(), 1))
    error(shop.admin.post(f"/orders/Incoming/{cart['ID']}/ship", json={}), 400, "Order.CannotShipBadStatus")
    shipment = ok(shop.admin.post("/shipments", json={"BuyerID": shop.buyer.buyer_id}))
    item = {"OrderID": cart["ID"], "LineItemID": line_of(shop, cart)["ID"], "QuantityShipped": 1}
    error(shop.admin.post(f"/shipments/{shipment['ID']}/items", json=item), 400, "Order.CannotShipBadStatus")


def test_shipment_items_ship_lines_in_parts_and_complete_the_order_at_the_end(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 3))
    line = line_of(shop, order)
    first = ok(shop.admin.post("/shipments", json={"BuyerID": shop.buyer.buyer_id}))
    item = ok(shop.admin.post(f"/shipments/{first['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 1}))
    assert (item["QuantityShipped"], item["UnitPrice"], item["Product"]["ID"]) == (1, line["UnitPrice"], line["ProductID"])
    assert line_of(shop, order)["QuantityShipped"] == 1
    assert ok(shop.admin.get(f"/orders/Incoming/{order['ID']}"))["Status"] == "Open"
    second = ok(shop.admin.post("/shipments", json={"BuyerID": shop.buyer.buyer_id}))
    data = error(shop.admin.post(f"/shipments/{second['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 3}), 400, "ShipmentItem.QuantityExceeded")
    assert (data["QuantityShipped"], data["QuantityRequested"]) == (1, 3)
    ok(shop.admin.post(f"/shipments/{second['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 2}))
    assert ok(shop.admin.get(f"/orders/Incoming/{order['ID']}"))["Status"] == "Completed"


def test_ship_refuses_lines_already_on_other_shipments(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 2), (shop.product(), 1))
    line = line_of(shop, order)
    shipment = ok(shop.admin.post("/shipments", json={}))
    ok(shop.admin.post(f"/shipments/{shipment['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 1}))
    data = error(shop.admin.post(f"/orders/Incoming/{order['ID']}/ship", json={}), 400, "Order.ConflictsWithOtherShipments")
    assert [conflict["ID"] for conflict in data] == [line["ID"]]


def test_removing_a_shipment_item_gives_the_quantity_back(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 2))
    line = line_of(shop, order)
    shipment = ok(shop.admin.post("/shipments", json={"BuyerID": shop.buyer.buyer_id}))
    ok(shop.admin.post(f"/shipments/{shipment['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 1}))
    assert ok(shop.admin.get(f"/shipments/{shipment['ID']}/items/{order['ID']}/{line['ID']}"))["QuantityShipped"] == 1
    assert shop.admin.delete(f"/shipments/{shipment['ID']}/items/{order['ID']}/{line['ID']}").status_code == 204
    assert line_of(shop, order)["QuantityShipped"] == 0
    error(shop.admin.get(f"/shipments/{shipment['ID']}/items/{order['ID']}/{line['ID']}"), 404, "NotFound")
    ok(shop.admin.post(f"/shipments/{shipment['ID']}/items", json={"OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": 1}))
    assert shop.admin.delete(f"/shipments/{shipment['ID']}").status_code == 204
    assert line_of(shop, order)["QuantityShipped"] == 0


def test_a_buyer_user_sees_the_shipments_of_its_orders(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 1))
    ok(shop.admin.post(f"/orders/Incoming/{order['ID']}/ship", json={"ID": f"ship-{order['ID']}"}))
    mine = ok(shop.shopper.get("/me/shipments", params={"orderID": order["ID"]}))["Items"]
    assert [s["ID"] for s in mine] == [f"ship-{order['ID']}"]
    assert ok(shop.shopper.get(f"/me/shipments/ship-{order['ID']}"))["ID"] == f"ship-{order['ID']}"
    assert [i["OrderID"] for i in ok(shop.shopper.get(f"/me/shipments/ship-{order['ID']}/items"))["Items"]] == [order["ID"]]
    stranger = shop.make_user()
    error(stranger.api.get(f"/me/shipments/ship-{order['ID']}"), 404, "NotFound")
    assert ok(stranger.api.get("/me/shipments"))["Items"] == []


def test_shipment_addresses_come_from_saved_addresses_or_complete_one_time_ones(shop: Shop) -> None:
    buyer = shop.buyer.buyer_id
    ok(shop.admin.post(f"/buyers/{buyer}/addresses", json={"ID": "dock", "Street1": "1 Dock Rd", "City": "Leeds", "State": "WY", "Zip": "LS1", "Country": "GB"}))
    shipment = ok(shop.admin.post("/shipments", json={"BuyerID": buyer, "ToAddressID": "dock"}))
    assert shipment["ToAddress"]["Street1"] == "1 Dock Rd"
    error(shop.admin.post("/shipments", json={"BuyerID": buyer, "ToAddressID": "nowhere"}), 404, "NotFound")
    error(shop.admin.put(f"/shipments/{shipment['ID']}/shipfrom", json={"Street1": "2 Mill St", "City": "York"}), 400, "ValidationFailure")
    shipped_from = ok(shop.admin.put(f"/shipments/{shipment['ID']}/shipfrom", json={"Street1": "2 Mill St", "City": "York", "State": "NY", "Zip": "YO1", "Country": "GB"}))
    assert shipped_from["FromAddress"]["City"] == "York" and shipped_from["FromAddressID"] is None
