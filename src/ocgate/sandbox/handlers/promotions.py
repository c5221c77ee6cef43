"""Promotions and the promotions applied to orders (OrderCloud's promotion rules, ErrorCodes.Promotion).

- A promotion's Code is unique (Promotion.CodeInUse), its ExpirationDate not before its StartDate
  (Promotion.ExpirationPrecedsStart), and it needs a ValueExpression
  (Promotion.ValueExpressionCannotBeNull). Both expressions are checked when it is saved: `order.`
  paths always, `item.` paths only on LineItemLevel promotions (rule_expressions).
- `POST .../promotions/{promoCode}` applies it while the order is Unsubmitted or AwaitingApproval
  (Order.CannotApplyPromoBadStatus), when: it has started and not expired (Promotion.NotYetValid /
  Expired, by the sandbox clock); it is offered to the order's buyer (AllowAllBuyers, or a
  promotion assignment to the buyer or one of the user's groups) and owned by the seller or the
  order's supplier (Promotion.NotEligible / OwnerIDMustMatchOrderToCompanyID); it is not applied
  yet (Promotion.AlreadyAdded); it combines with what is applied (Promotion.CannotCombine);
  RedemptionLimit and RedemptionLimitPerUser are not used up (Promotion.ExceedsUsageLimit); and its
  EligibleExpression holds (for the order, or for at least one line).
- Discounts are computed by rules/pricing.py on every change; a submit redeems each applied
  promotion once (RedemptionCount, pricing.redeem).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, bad_request, not_found
from ..models import parse_time
from ..registry import Call, before_write, handles
from ..responses import shaped
from ..rules.order_access import AWAITING_APPROVAL, ORDER_PROMOTIONS, ORDERS, UNSUBMITTED, lines_of, order_for
from ..rules.order_status import require_status
from ..rules.pricing import APPLIED_PROMOTIONS, PROMOTIONS, applied_promotions, decimal, money, now_of, recalculate
from ..rules.rule_expressions import check, holds
from ..rules.shared_with_users import applies_to

if TYPE_CHECKING:
    from ..state import Marketplace

PROMOTION_ASSIGNMENTS = "/promotions/assignments"


def _roots(promotion: dict[str, Any]) -> frozenset[str]:
    return frozenset({"order", "item"}) if promotion.get("LineItemLevel") else frozenset({"order"})


@before_write(PROMOTIONS)
def _check_promotion(call: Call, promotion: dict[str, Any], previous: dict[str, Any] | None) -> None:
    code = (promotion.get("Code") or "").lower()
    for other in call.market.store.collection(PROMOTIONS).values():
        if code and other["ID"] != (previous or promotion)["ID"] and (other.get("Code") or "").lower() == code:
            raise bad_request("Promotion.CodeInUse", "This code is already in use on another promotion.", {"Code": promotion["Code"], "PromotionID": other["ID"]})
    start, end = parse_time(promotion.get("StartDate")), parse_time(promotion.get("ExpirationDate"))
    if start and end and end < start:
        raise bad_request("Promotion.ExpirationPrecedsStart", "Promotion ExpirationDate cannot be earlier than StartDate.", {"StartDate": promotion["StartDate"], "ExpirationDate": promotion["ExpirationDate"]})
    if not promotion.get("ValueExpression"):
        raise bad_request("Promotion.ValueExpressionCannotBeNull", "Either set a ValueExpression, or define ValidatePromotion event for your client.", {"PromotionID": promotion["ID"]})
    check(promotion["ValueExpression"], _roots(promotion))
    if promotion.get("EligibleExpression"):
        check(promotion["EligibleExpression"], _roots(promotion))
    promotion["OwnerID"] = promotion.get("OwnerID") or call.identity.company_id
    promotion["RedemptionCount"] = promotion.get("RedemptionCount") or 0


def _promotable_order(call: Call) -> dict[str, Any]:
    order = order_for(call)
    require_status(order, (UNSUBMITTED, AWAITING_APPROVAL), "Order.CannotApplyPromoBadStatus", "Order status must be Unsubmitted or Awaiting Approval to apply a promotion.")
    return order


def _by_code(market: Marketplace, code: str) -> dict[str, Any]:
    for promotion in market.store.collection(PROMOTIONS).values():
        if (promotion.get("Code") or "").lower() == code.lower():
            return promotion
    raise not_found("Promotion", code)


def _offered(market: Marketplace, promotion: dict[str, Any], order: dict[str, Any]) -> bool:
    if promotion.get("AllowAllBuyers"):
        return True
    groups = market.directory.groups_of("buyer", order["FromCompanyID"], order["FromUserID"])
    rows = market.store.collection(PROMOTION_ASSIGNMENTS).values()
    return any(row.get("PromotionID") == promotion["ID"] and applies_to(row, order["FromCompanyID"], groups) for row in rows)


def _redeemed_by(market: Marketplace, promotion_id: str, user_id: str) -> int:
    count = 0
    for (order_id,), applied in market.store.scopes(APPLIED_PROMOTIONS):
        order = market.store.get(ORDERS, (), order_id)
        if promotion_id in applied and order is not None and order["IsSubmitted"] and order["FromUserID"] == user_id:
            count += 1
    return count


def _check_applicable(market: Marketplace, promotion: dict[str, Any], order: dict[str, Any]) -> None:
    data = {"Code": promotion.get("Code"), "OrderID": order["ID"]}
    now = now_of(market)
    start, end = parse_time(promotion.get("StartDate")), parse_time(promotion.get("ExpirationDate"))
    if start and now < start:
        raise bad_request("Promotion.NotYetValid", "Promotion is not yet valid.", data)
    if end and now > end:
        raise bad_request("Promotion.Expired", "Promotion is expired.", data)
    if promotion.get("OwnerID") not in (market.seller_id, order["ToCompanyID"]):
        raise bad_request("Promotion.OwnerIDMustMatchOrderToCompanyID", "ToCompanyID represents a Supplier. Only promotions with a matching OwnerID or owned by the marketplace owner may be applied to this order.", data)
    if not _offered(market, promotion, order):
        raise bad_request("Promotion.NotEligible", "Promotion cannot be used on this order.", data)
    applied = applied_promotions(market, order["ID"])
    if promotion["ID"] in applied:
        raise bad_request("Promotion.AlreadyAdded", "Promotion has already been added to this order.", data)
    others = [market.store.get(PROMOTIONS, (), other) or {} for other in applied]
    if others and (not promotion.get("CanCombine") or not all(other.get("CanCombine") for other in others)):
        raise bad_request("Promotion.CannotCombine", "Promotion cannot be combined with any other promo on the same order.", data)
    limit, per_user = promotion.get("RedemptionLimit"), promotion.get("RedemptionLimitPerUser")
    if (limit is not None and (promotion.get("RedemptionCount") or 0) >= limit) or (per_user is not None and _redeemed_by(market, promotion["ID"], order["FromUserID"]) >= per_user):
        raise bad_request("Promotion.ExceedsUsageLimit", "Promotion code has already been used.", data)
    eligible = promotion.get("EligibleExpression")
    if promotion.get("LineItemLevel"):
        qualifies = any(not eligible or holds(eligible, order, line) for line in lines_of(market, order["ID"]).values())
    else:
        qualifies = not eligible or holds(eligible, order)
    if not qualifies:
        raise bad_request("Promotion.NotEligible", "Promotion cannot be used on this order.", data)


@handles("Orders.AddPromotion")
def add_promotion(call: Call) -> dict[str, Any]:
    market = call.market
    order = _promotable_order(call)
    promotion = _by_code(market, call.params["promoCode"])
    _check_applicable(market, promotion, order)
    applied_promotions(market, order["ID"])[promotion["ID"]] = {"ID": promotion["ID"]}
    recalculate(market, order)
    return _order_promotion(market, order, promotion)


@handles("Orders.RemovePromotion")
def remove_promotion(call: Call) -> dict[str, Any]:
    market = call.market
    order = _promotable_order(call)
    code = call.params["promoCode"].lower()
    applied = applied_promotions(market, order["ID"])
    found = [pid for pid in applied if ((market.store.get(PROMOTIONS, (), pid) or {}).get("Code") or "").lower() == code]
    if not found:
        raise not_found("OrderPromotion", call.params["promoCode"])
    for promotion_id in found:
        del applied[promotion_id]
    recalculate(market, order)
    return order




# -- auto-applied promotions ----------------------------------------------------------------------
# Sources: the SDKs' Orders.ApplyPromotions ("Auto-apply promotions to an order", answers the Order)
# and Orders.RefreshPromotions ("Refresh promotions on an order", answers RefreshPromosResponse
# {PromosAdded, PromosRemoved}). Choice (README): the document's Promotion has no AutoApply flag, so
# every promotion that `POST .../promotions/{promoCode}` would accept right now is auto-applied, in ID
# order, each checked against those applied before it (CanCombine, limits); refreshing first removes
# the applied promotions that no longer hold (expired, no longer offered or eligible, used up), then
# auto-applies.


def _order_promotion(market: Marketplace, order: dict[str, Any], promotion: dict[str, Any]) -> dict[str, Any]:
    rows = [row for row in market.store.view(ORDER_PROMOTIONS, (order["ID"],)).values() if row["ID"] == promotion["ID"]]
    if rows:
        total = sum((decimal(row["Amount"]) for row in rows), Decimal(0))
        return {**rows[0], "Amount": money(total), "LineItemID": rows[0]["LineItemID"] if len(rows) == 1 else None}
    return {**promotion, "Amount": 0, "LineItemID": None}


def _auto_apply(market: Marketplace, order: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply every promotion that may be added to the order now; the promotions added."""
    added = []
    for promotion_id in sorted(market.store.view(PROMOTIONS)):
        promotion = market.store.get(PROMOTIONS, (), promotion_id) or {}
        try:
            _check_applicable(market, promotion, order)
        except ApiError:
            continue
        applied_promotions(market, order["ID"])[promotion_id] = {"ID": promotion_id}
        added.append(promotion)
    recalculate(market, order)
    return [_order_promotion(market, order, promotion) for promotion in added]


def _no_longer_holding(market: Marketplace, order: dict[str, Any]) -> list[dict[str, Any]]:
    """Remove the applied promotions that could not be added to the order now; the promotions removed.
    Each is checked alone: AlreadyAdded and CannotCombine are about adding one, not keeping it."""
    applied = applied_promotions(market, order["ID"])
    kept = dict(applied)
    removed = []
    for promotion_id in list(kept):
        promotion = market.store.get(PROMOTIONS, (), promotion_id)
        applied.clear()
        try:
            if promotion is None:
                raise not_found("Promotion", promotion_id)
            _check_applicable(market, promotion, order)
        except ApiError:
            removed.append({**(promotion or {"ID": promotion_id}), "Amount": 0, "LineItemID": None})
            del kept[promotion_id]
    applied.clear()
    applied.update(kept)
    recalculate(market, order)
    return removed


@handles("Orders.ApplyPromotions")
def apply_promotions(call: Call) -> dict[str, Any]:
    order = _promotable_order(call)
    _auto_apply(call.market, order)
    return order


@handles("Orders.RefreshPromotions")
def refresh_promotions(call: Call) -> dict[str, Any]:
    order = _promotable_order(call)
    removed = _no_longer_holding(call.market, order)
    added = _auto_apply(call.market, order)
    model = (call.op.response_schema or {}).get("properties", {}).get("PromosAdded", {}).get("items", {})
    return {"PromosAdded": [shaped(model, row) for row in added], "PromosRemoved": [shaped(model, row) for row in removed]}
