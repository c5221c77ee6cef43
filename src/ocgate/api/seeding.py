"""A fixture marketplace, seeded through the public API and removed afterwards.

What is created — counts, roles, prices and breaks, inventory, address constants, the
approval threshold, the Faker seed — is read from the data folder (`data/marketplace.toml`,
see `ocgate.api.fixture_data`); a run may replace the counts (`SeedPlan`). Everything created
carries the run's ID prefix and is recorded; `cleanup()` deletes exactly those objects,
newest first, and nothing else. Names, addresses and prices come from Faker with the data's
seed, so two runs look alike. Only public API calls are used, so seeding works the same on
the embedded sandbox and on a real OrderCloud sandbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from ..errors import CannotRun
from .client import OrderCloudClient
from .fanout import delete_all, fan_out
from .fixture_data import FixtureData, load_fixture_data
from .target import Target
from .tokens import AuthError, Credentials


class SeedError(CannotRun):
    """The target did not end up as seeded (e.g. a persona got other roles than it was given)."""


def new_run_id() -> str:
    """A short prefix that marks everything one run creates."""
    return "ocg" + secrets.token_hex(3)


def new_password() -> str:
    """A random password that meets OrderCloud's default policy (10+ characters, upper, lower, digit)."""
    return "Oc" + secrets.token_urlsafe(10) + "7a"


@dataclass
class SeedPlan:
    """Counts that replace the data's for one run (the load model seeds more); None keeps the data's."""

    buyers: int | None = None
    shoppers_per_buyer: int | None = None
    products: int | None = None
    categories: int | None = None
    orders: bool | None = None

    def applied_to(self, data: FixtureData) -> FixtureData:
        def table(name: str, **counts: int | bool | None) -> object:
            return getattr(data, name).model_copy(update={key: value for key, value in counts.items() if value is not None})

        return data.model_copy(
            update={
                "buyers": table("buyers", count=self.buyers, shoppers=self.shoppers_per_buyer),
                "products": table("products", count=self.products),
                "categories": table("categories", count=self.categories),
                "orders": table("orders", place=self.orders),
            }
        )


@dataclass
class SeededUser:
    persona: str
    buyer_id: str
    user_id: str
    username: str
    password: str


@dataclass
class SeededBuyer:
    id: str
    shoppers: list[SeededUser] = field(default_factory=list)
    approver: SeededUser | None = None
    approver_group_id: str = ""
    address_ids: list[str] = field(default_factory=list)


@dataclass
class SeededMarketplace:
    run_id: str
    storefront_client_id: str
    data: FixtureData  # what was seeded: roles, threshold, prices, ...
    buyers: list[SeededBuyer] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    exclusive_product_id: str = ""  # visible to the first buyer only
    category_ids: list[str] = field(default_factory=list)
    orders: dict[str, list[str]] = field(default_factory=dict)  # status -> order IDs
    #: path parameter name -> IDs of seeded objects, for filling {buyerID}, {productID}, ...
    ids: dict[str, list[str]] = field(default_factory=dict)

    def remember(self, param: str, object_id: str) -> None:
        self.ids.setdefault(param, []).append(object_id)


class Seeder:
    """Creates fixture objects as the seller admin and remembers how to delete each.

    `data` is what it seeds: the target's data folder, with `plan`'s counts in place of its own.
    """

    def __init__(self, target: Target, admin_persona: str = "seller_admin", run_id: str | None = None, plan: SeedPlan | None = None) -> None:
        self.data = (plan or SeedPlan()).applied_to(load_fixture_data(target.settings.data_path))
        self.target = target
        self.admin = target.client(admin_persona, record=False)
        self.run_id = run_id or new_run_id()
        self.fake = Faker()
        self.fake.seed_instance(self.data.faker.seed)
        self._undo: list[tuple[OrderCloudClient, str, dict[str, str]]] = []

    # -- recording ---------------------------------------------------------------------

    def id(self, name: str) -> str:
        return f"{self.run_id}-{name}"

    def create(self, path: str, body: dict[str, Any], *, delete_path: str | None = None, client: OrderCloudClient | None = None) -> Any:
        """POST and remember the DELETE that undoes it."""
        client = client or self.admin
        created = client.ok("POST", path, body)
        object_id = (created or {}).get("ID", body.get("ID"))
        self.delete_later(delete_path or f"{path}/{object_id}", client)
        return created

    def assign(self, path: str, body: dict[str, Any], delete_path: str, *, client: OrderCloudClient | None = None, **delete_params: str) -> None:
        """POST an assignment and remember the DELETE that removes it."""
        client = client or self.admin
        client.ok("POST", path, body)
        self.delete_later(delete_path, client, **delete_params)

    def delete_later(self, path: str, client: OrderCloudClient | None = None, **params: str) -> None:
        """Remember a DELETE for cleanup, e.g. of what the API creates as a side effect (a buyer's default catalog)."""
        self._undo.append((client or self.admin, path, params))

    def cleanup(self) -> list[str]:
        """Delete everything created; returns what could not be deleted.

        What a persona made through its own API (its /me addresses, its orders) goes first, newest
        first and one by one, while that persona can still log in; then the seller's objects,
        children before parents, many at once (fanout.delete_all)."""
        undo, self._undo = self._undo, []
        own = [entry for entry in reversed(undo) if entry[0] is not self.admin]
        left = [reason for reason in map(_delete, own) if reason]
        return left + delete_all([entry for entry in undo if entry[0] is self.admin], lambda entry: entry[1], _delete)

    # -- the plan ------------------------------------------------------------------------------

    def seed(self) -> SeededMarketplace:
        client_id = self._storefront_client()
        market = SeededMarketplace(run_id=self.run_id, storefront_client_id=client_id, data=self.data)
        market.remember("apiClientID", client_id)
        roles = self.data.roles
        shopper_profile = self.create("/securityprofiles", {"ID": self.id("shopper"), "Name": "Shopper", "Roles": roles.shopper})["ID"]
        approver_profile = self.create("/securityprofiles", {"ID": self.id("approver"), "Name": "Order approver", "Roles": roles.approver})["ID"]
        market.remember("securityProfileID", shopper_profile)
        for index in range(self.data.buyers.count):
            market.buyers.append(self._buyer(market, index, shopper_profile, approver_profile))
        self._catalog(market)
        self._configured_buyer_personas(market)
        if self.data.orders.place:
            self._orders(market)
        return market

    def _storefront_client(self) -> str:
        storefront = self.data.storefront
        body = {
            "AppName": f"{self.run_id} storefront",
            "Active": True,
            "AllowAnyBuyer": True,
            "AllowSeller": True,
            "AccessTokenDuration": storefront.access_token_minutes,
            "RefreshTokenDuration": storefront.refresh_token_minutes,
        }
        return self.create("/apiclients", body)["ID"]

    def _buyer(self, market: SeededMarketplace, index: int, shopper_profile: str, approver_profile: str) -> SeededBuyer:
        buyer_id = self.id(f"buyer{index + 1}")
        # Deleting a buyer does not delete its default catalog (BEHAVIOUR.md §5.3), and the catalog
        # can go only once no buyer has it as its default: undo it too, after the buyer.
        self.delete_later(f"/catalogs/{buyer_id}")
        self.create("/buyers", {"ID": buyer_id, "Name": self.fake.company(), "Active": True})
        buyer = SeededBuyer(id=buyer_id)
        market.remember("buyerID", buyer_id)
        market.remember("catalogID", buyer_id)
        base = f"/buyers/{buyer_id}"
        self.assign("/securityprofiles/assignments", {"SecurityProfileID": shopper_profile, "BuyerID": buyer_id}, f"/securityprofiles/{shopper_profile}/assignments", buyerID=buyer_id)
        for n in range(self.data.buyers.shoppers):
            buyer.shoppers.append(self._user(market, buyer_id, f"b{index + 1}-shopper{n + 1}"))
        buyer.approver = self._user(market, buyer_id, f"b{index + 1}-approver")
        buyer.approver_group_id = self.create(f"{base}/usergroups", {"ID": self.id("approvers"), "Name": "Approvers"})["ID"]
        market.remember("userGroupID", buyer.approver_group_id)
        self.admin.ok("POST", f"{base}/usergroups/assignments", {"UserGroupID": buyer.approver_group_id, "UserID": buyer.approver.user_id})
        self.assign(
            "/securityprofiles/assignments",
            {"SecurityProfileID": approver_profile, "BuyerID": buyer_id, "UserGroupID": buyer.approver_group_id},
            f"/securityprofiles/{approver_profile}/assignments",
            buyerID=buyer_id,
            userGroupID=buyer.approver_group_id,
        )
        for kind in ("ship", "bill"):
            address = self.create(f"{base}/addresses", self._address(kind))
            buyer.address_ids.append(address["ID"])
            market.remember("addressID", address["ID"])
            self.admin.ok("POST", f"{base}/addresses/assignments", {"AddressID": address["ID"], "IsShipping": kind == "ship", "IsBilling": kind == "bill"})
        threshold = self.data.approval.threshold
        rule = {
            "ID": self.id("over-threshold"),
            "Name": f"Orders over {threshold}",
            "ApprovingGroupID": buyer.approver_group_id,
            "RuleExpression": f"order.Total > {threshold}",
        }
        market.remember("approvalRuleID", self.create(f"{base}/approvalrules", rule)["ID"])
        market.remember("costCenterID", self.create(f"{base}/costcenters", {"ID": self.id("cc"), "Name": "Operations"})["ID"])
        spending = {"ID": self.id("budget"), "Name": "Budget", "Balance": self.data.spending_account.balance, "AllowAsPaymentMethod": True}
        market.remember("spendingAccountID", self.create(f"{base}/spendingaccounts", spending)["ID"])
        return buyer

    def _address(self, kind: str) -> dict[str, Any]:
        constants = self.data.addresses
        return {
            "ID": self.id(f"{kind}-{self.fake.unique.random_int(1000, 9999)}"),
            "AddressName": f"{kind.title()} address",
            "FirstName": self.fake.first_name(),
            "LastName": self.fake.last_name(),
            "Street1": self.fake.street_address(),
            "City": self.fake.city(),
            "State": self.fake.state_abbr(),
            "Zip": self.fake.postcode(),
            "Country": constants.country,
            "Phone": self.fake.numerify(constants.phone),
        }

    def _user(self, market: SeededMarketplace, buyer_id: str, name: str) -> SeededUser:
        username = self.id(name)
        password = new_password()
        user = {
            "ID": username,
            "Username": username,
            "Password": password,
            "FirstName": self.fake.first_name(),
            "LastName": self.fake.last_name(),
            "Email": f"{username}@example.com",
            "Active": True,
        }
        self.create(f"/buyers/{buyer_id}/users", user)
        market.remember("userID", username)
        seeded = SeededUser(persona=name, buyer_id=buyer_id, user_id=username, username=username, password=password)
        self.register_persona(seeded, market.storefront_client_id)
        return seeded

    def register_persona(self, user: SeededUser, client_id: str, scope: list[str] | None = None) -> None:
        self.target.tokens.register(
            user.persona,
            Credentials(client_id=client_id, client_secret=None, grant="password", username=user.username, password=user.password, scope=tuple(scope or [])),
        )

    def narrow_persona(self, name: str, roles: list[str], client_id: str, buyer_id: str | None = None) -> SeededUser:
        """A user holding exactly `roles`: a security profile of its own, assigned to it alone.

        A seller user when `buyer_id` is None, a user of that buyer otherwise. It logs in with
        `roles` as its scope, and its token is checked to hold exactly those roles, so that
        profiles assigned more widely (marketplace- or buyer-wide) cannot blur a role test.
        """
        user_id = self.id(name)
        password = new_password()
        users = f"/buyers/{buyer_id}/users" if buyer_id else "/adminusers"
        body = {
            "ID": user_id,
            "Username": user_id,
            "Password": password,
            "FirstName": self.fake.first_name(),
            "LastName": self.fake.last_name(),
            "Email": f"{user_id}@example.com",
            "Active": True,
        }
        self.create(users, body)
        profile = self.create("/securityprofiles", {"ID": self.id(f"{name}-roles"), "Name": f"{name} roles", "Roles": roles})["ID"]
        company = {"buyerID": buyer_id} if buyer_id else {}
        assignment = {"SecurityProfileID": profile, "UserID": user_id, **{key[0].upper() + key[1:]: value for key, value in company.items()}}
        self.assign("/securityprofiles/assignments", assignment, f"/securityprofiles/{profile}/assignments", userID=user_id, **company)
        user = SeededUser(persona=name, buyer_id=buyer_id or "", user_id=user_id, username=user_id, password=password)
        self.register_persona(user, client_id, roles)
        granted = set(self.target.tokens.roles(name))
        if granted != set(roles):
            raise SeedError(f"persona {name}: its token holds {sorted(granted)}, expected exactly {sorted(roles)}; check the target's security profile assignments")
        return user

    def _catalog(self, market: SeededMarketplace) -> None:
        """Categories, then the products, each with its price schedule and assignments; the bodies
        are drawn from Faker in order (reproducible), the products sent at once (fanout.py)."""
        first = market.buyers[0].id
        categories = [{"ID": self.id(f"cat{n + 1}"), "Name": self.fake.word().title(), "Active": True, "ListOrder": n} for n in range(self.data.categories.count)]
        for category in fan_out(lambda body: self.create(f"/catalogs/{first}/categories", body), categories):
            market.category_ids.append(category["ID"])
            market.remember("categoryID", category["ID"])
        count = self.data.products.count
        products = [self._product(n) for n in range(count)]

        def send(n: int) -> None:
            schedule, product = products[n]
            self.create("/priceschedules", schedule)
            self.create("/products", product)
            buyers = market.buyers if n < count - 1 else market.buyers[:1]
            for buyer in buyers:
                self.assign("/catalogs/productassignments", {"CatalogID": buyer.id, "ProductID": product["ID"]}, f"/catalogs/{buyer.id}/productassignments/{product['ID']}")
            category_id = market.category_ids[n % len(market.category_ids)]
            self.assign(
                f"/catalogs/{first}/categories/productassignments",
                {"CategoryID": category_id, "ProductID": product["ID"]},
                f"/catalogs/{first}/categories/{category_id}/productassignments/{product['ID']}",
            )

        fan_out(send, range(count))
        for schedule, product in products:
            market.remember("priceScheduleID", schedule["ID"])
            market.product_ids.append(product["ID"])
            market.remember("productID", product["ID"])
        market.exclusive_product_id = market.product_ids[-1]

    def _product(self, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The n-th product (from 0) and its price schedule."""
        products = self.data.products
        product_id = self.id(f"prod{n + 1}")
        price = round(self.fake.pyfloat(min_value=products.price_min, max_value=products.price_max, right_digits=2), 2)
        schedule = {
            "ID": self.id(f"price{n + 1}"),
            "Name": f"Price of {product_id}",
            "MinQuantity": 1,
            "PriceBreaks": [{"Quantity": step.quantity, "Price": round(price * step.price_factor, 2)} for step in products.price_breaks],
        }
        product = {
            "ID": product_id,
            "Name": self.fake.catch_phrase()[:100],
            "Description": self.fake.sentence(),
            "Active": True,
            "DefaultPriceScheduleID": schedule["ID"],
            "Inventory": {"Enabled": True, "QuantityAvailable": products.inventory.quantity, "OrderCanExceed": products.inventory.order_can_exceed},
            "xp": {"Color": products.colors[n % len(products.colors)], "Rank": n},
        }
        return schedule, product

    def _configured_buyer_personas(self, market: SeededMarketplace) -> None:
        """Buyer personas from ocgate.toml: used as they are when they can log in, created in the first buyer otherwise."""
        for name, persona in self.target.settings.personas.items():
            if persona.user_type != "buyer" or not persona.username or not persona.password:
                continue
            if self._can_log_in(name):
                continue
            buyer = market.buyers[0]
            user = SeededUser(name, buyer.id, self.id(name.replace("_", "-")), persona.username, persona.password.get_secret_value())
            self.create(
                f"/buyers/{buyer.id}/users",
                {"ID": user.user_id, "Username": user.username, "Password": user.password, "FirstName": "Shopper", "LastName": name, "Email": f"{user.user_id}@example.com", "Active": True},
            )
            self.register_persona(user, market.storefront_client_id, persona.scope)
            buyer.shoppers.insert(0, user)

    def _can_log_in(self, persona: str) -> bool:
        try:
            self.target.tokens.token(persona)
        except AuthError:  # not (yet) a user of this marketplace
            return False
        return True

    def _orders(self, market: SeededMarketplace) -> None:
        """Orders in several states, placed by the first buyer's first shopper."""
        buyer = market.buyers[0]
        shopper = self.target.client(buyer.shoppers[0].persona, record=False)
        products = market.product_ids

        def order(status: str, quantity: int, product_index: int = 0) -> str:
            order_id = shopper.ok("POST", "/orders/Outgoing", {"ID": self.id(f"order-{status.lower()}")})["ID"]
            self.delete_later(f"/orders/Incoming/{order_id}")  # once submitted, only an order admin may delete it
            shopper.ok("POST", f"/orders/Outgoing/{order_id}/lineitems", {"ProductID": products[product_index], "Quantity": quantity, "ShippingAddressID": buyer.address_ids[0]})
            market.orders.setdefault(status, []).append(order_id)
            market.remember("orderID", order_id)
            return order_id

        order("Unsubmitted", 1)
        shopper.ok("POST", f"/orders/Outgoing/{order('Open', 2)}/submit")
        completed = order("Completed", 1, 1)
        shopper.ok("POST", f"/orders/Outgoing/{completed}/submit")
        self.admin.ok("POST", f"/orders/Incoming/{completed}/ship", {})
        # Shipping creates a shipment (BEHAVIOUR.md §4.5) that outlives the order: remove it first.
        for shipment in self.admin.ok("GET", f"/orders/Incoming/{completed}/shipments")["Items"]:
            self.delete_later(f"/shipments/{shipment['ID']}")
        big = order("AwaitingApproval", 1, 2)
        line = shopper.ok("GET", f"/orders/Outgoing/{big}/lineitems")["Items"][0]
        quantity = self.data.quantity_over_threshold(float(line["UnitPrice"] or 1))
        shopper.ok("PATCH", f"/orders/Outgoing/{big}/lineitems/{line['ID']}", {"Quantity": quantity})
        shopper.ok("POST", f"/orders/Outgoing/{big}/submit")


def _delete(entry: tuple[OrderCloudClient, str, dict[str, str]]) -> str | None:
    client, path, params = entry
    try:
        response = client.delete(path, **params)
    except AuthError as error:  # the persona that made it can no longer log in: say so, go on
        return f"DELETE {path}: {error}"
    return None if response.status_code in (200, 204, 404) else f"DELETE {path} -> {response.status_code}"


def seed_marketplace(target: Target, plan: SeedPlan | None = None, run_id: str | None = None) -> tuple[Seeder, SeededMarketplace]:
    """Seed the target's fixture data (DataError if it is malformed); call `seeder.cleanup()` when done (also after failures)."""
    seeder = Seeder(target, run_id=run_id, plan=plan)
    try:
        return seeder, seeder.seed()
    except BaseException:
        seeder.cleanup()
        raise
