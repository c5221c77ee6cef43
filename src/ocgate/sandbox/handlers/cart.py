"""The cart: a proxy of the user's current unsubmitted order (BEHAVIOUR.md §4.2).

The cart is the order set with `PUT /cart/{orderID}` while it stays the user's and Unsubmitted,
else the user's newest Unsubmitted outgoing order (the proxy of `GET v1/orders/outgoing
?PageSize=1&Status=Unsubmitted&SortBy=!DateCreated`, narrowed to orders the user placed). Each
cart operation runs the matching order operation on it, with the same rules and answers.

Without a cart: `GET /cart` answers an empty Order with a null ID (never 404) and the cart's
lists answer empty pages; `POST /cart/lineitems`, `PUT /cart/lineitems/{id}`, `PUT /cart` and
`PATCH /cart` create the order first; line item, payment and promotion reads and writes are
404 for the thing named (e.g. 404 LineItem for `PATCH /cart/lineitems/{id}`); the others
(submit, validate, worksheet, calculate, shipping, ship-to and bill-to, promotions to apply or
refresh, payments to create) are 404 Order; a bundle to add creates the cart, a bundle item to
delete is 404 BundleItem; `DELETE /cart` has nothing to delete and answers 204. A failed request that had to create the cart removes it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApiError, not_found
from ..registry import Call, handles
from ..responses import list_of
from ..rules.order_access import ORDERS, UNSUBMITTED, find_order, visible
from ..rules.placing_orders import create_order, new_order

if TYPE_CHECKING:
    from ..spec import Operation
    from ..state import Marketplace

ACTIVE_CARTS = "active_carts"  # store.side: (company, user ID) -> order ID

#: cart operation -> (order operation it proxies, what to do without a cart)
PROXIED: dict[str, tuple[str, str]] = {
    "Cart.Save": ("Orders.Save", "create"),
    "Cart.Patch": ("Orders.Patch", "create"),
    "Cart.Delete": ("Orders.Delete", "nothing"),
    "Cart.PatchFromUser": ("Orders.PatchFromUser", "Order"),
    "Cart.Submit": ("Orders.Submit", "Order"),
    "Cart.Validate": ("Orders.Validate", "Order"),
    "Cart.GetOrderWorksheet": ("IntegrationEvents.GetWorksheet", "Order"),
    "Cart.EstimateShipping": ("IntegrationEvents.EstimateShipping", "Order"),
    "Cart.SelectShipMethods": ("IntegrationEvents.SelectShipmethods", "Order"),
    "Cart.ListLineItems": ("LineItems.List", "empty"),
    "Cart.CreateLineItem": ("LineItems.Create", "create"),
    "Cart.GetLineItem": ("LineItems.Get", "LineItem"),
    "Cart.SaveLineItem": ("LineItems.Save", "create"),
    "Cart.PatchLineItem": ("LineItems.Patch", "LineItem"),
    "Cart.DeleteLineItem": ("LineItems.Delete", "LineItem"),
    "Cart.ListPayments": ("Payments.List", "empty"),
    "Cart.CreatePayment": ("Payments.Create", "Order"),
    "Cart.GetPayment": ("Payments.Get", "Payment"),
    "Cart.PatchPayment": ("Payments.Patch", "Payment"),
    "Cart.DeletePayment": ("Payments.Delete", "Payment"),
    "Cart.CreatePaymentTransaction": ("Payments.CreateTransaction", "Payment"),
    "Cart.DeletePaymentTransaction": ("Payments.DeleteTransaction", "Payment"),
    "Cart.ListPromotions": ("Orders.ListPromotions", "empty"),
    "Cart.AddPromotion": ("Orders.AddPromotion", "Order"),
    "Cart.DeletePromotion": ("Orders.RemovePromotion", "OrderPromotion"),
    "Cart.ApplyPromotions": ("Orders.ApplyPromotions", "Order"),
    "Cart.RefreshPromotions": ("Orders.RefreshPromotions", "Order"),
    "Cart.SetShippingAddress": ("Orders.SetShippingAddress", "Order"),
    "Cart.PatchShippingAddress": ("Orders.PatchShippingAddress", "Order"),
    "Cart.SetBillingAddress": ("Orders.SetBillingAddress", "Order"),
    "Cart.PatchBillingAddress": ("Orders.PatchBillingAddress", "Order"),
    "Cart.Calculate": ("IntegrationEvents.Calculate", "Order"),
    "Cart.CreateBundleItem": ("BundleLineItems.Create", "create"),
    "Cart.DeleteBundleItem": ("BundleLineItems.Delete", "BundleItem"),
}


def _operation(market: Marketplace, operation_id: str) -> Operation:
    operations = market.store.side.setdefault("cart_operations", {})
    if operation_id not in operations:
        operations[operation_id] = market.spec.operation(operation_id)
    return operations[operation_id]


def _mine(call: Call, order: dict[str, Any] | None) -> bool:
    me = call.identity
    return order is not None and order["Status"] == UNSUBMITTED and order["FromUserID"] == me.user_id and visible(me, order, "Outgoing")


def cart_of(call: Call) -> dict[str, Any] | None:
    market, me = call.market, call.identity
    if me.user_type != "buyer":  # "Only available to Buyer Users": other users never have a cart
        return None
    active = market.store.side.setdefault(ACTIVE_CARTS, {}).get((me.company_id, me.user_id))
    chosen = market.store.get(ORDERS, (), active) if active else None
    if _mine(call, chosen):
        return chosen
    newest = None
    for order in market.store.collection(ORDERS).values():  # in creation order: the later one wins a tie
        if _mine(call, order) and (newest is None or (order["DateCreated"] or "") >= (newest["DateCreated"] or "")):
            newest = order
    return newest


def _on_order(call: Call, operation_id: str, order_id: str) -> Any:
    """Run the proxied order operation on the cart, as the same user with the same body and query."""
    params = {**call.params, "direction": "Outgoing", "orderID": order_id}
    inner = Call(_operation(call.market, operation_id), params, call.query, call.body, call.identity, call.market)
    answer = call.market.resources.handle(inner)
    if call.op.operation_id == "Cart.CreatePaymentTransaction":
        # The spec answers this one with the PaymentTransaction, where the order operation answers the Payment.
        return answer["Transactions"][-1]
    return answer


def _proxy(call: Call) -> Any:
    operation_id, without_cart = PROXIED[call.op.operation_id]
    cart = cart_of(call)
    if cart is not None:
        return _on_order(call, operation_id, cart["ID"])
    if without_cart == "empty":
        return list_of(call, [])
    if without_cart == "nothing":
        return None
    if without_cart != "create":
        name = {"LineItem": "lineItemID", "Payment": "paymentID", "OrderPromotion": "promoCode", "BundleItem": "bundleItemID"}.get(without_cart, "orderID")
        raise not_found(without_cart, call.params.get(name))
    cart = create_order(call, {})
    try:
        return _on_order(call, operation_id, cart["ID"])
    except ApiError:  # the request failed: leave no empty cart behind
        call.market.resources.remove(call, call.market.resources.collection(ORDERS), (), cart)
        raise


for _operation_id in PROXIED:
    handles(_operation_id)(_proxy)


@handles("Cart.Get")
def get_cart(call: Call) -> dict[str, Any]:
    cart = cart_of(call)
    if cart is not None:
        return cart
    me = call.identity
    empty = new_order(call.market, {"FromUserID": me.user_id, "FromCompanyID": me.company_id, "ToCompanyID": call.market.seller_id})
    empty.update(ID=None, DateCreated=None, LastUpdated=None, LineItemCount=0, Subtotal=0, PromotionDiscount=0, Total=0)
    return empty


@handles("Cart.SetActiveCart")
def set_active_cart(call: Call) -> None:
    order = find_order(call.market, call.identity, call.params["orderID"], "Outgoing")
    if not _mine(call, order):
        raise not_found("Order", call.params["orderID"])
    call.market.store.side.setdefault(ACTIVE_CARTS, {})[(call.identity.company_id, call.identity.user_id)] = order["ID"]
