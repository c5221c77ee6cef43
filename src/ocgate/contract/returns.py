"""Order returns in the status an operation needs, made on demand and used up by status changes.

Like orders (orders.py), a return that is submitted, approved, declined, cancelled or completed
has changed for good, so the pool makes a fresh, run-scoped one for each of those calls. A
return needs an Open or Completed order of a Returnable product (ErrorCodes.OrderReturn): the
pool places one with the run's returnable product and returns its line. A return awaits
approval when a seller approval rule of type OrderReturn matches its order: the fixture rule
(fixtures.py) matches orders whose xp asks for it, and the seller admin is in its group.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.client import OrderCloudClient
from .objects import format_path
from .orders import AWAITING_APPROVAL, OPEN, UNSUBMITTED, OrderPool, StatusPool
from .writes import Undo

#: What an order's xp says to make the fixture return-approval rule match it.
RETURN_APPROVAL_XP = {"ContractReturnApproval": "required"}
#: The fixture rule's expression, matching exactly those orders.
RETURN_APPROVAL_RULE = "order.xp.ContractReturnApproval = 'required'"

#: Operations on a return that need it in a given status, and whether a successful call moves it on.
RETURN_NEEDS: dict[str, tuple[str, bool]] = {
    "OrderReturns.Submit": (UNSUBMITTED, True),
    "OrderReturns.Approve": (AWAITING_APPROVAL, True),
    "OrderReturns.Decline": (AWAITING_APPROVAL, True),
    "OrderReturns.Cancel": (OPEN, True),
    "OrderReturns.Complete": (OPEN, True),
}


@dataclass
class ReturnPool(StatusPool):
    orders: OrderPool
    seller: OrderCloudClient
    seller_persona: str
    #: the run's Returnable product (None when the target refused the fixture: returns then 4xx)
    product_id: str | None = None

    param = "returnID"
    needs = RETURN_NEEDS

    def new(self, status: str) -> str:
        """A new return of one item of a new Open order, submitted unless it is to stay Unsubmitted."""
        if self.product_id is None:
            return self.writes.fresh_id()  # names nothing: the call gets 404, as without the pool
        xp = RETURN_APPROVAL_XP if status == AWAITING_APPROVAL else None
        order_id, line = self.orders.place(OPEN, product_id=self.product_id, xp=xp)
        body = {"ID": self.writes.fresh_id(), "OrderID": order_id, "ItemsToReturn": [{"LineItemID": line["ID"], "Quantity": 1}]}
        return_id = self.seller.ok("POST", "/orderreturns", body)["ID"]
        self.placed += 1
        self.writes.undo.append(Undo(self.seller_persona, format_path("/orderreturns/{returnID}", {"returnID": return_id})))
        if status != UNSUBMITTED:
            self.seller.ok("POST", format_path("/orderreturns/{returnID}/submit", {"returnID": return_id}))
        return return_id
