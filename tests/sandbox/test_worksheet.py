"""The order worksheet and the sandbox's stand-in for the checkout integration (IntegrationEvents.*)."""

from __future__ import annotations

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def test_the_worksheet_shows_the_order_as_the_other_endpoints_do(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 2))
    sheet = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/worksheet"))
    assert sheet["Order"] == ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))
    assert sheet["LineItems"] == ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"]
    assert sheet["OrderPromotions"] == [] and sheet["ShipEstimateResponse"] is None
    assert (sheet["OrderCalculateResponse"], sheet["OrderSubmitResponse"], sheet["OrderSubmitForApprovalResponse"], sheet["OrderApprovedResponse"]) == (None, None, None, None)


def test_calculate_answers_the_current_worksheet_without_calling_an_integration(shop: Shop) -> None:
    order = shop.order_with((shop.product(breaks=((1, 3.5),)), 2))
    sheet = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/calculate"))
    assert (sheet["Order"]["Subtotal"], sheet["Order"]["Total"]) == (7, 7) and sheet["OrderCalculateResponse"] is None


def test_shipping_is_estimated_per_ship_from_address_and_selected_into_the_shipping_cost(shop: Shop) -> None:
    warehouse = ok(shop.admin.post("/addresses", json={"Street1": "1 Dock Rd", "City": "Leeds", "State": "WY", "Zip": "LS1", "Country": "GB"}))
    order = shop.order_with((shop.product(), 1), (shop.product(ShipFromAddressID=warehouse["ID"]), 1))
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/shipmethods", json={"ShipMethodSelections": []}), 400, "IntegrationEvent.MustCalculateShipping")
    estimate = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/estimateshipping"))["ShipEstimateResponse"]
    assert estimate["Succeeded"] is True and len(estimate["ShipEstimates"]) == 2
    assert all(len(e["ShipEstimateItems"]) == 1 and [m["ID"] for m in e["ShipMethods"]] == ["Standard"] for e in estimate["ShipEstimates"])
    ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}", json={"ShippingCost": 12}))
    selections = [{"ShipEstimateID": e["ID"], "ShipMethodID": "Standard"} for e in estimate["ShipEstimates"]]
    sheet = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/shipmethods", json={"ShipMethodSelections": selections}))
    assert sheet["Order"]["ShippingCost"] == 0 and sheet["Order"]["Total"] == 20
    assert {e["SelectedShipMethodID"] for e in sheet["ShipEstimateResponse"]["ShipEstimates"]} == {"Standard"}
    bad = [{"ShipEstimateID": "nope", "ShipMethodID": "Standard"}]
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/shipmethods", json={"ShipMethodSelections": bad}), 404, "NotFound")
