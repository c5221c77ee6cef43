"""What the storefront model counts as a checkout: an attempt to buy what is in the cart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ocgate.load.slo import CHECKOUT_FLOW, FLOW

PROBE = Path(__file__).with_name("storefront_probe.py")


def checkout(situation: str) -> dict[str, Any]:
    """The storefront's checkout behaviour in `situation`, run by storefront_probe.py in its own process."""
    done = subprocess.run([sys.executable, str(PROBE), situation, "checkout"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_shopper_who_has_seen_no_product_browses_instead_of_checking_out():
    result = checkout("nothing-seen")
    assert result["sent"] == ["GET /me/products"]
    assert result["flows"] == []  # no checkout attempted, so none failed


def test_a_checkout_of_a_filled_cart_is_one_successful_flow_ending_in_submit():
    result = checkout("filled-cart")
    assert result["sent"][-1] == "POST /orders/Outgoing/{orderID}/submit"
    assert result["flows"] == [[FLOW, CHECKOUT_FLOW, None]]
    assert result["cart"] is None  # the next purchase starts a new cart


def test_a_checkout_whose_cart_cannot_be_filled_is_a_failed_flow():
    result = checkout("every-call-fails")
    assert result["sent"] == ["POST /orders/Outgoing"]
    assert result["flows"] == [[FLOW, CHECKOUT_FLOW, "cart could not be filled"]]


def test_a_checkout_answer_breaking_the_documented_arithmetic_is_a_failed_checkout():
    result = checkout("wrong-total")
    assert result["sent"][-1] == "PUT /orders/Outgoing/{orderID}/shipto"  # nothing is paid or submitted after it
    assert result["flows"] == [[FLOW, CHECKOUT_FLOW, "ship-to failed"]]
    assert result["failures"] == ["documented_arithmetic: Total = 25.0, expected 20.00 (Order.Total = Subtotal + TaxCost + ShippingCost − PromotionDiscount "
                                  "(+ Gratuity where the model has it); OpenAPI 1.0.260, components.schemas.Order.Total: \"Subtotal + TaxCost + ShippingCost - PromotionDiscount\"; "
                                  "Gratuity: BEHAVIOUR.md §4.4 (JSSDK models/Order.ts))"]
