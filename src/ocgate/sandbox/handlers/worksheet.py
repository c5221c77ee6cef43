"""The order worksheet and the checkout integration calls (IntegrationEvents.*).

`GET .../worksheet` is the order with its line items, applied promotions and the last shipping
estimate, all as the other endpoints show them.

A real marketplace answers calculate / estimateshipping / shipmethods by calling the API
client's OrderCheckout integration (a web service of the team). The embedded sandbox never
calls out, so it stands in for that integration, truthfully:
- `calculate` brings the totals up to date with the sandbox's own rules (pricing) and answers
  the worksheet; OrderCalculateResponse stays null because no integration was called. (Real
  OrderCloud answers 400 IntegrationEvent.ApiClientNotConfiguredForOrderCalculate when the
  client has no integration; the sandbox chooses to answer the truthful worksheet instead, so
  flows that calculate before submitting run offline.)
- `estimateshipping` offers one estimate per ship-from address (all lines without one share
  an estimate), each with a single free "Standard" ship method (5 days); its response's xp says
  it came from the sandbox.
- `shipmethods` selects methods of the latest estimate (400 IntegrationEvent.MustCalculateShipping
  without one, 404 for an unknown estimate or method) and sets Order.ShippingCost to the sum of
  the selected methods' costs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..models import validate
from ..registry import Call, handles
from ..responses import response_model, shaped
from ..rules.order_access import ORDER_PROMOTIONS, lines_of, order_for
from ..rules.pricing import decimal, money, recalculate

if TYPE_CHECKING:
    from ..state import Marketplace

#: the latest shipping estimate of an order, under the key "response"
SHIP_ESTIMATES = "/orders/{orderID}/worksheet#shipestimates"
STANDARD_METHOD = {"ID": "Standard", "Name": "Standard", "Cost": 0, "EstimatedTransitDays": 5, "xp": None}


def worksheet(call: Call, order: dict[str, Any]) -> dict[str, Any]:
    """Every OrderWorksheet property; the integration responses are null (no integration was called)."""
    market = call.market
    sheet = {
        "Order": order,
        "LineItems": list(lines_of(market, order["ID"]).values()),
        "OrderPromotions": list(market.store.view(ORDER_PROMOTIONS, (order["ID"],)).values()),
        "ShipEstimateResponse": market.store.view(SHIP_ESTIMATES, (order["ID"],)).get("response"),
    }
    return shaped(response_model(call), sheet)


@handles("IntegrationEvents.GetWorksheet")
def get_worksheet(call: Call) -> dict[str, Any]:
    return worksheet(call, order_for(call))


@handles("IntegrationEvents.Calculate")
def calculate(call: Call) -> dict[str, Any]:
    order = order_for(call)
    recalculate(call.market, order)
    return worksheet(call, order)


def _estimate(market: Marketplace, order: dict[str, Any]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in lines_of(market, order["ID"]).values():
        groups.setdefault(line["ShipFromAddressID"] or "default", []).append({"LineItemID": line["ID"], "Quantity": line["Quantity"]})
    estimates = [
        {"ID": f"ship-from-{origin}", "xp": None, "SelectedShipMethodID": None, "ShipEstimateItems": items, "ShipMethods": [dict(STANDARD_METHOD)]}
        for origin, items in groups.items()
    ]
    return {"ShipEstimates": estimates, "HttpStatusCode": None, "UnhandledErrorBody": None, "xp": {"EstimatedBy": "ocgate embedded sandbox"}, "Succeeded": True}


@handles("IntegrationEvents.EstimateShipping")
def estimate_shipping(call: Call) -> dict[str, Any]:
    order = order_for(call)
    call.market.store.collection(SHIP_ESTIMATES, (order["ID"],))["response"] = _estimate(call.market, order)
    return worksheet(call, order)


@handles("IntegrationEvents.SelectShipmethods")
def select_ship_methods(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="OrderShipMethodSelection")
    market = call.market
    order = order_for(call)
    response = market.store.view(SHIP_ESTIMATES, (order["ID"],)).get("response")
    if response is None:
        raise bad_request("IntegrationEvent.MustCalculateShipping", "You must estimate shipping costs prior to setting your shipping method.", {"OrderID": order["ID"]})
    estimates = {estimate["ID"]: estimate for estimate in response["ShipEstimates"]}
    for selection in call.body.get("ShipMethodSelections") or []:
        estimate = estimates.get(selection.get("ShipEstimateID"))
        if estimate is None:
            raise not_found("ShipEstimate", selection.get("ShipEstimateID"))
        if selection.get("ShipMethodID") not in {method["ID"] for method in estimate["ShipMethods"]}:
            raise not_found("ShipMethod", selection.get("ShipMethodID"))
        estimate["SelectedShipMethodID"] = selection["ShipMethodID"]
    costs = (
        decimal(method["Cost"])
        for estimate in estimates.values()
        for method in estimate["ShipMethods"]
        if method["ID"] == estimate["SelectedShipMethodID"]
    )
    order["ShippingCost"] = money(sum(costs, Decimal(0)))
    recalculate(market, order)
    return worksheet(call, order)
