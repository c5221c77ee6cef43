"""A storefront shopper: one seeded buyer account browsing, filling a cart and checking out.

Behaviours and their weights come from traffic.toml ([storefront.weights]);
between two of them the user thinks for a while ([storefront] think_time). The
cart is the user's unsubmitted order (OrderCloud: "Cart always represents an
unsubmitted Order"), created with a run-scoped ID so the run can remove it.
At checkout the buyer pays by purchase order; OrderCloud submits only orders
whose payments are Accepted, which only an order admin may set, so — as in a
real storefront — the storefront's middleware accepts the payment, acting as a
seller-side integration account (one per process, shared by its users).
A checkout is also reported as one flow, FLOW "checkout", timed from the first
cart call to the submit; it succeeds only when the order reached Open.
"""

from __future__ import annotations

import itertools
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from locust import between
from ordercloud_user import BusinessFailure, OrderCloudUser, Session

from ocgate.load.slo import CHECKOUT_FLOW, FLOW
from ocgate.load.traffic import Account, Accounts, Storefront

#: Filters and sort orders a storefront offers on product lists (the seeded products carry xp.Color).
COLORS = ("red", "green", "blue")
SORTS = ("Name", "!Name", "ID", "!ID")
#: A one-time shipping address, as a shopper types it in at checkout.
SHIP_TO = {"FirstName": "Load", "LastName": "Shopper", "Street1": "1 Main Street", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}


@dataclass
class Cart:
    order_id: str
    lines: dict[str, int] = field(default_factory=dict)  # line item ID -> quantity


class StorefrontBuyer(OrderCloudUser):
    """Tasks, weights and think time come from `configure(traffic.storefront)` when Locust starts."""

    settings: Storefront
    middleware: Session
    #: Accounts are dealt out to users in the order they start, strided across worker processes.
    _started = itertools.count()

    @classmethod
    def configure(cls, settings: Storefront, accounts: Accounts) -> None:
        cls.settings = settings
        cls.accounts = accounts
        cls.middleware = Session(accounts.payments)
        cls.wait_time = between(*settings.think_time)
        # Locust picks a task uniformly from this list: a behaviour of weight 3 appears 3 times.
        cls.tasks = [getattr(cls, name) for name, weight in settings.weights.model_dump().items() for _ in range(weight)]

    def on_start(self) -> None:
        self.session = Session(self._pick_account())
        self.catalog_id: str | None = None
        self.products: dict[str, str] = {}  # product ID -> name, as seen while browsing
        self.category_ids: list[str] = []
        self.cart: Cart | None = None
        if self.log_in(self.session) and (me := self.call("GET", "/me")):
            self.catalog_id = (me.json().get("Buyer") or {}).get("DefaultCatalogID")
        self.browse()

    def _pick_account(self) -> Account:
        runner = self.environment.runner
        workers = max(1, getattr(self.environment.parsed_options, "processes", None) or 1)
        index = max(0, getattr(runner, "worker_index", 0)) + next(self._started) * workers
        return self.accounts.shoppers[index % len(self.accounts.shoppers)]

    # -- browsing ----------------------------------------------------------------------------

    def browse(self) -> None:
        """A product list as a shopper pages through it: sometimes searched, filtered or sorted."""
        query: dict[str, Any] = {"pageSize": self.settings.page_size, "page": random.choice((1, 1, 1, 2))}
        if self.products and random.random() < 0.3:
            query["search"] = random.choice(list(self.products.values())).split()[0]
        if random.random() < 0.3:
            query["xp.Color"] = random.choice(COLORS)
        if random.random() < 0.5:
            query["sortBy"] = random.choice(SORTS)
        self._remember_products(self.call("GET", "/me/products", query=query))

    def product_detail(self) -> None:
        if not self.products:
            return self.browse()
        self.call("GET", "/me/products/{productID}", productID=random.choice(list(self.products)))

    def categories(self) -> None:
        """The category menu, then the products of one category."""
        listed = self.call("GET", "/me/categories", query={"depth": "all", "pageSize": 100})
        if listed is None:
            return
        self.category_ids = [category["ID"] for category in listed.json().get("Items", [])]
        if self.category_ids and self.catalog_id:
            query = {"catalogID": self.catalog_id, "categoryID": random.choice(self.category_ids), "pageSize": self.settings.page_size}
            self._remember_products(self.call("GET", "/me/products", query=query))

    def _remember_products(self, response: Any) -> None:
        if response is not None:
            self.products.update({item["ID"]: item.get("Name") or item["ID"] for item in response.json().get("Items", [])})

    # -- the cart ----------------------------------------------------------------------------

    def add_to_cart(self) -> None:
        if not self.products:
            return self.browse()
        if self.cart is None:
            order_id = f"{self.accounts.run_id}-{secrets.token_hex(6)}"
            if not self.call("POST", "/orders/Outgoing", {"ID": order_id}):
                return
            self.cart = Cart(order_id)
        if len(self.cart.lines) >= self.settings.max_cart_lines:
            return self.change_quantity()
        line = {"ProductID": random.choice(list(self.products)), "Quantity": random.randint(1, self.settings.max_quantity)}
        created = self.call("POST", "/orders/Outgoing/{orderID}/lineitems", line, orderID=self.cart.order_id)
        if created is not None:
            self.cart.lines[created.json()["ID"]] = line["Quantity"]

    def change_quantity(self) -> None:
        if self.cart is None or not self.cart.lines:
            return self.add_to_cart()
        line_id = random.choice(list(self.cart.lines))
        quantity = random.randint(1, self.settings.max_quantity)
        if self.call("PATCH", "/orders/Outgoing/{orderID}/lineitems/{lineItemID}", {"Quantity": quantity}, orderID=self.cart.order_id, lineItemID=line_id):
            self.cart.lines[line_id] = quantity

    def abandon_cart(self) -> None:
        """Look at the cart once more and leave it: the order stays Unsubmitted, the next visit starts a new one."""
        if self.cart is None:
            return self.browse()
        self.call("GET", "/orders/Outgoing/{orderID}/lineitems", orderID=self.cart.order_id)
        self.cart = None

    # -- checkout ----------------------------------------------------------------------------

    def checkout(self) -> None:
        """Cart page, ship-to, payment, submit; the order must reach Open."""
        if self.cart is None and not self.products:
            # Nothing seen yet (a filtered first page can be empty), so nothing to buy: no checkout
            # is attempted and none is counted; the shopper browses instead.
            return self.browse()
        started = time.perf_counter()
        failure = self._check_out()
        self.cart = None  # submitted, or failed half-way: either way the next purchase starts a new cart
        self.environment.events.request.fire(
            request_type=FLOW,
            name=CHECKOUT_FLOW,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=failure,
            context={},
        )

    def _check_out(self) -> BusinessFailure | None:
        if self.cart is None or not self.cart.lines:
            self.add_to_cart()
        if self.cart is None or not self.cart.lines:
            return BusinessFailure("cart could not be filled")
        order_id = self.cart.order_id
        if not self.call("GET", "/orders/Outgoing/{orderID}/lineitems", orderID=order_id):
            return BusinessFailure("cart page failed")
        order = self.call("PUT", "/orders/Outgoing/{orderID}/shipto", SHIP_TO, orderID=order_id)
        if order is None:
            return BusinessFailure("ship-to failed")
        payment = self.call("POST", "/orders/Outgoing/{orderID}/payments", {"Type": "PurchaseOrder", "Amount": order.json().get("Total")}, orderID=order_id)
        if payment is None:
            return BusinessFailure("payment failed")
        payment_id = payment.json()["ID"]
        if not self.call("PATCH", "/orders/Incoming/{orderID}/payments/{paymentID}", {"Accepted": True}, session=self.middleware, orderID=order_id, paymentID=payment_id):
            return BusinessFailure("payment not accepted")
        submitted = self.call("POST", "/orders/Outgoing/{orderID}/submit", orderID=order_id, expect=("Status", "Open"))
        return None if submitted else BusinessFailure("submit failed or the order did not reach Open")

    # -- after the purchase ------------------------------------------------------------------

    def my_orders(self) -> None:
        listed = self.call("GET", "/me/orders", query={"sortBy": "!DateSubmitted", "pageSize": 10})
        items = listed.json().get("Items", []) if listed is not None else []
        if items:
            self.call("GET", "/orders/Outgoing/{orderID}", orderID=random.choice(items)["ID"])
