"""Run one storefront behaviour on a user whose calls are recorded, not sent; print what happened as JSON.

Locust patches the interpreter with gevent when it is imported, so the model is exercised in
a process of its own: `python storefront_probe.py <situation> <behaviour>`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from locust.env import (
    Environment,  # first: Locust's gevent patching must come before other imports
)

from ocgate.load.traffic import Account, Accounts, Storefront

sys.path.insert(0, str(Path(__file__).parents[2] / "load"))
from ordercloud_user import Session  # noqa: E402
from storefront import Cart, StorefrontBuyer  # noqa: E402  (load/ is Locust's folder, not a package)

SHOPPER = Account("shopper", "secret", ("Shopper",))
#: What a call answers when it succeeds: enough of a product list, a line item, an order.
ANSWER = {"Items": [], "ID": "line-1", "Total": 10, "Status": "Open"}


class Answer:
    def json(self) -> dict[str, Any]:
        return ANSWER


def probe(situation: str, behaviour: str) -> dict[str, Any]:
    accounts = Accounts("ocgtest", "http://sandbox/oauth/token", "client", SHOPPER, SHOPPER, [SHOPPER])
    StorefrontBuyer.configure(Storefront(), accounts)
    StorefrontBuyer.host = "http://sandbox"
    user = StorefrontBuyer(Environment(user_classes=[StorefrontBuyer]))
    user.products, user.cart = {}, None
    sent: list[str] = []
    flows: list[list[Any]] = []
    failing = situation == "every-call-fails"
    if situation == "filled-cart":
        user.cart = Cart("ocgtest-1", {"line-1": 2})
    if situation in ("products-seen", "every-call-fails"):
        user.products = {"p1": "Red Shirt"}

    def call(method: str, template: str, *_: Any, **__: Any) -> Answer | None:
        sent.append(f"{method} {template}")
        return None if failing else Answer()

    failures: list[str] = []
    if situation == "wrong-total":
        # The model's own `call`, over a target whose ship-to answer carries a wrong Total.
        user.cart, user.session = Cart("ocgtest-1", {"line-1": 2}), Session(SHOPPER)
        for session in (user.session, StorefrontBuyer.middleware):
            session.access_token, session.expires_at = "token", time.time() + 3600
        user.client.request = lambda method, url, name, **_: (sent.append(name), Recorded(name, failures))[1]  # type: ignore[method-assign]
    else:
        user.call = call  # type: ignore[method-assign]
    user.environment.events.request.add_listener(lambda request_type, name, exception, **_: flows.append([request_type, name, exception and str(exception)]))
    getattr(user, behaviour)()
    return {"sent": sent, "flows": flows, "cart": user.cart and user.cart.order_id, "failures": failures}


class Recorded:
    """A 200 answer as Locust's catch_response gives it; the order of a ship-to has a Total 5.00 too high."""

    def __init__(self, name: str, failures: list[str]) -> None:
        self.name, self.failures, self.status_code, self.content = name, failures, 200, b"{}"

    def json(self) -> dict[str, Any]:
        if self.name.endswith("/shipto"):
            return {"ID": "ocgtest-1", "Subtotal": 20.0, "TaxCost": 0, "ShippingCost": 0, "PromotionDiscount": 0, "Total": 25.0, "Status": "Unsubmitted"}
        return {**ANSWER, "Items": []}

    def failure(self, exception: Exception) -> None:
        self.failures.append(str(exception))

    def success(self) -> None:
        pass

    def __enter__(self) -> Recorded:
        return self

    def __exit__(self, *_: object) -> None:
        pass


if __name__ == "__main__":
    print(json.dumps(probe(*sys.argv[1:3])))
