"""The contract run's own fixtures, beyond the seeded marketplace.

Some operations need objects the shared fixture marketplace does not hold: variants (a
product with a variant-defining spec), a promotion with a code a buyer may apply, a spending
account a buyer's users can see, a seller approval rule for returns and the admin user group
it names (with the seller admin in it), a Returnable product for the returns the run makes,
and impersonation configs (with their security profile) for impersonation tokens.
The run creates them here through the public API, as the seller admin, before it lists the
marketplace, and removes them at its end. Like the seeded
fixtures they are protected from the run's changes, except the variants of one product:
calls that change a variant need one of the run's own to change.
"""

from __future__ import annotations

from typing import Any

from ..api.client import ApiCallError, OrderCloudClient
from ..api.seeding import SeededMarketplace
from .objects import Objects, Ref
from .returns import RETURN_APPROVAL_RULE
from .writes import Undo, Writes


class ContractFixtures:
    def __init__(self, seller: OrderCloudClient, persona: str, writes: Writes) -> None:
        self.seller = seller
        self.persona = persona
        self.writes = writes
        #: the product the return pool (returns.py) orders and returns; None until made
        self.returnable_product: str | None = None

    @property
    def objects(self) -> Objects:
        return self.writes.objects

    def create(self, path: str, body: dict[str, Any], collection: str, scope: tuple[tuple[str, str], ...] = ()) -> str:
        """POST a fixture, remembering how to delete it; discovery lists its children first."""
        created = self.seller.ok("POST", path, {"ID": self.writes.fresh_id(), **body})
        self.writes.undo.append(Undo(self.persona, f"{path}/{created['ID']}"))
        self.objects.add(Ref(collection, scope, created["ID"]))
        self.objects.note(collection, created)
        self.objects.list_first.add(created["ID"])
        return str(created["ID"])

    def assign(self, path: str, body: dict[str, Any], undo_path: str, **undo_query: str) -> None:
        self.seller.ok("POST", path, body)
        self.writes.undo.append(Undo(self.persona, undo_path, tuple(undo_query.items())))

    def add(self, market: SeededMarketplace, admin_client_id: str) -> list[str]:
        """Create what the target allows; returns what it refused (those operations will see 404s)."""
        buyer = market.buyers[0].id
        price_schedule = market.ids["priceScheduleID"][0]
        refused = []
        for name, make in (
            ("variants", lambda: self._variants(buyer, price_schedule)),
            ("promotion", self._promotion),
            ("spending account", lambda: self._spending_account(buyer)),
            ("seller approval rule", self._seller_approval_rule),
            ("returnable product", lambda: self._returnable_product(buyer, price_schedule)),
            ("impersonation configs", lambda: self._impersonation([seeded.id for seeded in market.buyers], (market.storefront_client_id, admin_client_id))),
        ):
            try:
                make()
            except ApiCallError as error:
                refused.append(f"{name}: {error}")
        return refused

    def _seller_approval_rule(self) -> None:
        """An admin user group of approvers with the seller admin in it, and a seller approval rule
        naming it (the documented OrderReturn type) that only the return pool's orders match; rules
        the run creates name that group too."""
        group = self.create("/usergroups", {"Name": "Contract approvers"}, "/usergroups")
        admin = self.seller.ok("GET", "/me")["ID"]
        self.assign("/usergroups/assignments", {"UserGroupID": group, "UserID": admin}, f"/usergroups/{group}/assignments/{admin}")
        rule = {"Name": "Contract returns", "ApprovalType": "OrderReturn", "ApprovingGroupID": group, "RuleExpression": RETURN_APPROVAL_RULE}
        self.create("/approvalrules", rule, "/approvalrules")

    def _impersonation(self, buyers: list[str], client_ids: tuple[str, ...]) -> None:
        """A security profile, and impersonation configs through which the seller may act as any
        seeded buyer's users on the seeded API clients (Users.GetAccessToken), with a few roles."""
        profile = {"Name": "Contract impersonation", "Roles": ["ApiClientAdmin", "ApiClientReader", "MeAdmin", "Shopper"]}
        profile_id = self.create("/securityprofiles", profile, "/securityprofiles")
        for buyer in buyers:
            for client_id in dict.fromkeys(client_ids):
                self.create("/impersonationconfig", {"BuyerID": buyer, "SecurityProfileID": profile_id, "ClientID": client_id}, "/impersonationconfig")

    def _returnable_product(self, buyer: str, price_schedule: str) -> None:
        """A Returnable product the first buyer sees: the orders the return pool returns are of it."""
        body = {"Name": "Contract returnable product", "Active": True, "Returnable": True, "DefaultPriceScheduleID": price_schedule}
        product = self.create("/products", body, "/products")
        self.assign("/catalogs/productassignments", {"CatalogID": buyer, "ProductID": product}, f"/catalogs/{buyer}/productassignments/{product}")
        self.returnable_product = product

    def _promotion(self) -> None:
        """A promotion any buyer may apply by its code."""
        body = {"Code": self.writes.fresh_id(), "Name": "Contract promotion", "AllowAllBuyers": True, "CanCombine": True, "EligibleExpression": "true", "ValueExpression": "1"}
        self.create("/promotions", body, "/promotions")

    def _spending_account(self, buyer: str) -> None:
        """A spending account assigned to the whole first buyer, so its users see it under /me."""
        account = self.create(f"/buyers/{buyer}/spendingaccounts", {"Name": "Contract account", "Balance": 100, "AllowAsPaymentMethod": True}, "/buyers/{buyerID}/spendingaccounts", (("buyerID", buyer),))
        self.assign(f"/buyers/{buyer}/spendingaccounts/assignments", {"SpendingAccountID": account}, f"/buyers/{buyer}/spendingaccounts/{account}/assignments")

    def _variants(self, buyer: str, price_schedule: str) -> None:
        """Two products whose spec defines variants (two options), their variants generated. The
        first buyer sees one product, whose variants stay as they are; the other's variants are
        the run's own to change (a variant saved inactive would vanish from the buyer's view)."""
        spec = self.create("/specs", {"Name": "Size", "DefinesVariant": True, "Required": True}, "/specs")
        for value in ("S", "M"):
            self.create(f"/specs/{spec}/options", {"Value": value}, "/specs/{specID}/options", (("specID", spec),))
        inventory = {"Enabled": True, "VariantLevelTracking": True, "OrderCanExceed": True}
        for name, seen_by_buyer in (("Contract variant product", True), ("Contract changeable variants", False)):
            body = {"Name": name, "Active": True, "DefaultPriceScheduleID": price_schedule, "Inventory": inventory}
            product = self.create("/products", body, "/products")
            self.assign("/specs/productassignments", {"SpecID": spec, "ProductID": product}, f"/specs/{spec}/productassignments/{product}")
            self.seller.ok("POST", f"/products/{product}/variants/generate")
            if seen_by_buyer:
                self.assign("/catalogs/productassignments", {"CatalogID": buyer, "ProductID": product}, f"/catalogs/{buyer}/productassignments/{product}")
                continue
            for variant in self.seller.ok("GET", f"/products/{product}/variants")["Items"]:
                self.objects.add(Ref("/products/{productID}/variants", (("productID", product),), variant["ID"], owned=True))
