"""A smoke load run end to end: seeded shoppers check out against the embedded sandbox, the SLOs decide.

Two short runs serve every test here: one in a single Locust process against a sandbox
this module starts (so the tests can look at what the run left behind), within SLOs that
hold; one with two Locust worker processes against the sandbox `ocgate load` starts by
itself, with an SLO file that cannot hold.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from runs import USERS, Run, admin_client, load_run

from ocgate.config import load_settings
from ocgate.errors import ExitCode
from ocgate.load.slo import CHECKOUT_FLOW, load_slo
from ocgate.sandbox.server import EmbeddedSandbox

HOLDING_SLO = """
[overall]
p99_ms = 60000
max_error_rate = 0.0
max_throttled_rate = 0.0
min_checkouts = 1

[requests."POST /orders/Outgoing/{orderID}/submit"]
max_error_rate = 0.0

[requests."checkout"]
max_error_rate = 0.0
"""

BREACHED_SLO = """
[overall]
p99_ms = 60000
min_checkouts = 1000000
"""


@pytest.fixture(scope="module")
def admin(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    with admin_client(sandbox.base_url) as client:
        yield client


@pytest.fixture(scope="module")
def passing(sandbox: EmbeddedSandbox, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return load_run(load_settings(target=sandbox.base_url), tmp_path_factory.mktemp("passing"), HOLDING_SLO)


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return load_run(load_settings(), tmp_path_factory.mktemp("distributed"), BREACHED_SLO, processes=2)


def test_a_run_within_its_slos_exits_0(passing):
    assert passing.code == ExitCode.PASSED, passing.output
    assert "thresholds held" in passing.output


def test_shoppers_check_out_and_their_orders_reach_open(passing):
    stats = passing.stats
    assert stats.checkouts_completed >= 1
    submit = stats.named("POST /orders/Outgoing/{orderID}/submit")
    assert submit.num_requests >= 1 and submit.num_failures == 0  # a submit counts only when the order is Open


def test_every_virtual_user_logs_in_as_itself(passing):
    logins = passing.stats.named("POST /oauth/token (password)")
    # Each user logs in once with its own account; the storefront middleware logs in too.
    assert logins.num_requests >= USERS + 1 and logins.num_failures == 0


def test_requests_are_named_by_operation_not_by_url(passing):
    names = {entry.name for entry in passing.stats.entries}
    assert {"GET /me/products", "POST /orders/Outgoing/{orderID}/lineitems", "PUT /orders/Outgoing/{orderID}/shipto", CHECKOUT_FLOW} <= names
    assert not any("ocg" in name for name in names)  # no run-scoped IDs in a name


def test_every_threshold_is_evaluated_and_printed(passing):
    results = passing.allure_results()
    assert len(results) == len(load_slo(passing.reports / "slo.toml")) == 6
    assert {result["status"] for result in results} == {"passed"}
    assert "overall: checkouts completed >= 1" in {result["name"] for result in results}
    for line in ("checkouts completed", "error rate", "throttled (429/503) rate", "p99 latency"):
        assert line in passing.output


def test_locust_reports_and_allure_attachments_are_written(passing):
    written = {path.name for path in (passing.reports / "load").iterdir()}
    assert {"locust_stats.csv", "locust_failures.csv", "locust.html", "locust_summary.json"} <= written
    results_dir = passing.reports / "allure-results" / "load"
    attachments = passing.allure_results()[0]["attachments"]
    assert {a["name"] for a in attachments} == {"latency percentiles", "locust stats", "locust failures"}
    assert all((results_dir / a["source"]).exists() for a in attachments)
    table = next(a for a in attachments if a["name"] == "latency percentiles")
    assert "p95 ms" in (results_dir / table["source"]).read_text()


def test_the_run_leaves_nothing_behind(passing, admin):
    assert passing.code == ExitCode.PASSED
    assert admin.get("/buyers").json()["Meta"]["TotalCount"] == 0
    assert admin.get("/orders/Incoming").json()["Meta"]["TotalCount"] == 0
    assert [user["Username"] for user in admin.get("/adminusers").json()["Items"]] == ["ocgate-admin"]
    assert [profile["ID"] for profile in admin.get("/securityprofiles").json()["Items"]] == ["ocgate-full-access"]
    assert len(admin.get("/apiclients").json()["Items"]) == 1
    assert not list(Path(tempfile.gettempdir()).glob("ocgate-load-*.json"))  # the accounts file is gone


def test_a_breached_slo_exits_1_and_reports_the_breach(distributed):
    assert distributed.code == ExitCode.FAILED, distributed.output
    assert "BREACH" in distributed.output
    failed = [result for result in distributed.allure_results() if result["status"] == "failed"]
    assert [result["name"] for result in failed] == ["overall: checkouts completed >= 1000000"]
    assert failed[0]["statusDetails"]["message"].startswith("SLO breach: overall: checkouts completed >= 1000000, observed ")


def test_a_distributed_run_uses_two_worker_processes(distributed):
    stats = distributed.stats
    assert stats.workers == 2
    assert stats.checkouts_completed >= 1
