"""Subscriptions: whose they are, and the orders placed from them when they are due (builtin:current).

Sources: the SDKs' models (ordercloud-javascript-sdk 12.0.0 `Subscription` {Frequency, Interval
Days|Weeks|Months, NextOrderDate, LastOrderDate (read-only), EndDate, Active, FromCompanyID,
FromUserID, ToCompanyID, Payment {Type, CreditCardID, SpendingAccountID}, BillingAddressID,
ShippingAddressID}, `SubscriptionItem` shaped like a LineItem, `Order.SubscriptionID`, BEHAVIOUR.md
Misc facts) and the resources' pairs (Subscriptions.* for admins, Me.*Subscription* for the buyer
user). The API has no operation that places an order from a subscription: OrderCloud does it on its
own schedule. How it does so is not documented; the choices here (README, list of choices):

- A buyer user's /me/subscriptions are the subscriptions whose FromUserID is that user (and
  FromCompanyID its buyer): creating one there makes it the caller's, whatever the body says;
  another user's is 404, and so are its items (/me/subscriptions/{id}/items). NextOrderDate and
  EndDate are kept in UTC (400 for a date that is not ISO 8601); Frequency is 1 or more (400).
- choice: the sandbox places orders only when asked, at `POST /_sandbox/subscriptions/process`
  (moving the clock with `POST /_sandbox/clock` only makes subscriptions due, so that no other
  suite's clock move places orders behind its back). Each active subscription whose NextOrderDate
  has come (sandbox clock), and is not after its EndDate, gets one order per processing.
- The order is placed as a seller admin would place it by hand, through the operations themselves,
  so every rule of a normal order holds: `Orders.Create` Incoming from the subscription's
  FromCompanyID and FromUserID with its BillingAddressID and ShippingAddressID; one line per
  subscription item (`LineItems.Create`: ProductID, Quantity, Specs, ShippingAddressID,
  ShipFromAddressID, CostCenter, ShippingAccount, xp), priced now from the buyer user's price
  schedule (an item's UnitPrice is not carried over); when the subscription names a Payment Type,
  one payment of that type for the whole order (`Payments.Create`, accepted); then
  `Orders.Submit` (stock, approval rules, promotions). The order shows SubscriptionID.
- choice: orders from subscriptions go to the marketplace owner; a ToCompanyID naming another
  company is refused (400 Order.CannotCreateInvalid), as suppliers' subscription orders are not modelled.
- Once placed: LastOrderDate = the NextOrderDate that was due; NextOrderDate moves on by Frequency
  Intervals from it (a month on from the 31st is the month's last day). choice: one order per
  subscription per processing: one several periods behind stays due, and places the next at the
  next processing.
- choice: an order that cannot be placed (no user, a product gone or no longer priced, short
  stock, no items, ...) is not kept (what was created is deleted), the subscription is unchanged
  and stays due, and the processing answer lists it under Failed with OrderCloud's error body.
- An active subscription whose EndDate has passed and whose NextOrderDate is after its EndDate
  (no order is left in its term) becomes inactive (listed under Deactivated).
- Not modelled: calling the subscription integration (SubscriptionIntegrations, NotificationDate),
  ProjectedSubtotal.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, bad_request, not_found
from ..models import as_utc, parse_time
from ..registry import Call, before_write, guard, perspective, the_marketplace
from .order_access import ORDERS
from .pricing import now_of

if TYPE_CHECKING:
    from ..state import Marketplace

SUBSCRIPTIONS = "/subscriptions"
ITEMS = "/subscriptions/{subscriptionID}/items"
MY_SUBSCRIPTIONS = "/me/subscriptions"
MY_ITEMS = "/me/subscriptions/{subscriptionID}/items"
DATES = ("NextOrderDate", "EndDate")
#: what a subscription item passes on to the line item of each order
LINE_FIELDS = ("ProductID", "Quantity", "Specs", "ShippingAddressID", "ShipFromAddressID", "CostCenter", "ShippingAccount", "xp")
INTERVAL_DAYS = {"Days": 1, "Weeks": 7}
PROCESS_ROUTE = "/_sandbox/subscriptions/process"


# -- whose subscriptions are whose ------------------------------------------------------------------


def _callers(call: Call, subscription: dict[str, Any]) -> bool:
    me = call.identity
    return subscription.get("FromUserID") == me.user_id and subscription.get("FromCompanyID") == me.company_id


def _my_subscription(call: Call) -> dict[str, Any]:
    """The subscription the /me path names, when it is the caller's; 404 otherwise."""
    subscription_id = call.params["subscriptionID"]
    subscription = call.market.store.get(SUBSCRIPTIONS, (), subscription_id)
    if subscription is None or not _callers(call, subscription):
        raise not_found("Subscription", subscription_id)
    return subscription


perspective(MY_SUBSCRIPTIONS, stored_at=SUBSCRIPTIONS, scope=the_marketplace)
perspective(MY_ITEMS, stored_at=ITEMS, scope=the_marketplace)
guard(MY_SUBSCRIPTIONS, can_see=_callers)
guard(MY_ITEMS, parent=_my_subscription)


@before_write(SUBSCRIPTIONS)
def _owned_and_dated(call: Call, subscription: dict[str, Any], previous: dict[str, Any] | None) -> None:
    if call.op.path.startswith(MY_SUBSCRIPTIONS):
        subscription.update(FromUserID=call.identity.user_id, FromCompanyID=call.identity.company_id)
    for name in DATES:
        if subscription.get(name):
            subscription[name] = as_utc(subscription[name])
    frequency = subscription.get("Frequency")
    if frequency is not None and frequency < 1:
        raise bad_request("ValidationFailure", "Subscription.Frequency must be 1 or more.", {"Property": "Frequency", "Reason": "below 1"})


# -- when an order is due, and the date after it -----------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def following_date(subscription: dict[str, Any], due: datetime) -> datetime:
    """The order date after `due`: Frequency Intervals on. 400 when the subscription cannot say."""
    frequency, interval = subscription.get("Frequency"), subscription.get("Interval")
    if not frequency or frequency < 1 or interval not in ("Days", "Weeks", "Months"):
        raise bad_request("ValidationFailure", "Set Frequency (1 or more) and Interval (Days, Weeks or Months) on the subscription.", {"Frequency": frequency, "Interval": interval})
    try:
        return _add_months(due, frequency) if interval == "Months" else due + timedelta(days=frequency * INTERVAL_DAYS[interval])
    except (OverflowError, ValueError):
        raise bad_request("ValidationFailure", "The next order date would fall after the year 9999; lower Frequency.", {"Frequency": frequency, "Interval": interval}) from None


def _due_date(subscription: dict[str, Any], now: datetime) -> datetime | None:
    """The NextOrderDate when an order is due: it has come, and is not after EndDate; None otherwise."""
    due, end = parse_time(subscription.get("NextOrderDate")), parse_time(subscription.get("EndDate"))
    return due if due is not None and due <= now and (end is None or due <= end) else None


def _ended(subscription: dict[str, Any], now: datetime) -> bool:
    due, end = parse_time(subscription.get("NextOrderDate")), parse_time(subscription.get("EndDate"))
    return end is not None and end <= now and (due is None or due > end)


# -- placing the order ---------------------------------------------------------------------------------


def _place(market: Marketplace, subscription: dict[str, Any]) -> dict[str, Any]:
    """Create, fill, pay and submit the subscription's order through the operations (module docstring)."""
    if subscription.get("ToCompanyID") not in (None, market.seller_id):
        raise bad_request(
            "Order.CannotCreateInvalid",
            f"Orders from subscriptions go to the marketplace owner {market.seller_id} in the sandbox; set ToCompanyID to null.",
            {"SubscriptionID": subscription["ID"], "ToCompanyID": subscription.get("ToCompanyID")},
        )
    parties = {name: subscription.get(name) for name in ("FromCompanyID", "FromUserID", "BillingAddressID", "ShippingAddressID")}
    order = market.invoke("Orders.Create", {"direction": "Incoming"}, parties)
    path = {"direction": "Incoming", "orderID": order["ID"]}
    try:
        market.store.get(ORDERS, (), order["ID"])["SubscriptionID"] = subscription["ID"]
        for item in list(market.store.view(ITEMS, (subscription["ID"],)).values()):
            market.invoke("LineItems.Create", path, {name: item[name] for name in LINE_FIELDS if item.get(name) is not None})
        payment = subscription.get("Payment") or {}
        if payment.get("Type"):
            market.invoke("Payments.Create", path, {**{name: value for name, value in payment.items() if value is not None}, "Accepted": True})
        return market.invoke("Orders.Submit", path)
    except ApiError:
        market.invoke("Orders.Delete", path)
        raise


def process_due(market: Marketplace) -> dict[str, list[Any]]:
    """Place one order for each due subscription and deactivate the ended ones; what happened to each.

    The caller holds the store lock (app.py)."""
    if SUBSCRIPTIONS not in market.resources.collections:
        raise ApiError(404, "NotFound", "This sandbox's OpenAPI document has no subscriptions; start it with spec builtin:current.", {"ObjectType": "Route", "ObjectID": PROCESS_ROUTE})
    now = now_of(market)
    outcome: dict[str, list[Any]] = {"Placed": [], "Failed": [], "Deactivated": []}
    for subscription in sorted(market.store.view(SUBSCRIPTIONS).values(), key=lambda s: s["ID"]):
        if not subscription.get("Active"):
            continue
        due = _due_date(subscription, now)
        if due is not None:
            try:
                following = following_date(subscription, due)
                order = _place(market, subscription)
            except ApiError as error:
                outcome["Failed"].append({"SubscriptionID": subscription["ID"], **error.body()})
                continue
            subscription.update(LastOrderDate=subscription["NextOrderDate"], NextOrderDate=as_utc(following.isoformat()))
            outcome["Placed"].append({"SubscriptionID": subscription["ID"], "OrderID": order["ID"], "Status": order["Status"]})
        if _ended(subscription, now):
            subscription["Active"] = False
            outcome["Deactivated"].append(subscription["ID"])
    return outcome
