"""Moving an order between statuses, and canceling it (BEHAVIOUR.md §4.3).

Every transition sets its date (DateSubmitted, DateApproved, DateDeclined, DateCanceled,
DateCompleted) and LastUpdated. Becoming Open deducts inventory, whichever call gets it there.

Cancel — the sources conflict (a catalogue code says Open and Completed orders cannot be
canceled, an older release note mentions seller-canceled submitted orders). Chosen rule, as the
catalogue's wording reads: an order that is not yet Open can be canceled — Unsubmitted,
AwaitingApproval or Declined — by anyone who may see it with an ordering role; Open, Completed
and Canceled orders answer 400 Order.CannotCancelInCurrentStatus. Inventory is only deducted
when an order becomes Open, so a cancel never has stock to give back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import Call, handles
from ..store import utc_now
from . import inventory
from .order_access import AWAITING_APPROVAL, CANCELED, DECLINED, OPEN, UNSUBMITTED, order_for, require_status

if TYPE_CHECKING:
    from ..state import Marketplace

CANCELABLE = (UNSUBMITTED, AWAITING_APPROVAL, DECLINED)


def move(order: dict[str, Any], status: str, date_field: str) -> None:
    now = utc_now()
    order["Status"] = status
    order[date_field] = now
    order["LastUpdated"] = now


def open_order(market: Marketplace, order: dict[str, Any], date_field: str) -> None:
    """The order becomes Open: its quantities leave stock (400 Inventory.Insufficient if short)."""
    with market.store.lock:
        inventory.deduct(market, order["ID"])
        move(order, OPEN, date_field)


@handles("Orders.Cancel")
def cancel(call: Call) -> dict[str, Any]:
    with call.market.store.lock:
        order = order_for(call)
        require_status(order, CANCELABLE, "Order.CannotCancelInCurrentStatus", "Cannot cancel an order with the status of Open or Completed.")
        move(order, CANCELED, "DateCanceled")
        return order

