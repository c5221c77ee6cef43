"""Prices and totals: price breaks, quantity rules, promotion discounts, order totals (BEHAVIOUR.md §4.4).

- UnitPrice is the Price (or, while the sale runs, the SalePrice) of the highest price break whose
  Quantity does not exceed the quantity. With UseCumulativeQuantity the quantity is the sum over
  the order's lines of that product, and every such line is repriced when one changes.
- MinQuantity, MaxQuantity and RestrictedQuantity (only break quantities allowed) are enforced
  with PriceSchedule.CannotBeLessThanMin / CannotExceedMax / QuantityNotAllowed (the Cumulative*
  codes when quantities aggregate). Chosen: a quantity below every price break is below the
  minimum too, since no price applies to it.
- A sale runs while the sandbox clock is between SaleStart and SaleEnd (an unset bound is open).
- LineSubtotal = Quantity × UnitPrice, LineTotal = LineSubtotal − PromotionDiscount;
  Subtotal = Σ LineSubtotal, PromotionDiscount = Σ discounts of the applied promotions,
  Total = Subtotal + ShippingCost + TaxCost (+ Gratuity where the model has it) − PromotionDiscount.
- A promotion's Amount is its ValueExpression evaluated now (line-level ones per eligible line),
  never negative and never more than what is left to discount. A submit redeems each applied
  promotion once (RedemptionCount).
Money is computed in decimal, so 3 × 9.99 is 29.97.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..models import materialize, parse_time
from ..store import utc_now
from .order_access import ORDER_PROMOTIONS, lines_of
from .rule_expressions import evaluate, holds

if TYPE_CHECKING:
    from ..state import Marketplace

PRICE_SCHEDULES = "/priceschedules"
PROMOTIONS = "/promotions"
#: promotions applied to an order, in the order they were added (promotion ID -> {"ID"})
APPLIED_PROMOTIONS = "/orders/{orderID}/promotions#applied"


def decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def money(value: Decimal) -> float:
    return float(value)


def now_of(market: Marketplace) -> datetime:
    """The sandbox clock as a datetime (tests may move it forward)."""
    return datetime.fromtimestamp(market.clock(), timezone.utc)


def missing_price(product_id: str, reason: str) -> Exception:
    return bad_request(
        "PriceSchedule.MissingOrConflicting",
        f"You cannot add this Product to this Order. Price Schedule assigment is missing or associated with a conflicting order type ({reason}).",
        {"ProductID": product_id},
    )


# -- one price schedule -----------------------------------------------------------------------


def breaks_of(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((b for b in schedule.get("PriceBreaks") or [] if b.get("Quantity") is not None), key=lambda b: b["Quantity"])


def check_quantity(schedule: dict[str, Any], quantity: int, cumulative: bool) -> None:
    """400 when a quantity breaks the schedule's MinQuantity, MaxQuantity or RestrictedQuantity."""
    prefix = "Cumulative" if cumulative else ""
    wording = "Cumulative quantity" if cumulative else "Quantity"
    breaks = breaks_of(schedule)
    data = {"PriceScheduleID": schedule.get("ID"), "Quantity": quantity}
    minimum = max(schedule.get("MinQuantity") or 1, breaks[0]["Quantity"] if breaks else 1)
    if quantity < minimum:
        raise bad_request(f"PriceSchedule.{prefix}CannotBeLessThanMin", f"{wording} given cannot be lower than the minimum as per price schedule restrictions.", {**data, "MinQuantity": minimum})
    maximum = schedule.get("MaxQuantity")
    if maximum is not None and quantity > maximum:
        raise bad_request(f"PriceSchedule.{prefix}CannotExceedMax", f"{wording} given cannot exceed the maximum as per price schedule restrictions.", {**data, "MaxQuantity": maximum})
    allowed = [b["Quantity"] for b in breaks]
    if schedule.get("RestrictedQuantity") and quantity not in allowed:
        raise bad_request(f"PriceSchedule.{prefix}QuantityNotAllowed", f"{wording} not allowed as per price schedule restrictions.", {**data, "AllowedQuantities": allowed})


def on_sale(schedule: dict[str, Any], now: datetime) -> bool:
    start, end = parse_time(schedule.get("SaleStart")), parse_time(schedule.get("SaleEnd"))
    return (start is None or start <= now) and (end is None or now <= end)


def unit_price(schedule: dict[str, Any], quantity: int, now: datetime) -> Decimal | None:
    """The price of one unit at this quantity; None when no price break applies."""
    applicable = [b for b in breaks_of(schedule) if b["Quantity"] <= quantity and b.get("Price") is not None]
    if not applicable:
        return None
    chosen = applicable[-1]
    if chosen.get("SalePrice") is not None and on_sale(schedule, now):
        return decimal(chosen["SalePrice"])
    return decimal(chosen["Price"])


def cumulative_quantity(market: Marketplace, order_id: str, product_id: str, line_id: str, quantity: int) -> int:
    """The quantity of a product on an order if one line (new or changed) had `quantity`."""
    others = (line["Quantity"] or 0 for line in lines_of(market, order_id).values() if line["ProductID"] == product_id and line["ID"] != line_id)
    return quantity + sum(others)


# -- the whole order --------------------------------------------------------------------------


def _reprice_cumulative(market: Marketplace, lines: list[dict[str, Any]], now: datetime) -> None:
    """Lines of one product priced with UseCumulativeQuantity share the break of their total quantity."""
    def key(line: dict[str, Any]) -> tuple[str, str]:
        return (line["ProductID"], line.get("PriceScheduleID") or "")

    totals: dict[tuple[str, str], int] = {}
    for line in lines:
        totals[key(line)] = totals.get(key(line), 0) + (line["Quantity"] or 0)
    for line in lines:
        schedule = market.store.get(PRICE_SCHEDULES, (), line.get("PriceScheduleID") or "")
        if schedule is None or not schedule.get("UseCumulativeQuantity") or line.get("PriceOverridden"):
            continue
        price = unit_price(schedule, totals[key(line)], now)
        if price is not None:
            line["UnitPrice"] = money(price)


def _clamped(value: Any, limit: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Decimal(0)
    return min(max(decimal(round(value, 2)), Decimal(0)), max(limit, Decimal(0)))


def _row(schema: dict[str, Any], promotion: dict[str, Any], amount: Decimal, line_id: str | None) -> dict[str, Any]:
    row = {**promotion, "Amount": money(amount), "LineItemID": line_id}
    return materialize(schema, row, row)


def _promotion_rows(market: Marketplace, order: dict[str, Any], lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The OrderPromotions of the applied promotions, with their Amount as of now."""
    schema = market.resources.collection(ORDER_PROMOTIONS).schema
    applied = market.store.collection(APPLIED_PROMOTIONS, (order["ID"],))
    left_on_line = {line["ID"]: decimal(line["LineSubtotal"]) for line in lines}
    left_on_order = decimal(order["Subtotal"])
    rows: list[dict[str, Any]] = []
    for promotion_id in list(applied):
        promotion = market.store.get(PROMOTIONS, (), promotion_id)
        if promotion is None:  # deleted since it was applied: it no longer discounts anything
            del applied[promotion_id]
            continue
        eligible, value = promotion.get("EligibleExpression"), promotion.get("ValueExpression") or "0"
        if promotion.get("LineItemLevel"):
            for line in lines:
                if eligible and not holds(eligible, order, line):
                    continue
                amount = _clamped(evaluate(value, order, line), min(left_on_line[line["ID"]], left_on_order))
                left_on_line[line["ID"]] -= amount
                left_on_order -= amount
                rows.append(_row(schema, promotion, amount, line["ID"]))
        else:
            amount = _clamped(evaluate(value, order), left_on_order) if not eligible or holds(eligible, order) else Decimal(0)
            left_on_order -= amount
            rows.append(_row(schema, promotion, amount, None))
    return rows


def recalculate(market: Marketplace, order: dict[str, Any]) -> None:
    """Bring an order's lines and totals up to date after any change."""
    lines = list(lines_of(market, order["ID"]).values())
    _reprice_cumulative(market, lines, now_of(market))
    for line in lines:
        line["LineSubtotal"] = money(decimal(line["UnitPrice"]) * (line["Quantity"] or 0))
    order["Subtotal"] = money(sum((decimal(line["LineSubtotal"]) for line in lines), Decimal(0)))
    rows = _promotion_rows(market, order, lines) if market.store.view(APPLIED_PROMOTIONS, (order["ID"],)) else []
    if rows or market.store.view(ORDER_PROMOTIONS, (order["ID"],)):
        stored_rows = market.store.collection(ORDER_PROMOTIONS, (order["ID"],))
        stored_rows.clear()
        stored_rows.update({f"{row['ID']}|{row['LineItemID'] or ''}": row for row in rows})
    for line in lines:
        discount = sum((decimal(row["Amount"]) for row in rows if row["LineItemID"] == line["ID"]), Decimal(0))
        line["PromotionDiscount"] = money(discount)
        line["LineTotal"] = money(decimal(line["LineSubtotal"]) - discount)
    discount = sum((decimal(row["Amount"]) for row in rows), Decimal(0))
    order["LineItemCount"] = len(lines)
    order["PromotionDiscount"] = money(discount)
    total = decimal(order["Subtotal"]) + decimal(order.get("ShippingCost")) + decimal(order.get("TaxCost")) + decimal(order.get("Gratuity")) - discount
    order["Total"] = money(total)
    order["LastUpdated"] = utc_now()


def applied_promotions(market: Marketplace, order_id: str) -> dict[str, dict[str, Any]]:
    """The promotions applied to an order (promotion ID -> {"ID"}), in the order they were added."""
    return market.store.collection(APPLIED_PROMOTIONS, (order_id,))


def redeem(market: Marketplace, order: dict[str, Any]) -> None:
    """Count one redemption of each promotion applied to a submitted order."""
    for promotion_id in applied_promotions(market, order["ID"]):
        promotion = market.store.get(PROMOTIONS, (), promotion_id)
        if promotion is not None:
            promotion["RedemptionCount"] = (promotion.get("RedemptionCount") or 0) + 1
