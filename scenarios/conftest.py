"""The stage every journey plays on: one seeded marketplace per session, its people, and factories.

The session seeds a fixture marketplace through the public API (`ocgate.api.seeding`):
two buyer organizations with shoppers (roles from a security profile assigned to the
buyer), approvers (profile assigned to their user group), addresses, an approval rule,
products with price breaks and inventory in catalogs and categories. Journeys add what
they need through the factories below: narrow personas (a profile assigned to the user
alone), products with known prices and stock, orders. Every ID carries the run's
prefix, Faker data comes from a fixed seed, and teardown deletes everything created,
newest first. Under pytest-xdist each worker seeds a marketplace of its own.

Only the public API is used, through `target.client(persona)`: every call is an
Allure step (persona, method, path, status). The masked request and response of each call
are kept while a test runs (its fixtures' calls included) and attached only when it fails;
a passing test's steps tell its journey without them.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import allure
import pytest
from actors import Actor
from allure_commons.utils import represent
from expect import holds_documented_arithmetic

from ocgate.api.client import Exchange, OrderCloudClient, attach_kept, checking_answers, keep_exchanges, unrecorded
from ocgate.api.fanout import FAN_OUT, fan_out
from ocgate.api.seeding import (
    SeededBuyer,
    SeededMarketplace,
    Seeder,
    SeedPlan,
    seed_marketplace,
)
from ocgate.api.target import Target, open_target
from ocgate.config import Settings, load_settings
from ocgate.errors import CannotRun, ExitCode, record_cannot_run
from ocgate.scenarios import role_matrix
from ocgate.spec import Spec, load_spec

#: Where test processes (xdist workers included) leave role-matrix observations for the report.
MATRIX_LOG = ".role-matrix-observations.jsonl"


@contextmanager
def or_stop(step: str) -> Iterator[None]:
    """Stop the whole run, in one line, when the target cannot be used at all (bad config, refused login, ...)."""
    try:
        yield
    except CannotRun as error:
        line = record_cannot_run(_reports_dir(), "scenarios", error)
        pytest.exit(f"ocgate scenarios cannot run: {step}: {line}", returncode=ExitCode.CANNOT_RUN)


def _reports_dir() -> Path:
    """Where the run's reports go (the orchestrator names it; else the working directory's reports/)."""
    return Path(os.environ.get("OCGATE_REPORTS_DIR", "reports"))


def current_settings() -> Settings:
    with or_stop("reading the configuration"):
        return load_settings()


# -- the target and the marketplace ----------------------------------------------------------


@pytest.fixture(scope="session")
def settings() -> Settings:
    return current_settings()


@pytest.fixture(scope="session")
def spec(settings: Settings) -> Spec:
    with or_stop("loading the OpenAPI document"):
        return load_spec(settings.spec_location)


@pytest.fixture(scope="session")
def target(settings: Settings) -> Iterator[Target]:
    with ExitStack() as stack:
        with or_stop("opening the target"):
            opened = stack.enter_context(open_target(settings))
        yield opened


@pytest.fixture(scope="session")
def seeded(target: Target) -> Iterator[tuple[Seeder, SeededMarketplace]]:
    with or_stop("seeding the fixture marketplace"):
        seeder, market = seed_marketplace(target, SeedPlan())
    yield seeder, market
    with unrecorded():  # a session fixture's steps are copied into every test's teardown in the report
        leftovers = seeder.cleanup()
    assert not leftovers, f"teardown could not remove everything run {market.run_id} created: {'; '.join(leftovers)}"


@pytest.fixture(scope="session")
def seeder(seeded: tuple[Seeder, SeededMarketplace]) -> Seeder:
    return seeded[0]


@pytest.fixture(scope="session")
def marketplace(seeded: tuple[Seeder, SeededMarketplace]) -> SeededMarketplace:
    return seeded[1]


@pytest.fixture(scope="session")
def buyer_a(marketplace: SeededMarketplace) -> SeededBuyer:
    return marketplace.buyers[0]


@pytest.fixture(scope="session")
def buyer_b(marketplace: SeededMarketplace) -> SeededBuyer:
    return marketplace.buyers[1]


# -- people ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def api(target: Target) -> Callable[[str], OrderCloudClient]:
    """persona name -> its API client (one per persona for the whole session)."""
    return functools.cache(target.client)


@pytest.fixture(scope="session")
def seller(api: Callable[[str], OrderCloudClient]) -> OrderCloudClient:
    """The seller admin of the marketplace (FullAccess), as configured."""
    return api("seller_admin")


@pytest.fixture(scope="session")
def new_actor(seeder: Seeder, marketplace: SeededMarketplace, api: Callable[[str], OrderCloudClient]) -> Callable[..., Actor]:
    """`new_actor(name, roles, buyer=None)`: a user holding exactly `roles` (a seller user without a buyer)."""

    def make(name: str, roles: tuple[str, ...] | None = None, buyer: SeededBuyer | None = None) -> Actor:
        """`roles` default to the seeded shopper's (data/marketplace.toml)."""
        user = seeder.narrow_persona(name, list(roles or marketplace.data.roles.shopper), marketplace.storefront_client_id, buyer.id if buyer else None)
        return Actor(user, api(name))

    return make


@pytest.fixture(scope="session")
def order_desk(new_actor: Callable[..., Actor]) -> Actor:
    """The seller's fulfilment clerk: manages orders and shipments, nothing else."""
    return new_actor("order-desk", ("OrderAdmin", "ShipmentAdmin"))


@pytest.fixture(scope="session")
def role_personas(seeder: Seeder, marketplace: SeededMarketplace, spec: Spec) -> dict[str, role_matrix.RolePersona]:
    """One persona per role of the spec (seller users, and buyer users of the second buyer), created at once:
    each is a user, a profile and an assignment of its own."""
    needed = role_matrix.personas_needed(role_matrix.build_matrix(spec))

    def create(persona: role_matrix.RolePersona) -> None:
        buyer_id = marketplace.buyers[-1].id if persona.side == "buyer" else None
        seeder.narrow_persona(persona.name, [persona.role], marketplace.storefront_client_id, buyer_id)

    fan_out(create, needed)
    return {persona.name: persona for persona in needed}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--matrix-workers",
        type=int,
        default=FAN_OUT,
        help=f"role matrix: probes sent at once (default {FAN_OUT}; 1 sends them one by one in matrix order)",
    )


@pytest.fixture(scope="session")
def matrix_workers(request: pytest.FixtureRequest) -> int:
    return max(1, request.config.getoption("--matrix-workers"))


# -- things to buy and orders -------------------------------------------------------------------


@pytest.fixture(scope="session")
def new_product(seeder: Seeder, seller: OrderCloudClient, buyer_a: SeededBuyer) -> Callable[..., dict[str, Any]]:
    """`new_product(name, price_breaks, inventory=None, buyers=(buyer_a,))`: a priced product in those buyers' catalogs.

    `price_breaks` is [(quantity, unit price), ...]; `inventory` the QuantityAvailable
    (tracking enabled, orders may not exceed it), or None for no tracking.
    """

    def make(name: str, price_breaks: list[tuple[int, float]], inventory: int | None = None, buyers: tuple[SeededBuyer, ...] = (buyer_a,)) -> dict[str, Any]:
        product_id = seeder.id(name)
        breaks = [{"Quantity": quantity, "Price": price} for quantity, price in price_breaks]
        seeder.create("/priceschedules", {"ID": product_id, "Name": f"{name} price", "MinQuantity": 1, "PriceBreaks": breaks}, client=seller)
        product = {
            "ID": product_id,
            "Name": seeder.fake.catch_phrase()[:100],
            "Description": seeder.fake.sentence(),
            "Active": True,
            "DefaultPriceScheduleID": product_id,
            "Inventory": {"Enabled": True, "QuantityAvailable": inventory, "OrderCanExceed": False} if inventory is not None else None,
        }
        created = seeder.create("/products", product, client=seller)
        for buyer in buyers:
            seeder.assign("/catalogs/productassignments", {"CatalogID": buyer.id, "ProductID": product_id}, f"/catalogs/{buyer.id}/productassignments/{product_id}")
        return created

    return make


@pytest.fixture(scope="session")
def place_order(seeder: Seeder) -> Callable[..., dict[str, Any]]:
    """`place_order(shopper, [(productID, quantity), ...], ship_to=addressID)`: an unsubmitted order with those lines."""
    numbers = itertools.count(1)

    def make(shopper: Actor, lines: list[tuple[str, int]], ship_to: str | None = None) -> dict[str, Any]:
        order_id = shopper.api.ok("POST", "/orders/Outgoing", {"ID": seeder.id(f"{shopper.user.persona}-order{next(numbers)}")})["ID"]
        seeder.delete_later(f"/orders/Incoming/{order_id}")  # once submitted, only an order admin may delete it
        for product_id, quantity in lines:
            shopper.api.ok("POST", f"/orders/Outgoing/{order_id}/lineitems", {"ProductID": product_id, "Quantity": quantity, "ShippingAddressID": ship_to})
        return shopper.api.ok("GET", f"/orders/Outgoing/{order_id}")

    return make


# -- what a test leaves in the report ---------------------------------------------------------------

#: The exchanges of a test's calls, kept from its setup to its teardown.
KEPT_EXCHANGES = pytest.StashKey[list[Exchange]]()
#: Whether a phase of the test (setup, call or teardown) failed or errored.
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    """Keep the exchanges of every call a test makes (fixtures set up for it included); every answer
    must hold the document's arithmetic (expect.holds_documented_arithmetic: a wrong total fails the journey)."""
    with keep_exchanges() as kept, checking_answers(holds_documented_arithmetic):
        item.stash[KEPT_EXCHANGES] = kept
        try:
            return (yield)
        finally:
            item.stash[KEPT_EXCHANGES] = []  # a passing test's exchanges are dropped here


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Once a test is done: a failed one gets all its exchanges attached, in order; a passed one, none."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[FAILED] = True
    if report.when == "teardown" and item.stash.get(FAILED, False):
        attach_kept(item.stash.get(KEPT_EXCHANGES, []))
    return report


#: Longer parameter values are shown by their test ID: the role matrix's entries print as 17 KB each.
MAX_PARAMETER_CHARS = 200


@pytest.fixture(autouse=True)
def short_parameters(request: pytest.FixtureRequest) -> None:
    """Show a long parameter value by its test ID (or cut short) in the report; history stays keyed
    on the value."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is None:
        return
    for name, value in callspec.params.items():
        shown = represent(value)
        if len(shown) > MAX_PARAMETER_CHARS:
            allure.dynamic.parameter(name, callspec.id if len(callspec.params) == 1 else shown[: MAX_PARAMETER_CHARS - 1] + "…")


# -- the role-matrix report -----------------------------------------------------------------------


def _matrix_log() -> Path:
    return current_settings().reports_path / MATRIX_LOG


def _is_worker(session: pytest.Session) -> bool:
    return hasattr(session.config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not _is_worker(session):
        _matrix_log().unlink(missing_ok=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """After every worker is done: turn the observations into reports/role-matrix.csv and .md."""
    if _is_worker(session):
        return
    settings = current_settings()
    log = settings.reports_path / MATRIX_LOG
    observations = role_matrix.read_log(log)
    if observations:
        uncovered = role_matrix.roles_without_operations(load_spec(settings.spec_location))
        role_matrix.write_reports(observations, settings.reports_path, uncovered)
    log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def matrix_log() -> Path:
    return _matrix_log()
