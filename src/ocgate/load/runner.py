"""`ocgate load`: seed buyer accounts, run the Locust model headless, judge the SLOs, clean up.

1. Check the request (shape, users, duration, SLO and traffic files) and refuse
   production hosts, before anything is created.
2. Open the target — the embedded sandbox runs in a process of its own, away
   from Locust's gevent — and seed a run-scoped marketplace: distinct buyer
   accounts for the storefront users, and two seller-side users holding just
   their roles (fulfilment; the storefront middleware that accepts payments).
3. Hand the accounts to Locust in a file only this user can read (outside
   reports/, deleted afterwards) and run `load/locustfile.py` headless, with
   `--processes N` for several worker processes; CSV, HTML and the statistics
   summary go to reports/load/.
4. Remove the run's orders and the seeded data, then check each threshold,
   print the table and write one Allure result per threshold.

The result says whether every threshold held (`ExitCode.PASSED`) or one was breached
(`ExitCode.FAILED`); a run that cannot happen raises `CannotRun`. Ctrl-C stops Locust, which
writes its reports; what it measured is judged, the seeded data removed, and the interrupt
goes on to the caller.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ..api.seeding import SeededMarketplace, Seeder, SeedPlan, seed_marketplace
from ..api.target import Target, open_target
from ..config import ConfigError, Settings, is_production_host
from ..errors import CannotRun, ExitCode
from ..redact import redact_text
from .report import threshold_table, write_allure_results
from .shapes import parse_duration, shape_plan
from .slo import LoadStats, Threshold, Verdict, evaluate, load_slo
from .traffic import Account, Accounts, load_traffic

#: Roles of the seller-side users: who fulfils orders (list, ship, complete), and the
#: storefront middleware's integration account, which accepts payments.
FULFILMENT_ROLES = ("OrderAdmin", "ShipmentAdmin", "OrderReader")
PAYMENT_ROLES = ("OrderAdmin",)
#: Buyer companies the storefront accounts are spread over.
BUYER_COMPANIES = 2
#: Time on top of the shape's duration for Locust to start, stop and write its reports.
GRACE_SECONDS = 120
#: After Ctrl-C, how long Locust may take to stop its users and write its reports.
STOP_GRACE_SECONDS = 60


class LoadError(CannotRun):
    """Locust could not run or finish; the message says what happened."""


@dataclass(frozen=True)
class LoadResult:
    exit_code: ExitCode
    verdicts: list[Verdict]


@dataclass(frozen=True)
class LoadRequest:
    shape: str
    users: int | None
    duration: float | None
    processes: int
    locustfile: Path
    slo_file: Path
    traffic_file: Path
    out_dir: Path  # reports/load

    @property
    def time_limit(self) -> float:
        return shape_plan(self.shape).duration(self.duration) + GRACE_SECONDS


def run_load(
    settings: Settings,
    *,
    shape: str = "smoke",
    users: int | None = None,
    duration: float | str | None = None,
    processes: int = 1,
    reports_dir: Path | None = None,
    slo_file: Path | None = None,
    traffic_file: Path | None = None,
    console: Console | None = None,
) -> LoadResult:
    """Run one load test against the configured target; raises CannotRun when it cannot happen."""
    console = console or Console()
    load_dir = settings.config_dir / "load"
    reports = Path(reports_dir) if reports_dir is not None else settings.reports_path
    started = time.monotonic()
    request = LoadRequest(
        shape=shape,
        users=users,
        duration=parse_duration(duration) if duration is not None else None,
        processes=processes,
        locustfile=load_dir / "locustfile.py",
        slo_file=Path(slo_file) if slo_file else load_dir / "slo.toml",
        traffic_file=Path(traffic_file) if traffic_file else load_dir / "traffic.toml",
        out_dir=reports / "load",
    )
    thresholds = _check(request, settings)
    with open_target(settings, sandbox_mode="process") as target:
        refuse_production(target=target.base_url, token_url=target.token_url)
        summary, interrupted = _seed_and_run(target, request, console)
    verdicts = evaluate(thresholds, LoadStats.from_summary(summary))
    _report(verdicts, LoadStats.from_summary(summary), request, reports, time.monotonic() - started, console)
    if interrupted:
        raise KeyboardInterrupt
    return LoadResult(ExitCode.FAILED if any(not verdict.passed for verdict in verdicts) else ExitCode.PASSED, verdicts)


def _report(verdicts: list[Verdict], stats: LoadStats, request: LoadRequest, reports: Path, seconds: float, console: Console) -> None:
    """The threshold table in the log, one Allure result per threshold, a closing line."""
    console.print(threshold_table(verdicts))
    write_allure_results(
        reports / "allure-results" / "load",
        verdicts,
        stats,
        run_title=f"{request.shape} load run",
        parameters={
            "shape": request.shape,
            "users": str(request.users or shape_plan(request.shape).default_users),
            "worker processes": str(stats.workers),
            "run time": f"{seconds:.0f} s",
        },
        attachments={"locust stats": request.out_dir / "locust_stats.csv", "locust failures": request.out_dir / "locust_failures.csv"},
    )
    held = sum(verdict.passed for verdict in verdicts)
    console.print(f"load: {held}/{len(verdicts)} thresholds held; {stats.checkouts_completed} checkouts completed; reports in {request.out_dir}")


def _check(request: LoadRequest, settings: Settings) -> list[Threshold]:
    """Everything that can be checked before the target is touched."""
    shape_plan(request.shape).stages(request.users, request.duration)
    if request.processes < 1:
        raise ConfigError(f"--processes: at least 1, not {request.processes}")
    if not request.locustfile.exists():
        raise ConfigError(f"{request.locustfile}: the load model is missing; run ocgate from the repository root")
    load_traffic(request.traffic_file)
    thresholds = load_slo(request.slo_file)
    if not settings.is_embedded:
        refuse_production(target=settings.base_url or "", token_url=settings.token_url or "")
    return thresholds


def refuse_production(**urls: str) -> None:
    """Load never goes to production: api.ordercloud.io and *-production.ordercloud.io are refused."""
    for setting, url in urls.items():
        if url and is_production_host(url):
            raise ConfigError(
                f"{setting}: {url} is an OrderCloud production host (api.ordercloud.io, *-production.ordercloud.io); "
                f"load runs only target sandbox or staging environments, so point OCGATE_{setting.upper()} at one"
            )


# -- seeding, running, cleaning up ------------------------------------------------------------


def _seed_and_run(target: Target, request: LoadRequest, console: Console) -> tuple[Path, bool]:
    """Locust's summary file, and whether the run was interrupted (it is still judged)."""
    with seeded_accounts(target, request.users or shape_plan(request.shape).default_users, console) as accounts:
        return _run_locust(request, target.base_url, accounts)


@contextmanager
def seeded_accounts(target: Target, users: int, console: Console) -> Iterator[Path]:
    """Seed accounts for `users` virtual users; yield the accounts file; remove it all afterwards."""
    per_company = math.ceil(users / BUYER_COMPANIES)
    seeder, market = seed_marketplace(target, SeedPlan(buyers=BUYER_COMPANIES, shoppers_per_buyer=per_company, products=24, categories=4, orders=False))
    console.print(f"load: seeded run {market.run_id}: {BUYER_COMPANIES * per_company} buyer accounts, {len(market.product_ids)} products")
    descriptor, accounts_path = tempfile.mkstemp(prefix="ocgate-load-", suffix=".json")  # 0600, outside reports/
    os.close(descriptor)
    try:
        fulfilment = _seller_account(seeder, market, "load-fulfilment", FULFILMENT_ROLES)
        payments = _seller_account(seeder, market, "load-payments", PAYMENT_ROLES)
        shoppers = [
            Account(user.username, user.password, tuple(market.data.roles.shopper))
            for buyer in market.buyers
            for user in buyer.shoppers
            if user.username.startswith(market.run_id)  # not a configured persona the seeding reused
        ]
        Accounts(market.run_id, target.token_url, market.storefront_client_id, fulfilment, payments, shoppers).write(Path(accounts_path))
        yield Path(accounts_path)
    finally:
        Path(accounts_path).unlink(missing_ok=True)
        leftovers = remove_orders(target, market) + seeder.cleanup()
        if leftovers:
            console.print(f"load: cleanup left {len(leftovers)} objects behind: {'; '.join(leftovers[:5])}", style="yellow", markup=False, soft_wrap=True)


def _seller_account(seeder: Seeder, market: SeededMarketplace, name: str, roles: tuple[str, ...]) -> Account:
    """A seller-side user holding exactly `roles` (nothing more, even where wider profiles exist)."""
    user = seeder.narrow_persona(name, list(roles), market.storefront_client_id)
    return Account(user.username, user.password, roles)


def _run_locust(request: LoadRequest, base_url: str, accounts: Path) -> tuple[Path, bool]:
    request.out_dir.mkdir(parents=True, exist_ok=True)
    prefix = request.out_dir / "locust"
    summary = Path(f"{prefix}_summary.json")
    summary.unlink(missing_ok=True)  # a summary from an earlier run must not pass for this one
    command = [
        sys.executable, "-m", "locust",
        "-f", str(request.locustfile),
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "--host", base_url,
        "--shape", request.shape,
        "--accounts", str(accounts),
        "--traffic", str(request.traffic_file),
        "--csv", str(prefix),
        "--html", str(request.out_dir / "locust.html"),
    ]  # fmt: skip
    if request.users is not None:
        command += ["--users", str(request.users)]
    if request.duration is not None:
        command += ["--run-time", f"{math.ceil(request.duration)}s"]
    if request.processes > 1:
        command += ["--processes", str(request.processes)]
    log_path = request.out_dir / "locust.log"
    interrupted = False
    with log_path.open("w", encoding="utf-8") as log:
        # A session of its own: Locust and the workers it forks can be stopped together.
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=request.locustfile.parent.parent, start_new_session=True)
        try:
            code = process.wait(timeout=request.time_limit)
        except subprocess.TimeoutExpired:
            raise LoadError(f"Locust did not finish within {request.time_limit:.0f} s and was stopped; see {log_path}") from None
        except KeyboardInterrupt:
            interrupted, code = True, _stop_locust(process)
        finally:
            if process.poll() is None:  # timed out, or a second Ctrl-C while Locust was stopping
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if not summary.exists():
        if interrupted:
            raise KeyboardInterrupt
        raise LoadError(f"Locust could not run (exit {code}): {_last_line(log_path)}; see {log_path}")
    return summary, interrupted


def _stop_locust(process: subprocess.Popen[bytes]) -> int | None:
    """Ctrl-C: Locust stops its users and writes its reports; it is killed after the grace period."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        return None


def _last_line(log_path: Path) -> str:
    lines = [line.strip() for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return redact_text(lines[-1]) if lines else "no output"


def remove_orders(target: Target, market: SeededMarketplace) -> list[str]:
    """Delete the orders the run's shoppers created (their IDs carry the run ID); returns what stayed."""
    admin = target.client("seller_admin", record=False)
    leftovers = []
    for buyer in market.buyers:
        for user in buyer.shoppers:
            shopper = target.client(user.persona, record=False)
            seen: set[str] = set()
            while True:
                page = shopper.get("/me/orders", ID=f"{market.run_id}-*", pageSize=100)
                fresh = [order["ID"] for order in page.json().get("Items", []) if order["ID"] not in seen] if page.is_success else []
                if not fresh:
                    break
                for order_id in fresh:
                    seen.add(order_id)
                    # A shopper deletes its unsubmitted orders; submitted ones need the seller.
                    if shopper.delete(f"/orders/Outgoing/{order_id}").status_code not in (200, 204, 404):
                        if admin.delete(f"/orders/Incoming/{order_id}").status_code not in (200, 204, 404):
                            leftovers.append(f"order {order_id}")
    return leftovers
