"""The security suite's stage: two buyer companies, a victim (A) and an intruder (B), and raw token calls.

The session seeds a small fixture marketplace through the public API (`ocgate.api.seeding`):
two buyer companies, each with a shopper, an approver group, addresses, an approval rule, a
cost center and a spending account. Buyer A also gets an order with a line item and a payment,
a credit card and a spending account of IDs only A has: `victim_ids` maps each path parameter
(lower case) to an object of A. The intruder is a user of buyer B holding exactly the roles the
probed operations need (`Seeder.narrow_persona`). Every user the suite logs in with, fails a
login for, or asks a password reset for is one it created, so no real user is ever locked out.
Teardown deletes everything created, newest first: the suite leaves no trace.

Findings ("Security: <rule>: <operation>: ...") covered by a live waiver in
security/waivers.toml (or OCGATE_SECURITY_WAIVERS) are reported as skipped "known: ...".
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import allure
import httpx
import pytest
from checks import RULE_NAMES

from ocgate.api.client import Exchange, OrderCloudClient, attach_exchange, attach_kept, keep_exchanges, unrecorded
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, SeededUser, Seeder, SeedPlan, seed_marketplace
from ocgate.api.target import Target, open_target
from ocgate.config import Settings, load_settings
from ocgate.contract.waivers import Waivers, load_waivers
from ocgate.errors import CannotRun, ExitCode, record_cannot_run
from ocgate.security import derive
from ocgate.security.findings import TOKEN_ENDPOINT, Finding, waived
from ocgate.spec import Spec, load_spec

SUITE = "security"
WAIVERS_FILE = Path(__file__).with_name("waivers.toml")
#: The path parameters the suite can fill with an object of buyer A (lower case): what `derive.fillable` asks.
VICTIM_PARAMS = (
    "buyerid", "userid", "usergroupid", "addressid", "approvalruleid", "costcenterid",
    "creditcardid", "spendingaccountid", "orderid", "lineitemid", "paymentid", "direction",
)  # fmt: skip
#: What a fresh probe sends in a PATCH: a marker in xp, where the other company would find it.
PROBE_KEY = "ocgateSecurityProbe"
PLAN = pytest.StashKey["Plan"]()


def _reports_dir() -> Path:
    return Path(os.environ.get("OCGATE_REPORTS_DIR", "reports"))


@contextmanager
def or_stop(step: str) -> Iterator[None]:
    """Stop the whole suite, in one line, when the target cannot be used at all."""
    try:
        yield
    except CannotRun as error:
        line = record_cannot_run(_reports_dir(), SUITE, error)
        pytest.exit(f"ocgate security cannot run: {step}: {line}", returncode=ExitCode.CANNOT_RUN)


@dataclass
class Plan:
    """What the configuration and the document say, read once before collection."""

    settings: Settings
    spec: Spec
    waivers: Waivers


def pytest_configure(config: pytest.Config) -> None:
    with or_stop("reading the configuration"):
        settings = load_settings()
    with or_stop("loading the OpenAPI document"):
        spec = load_spec(settings.spec_location)
    with or_stop("reading the waiver file"):
        path = Path(os.environ.get("OCGATE_SECURITY_WAIVERS") or WAIVERS_FILE)
        known = [op.operation_id for op in spec.operations] + [TOKEN_ENDPOINT]
        waivers = load_waivers(path, known, RULE_NAMES)
    config.stash[PLAN] = Plan(settings, spec, waivers)


def plan_of(config: pytest.Config) -> Plan:
    return config.stash[PLAN]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per probe the document yields (see ocgate.security.derive for how it samples)."""
    spec = plan_of(metafunc.config).spec
    ids = dict.fromkeys(VICTIM_PARAMS, "")
    if "isolation_probe" in metafunc.fixturenames:
        probes, _ = derive.isolation_probes(spec, ids)
        metafunc.parametrize("isolation_probe", probes, ids=[f"{p.op.operation_id}-{p.kind}" for p in probes])
    if "read_only_op" in metafunc.fixturenames:
        ops = derive.read_only_probes(spec, ids)
        metafunc.parametrize("read_only_op", ops, ids=[op.operation_id for op in ops])
    if "secret_op" in metafunc.fixturenames:
        ops = derive.secret_probes(spec, ids)
        metafunc.parametrize("secret_op", ops, ids=[op.operation_id for op in ops])
    if "recovery_op" in metafunc.fixturenames:
        ops = derive.enumeration_operations(spec)
        metafunc.parametrize("recovery_op", ops, ids=[op.operation_id for op in ops])


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A finding whose every problem a live waiver covers is reported as skipped "known: ..."."""
    try:
        return (yield)
    except Finding as finding:
        covering, still_open = waived(finding, plan_of(pyfuncitem.config).waivers)
        if covering and not still_open:
            pytest.skip("known: " + "; ".join(waiver.describe() for waiver in covering))
        if covering:
            raise Finding(still_open) from None
        raise


#: The exchanges of a test's calls, kept from its setup to its teardown; attached only when it fails.
KEPT = pytest.StashKey[list[Exchange]]()
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    with keep_exchanges() as kept:
        item.stash[KEPT] = kept
        try:
            return (yield)
        finally:
            item.stash[KEPT] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test gets the masked request and response of every call it made; a passing one, its steps only."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[FAILED] = True
    if report.when == "teardown" and item.stash.get(FAILED, False):
        attach_kept(item.stash.get(KEPT, []))
    return report


@pytest.fixture(autouse=True)
def security_labels(request: pytest.FixtureRequest) -> None:
    allure.dynamic.parent_suite(SUITE)
    allure.dynamic.suite("Security")
    allure.dynamic.sub_suite(request.node.module.__name__.removeprefix("test_").replace("_", " "))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    plan = config.stash.get(PLAN, None)
    if plan is None:
        return
    probes, unsampled = derive.isolation_probes(plan.spec, dict.fromkeys(VICTIM_PARAMS, ""))
    owned = derive.company_owned(plan.spec)
    terminalreporter.write_sep("-", "ocgate security")
    terminalreporter.write_line(f"isolation: {len(owned)} operations name an object of one buyer company; {len(probes)} probes stand for their families")
    if unsampled:
        terminalreporter.write_line(f"isolation families not sampled (no object of buyer A to name): {', '.join(unsampled)}")
    for waiver in plan.waivers.expired():
        terminalreporter.write_line(f"expired waiver (no longer applies): {waiver.describe()}")


# -- the target and the marketplace ----------------------------------------------------------------


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return plan_of(pytestconfig).settings


@pytest.fixture(scope="session")
def spec(pytestconfig: pytest.Config) -> Spec:
    return plan_of(pytestconfig).spec


@pytest.fixture(scope="session")
def target(settings: Settings) -> Iterator[Target]:
    with ExitStack() as stack:
        with or_stop("opening the target"):
            opened = stack.enter_context(open_target(settings))
        yield opened


@pytest.fixture(scope="session")
def seeded(target: Target) -> Iterator[tuple[Seeder, SeededMarketplace]]:
    with or_stop("seeding the fixture marketplace"):
        seeder, market = seed_marketplace(target, SeedPlan(buyers=2, shoppers_per_buyer=1, products=2, categories=1, orders=False))
    yield seeder, market
    with unrecorded():
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


@pytest.fixture(scope="session")
def api(target: Target) -> Callable[[str], OrderCloudClient]:
    """persona name -> its API client (one per persona for the whole session)."""
    return functools.cache(target.client)


@pytest.fixture(scope="session")
def seller(api: Callable[[str], OrderCloudClient]) -> OrderCloudClient:
    return api("seller_admin")


@pytest.fixture(scope="session")
def shopper_a(buyer_a: SeededBuyer, api: Callable[[str], OrderCloudClient]) -> OrderCloudClient:
    """Buyer A's seeded shopper (the seeded shopper roles, data/marketplace.toml)."""
    return api(buyer_a.shoppers[0].persona)


@pytest.fixture(scope="session")
def new_user(seeder: Seeder, marketplace: SeededMarketplace) -> Callable[..., SeededUser]:
    """`new_user(name, roles=None, buyer=A)`: a user of the run holding exactly `roles` (default: the shopper's)."""

    def make(name: str, roles: tuple[str, ...] | None = None, buyer: SeededBuyer | None = None) -> SeededUser:
        with or_stop(f"creating the user {name}"):
            return seeder.narrow_persona(name, list(roles or marketplace.data.roles.shopper), marketplace.storefront_client_id, (buyer or marketplace.buyers[0]).id)

    return make


# -- the victim's objects and the intruder ------------------------------------------------------------


@pytest.fixture(scope="session")
def victim_ids(seeder: Seeder, marketplace: SeededMarketplace, buyer_a: SeededBuyer, seller: OrderCloudClient, shopper_a: OrderCloudClient) -> dict[str, str]:
    """Path parameter (lower case) -> an object of buyer A, with IDs no object of buyer B has."""
    base = f"/buyers/{buyer_a.id}"
    with or_stop("creating buyer A's objects"):
        card = seeder.create(f"{base}/creditcards", {"ID": seeder.id("sec-card-a"), "CardholderName": "A Cardholder", "CardType": "Visa", "PartialAccountNumber": "4242"}, client=seller)
        shopper = buyer_a.shoppers[0].user_id
        seeder.assign(f"{base}/creditcards/assignments", {"CreditCardID": card["ID"], "UserID": shopper}, f"{base}/creditcards/{card['ID']}/assignments", userID=shopper, client=seller)
        budget = seeder.create(f"{base}/spendingaccounts", {"ID": seeder.id("sec-budget-a"), "Name": "A's budget", "Balance": 100}, client=seller)
        order = shopper_a.ok("POST", "/orders/Outgoing", {"ID": seeder.id("sec-order-a")})
        seeder.delete_later(f"/orders/Incoming/{order['ID']}")
        line = shopper_a.ok("POST", f"/orders/Outgoing/{order['ID']}/lineitems", {"ProductID": marketplace.product_ids[0], "Quantity": 1, "ShippingAddressID": buyer_a.address_ids[0]})
        payment = shopper_a.ok("POST", f"/orders/Outgoing/{order['ID']}/payments", {"ID": seeder.id("sec-payment-a"), "Type": "PurchaseOrder"})
    return {
        "buyerid": buyer_a.id,
        "userid": buyer_a.shoppers[0].user_id,
        "usergroupid": buyer_a.approver_group_id,
        "addressid": buyer_a.address_ids[0],
        "approvalruleid": seeder.id("over-threshold"),
        "costcenterid": seeder.id("cc"),
        "creditcardid": card["ID"],
        "spendingaccountid": budget["ID"],
        "orderid": order["ID"],
        "lineitemid": line["ID"],
        "paymentid": payment["ID"],
        "direction": "Outgoing",
    }


@pytest.fixture(scope="session")
def intruder(spec: Spec, new_user: Callable[..., SeededUser], buyer_b: SeededBuyer, api: Callable[[str], OrderCloudClient]) -> OrderCloudClient:
    """A user of buyer B holding every role the isolation probes need: only isolation stands in its way."""
    probes, _ = derive.isolation_probes(spec, dict.fromkeys(VICTIM_PARAMS, ""))
    roles = sorted({role for probe in probes if (role := derive.acting_role(probe.op))})
    user = new_user("intruder-b", tuple(roles), buyer_b)
    return api(user.persona)


def fill(path: str, ids: dict[str, str]) -> str:
    """A path template with each parameter replaced by the victim's object."""
    for param in _params(path):
        path = path.replace("{" + param + "}", ids[param.lower()])
    return path


def _params(path: str) -> list[str]:
    return [segment[1:-1] for segment in path.split("/") if segment.startswith("{") and segment.endswith("}")]


# -- raw calls: the token endpoint and bearer tokens the persona clients would renew ----------------------


@dataclass
class Raw:
    """The target's token endpoint and /v1, called with exactly the token given (no renewal)."""

    target: Target
    http: httpx.Client

    def token(self, **form: str) -> httpx.Response:
        with allure.step(f"POST /oauth/token ({form.get('grant_type')})"):
            response = self.http.post(self.target.token_url, data=form)
            attach_exchange(response)
        return response

    def call(self, method: str, path: str, access_token: str | None, what: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token is not None else {}
        with allure.step(f"{method} /v1{path} with {what}"):
            response = self.http.request(method, f"{self.target.base_url}/v1{path}", headers=headers, json=body)
            attach_exchange(response)
        return response


@pytest.fixture(scope="session")
def raw(target: Target) -> Iterator[Raw]:
    with httpx.Client(timeout=30) as http:
        yield Raw(target, http)


@pytest.fixture(scope="session")
def login(raw: Raw, marketplace: SeededMarketplace) -> Callable[..., dict[str, Any]]:
    """`login(user, client_id=storefront, scope=None)`: a password grant's answer (must succeed)."""

    def grant(user: SeededUser, client_id: str | None = None, scope: str | None = None) -> dict[str, Any]:
        form = {"grant_type": "password", "client_id": client_id or marketplace.storefront_client_id, "username": user.username, "password": user.password}
        response = raw.token(**form, **({"scope": scope} if scope else {}))
        assert response.status_code == 200, f"the run's user {user.persona} could not log in: {response.status_code} {response.text[:200]}"
        return response.json()

    return grant
