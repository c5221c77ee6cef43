"""The contract gate's pytest wiring: options, the run's session, Allure labels, "known" results.

Options (each overrides the `[contract]` table of ocgate.toml and OCGATE_CONTRACT__*):
  --profile gate|deep   the Schemathesis profile (gate: the CI default; deep: nightly)
  --tag, --path, --method, --operation-id   operation filters, repeatable; an operation runs
                        when it matches every filter given (paths may end with * for a prefix)
  --waivers FILE        the waiver file (default contracts/waivers.toml; relative to ocgate.toml's folder)
  --workers N           operations tested at once (threads of this process, contract/workers.py); 1: one by one
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path

import _pytest.runner
import allure
import pytest
from checks import CHECK_NAMES, RESPONSE_CHECKS, probe_checks, semantic_checks
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation.hypothesis.reporting import ignore_hypothesis_output

from ocgate.config import PROFILE_NAMES
from ocgate.contract.kinds import Kinds
from ocgate.contract.personas import ME_WRITER, persona_for
from ocgate.contract.plan import GatePlan, configure, current_plan
from ocgate.contract.session import GateSession
from ocgate.contract.workers import RunAhead
from ocgate.errors import CannotRun, ExitCode, record_cannot_run

#: pytest option -> [contract] setting
OPTIONS = {"profile": "profile", "tag": "tags", "path": "paths", "method": "methods", "operation_id": "operation_ids", "waivers": "waivers", "workers": "workers"}
#: Where the run's session is kept for the reporting hooks.
GATE = pytest.StashKey[GateSession]()
#: Buyer-facing operations stop sales when they break: their results are critical in Allure.
CRITICAL_PATHS = ("/me", "/cart", "/orders", "/orderreturns")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ocgate contract gate")
    group.addoption("--profile", choices=PROFILE_NAMES, help=f"Schemathesis profile: {' or '.join(PROFILE_NAMES)} (default: the [contract] table's)")
    group.addoption("--tag", action="append", help="run only operations with this tag (repeatable)")
    group.addoption("--path", action="append", help="run only operations at this path template; a trailing * matches a prefix (repeatable)")
    group.addoption("--method", action="append", help="run only operations with this HTTP method (repeatable)")
    group.addoption("--operation-id", action="append", help="run only this operationId, e.g. Orders.Submit (repeatable)")
    group.addoption("--waivers", help="the waiver file (default: contracts/waivers.toml)")
    group.addoption("--workers", type=int, help="operations tested at once (default: the [contract] table's)")


def pytest_configure(config: pytest.Config) -> None:
    """The run's plan: the configuration with this suite's options on top, read once here."""
    try:
        gate_plan = configure(**{setting: config.getoption(option) for option, setting in OPTIONS.items()})
    except CannotRun as error:
        raise pytest.UsageError(record_cannot_run(reports_dir(), "contract", error)) from None
    if (gate_plan.contract.workers or 1) > 1:  # `ocgate run` always names them; by hand, one unless told
        config.pluginmanager.register(Workers(gate_plan.contract.workers), "ocgate-workers")


def plan() -> GatePlan:
    return current_plan()


def reports_dir() -> Path:
    """Where the run's reports go (the orchestrator names it; else the working directory's reports/)."""
    return Path(os.environ.get("OCGATE_REPORTS_DIR", "reports"))


@pytest.fixture(scope="session")
def gate(pytestconfig: pytest.Config) -> Iterator[GateSession]:
    """The run: target, seeded fixtures, personas, hooks; everything created is removed afterwards.

    When the run cannot start (bad configuration, unreachable target, refused login, a
    fixture the target refuses), pytest stops with that one line and exit code 2."""
    with ExitStack() as stack:
        try:
            session = stack.enter_context(GateSession.open(plan(), reports_dir(), CHECK_NAMES + _builtin_check_names()))
        except CannotRun as error:
            pytest.exit(f"ocgate: {record_cannot_run(reports_dir(), 'contract', error)}", returncode=ExitCode.CANNOT_RUN)
        pytestconfig.stash[GATE] = session
        # Bodies still running ahead must end before the session cleans up (LIFO: this runs first).
        stack.callback(lambda: (ahead := pytestconfig.stash.get(AHEAD, None)) and ahead.stop())
        yield session


@pytest.fixture(scope="session")
def contract_checks(gate: GateSession) -> list:
    """OrderCloud's rules, on top of Schemathesis's built-in checks."""
    return RESPONSE_CHECKS + probe_checks(
        gate.prober,
        roles_of=lambda case: gate.operation(case.operation).roles,
        is_create=lambda case: gate.kinds.is_create(gate.operation(case.operation)),
    ) + semantic_checks(gate.semantics, lambda case: gate.operation(case.operation))


def _builtin_check_names() -> list[str]:
    load_all_checks()
    return [check.__name__ for check in CHECKS.get_all() if hasattr(check, "__name__")]


# -- one test item per operation, in an order that lets calls find their objects --------------


def _operation_of(item: pytest.Item):
    label = getattr(item, "operation_label", None)
    if not label:
        return None
    method, path = label.split(" ", 1)
    return plan().operation(method, path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kinds = Kinds(plan().spec)
    for item in items:
        item.add_marker(allure.parent_suite("contract"))  # the suite's name in the report, skipped items too
        op = _operation_of(item)
        if op is not None:
            # Schemathesis (4.32) builds every operation's item with the bare function name as its
            # pytest 9 node ID; the operationId makes IDs unique again for JUnit, Allure and -k.
            item._id = item.parent.id.child(item.originalname).with_params(op.operation_id)  # type: ignore[attr-defined]
            item.extra_keyword_matches.add(op.operation_id)
    items.sort(key=lambda item: kinds.run_order(op) if (op := _operation_of(item)) is not None else (9, 0, item.nodeid))


# -- several operations at once (--workers N) -------------------------------------------------

AHEAD = pytest.StashKey[RunAhead]()
#: Operations at these paths run one after another: the shopper has one cart (session.py pins it).
CART_LANE = "/cart"


class Workers:
    """Runs the operations' bodies ahead of pytest in `workers` threads (contract/workers.py);
    pytest still reports them one by one, in the order of `pytest_collection_modifyitems`."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        if _operation_of(pyfuncitem) is None:
            return None
        ahead = pyfuncitem.config.stash.get(AHEAD, None)
        if ahead is None:
            ahead = pyfuncitem.config.stash[AHEAD] = self._start(pyfuncitem)
        ahead.outcome(pyfuncitem)
        return True

    def _start(self, first: pytest.Function) -> RunAhead:
        """Run ahead from the first operation on; every body gets the session's fixtures the first got."""
        _keep_current_test_var()
        items = [item for item in first.session.items if _operation_of(item) is not None]
        arguments = {name: first.funcargs[name] for name in first._fixtureinfo.argnames}
        kinds = Kinds(plan().spec)

        def body(item: pytest.Function) -> None:
            with ignore_hypothesis_output():
                item.obj(**arguments)

        return RunAhead(items[items.index(first) :], body, self.workers, lambda item: stage(kinds, _operation_of(item)), lambda item: lane(_operation_of(item)))


def _keep_current_test_var() -> None:
    """pytest deletes PYTEST_CURRENT_TEST after each item; a body reading os.environ in another
    thread at that moment (requests looks up proxies there on every call) fails with KeyError.
    While bodies run ahead the variable stays, naming the item pytest reported last."""
    update = _pytest.runner._update_current_test_var

    def keep(item: pytest.Item, when: str | None) -> None:
        update(item, when or "done")

    _pytest.runner._update_current_test_var = keep


def stage(kinds: Kinds, op) -> tuple[int, ...]:
    """Creates, saves, reads, actions, patches, then deletes children before parents (kinds.run_order)."""
    rank, depth, _ = kinds.run_order(op)
    return (rank, depth) if rank == 5 else (rank,)


def lane(op) -> str | None:
    """Operations that must not overlap: those of the shopper's cart, and those of the /me writer
    (a call changing its username or password renews the user under the others' feet)."""
    if op.path == CART_LANE or op.path.startswith(CART_LANE + "/"):
        return CART_LANE
    return ME_WRITER if persona_for(op) == ME_WRITER else None


@pytest.fixture(autouse=True)
def allure_labels(request: pytest.FixtureRequest) -> None:
    """Contract / tag / operationId, and how much a break of this operation hurts."""
    op = _operation_of(request.node)
    if op is None:
        return
    allure.dynamic.epic("Contract")
    allure.dynamic.suite("Contract")
    for tag in op.tags:
        allure.dynamic.feature(tag)
    allure.dynamic.story(op.operation_id)
    # Allure derives a result's historyId from its name and parameters; without this every
    # operation shares one (Schemathesis names all items alike) and counts as a retry of one test.
    allure.dynamic.parameter("operation", op.operation_id)
    critical = any(op.path == prefix or op.path.startswith(prefix + "/") for prefix in CRITICAL_PATHS) or "Shopper" in op.roles
    allure.dynamic.severity(allure.severity_level.CRITICAL if critical else allure.severity_level.NORMAL)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """An operation whose only failures are waived is reported as skipped with "known: <waivers>"."""
    result = yield
    op = _operation_of(pyfuncitem)
    session = pyfuncitem.config.stash.get(GATE, None)
    if op is not None and session is not None and op.operation_id in session.known:
        pytest.skip("known: " + "; ".join(sorted(session.known[op.operation_id])))
    return result


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    session = config.stash.get(GATE, None)
    if session is None:
        return
    report = session.coverage_report()
    terminalreporter.write_sep("-", "ocgate contract gate")
    terminalreporter.write_line(
        f"run {report['run_id']} ({report['profile']}): {report['reached_2xx']}/{report['operations']} operations reached 2xx "
        f"({report['share_2xx']:.1%}); {report['requests']} calls + {report['probe_requests']} probes, {report['calls']} in all "
        f"with setup and cleanup ({report['bodies_not_sent']} repeated coverage bodies not sent); "
        f"{report['throttles']} throttled (429/503), {report['retries']} retries; {report['workers']} workers; "
        f"report: {session.reports_dir / 'contract-coverage.json'}"
    )
    for problem in session.problems:
        terminalreporter.write_line(f"LEAVE-NO-TRACE FAILED: {problem}", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    gate_session = session.config.stash.get(GATE, None)
    if gate_session is not None and gate_session.problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
