"""Orders in the status an operation needs, made on demand and used up by status changes.

Submitting, approving or shipping an order changes it for good, so the seeded orders
would serve one such call each. The pool places fresh, run-scoped orders instead (as
the buyer shopper, through the public API, like the seeder does): one per status, until
an operation moves it on; then the next caller gets a new one.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..api.client import ApiCallError, OrderCloudClient
from ..api.seeding import SeededMarketplace
from .objects import Ref
from .writes import Undo, Writes

UNSUBMITTED, OPEN, AWAITING_APPROVAL = "Unsubmitted", "Open", "AwaitingApproval"
#: An unsubmitted order whose ship-to and bill-to addresses were typed in, not chosen from
#: saved ones: only such addresses can be patched (ShippingAddress.CannotPatchSetByID).
TYPED_ADDRESSES = "Unsubmitted, typed-in addresses"
#: An unsubmitted order whose shipping was estimated: ship methods are chosen from the estimate
#: (IntegrationEvent.MustCalculateShipping).
SHIPPING_ESTIMATED = "Unsubmitted, shipping estimated"
#: The address a shopper types in at checkout.
TYPED_ADDRESS = {"FirstName": "Contract", "LastName": "Shopper", "Street1": "1 Main Street", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}

#: Operations on an order that need it in a given status (BEHAVIOUR.md §4.3), and whether a
#: successful call moves it on (so that the next call needs a fresh one).
NEEDS: dict[str, tuple[str, bool]] = {
    **{
        op: (UNSUBMITTED, False)
        for op in (
            "Orders.Validate",
            "Orders.SetShippingAddress",
            "Orders.SetBillingAddress",
            "Orders.AddPromotion",
            "Orders.Patch",
            "Orders.PatchFromUser",
            "LineItems.Create",
            "Payments.Create",
            "IntegrationEvents.Calculate",
            "IntegrationEvents.EstimateShipping",
            "IntegrationEvents.GetWorksheet",
        )
    },
    "IntegrationEvents.SelectShipmethods": (SHIPPING_ESTIMATED, False),
    "Orders.PatchShippingAddress": (TYPED_ADDRESSES, False),
    "Orders.PatchBillingAddress": (TYPED_ADDRESSES, False),
    "Cart.SetActiveCart": (UNSUBMITTED, True),
    "Orders.Submit": (UNSUBMITTED, True),
    "Orders.Cancel": (UNSUBMITTED, True),
    "Orders.Delete": (UNSUBMITTED, True),
    "Orders.Save": (UNSUBMITTED, True),
    "Orders.Approve": (AWAITING_APPROVAL, True),
    "Orders.Decline": (AWAITING_APPROVAL, True),
    "Orders.ListEligibleApprovers": (AWAITING_APPROVAL, False),
    "Orders.Ship": (OPEN, True),
    "Orders.Complete": (OPEN, True),
    "Orders.Forward": (OPEN, True),
    "Orders.Split": (OPEN, True),
}


@dataclass(kw_only=True)
class StatusPool(ABC):
    """Objects of the run's own, one per status, named by the path parameter `param` of the
    operations in `needs`; a subclass makes them (`new`)."""

    param: ClassVar[str]
    needs: ClassVar[dict[str, tuple[str, bool]]]
    writes: Writes
    #: (thread, status, moves it on) -> the object of that status the thread's next such call gets
    current: dict[tuple[int, str, bool], str] = field(default_factory=dict)
    #: objects made so far (reported with the coverage)
    placed: int = 0
    #: why the target refused to make an object, once per status (reported with the coverage)
    refused: list[str] = field(default_factory=list)

    @abstractmethod
    def new(self, status: str) -> str:
        """Make an object in `status`; returns its ID."""

    def take(self, operation_id: str) -> str:
        """An object in the status the operation needs, made now unless the last one of its kind
        still is. Threads never share one (a call of one must not move on the object a call of
        another is using), nor do calls that move it on with calls that do not (what the latter
        added to it, a payment say, must not end up on a canceled order). When the target refuses
        to make one (a rule the run created sent the pool's order to approval, say), an ID that
        names nothing: the call gets 404, and the refusal is reported."""
        key = self._key(operation_id)
        status = key[1]
        if key not in self.current:
            try:
                self.current[key] = self.new(status)
            except ApiCallError as error:
                refusal = f"{self.param} in status {status}: {error}"
                if refusal not in self.refused:
                    self.refused.append(refusal)
                return self.writes.fresh_id()
        return self.current[key]

    def used(self, operation_id: str, object_id: str, gone: bool = False) -> None:
        """A call succeeded on a pool object (or found it gone); forget it if the call moved it on."""
        key = self._key(operation_id)
        if (key[2] or gone) and self.current.get(key) == object_id:
            del self.current[key]

    def _key(self, operation_id: str) -> tuple[int, str, bool]:
        status, moves = self.needs.get(operation_id, ("", False))
        return threading.get_ident(), status, moves


@dataclass
class OrderPool(StatusPool):
    shopper: OrderCloudClient
    market: SeededMarketplace
    seller_persona: str

    param = "orderID"
    needs = NEEDS

    def new(self, status: str) -> str:
        return self.place(status)[0]

    def place(self, status: str, *, addressable: bool = True, product_id: str | None = None, xp: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """A new order of the run's own in `status` (one line item, of the first seeded product
        unless `product_id` says), removed at the end of the run; returns its ID and line item.

        An order that is not `addressable` is left out of what the run's calls pick from
        /orders/{orderID}/...: the cart, which only the /cart calls are to change.
        """
        buyer = self.market.buyers[0]
        order_id = self.shopper.ok("POST", "/orders/Outgoing", {"ID": self.writes.fresh_id(), **({"xp": xp} if xp else {})})["ID"]
        self.placed += 1  # a count for the report: a lost update under threads costs nothing
        # The seller removes it at the end: a buyer cannot delete a submitted order.
        self.writes.undo.append(Undo(self.seller_persona, f"/orders/Incoming/{order_id}"))
        line = {"ProductID": product_id or self.market.product_ids[0], "Quantity": 1}
        if status != TYPED_ADDRESSES:
            line["ShippingAddressID"] = buyer.address_ids[0]
        line = self.shopper.ok("POST", f"/orders/Outgoing/{order_id}/lineitems", line)
        if status == TYPED_ADDRESSES:
            self.shopper.ok("PUT", f"/orders/Outgoing/{order_id}/shipto", TYPED_ADDRESS)
            self.shopper.ok("PUT", f"/orders/Outgoing/{order_id}/billto", TYPED_ADDRESS)
        if status == SHIPPING_ESTIMATED:
            self.shopper.ok("POST", f"/orders/Outgoing/{order_id}/estimateshipping")
        if addressable:
            with self.writes.lock:
                self.writes.objects.add(Ref("/orders", (), order_id, owned=True))
                line_ref = Ref("/orders/{orderID}/lineitems", (("orderID", order_id),), line["ID"], owned=True)
                self.writes.objects.add(line_ref)
                self.writes.saved[line_ref] = line
        if status == AWAITING_APPROVAL:
            quantity = self.market.data.quantity_over_threshold(float(line.get("UnitPrice") or 1))
            self.shopper.ok("PATCH", f"/orders/Outgoing/{order_id}/lineitems/{line['ID']}", {"Quantity": quantity})
        if status in (OPEN, AWAITING_APPROVAL):
            self.shopper.ok("POST", f"/orders/Outgoing/{order_id}/submit")
        return order_id, line
