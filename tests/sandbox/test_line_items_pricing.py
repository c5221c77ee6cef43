"""Line items and prices: price breaks, quantity rules, totals (BEHAVIOUR.md §4.1, §4.4)."""

from __future__ import annotations

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def test_a_line_takes_the_price_of_the_highest_break_its_quantity_reaches(shop: Shop) -> None:
    product = shop.product(breaks=((1, 10.0), (5, 8.0), (10, 6.5)))
    order = shop.order()
    assert shop.line(order["ID"], product, 4)["UnitPrice"] == 10
    line = shop.line(order["ID"], product, 10)
    assert (line["UnitPrice"], line["LineSubtotal"], line["PromotionDiscount"], line["LineTotal"]) == (6.5, 65, 0, 65)
    assert line["Product"]["ID"] == product and line["PriceScheduleID"] and line["QuantityShipped"] == 0


def test_order_totals_follow_every_line_change(shop: Shop) -> None:
    cheap, dear = shop.product(breaks=((1, 9.99),)), shop.product(breaks=((1, 100.0),))
    order = shop.order()
    first = shop.line(order["ID"], cheap, 3)
    assert first["LineSubtotal"] == 29.97
    shop.line(order["ID"], dear, 1)
    totals = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))
    assert (totals["LineItemCount"], totals["Subtotal"], totals["Total"]) == (2, 129.97, 129.97)
    ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{first['ID']}", json={"Quantity": 1}))
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Subtotal"] == 109.99
    assert shop.shopper.delete(f"/orders/Outgoing/{order['ID']}/lineitems/{first['ID']}").status_code == 204
    after = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))
    assert (after["LineItemCount"], after["Subtotal"], after["Total"]) == (1, 100, 100)
    assert after["LastUpdated"] >= totals["LastUpdated"]


def test_quantity_must_be_positive(shop: Shop) -> None:
    product = shop.product()
    order = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 0}), 400, "LineItem.QuantityMustBePositive")
    line = shop.line(order["ID"], product, 1)
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"Quantity": -2}), 400, "LineItem.QuantityMustBePositive")


def test_min_max_and_restricted_quantities_are_enforced(shop: Shop) -> None:
    bounded = shop.product(breaks=((1, 5.0),), schedule_MinQuantity=2, schedule_MaxQuantity=4)
    restricted = shop.product(breaks=((6, 5.0), (12, 4.0)), schedule_RestrictedQuantity=True)
    order = shop.order()
    lines = f"/orders/Outgoing/{order['ID']}/lineitems"
    assert error(shop.shopper.post(lines, json={"ProductID": bounded, "Quantity": 1}), 400, "PriceSchedule.CannotBeLessThanMin")["MinQuantity"] == 2
    assert error(shop.shopper.post(lines, json={"ProductID": bounded, "Quantity": 5}), 400, "PriceSchedule.CannotExceedMax")["MaxQuantity"] == 4
    assert error(shop.shopper.post(lines, json={"ProductID": restricted, "Quantity": 7}), 400, "PriceSchedule.QuantityNotAllowed")["AllowedQuantities"] == [6, 12]
    assert shop.line(order["ID"], restricted, 12)["UnitPrice"] == 4


def test_a_quantity_below_every_price_break_is_below_the_minimum(shop: Shop) -> None:
    product = shop.product(breaks=((10, 2.0),))
    order = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 3}), 400, "PriceSchedule.CannotBeLessThanMin")


def test_cumulative_quantity_prices_all_lines_of_a_product_together(shop: Shop) -> None:
    product = shop.product(breaks=((1, 10.0), (5, 7.0)), schedule_UseCumulativeQuantity=True, schedule_MaxQuantity=8)
    order = shop.order()
    first = shop.line(order["ID"], product, 3)
    assert first["UnitPrice"] == 10
    second = shop.line(order["ID"], product, 2)
    assert second["UnitPrice"] == 7
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems/{first['ID']}"))["UnitPrice"] == 7
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Subtotal"] == 35
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 4}), 400, "PriceSchedule.CumulativeCannotExceedMax")


def test_a_product_must_be_visible_and_priced_to_the_orders_buyer(shop: Shop) -> None:
    order = shop.order()
    lines = f"/orders/Outgoing/{order['ID']}/lineitems"
    error(shop.shopper.post(lines, json={"ProductID": "no-such-product"}), 404, "NotFound")
    unpriced = ok(shop.admin.post("/products", json={"Name": "Unpriced", "Active": True}))
    ok(shop.admin.post("/catalogs/productassignments", json={"CatalogID": shop.buyer.buyer_id, "ProductID": unpriced["ID"]}))
    error(shop.shopper.post(lines, json={"ProductID": unpriced["ID"]}), 400, "PriceSchedule.MissingOrConflicting")
    other_catalog = ok(shop.admin.post("/catalogs", json={"Name": "Elsewhere", "Active": True}))
    hidden = shop.product(catalog=other_catalog["ID"])
    error(shop.shopper.post(lines, json={"ProductID": hidden}), 400, "PriceSchedule.MissingOrConflicting")


def test_a_lines_product_cannot_change(shop: Shop) -> None:
    first, second = shop.product(), shop.product()
    order = shop.order()
    line = shop.line(order["ID"], first, 1)
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"ProductID": second}), 400, "LineItem.CannotChangeProductID")


def test_unit_price_is_set_only_with_override_unit_price(shop: Shop) -> None:
    product = shop.product(breaks=((1, 10.0),))
    order = shop.order()
    line = shop.line(order["ID"], product, 2, UnitPrice=1)
    assert (line["UnitPrice"], line["PriceOverridden"]) == (10, False)
    overridden = ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}/lineitems/{line['ID']}", json={"UnitPrice": 7.5}))
    assert (overridden["UnitPrice"], overridden["PriceOverridden"], overridden["LineSubtotal"]) == (7.5, True, 15)
    requantified = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"Quantity": 3}))
    assert (requantified["UnitPrice"], requantified["LineSubtotal"]) == (7.5, 22.5)


def test_a_running_sale_uses_the_sale_price(shop: Shop) -> None:
    on_sale = ok(shop.admin.post("/priceschedules", json={"Name": "Sale", "PriceBreaks": [{"Quantity": 1, "Price": 10, "SalePrice": 6}], "SaleStart": "2020-01-01T00:00:00Z"}))
    ended = ok(shop.admin.post("/priceschedules", json={"Name": "Ended", "PriceBreaks": [{"Quantity": 1, "Price": 10, "SalePrice": 6}], "SaleEnd": "2020-01-01T00:00:00Z"}))
    order = shop.order()
    for schedule, expected in ((on_sale, 6), (ended, 10)):
        product = ok(shop.admin.post("/products", json={"Name": "Sale item", "Active": True, "DefaultPriceScheduleID": schedule["ID"]}))
        ok(shop.admin.post("/catalogs/productassignments", json={"CatalogID": shop.buyer.buyer_id, "ProductID": product["ID"]}))
        assert shop.line(order["ID"], product["ID"], 1)["UnitPrice"] == expected


def test_date_needed_must_be_after_the_line_was_added(shop: Shop) -> None:
    product = shop.product()
    order = shop.order()
    lines = f"/orders/Outgoing/{order['ID']}/lineitems"
    error(shop.shopper.post(lines, json={"ProductID": product, "DateNeeded": "2000-01-01T00:00:00Z"}), 400, "LineItem.DateNeededMustBeGreaterThanDateAdded")
    needed = ok(shop.shopper.post(lines, json={"ProductID": product, "DateNeeded": "2100-01-01T00:00:00Z"}))["DateNeeded"]
    assert needed.startswith("2100-01-01T00:00:00") and needed.endswith("+00:00")


def test_lines_of_a_submitted_order_are_fixed_but_for_admin_notes(shop: Shop) -> None:
    product = shop.product()
    order = shop.submitted((product, 2))
    line = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"][0]
    path = f"/orders/Incoming/{order['ID']}/lineitems/{line['ID']}"
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product}), 400, "Order.CannotModifyBadStatus")
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"xp": {"a": 1}}), 400, "Order.CannotModifyBadStatus")
    error(shop.admin.patch(path, json={"Quantity": 5}), 400, "Order.CannotModifyBadStatus")
    error(shop.admin.delete(path), 400, "Order.CannotModifyBadStatus")
    assert ok(shop.admin.patch(path, json={"xp": {"Status": "Backordered"}, "CostCenter": "CC1"}))["xp"] == {"Status": "Backordered"}


def test_line_items_across_orders_carry_their_order(shop: Shop) -> None:
    product = shop.product()
    order = shop.order_with((product, 2))
    across = ok(shop.admin.get("/lineitems/Incoming", params={"buyerID": shop.buyer.buyer_id, "pageSize": 100}))["Items"]
    mine = [line for line in across if line["OrderID"] == order["ID"]]
    assert len(mine) == 1 and mine[0]["Order"]["ID"] == order["ID"] and mine[0]["ProductID"] == product
