"""Calls meant to succeed reach business logic: the gate gives each operation the objects, in the
state, that it needs, and leaves the target as it found it."""

from __future__ import annotations

from pathlib import Path

from gate_harness import run_gate, sandbox_counts, served

from ocgate.config import Settings
from ocgate.sandbox.app import create_app
from ocgate.sandbox.server import build_marketplace

#: Operations that answered only 4xx until the gate learnt what they need:
#: a line item names its product even when the generated body leaves it null;
#: only an order's typed-in (not saved) addresses can be patched;
#: ship methods are selected from an estimate the order already has;
#: the cart the run pins has a payment with a transaction, and is submitted once its payments are accepted;
#: so is a pool order validated after Payments.Create added a payment to it;
#: only an unsubmitted order can become the active cart;
#: a transaction is known by the ID the run gave it, though its create answers the payment;
#: returns in each status come from a pool, of orders of a Returnable product;
#: an assignment hangs off one of the run's own objects of the collection its path names;
#: an impersonation token needs an impersonation config (a fixture of the run).
NEEDY = [
    "LineItems.Create",
    "Orders.PatchShippingAddress",
    "Orders.PatchBillingAddress",
    "IntegrationEvents.SelectShipmethods",
    "Cart.Submit",
    "Cart.SetActiveCart",
    "Cart.PatchPayment",
    "Cart.DeletePaymentTransaction",
    "Payments.Create",
    "Orders.Validate",
    "Payments.CreateTransaction",
    "Payments.DeleteTransaction",
    "OrderReturns.Submit",
    "OrderReturns.Approve",
    "OrderReturns.Decline",
    "OrderReturns.Cancel",
    "OrderReturns.Complete",
    "AdminUserGroups.Create",
    "AdminUserGroups.SaveUserAssignment",
    "Addresses.Create",
    "Addresses.SaveAssignment",
    "Users.GetAccessToken",
]


def test_operations_needing_particular_objects_reach_2xx(settings: Settings, tmp_path: Path) -> None:
    with served(create_app(build_marketplace(settings)), settings) as url:
        before = sandbox_counts(url)
        run = run_gate(url, settings, tmp_path, NEEDY)
        assert run.exit_code == 0, run.output[-3000:]
        assert run.coverage["without_2xx"] == {}, run.coverage["statuses"]
        assert sandbox_counts(url) == before
