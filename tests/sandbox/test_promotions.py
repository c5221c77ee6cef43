"""Promotions on orders: when a code applies, and what it takes off (ErrorCodes.Promotion, BEHAVIOUR.md §4.4)."""

from __future__ import annotations

import itertools

import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)

_codes = itertools.count(1)


def promotion(shop: Shop, **fields: object) -> dict:
    body = {"Code": f"CODE{next(_codes)}", "Name": "Promo", "AllowAllBuyers": True, "EligibleExpression": "true", "ValueExpression": "order.Subtotal * 0.1", **fields}
    return ok(shop.admin.post("/promotions", json=body))


def apply(shop: Shop, order: dict, code: str):
    return shop.shopper.post(f"/orders/Outgoing/{order['ID']}/promotions/{code}")


@pytest.fixture(scope="module")
def product(shop: Shop) -> str:
    return shop.product(breaks=((1, 25.0),))


def test_promotions_are_checked_when_saved(shop: Shop) -> None:
    taken = promotion(shop)

    def create(**fields: object):
        return shop.admin.post("/promotions", json={"EligibleExpression": "true", "ValueExpression": "5", **fields})

    error(create(Code=taken["Code"].lower()), 400, "Promotion.CodeInUse")
    error(create(Code="NOVALUE", ValueExpression=None), 400, "Promotion.ValueExpressionCannotBeNull")
    error(create(Code="BACKWARDS", StartDate="2030-01-02T00:00:00Z", ExpirationDate="2030-01-01T00:00:00Z"), 400, "Promotion.ExpirationPrecedsStart")
    error(create(Code="BROKEN", ValueExpression="order.Subtotal *"), 400, "Expression.InvalidSyntax")
    error(create(Code="ITEMS", EligibleExpression="item.Quantity > 1"), 400, "Expression.ItemNotAllowed")


def test_an_order_promotion_discounts_the_order_and_follows_its_lines(shop: Shop, product: str) -> None:
    order = shop.order_with((product, 2))
    promo = promotion(shop)
    applied = ok(apply(shop, order, promo["Code"]))
    assert (applied["Code"], applied["Amount"], applied["LineItemID"]) == (promo["Code"], 5, None)
    totals = ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))
    assert (totals["Subtotal"], totals["PromotionDiscount"], totals["Total"]) == (50, 5, 45)
    shop.line(order["ID"], product, 2)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["PromotionDiscount"] == 10
    assert [p["Amount"] for p in ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/promotions"))["Items"]] == [10]


def test_a_line_item_promotion_discounts_the_eligible_lines(shop: Shop, product: str) -> None:
    other = shop.product(breaks=((1, 10.0),))
    order = shop.order_with((product, 2), (other, 1))
    promo = promotion(shop, LineItemLevel=True, EligibleExpression=f"item.ProductID = '{product}'", ValueExpression="item.LineSubtotal * 0.5")
    assert ok(apply(shop, order, promo["Code"]))["Amount"] == 25
    lines = {line["ProductID"]: line for line in ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"]}
    assert (lines[product]["PromotionDiscount"], lines[product]["LineTotal"]) == (25, 25)
    assert (lines[other]["PromotionDiscount"], lines[other]["LineTotal"]) == (0, 10)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Total"] == 35


def test_a_promotion_applies_only_where_it_is_eligible_and_offered(shop: Shop, product: str) -> None:
    order = shop.order_with((product, 1))
    error(apply(shop, order, promotion(shop, EligibleExpression="order.Subtotal > 100")["Code"]), 400, "Promotion.NotEligible")
    private = promotion(shop, AllowAllBuyers=False)
    error(apply(shop, order, private["Code"]), 400, "Promotion.NotEligible")
    assert shop.admin.post("/promotions/assignments", json={"PromotionID": private["ID"], "BuyerID": shop.buyer.buyer_id}).status_code == 204
    assert ok(apply(shop, order, private["Code"]))["Amount"] == 2.5
    error(apply(shop, order, "NO-SUCH-CODE"), 404, "NotFound")


def test_a_promotion_runs_between_its_dates(shop: Shop, product: str) -> None:
    order = shop.order_with((product, 1))
    error(apply(shop, order, promotion(shop, StartDate="2999-01-01T00:00:00Z")["Code"]), 400, "Promotion.NotYetValid")
    error(apply(shop, order, promotion(shop, ExpirationDate="2001-01-01T00:00:00Z")["Code"]), 400, "Promotion.Expired")


def test_a_promotion_is_added_once_and_combines_only_when_allowed(shop: Shop, product: str) -> None:
    order = shop.order_with((product, 1))
    loner = promotion(shop)
    ok(apply(shop, order, loner["Code"]))
    error(apply(shop, order, loner["Code"]), 400, "Promotion.AlreadyAdded")
    error(apply(shop, order, promotion(shop, CanCombine=True)["Code"]), 400, "Promotion.CannotCombine")


def test_redemption_limits_count_submitted_orders(shop: Shop, product: str) -> None:
    once = promotion(shop, RedemptionLimit=1)
    first, second = shop.order_with((product, 1)), shop.order_with((product, 1))
    ok(apply(shop, first, once["Code"]))
    ok(shop.shopper.post(f"/orders/Outgoing/{first['ID']}/submit"))
    assert ok(shop.admin.get(f"/promotions/{once['ID']}"))["RedemptionCount"] == 1
    error(apply(shop, second, once["Code"]), 400, "Promotion.ExceedsUsageLimit")
    error(apply(shop, first, promotion(shop)["Code"]), 400, "Order.CannotApplyPromoBadStatus")


def test_removing_a_promotion_restores_the_total(shop: Shop, product: str) -> None:
    order = shop.order_with((product, 2))
    promo = promotion(shop)
    ok(apply(shop, order, promo["Code"]))
    restored = ok(shop.shopper.delete(f"/orders/Outgoing/{order['ID']}/promotions/{promo['Code']}"))
    assert (restored["PromotionDiscount"], restored["Total"]) == (0, 50)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/promotions"))["Items"] == []
    error(shop.shopper.delete(f"/orders/Outgoing/{order['ID']}/promotions/{promo['Code']}"), 404, "NotFound")
