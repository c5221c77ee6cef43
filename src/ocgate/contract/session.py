"""One contract run against one target, from the seeded fixtures to the last cleanup call.

`GateSession.open(plan)` starts the target (the embedded sandbox, in its own process so
that it has a core of its own), seeds a fixture marketplace, adds the contract run's own
personas, and lists what exists. `bind(schema)` gives a Schemathesis schema the role-aware
auth provider and a hook that turns failures covered by a waiver into "known" ones; `send`
prepares each call (path parameters, run-scoped IDs, protected fixtures), sends it and
records what it did (coverage, created objects). On exit everything the suite created
is removed, then the fixtures; on a sandbox the object count must equal the count before.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from schemathesis import AuthContext, Case, HookContext
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.transport import Response
from schemathesis.generation.meta import TestPhase
from schemathesis.schemas import APIOperation, BaseSchema

from ..api.client import OrderCloudClient
from ..api.fanout import delete_all
from ..api.pacing import PACER, RETRY_STATUSES
from ..api.seeding import SeededMarketplace, Seeder, new_password, seed_marketplace
from ..api.target import Target, open_target
from ..api.tokens import AuthError, Credentials
from ..errors import CannotRun
from ..redact import redact_body, redact_text
from ..spec import Operation
from .coverage import Coverage
from .fixtures import ContractFixtures
from .kinds import Kinds
from .objects import DISCOVERY_PAGE, Objects, Ref, discover, format_path
from .orders import UNSUBMITTED, OrderPool, StatusPool
from .personas import (
    APPROVER,
    BUYER_PERSONAS,
    ME_WRITER,
    ROLELESS,
    SELLER,
    SHOPPER,
    direction_for,
    persona_for,
)
from .plan import GatePlan
from .probes import Prober
from .profiles import SEND_EACH_BODY_ONCE
from .repeats import SentBodies
from .returns import ReturnPool
from .semantics import Semantics
from .waivers import Waivers, load_waivers
from .workers import attach
from .writes import Undo, Writes

REQUEST_TIMEOUT = 30
#: Calls after which /cart is another order (BEHAVIOUR.md §4.2: the cart is the active unsubmitted order),
#: so the run pins a new one of its own.
CART_CHANGES = frozenset({"Cart.SetActiveCart", "Cart.Submit", "Cart.Delete"})
#: Calls that submit the cart or a pool order, or check that it could be: only orders whose payments
#: are Accepted are (BEHAVIOUR.md §4: Order.CannotSubmitWithUnaccceptedPayments).
CART_SUBMITS = frozenset({"Cart.Submit", "Cart.Validate"})
ORDER_SUBMITS = frozenset({"Orders.Submit", "Orders.Validate"})
#: A role the contract run's roleless user does not hold: asking for only it yields a token without roles.
UNHELD_ROLE = "XpIndexAdmin"


class GateError(CannotRun):
    """The target cannot host a contract run as set up here; the message says why."""


def sandbox_counts(base_url: str) -> dict[str, int] | None:
    """Objects per collection, when the target is an (embedded) sandbox; None for a real OrderCloud."""
    try:
        response = httpx.get(f"{base_url}/_sandbox/counts", timeout=10)
        return response.json()["collections"] if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def failure_checks(failure: Failure) -> tuple[str, ...]:
    """The name(s) of the check a failure comes from."""
    named = getattr(failure, "check", None)
    if isinstance(named, str):
        return (named,)
    if type(failure).checks:
        return type(failure).checks
    title = failure.title or ""
    return (title.split("`")[1],) if title.count("`") >= 2 else ()


@dataclass
class GateSession:
    plan: GatePlan
    target: Target
    seeder: Seeder
    market: SeededMarketplace
    waivers: Waivers
    reports_dir: Path
    counts_before: dict[str, int] | None
    kinds: Kinds = field(init=False)
    objects: Objects = field(init=False)
    writes: Writes = field(init=False)
    coverage: Coverage = field(default_factory=Coverage)
    prober: Prober = field(init=False)
    semantics: Semantics = field(init=False)
    bodies: SentBodies = field(init=False)
    pool: OrderPool = field(init=False)
    #: operationId -> descriptions of the waivers that covered a failure of it in this run
    known: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: fixtures the target refused (the operations that need them will not reach 2xx)
    notes: list[str] = field(default_factory=list)
    #: the buyer shopper's orders before the run's calls (None until the run has started)
    shopper_orders: set[str] | None = None
    #: the order the run pinned as the shopper's cart
    cart_id: str | None = None
    clients: dict[str, OrderCloudClient] = field(default_factory=dict)
    _users: Iterator[int] = field(default_factory=itertools.count)
    _attached: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.kinds = Kinds(self.plan.spec)
        self.objects = Objects.for_spec(self.plan.spec)
        self.writes = Writes(self.kinds, self.objects, self.market.run_id)
        self.semantics = Semantics(self.kinds)
        self.bodies = SentBodies(enabled=SEND_EACH_BODY_ONCE[self.plan.contract.profile])
        self.prober = Prober(lambda: self.authorization_of(ROLELESS), log=self.semantics.log)
        self.pool = OrderPool(
            shopper=self.client(SHOPPER),
            market=self.market,
            writes=self.writes,
            seller_persona=SELLER,
        )
        self.returns = ReturnPool(orders=self.pool, seller=self.client(SELLER), writes=self.writes, seller_persona=SELLER)
        #: objects in the status an operation needs, each pool for one path parameter (orderID, returnID)
        self.pools: tuple[StatusPool, ...] = (self.pool, self.returns)

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    @contextmanager
    def open(cls, plan: GatePlan, reports_dir: Path, check_names: Iterable[str] = ()) -> Iterator[GateSession]:
        waivers = load_waivers(plan.waivers_path, (op.operation_id for op in plan.spec.operations), check_names)
        with open_target(plan.settings, sandbox_mode="process") as target:
            counts_before = sandbox_counts(target.base_url)
            seeder, market = seed_marketplace(target)
            session = cls(plan, target, seeder, market, waivers, reports_dir, counts_before)
            try:
                session._add_personas()
                fixtures = ContractFixtures(session.client(SELLER), SELLER, session.writes)
                session.notes += fixtures.add(market, target.tokens.client_id(SELLER))
                session.returns.product_id = fixtures.returnable_product
                # GET /oauth/certs/{ID} serves the key that signs the tokens: its ID is their `kid`.
                session.objects.add(Ref("/oauth/certs", (), jwt.get_unverified_header(target.tokens.token(SELLER))["kid"]))
                discover(session.objects, plan.spec, session._list_page, lambda op: direction_for(persona_for(op)))
                session._new_cart()
                session.shopper_orders = session._shopper_orders()
                yield session
            finally:
                session._finish()

    def _add_personas(self) -> None:
        """The approver, a user whose own account the /me writes may change, and a user without roles."""
        approver = self.market.buyers[0].approver
        assert approver is not None
        self._register(APPROVER, approver.username, approver.password, ())
        self._new_user(ME_WRITER, tuple(self.market.data.roles.shopper))
        self._new_user(ROLELESS, (UNHELD_ROLE,))
        granted = self.target.tokens.roles(ROLELESS)
        if granted:
            raise GateError(f"the roleless probe user got roles {', '.join(granted)} when asking only for {UNHELD_ROLE}; 403 probes would be meaningless")

    def _new_user(self, persona: str, scope: tuple[str, ...]) -> None:
        """A new user of the first seeded buyer (removed with the fixtures), logged in as `persona`."""
        user_id, password = self.seeder.id(f"{persona.replace('_', '-')}-{next(self._users)}"), new_password()
        user = {"ID": user_id, "Username": user_id, "Password": password, "FirstName": "Contract", "LastName": persona, "Email": f"{user_id}@example.com", "Active": True}
        self.seeder.create(f"/buyers/{self.market.buyers[0].id}/users", user)
        self._register(persona, user_id, password, scope)

    def _register(self, persona: str, username: str, password: str, scope: tuple[str, ...]) -> None:
        client_id = self.market.storefront_client_id
        self.target.tokens.register(persona, Credentials(client_id=client_id, client_secret=None, grant="password", username=username, password=password, scope=scope))

    def client(self, persona: str) -> OrderCloudClient:
        """One client per persona for the run's own calls (setup, discovery, cleanup)."""
        if persona not in self.clients:
            self.clients[persona] = client = self.target.client(persona, record=False)
            # The run's own writes (pools, cart upkeep, cleanup) go in the write log too (semantics.py).
            client.http.event_hooks["request"].append(self._log_write)
            client.http.event_hooks["response"].append(lambda response: self.semantics.log.end(response.request.extensions.get("ocgate_write")))
        return self.clients[persona]

    def _log_write(self, request: httpx.Request) -> None:
        request.extensions["ocgate_write"] = self.semantics.log.begin(request.method, request.url.path, self.cart_id)

    def _list_page(self, op: Operation, params: dict[str, str]) -> Any:
        client = self.client(persona_for(op))
        response = client.get(format_path(op.path, params), pageSize=DISCOVERY_PAGE)
        return response.json() if response.is_success else None

    def _shopper_orders(self) -> set[str]:
        """IDs of every order the buyer shopper has placed (its carts included)."""
        ids, page, pages = set(), 1, 1
        while page <= pages:
            answer = self.client(SHOPPER).ok("GET", "/me/orders", pageSize=100, page=page)
            ids.update(order["ID"] for order in answer["Items"])
            page, pages = page + 1, answer["Meta"]["TotalPages"]
        return ids

    def _finish(self) -> None:
        if self.shopper_orders is not None:
            # Cart calls make orders implicitly (the cart is always an order): remove those too.
            undone = {undo.path for undo in self.writes.undo}
            for order_id in self._shopper_orders() - self.shopper_orders:
                if f"/orders/Incoming/{order_id}" not in undone:
                    self.writes.undo.insert(0, Undo(SELLER, f"/orders/Incoming/{order_id}"))
        leftovers = self._undo_suite_writes() + self.seeder.cleanup()
        if leftovers:
            self.problems.append("cleanup failed: " + "; ".join(leftovers))
        if self.counts_before is not None:
            after = sandbox_counts(self.target.base_url) or {}
            changed = {name: (self.counts_before.get(name, 0), after.get(name, 0)) for name in set(self.counts_before) | set(after)}
            changed = {name: counts for name, counts in changed.items() if counts[0] != counts[1]}
            if changed:
                self.problems.append("the sandbox holds other objects than before the run: " + ", ".join(f"{name} {before} -> {now}" for name, (before, now) in sorted(changed.items())))
        self.coverage.write(self.reports_dir, self.coverage_report())

    def _undo_suite_writes(self) -> list[str]:
        """Delete what the suite created, children before parents, many at once (api/fanout.py);
        what refuses (e.g. a catalog still some buyer's default) is tried again after the rest."""
        refused = delete_all(self.writes.undo, lambda undo: undo.path, self._undo)
        self.writes.undo.clear()
        return refused

    def _undo(self, undo: Undo) -> str | None:
        try:
            response = self.client(undo.persona).delete(undo.path, **dict(undo.query))
        except httpx.HTTPError as error:  # one undo that cannot be sent must not stop the others
            return f"DELETE {undo.path!r} -> {error}"
        return None if response.status_code in (200, 204, 404) else f"DELETE {undo.path} -> {response.status_code} {_error_code(response)}"

    def coverage_report(self) -> dict[str, Any]:
        return self.coverage.report(
            [op.operation_id for op in self.plan.selected],
            run_id=self.market.run_id,
            profile=self.plan.contract.profile,
            spec=self.plan.spec.version,
            target=self.plan.settings.region(),
            probe_requests=self.prober.sent,
            # positive coverage bodies not sent again to another write of their resource (repeats.py)
            bodies_not_sent=self.bodies.not_sent,
            # the semantic checks' reads (contracts/checks.py semantic_checks), per rule
            semantic_reads=dict(sorted(self.semantics.reads.items())),
            semantic_reads_total=sum(self.semantics.reads.values()),
            # every call of the run (setup, operations, probes, cleanup), 429/503 answers and retries
            **PACER.counts(),
            workers=self.plan.contract.workers or 1,
            pool_orders=self.pool.placed,
            pool_returns=self.returns.placed,
            known=sorted(description for descriptions in self.known.values() for description in descriptions),
            fixtures_refused=self.notes + [refusal for pool in self.pools for refusal in pool.refused],
        )

    # -- plugging into Schemathesis ---------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.target.base_url}/v1"

    def bind(self, schema: BaseSchema) -> None:
        """Give `schema` this run's auth provider and waivers (for the rest of the process)."""
        schema.auth(refresh_interval=None)(_auth_provider(self))
        schema.hooks.register_hook_with_name(self._keep_failure, "filter_failure")

    def operation(self, api_operation: APIOperation) -> Operation:
        return self.plan.operation(api_operation.method, api_operation.path)

    def authorization_of(self, persona: str) -> str:
        try:
            return f"Bearer {self.target.tokens.token(persona)}"
        except AuthError:
            if persona != ME_WRITER:
                raise
            # Me.Save, Me.Patch and the like changed its username, password or state: use a new one.
            self._new_user(ME_WRITER, tuple(self.market.data.roles.shopper))
            return f"Bearer {self.target.tokens.token(persona)}"

    def already_sent(self, case: Case) -> bool:
        """Whether the case is a coverage body its resource was already sent (repeats.py): then it is not sent."""
        return self.bodies.repeats(case, self.coverage.reached(self.operation(case.operation).operation_id))

    def send(self, case: Case) -> Response:
        """Prepare the call, send it (a 401 to a token of ours gets one retry with a new token), record it.
        A PATCH the semantic checks compare is preceded by a read of its object; every call is in
        the write log (semantics.py), so that checks know which reads no write came between."""
        self.prepare(case)
        self._read_before(case)
        number = self.semantics.start(case.id, case.method, case.formatted_path)
        try:
            response = self._call(case)
            if response.status_code == 401 and case.headers and case.headers.get("Authorization"):
                persona = persona_for(self.operation(case.operation))
                self.target.tokens.invalidate(persona)
                case.headers["Authorization"] = self.authorization_of(persona)
                response = self._call(case)
        finally:
            self.semantics.log.end(number)
        self.record(case, response)
        return response

    def _read_before(self, case: Case) -> None:
        """The object a PATCH meant to succeed changes, read just before it (patch_keeps_the_rest)."""
        op = self.operation(case.operation)
        meta = case.meta
        if op.method != "PATCH" or (meta is not None and meta.is_negative_at(ParameterLocation.BODY)) or not isinstance(case.body, dict):
            return
        if self.semantics.get_operation(op.path) is None or not self.semantics.wants("patch_keeps_the_rest", op.operation_id):
            return
        if not self.semantics.leaves_unnamed(op, case.body):
            return  # a PATCH naming every writable field keeps nothing to compare
        mark = self.semantics.log.mark()
        headers = {"Authorization": case.headers.get("Authorization", "")} if case.headers else {}
        read = self.semantics.read("patch_keeps_the_rest", op.operation_id, f"{self.api_url}{case.formatted_path}", headers)
        try:
            before = read.json() if read is not None and read.status_code == 200 else None
        except ValueError:
            before = None
        if isinstance(before, dict):
            self.semantics.before[case.id] = (mark, before)

    def _call(self, case: Case) -> Response:
        """Send the case at the run's pace; a 429 or 503 is waited out (Retry-After) and sent again:
        the target asking for patience is not the operation's answer, so it is never checked."""
        attempt = 0
        while True:
            PACER.turn()
            response = case.call(base_url=self.api_url, timeout=REQUEST_TIMEOUT)
            if response.status_code not in RETRY_STATUSES or not PACER.throttled(response.headers, attempt):
                return response
            attempt += 1

    def validate(self, case: Case, response: Response, checks: list[Any]) -> None:
        """Run every check; a failure gets the masked request (as curl) and response attached to the
        Allure result of the operation, once per distinct failure."""
        try:
            case.validate_response(response, additional_checks=checks, transport_kwargs={"base_url": self.api_url})
        except FailureGroup as group:
            titles = tuple(sorted(failure.title for failure in group.exceptions))
            with self.writes.lock:
                first = (case.operation.label, titles) not in self._attached
                self._attached.add((case.operation.label, titles))
            if first:
                attach_exchange(case, response, self.api_url, titles)
            raise

    def prepare(self, case: Case) -> None:
        """Fill in the objects a call names and run-scoped IDs. Negative parts stay as generated:
        they are what the call tests."""
        op = self.operation(case.operation)
        schema = case.operation.schema
        if not (case.headers and case.headers.get("Authorization")) and not schema.is_security_param_negated(case):
            # Cases built before the run started (examples, coverage) have no token yet.
            schema.auth.set(case, AuthContext(operation=case.operation, app=None))
        persona = persona_for(op)
        mine = persona in BUYER_PERSONAS
        meta = case.meta
        # The examples phase is the known-good call: its unset references are filled in too.
        complete = meta is not None and meta.phase.name == TestPhase.EXAMPLES
        negative_path = meta is not None and meta.is_negative_at(ParameterLocation.PATH)
        if not negative_path:
            current = dict(case.path_parameters or {})
            with self.writes.lock:
                # A stateful step keeps the IDs its link took from an earlier response.
                known_ids = self._known_ids() if meta is not None and meta.phase.name == TestPhase.STATEFUL else set()
                values = self.writes.path_values(op, direction_for(persona), current, lambda _, value: value in known_ids, mine=mine, complete=complete)
            for pool in self.pools:  # each thread has objects of its own in the pools (orders.StatusPool)
                if op.operation_id in pool.needs and current.get(pool.param) not in known_ids:
                    values[pool.param] = pool.take(op.operation_id)
            case.path_parameters = values
        positive = meta is None or not meta.is_negative_at(ParameterLocation.BODY)
        with self.writes.lock:
            case.body = self.writes.body(op, case.body, case.path_parameters or {}, positive=positive, mine=mine, complete=complete)
        if op.path == "/cart" and isinstance(case.body, dict) and isinstance(case.body.get("ID"), str):
            case.body["ID"] = self.cart_id  # like any PUT or PATCH, a cart call never renames its order
        if op.operation_id in CART_SUBMITS:
            self._accept_payments(self.cart_id)
        elif op.operation_id in ORDER_SUBMITS:
            self._accept_payments(str((case.path_parameters or {}).get("orderID")))

    def record(self, case: Case, response: Response) -> None:
        """Count the call, and remember what it created or moved on."""
        op = self.operation(case.operation)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            answer = None
        error_code = _first_error_code(answer)
        self.coverage.record(op.operation_id, response.status_code, error_code)
        self.bodies.answered(case, response.status_code)
        with self.writes.lock:
            self.writes.record(op, persona_for(op), dict(case.path_parameters or {}), case.body, response.status_code, answer)
        succeeded = 200 <= response.status_code < 300
        # Moved on, gone (renamed, deleted) or moved by another call (a cart submitted, say): next time a new one.
        stale = response.status_code == 404 or "Status" in (error_code or "")
        for pool in self.pools:
            if op.operation_id in pool.needs and (succeeded or stale):
                pool.used(op.operation_id, str((case.path_parameters or {}).get(pool.param)), gone=stale)
        if succeeded and op.operation_id == "Orders.Ship":
            self._undo_shipments_of(str((case.path_parameters or {}).get("orderID")))
        if succeeded and op.operation_id in CART_CHANGES:
            self._new_cart()

    def _new_cart(self) -> None:
        """Make a new order of the run's own the shopper's active cart (PUT /cart/{orderID}), and
        learn what is under /cart: a line item, and a payment with a transaction, as a checkout in
        progress has.

        Unpinned, the cart is the shopper's newest unsubmitted order (BEHAVIOUR.md §4.2): a
        seeded fixture, or whichever order the run placed last, so the /cart items the run knew
        would soon be another order's. Pinned, cart calls change only the run's own order.
        """
        self.cart_id, _ = self.pool.place(UNSUBMITTED, addressable=False)
        self.semantics.cart_id = self.cart_id
        shopper = self.client(SHOPPER)
        shopper.ok("PUT", f"/cart/{self.cart_id}")
        payment = shopper.ok("POST", "/cart/payments", {"ID": self.writes.fresh_id(), "Type": "PurchaseOrder"})
        authorization = {"ID": self.writes.fresh_id(), "Type": "Authorization", "Succeeded": True, "DateExecuted": None}
        shopper.ok("POST", format_path("/cart/payments/{paymentID}/transactions", {"paymentID": payment["ID"]}), authorization)
        with self.writes.lock:
            for collection in [name for name in self.objects.by_collection if name.startswith("/cart/")]:
                del self.objects.by_collection[collection]
            discover(self.objects, self.plan.spec, self._list_page, lambda op: direction_for(persona_for(op)), under="/cart/", owned=True)
            # No list answers a payment's transactions: the one made here is known by its ID.
            self.objects.add(Ref("/cart/payments/{paymentID}/transactions", (("paymentID", payment["ID"]),), authorization["ID"], owned=True))

    def _accept_payments(self, order_id: str | None) -> None:
        """Accept the order's payments as the seller, as a storefront's middleware does before submit:
        only an order admin may set Accepted (BEHAVIOUR.md §4, RN v1.0.50). Payments.Create may
        have added unaccepted ones to the same pool order, which Validate and Submit would refuse."""
        seller = self.client(SELLER)
        payments = seller.get(format_path("/orders/Incoming/{orderID}/payments", {"orderID": order_id}), pageSize=100)
        for payment in (payments.json().get("Items") or []) if payments.is_success else []:
            if not payment.get("Accepted"):
                values = {"orderID": order_id, "paymentID": payment["ID"]}
                seller.ok("PATCH", format_path("/orders/Incoming/{orderID}/payments/{paymentID}", values), {"Accepted": True})

    def _undo_shipments_of(self, order_id: str) -> None:
        """Shipping an order creates a shipment (BEHAVIOUR.md §4.5), which outlives the order: remove it too."""
        shipments = self.client(SELLER).get(f"/orders/Incoming/{order_id}/shipments")
        for shipment in (shipments.json().get("Items") or []) if shipments.is_success else []:
            self.writes.undo.append(Undo(SELLER, f"/shipments/{shipment['ID']}"))

    def _keep_failure(self, context: HookContext, failure: Failure, case: Case, response: Response) -> bool:
        op = self.operation(case.operation)
        waiver = self.waivers.find(op.operation_id, failure_checks(failure), datetime.date.today())
        if waiver is None:
            return True
        self.known.setdefault(op.operation_id, set()).add(waiver.describe())
        return False

    def _known_ids(self) -> set[str]:
        return {ref.id for refs in self.objects.by_collection.values() for ref in refs}


def attach_exchange(case: Case, response: Response, base_url: str, titles: tuple[str, ...]) -> None:
    """The failing request as a curl line and the response, secrets masked, on the Allure result."""
    curl = case.as_curl_command(headers=dict(response.request.headers), base_url=base_url)
    body = redact_body(response.content, response.headers.get("content-type", [""])[0])
    attach(redact_text(curl), name="failing request (curl)")
    attach(f"HTTP {response.status_code}\n{body or '(empty)'}", name=f"response {response.status_code}: " + "; ".join(titles)[:120])


def _error_code(response: httpx.Response) -> str:
    try:
        return _first_error_code(response.json()) or ""
    except ValueError:
        return ""


def _first_error_code(body: Any) -> str | None:
    errors = body.get("Errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    return str(first.get("ErrorCode")) if isinstance(first, dict) else None


def _auth_provider(session: GateSession) -> type:
    class PersonaAuth:
        """The bearer token of the persona that calls the operation (see personas.persona_for)."""

        def get(self, case: Case, context: Any) -> str:
            return session.authorization_of(persona_for(session.operation(context.operation)))

        def set(self, case: Case, data: str, context: Any) -> None:
            case.headers["Authorization"] = data

    return PersonaAuth

