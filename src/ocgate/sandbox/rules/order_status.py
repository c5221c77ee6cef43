"""Moving an order (or an order return) between statuses (BEHAVIOUR.md §4.3).

Every transition sets its date (DateSubmitted, DateApproved, DateDeclined, DateCanceled,
DateCompleted) and LastUpdated. Becoming Open deducts inventory, whichever call gets it there
(a submit, or the final approval).

Cancel — the sources conflict (a catalogue code says Open and Completed orders cannot be
canceled, an older release note mentions seller-canceled submitted orders). Chosen rule, as the
catalogue's wording reads: an order that is not yet Open can be canceled — Unsubmitted,
AwaitingApproval or Declined — by anyone who may see it with an ordering role; Open, Completed
and Canceled orders answer 400 Order.CannotCancelInCurrentStatus. Inventory is only deducted
when an order becomes Open, so a cancel never has stock to give back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..store import utc_now
from . import inventory
from .order_access import AWAITING_APPROVAL, DECLINED, OPEN, UNSUBMITTED

if TYPE_CHECKING:
    from ..state import Marketplace

CANCELABLE = (UNSUBMITTED, AWAITING_APPROVAL, DECLINED)


def require_status(obj: dict[str, Any], allowed: tuple[str, ...], code: str, message: str) -> None:
    """400 `code` unless the order (or order return) is in one of the allowed statuses."""
    if obj["Status"] not in allowed:
        raise bad_request(code, message, {"ID": obj["ID"], "Status": obj["Status"]})


def move(order: dict[str, Any], status: str, date_field: str) -> None:
    now = utc_now()
    order["Status"] = status
    order[date_field] = now
    order["LastUpdated"] = now


def open_order(market: Marketplace, order: dict[str, Any], date_field: str) -> None:
    """The order becomes Open: its quantities leave stock (400 Inventory.Insufficient if short)."""
    inventory.deduct(market, order["ID"])
    move(order, OPEN, date_field)
