"""The load model's own cost: requests/s per CPU core of the checkout model vs a bare FastHttpUser.

    .venv/bin/python benchmarks/load_overhead.py     # from the repository root, about 5 minutes

One embedded sandbox (a process of its own), one seeded marketplace, two Locust runs
one after the other, each a single Locust process with the same number of users and
no think time:

1. model: load/locustfile.py with checkouts only (its storefront users add a line, open
   the cart page, set the ship-to, pay, have the payment accepted, submit), plus its
   fulfilment user;
2. bare: `BareCheckout` below, a FastHttpUser sending the same requests in the same
   order — one token per user, no checks, no token renewal, no failure categories.

Each is measured as HTTP requests per CPU-second of the Locust process over the steady
part of the run (after a warm-up), from Locust's per-second history and psutil. The
overhead is 1 - model/bare; the target is at most 25%. Then a smoke run with the default
traffic and SLO file (`ocgate load`'s defaults) gives the throughput and latency
percentiles for the README.

Locust imports this same file as the bare user's locustfile (-f benchmarks/load_overhead.py);
run as a script it drives the benchmark, without importing Locust (whose gevent patching
must stay out of the process that runs the sandbox and the seeding).
"""

from __future__ import annotations

import csv
import secrets
from pathlib import Path
from typing import Any

USERS = 8
SECONDS = 30
WARM_UP = 8  # seconds of each run left out of the measurement
TARGET_OVERHEAD = 0.25
QUANTITY = 1
SHIP_TO = {"FirstName": "Bench", "LastName": "Mark", "Street1": "1 Main Street", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}
#: The model doing checkouts only, without thinking: the same work as BareCheckout.
CHECKOUT_ONLY = """
[storefront]
think_time = [0.0, 0.0]
max_cart_lines = 1

[storefront.weights]
browse = 0
product_detail = 0
categories = 0
add_to_cart = 0
change_quantity = 0
abandon_cart = 0
checkout = 1
my_orders = 0
"""

if __name__ != "__main__":  # imported by Locust: the bare user
    from urllib.parse import urlencode

    from locust import FastHttpUser, events, task

    from ocgate.load.traffic import Account, Accounts

    @events.init_command_line_parser.add_listener
    def _options(parser: Any) -> None:
        parser.add_argument("--accounts", default="", help="seeded accounts (JSON)")

    class BareCheckout(FastHttpUser):
        """The checkout requests of the model and nothing else."""

        accounts: Accounts
        _started = 0
        _middleware_token = ""

        def on_start(self) -> None:
            if not hasattr(BareCheckout, "accounts"):
                BareCheckout.accounts = Accounts.read(Path(self.environment.parsed_options.accounts))
            shoppers = self.accounts.shoppers
            self.token = self._log_in(shoppers[BareCheckout._started % len(shoppers)])
            BareCheckout._started += 1
            if not BareCheckout._middleware_token:
                BareCheckout._middleware_token = self._log_in(self.accounts.payments)
            products = self.client.get("/v1/me/products", headers=self._auth(self.token), name="GET /me/products").json()
            self.product_id = products["Items"][0]["ID"]

        def _log_in(self, account: Account) -> str:
            form = {"grant_type": "password", "client_id": self.accounts.client_id, "username": account.username, "password": account.password, "scope": " ".join(account.scope)}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return self.client.post(self.accounts.token_url, data=urlencode(form), headers=headers, name="POST /oauth/token").json()["access_token"]

        @staticmethod
        def _auth(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        @task
        def checkout(self) -> None:
            auth = self._auth(self.token)
            order = f"/v1/orders/Outgoing/{self.accounts.run_id}-{secrets.token_hex(6)}"
            self.client.post("/v1/orders/Outgoing", json={"ID": order.rsplit("/", 1)[1]}, headers=auth, name="POST /orders/Outgoing")
            self.client.post(f"{order}/lineitems", json={"ProductID": self.product_id, "Quantity": QUANTITY}, headers=auth, name="POST /orders/Outgoing/{orderID}/lineitems")
            self.client.get(f"{order}/lineitems", headers=auth, name="GET /orders/Outgoing/{orderID}/lineitems")
            total = self.client.put(f"{order}/shipto", json=SHIP_TO, headers=auth, name="PUT /orders/Outgoing/{orderID}/shipto").json()["Total"]
            payment = self.client.post(f"{order}/payments", json={"Type": "PurchaseOrder", "Amount": total}, headers=auth, name="POST /orders/Outgoing/{orderID}/payments").json()["ID"]
            incoming = order.replace("/Outgoing/", "/Incoming/")
            middleware = self._auth(BareCheckout._middleware_token)
            self.client.patch(f"{incoming}/payments/{payment}", json={"Accepted": True}, headers=middleware, name="PATCH /orders/Incoming/{orderID}/payments/{paymentID}")
            self.client.post(f"{order}/submit", headers=auth, name="POST /orders/Outgoing/{orderID}/submit")


# -- the driver ----------------------------------------------------------------------------------


def steady_rate(history: Path, cpu_samples: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(HTTP requests, CPU seconds, wall seconds) between the warm-up and the last second of a run."""
    counts: dict[int, dict[str, int]] = {}  # second -> request name -> total requests so far
    with history.open(newline="") as file:
        for row in csv.DictReader(file):
            if row["Name"] != "Aggregated" and row["Type"] != "FLOW":
                counts.setdefault(int(row["Timestamp"]), {})[row["Name"]] = int(row["Total Request Count"])
    seconds = sorted(counts)
    begin, end = seconds[0] + WARM_UP, seconds[-1] - 1
    requests = sum(_latest(counts, end).values()) - sum(_latest(counts, begin).values())
    return requests, _cpu_at(cpu_samples, end) - _cpu_at(cpu_samples, begin), end - begin


def _latest(counts: dict[int, dict[str, int]], second: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for moment in sorted(counts):
        if moment <= second:
            totals.update(counts[moment])
    return totals


def _cpu_at(samples: list[tuple[float, float]], moment: float) -> float:
    earlier = [cpu for when, cpu in samples if when <= moment]
    return earlier[-1] if earlier else 0.0


def run_measured(command: list[str], cwd: Path) -> list[tuple[float, float]]:
    """Run Locust, sampling its CPU time (user + system) twice a second; returns (time, cpu) samples."""
    import subprocess
    import time

    import psutil

    samples = []
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            break
        samples.append((time.time(), times.user + times.system))
        time.sleep(0.5)
    if process.returncode not in (0, 1):  # 1: some requests failed, which the numbers show
        raise SystemExit(f"Locust failed (exit {process.returncode}): {process.stderr.read().strip().splitlines()[-1:]}")
    return samples


def measure(name: str, locustfile: Path, options: list[str], base_url: str, accounts: Path, out: Path, repo: Path) -> float:
    import sys

    prefix = out / name
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "--only-summary", "--loglevel", "WARNING"]
    command += ["--host", base_url, "--accounts", str(accounts), "--csv", str(prefix), "--csv-full-history", *options]
    samples = run_measured(command, repo)
    requests, cpu, wall = steady_rate(Path(f"{prefix}_stats_history.csv"), samples)
    per_core = requests / cpu if cpu else 0.0
    print(f"{name:>6}: {requests} requests in {wall:.0f} s, {cpu:.1f} CPU s of Locust -> {requests / wall:.1f} req/s, {per_core:.0f} req/s per core")
    return per_core


def main() -> None:
    import tempfile
    from importlib.metadata import version

    from rich.console import Console

    from ocgate.api.target import open_target
    from ocgate.config import load_settings
    from ocgate.load.runner import run_load, seeded_accounts
    from ocgate.load.slo import CHECKOUT_FLOW, LoadStats

    repo = Path(__file__).resolve().parents[1]
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="ocgate-bench-") as scratch:
        out = Path(scratch)
        traffic = out / "checkout-only.toml"
        traffic.write_text(CHECKOUT_ONLY)
        print(f"load generator: Locust {version('locust')}, one process per run (FastHttpUser); the sandbox runs in its own process")
        print(f"load model overhead: {USERS} users, no think time, {SECONDS} s per run, measured after {WARM_UP} s")
        with open_target(settings, sandbox_mode="process") as target, seeded_accounts(target, USERS + 1, Console()) as accounts:
            model_options = ["--shape", "smoke", "--users", str(USERS + 1), "--run-time", f"{SECONDS}s", "--traffic", str(traffic)]
            model = measure("model", repo / "load" / "locustfile.py", model_options, target.base_url, accounts, out, repo)
            bare_options = ["--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s"]
            bare = measure("bare", Path(__file__).resolve(), bare_options, target.base_url, accounts, out, repo)
        overhead = 1 - model / bare
        verdict = "within" if overhead <= TARGET_OVERHEAD else "OVER"
        print(f"overhead: {overhead * 100:.1f}% ({verdict} the {TARGET_OVERHEAD * 100:.0f}% target); model/bare = {model / bare:.2f}")

        print("\nsmoke shape, default traffic and SLOs (ocgate load):")
        code = run_load(settings, shape="smoke", reports_dir=out / "reports").exit_code
        stats = LoadStats.from_summary(out / "reports" / "load" / "locust_summary.json")
        overall, checkout = stats.overall(), stats.named(CHECKOUT_FLOW)
        percentiles = ", ".join(f"p{p}={overall.percentile(p / 100):.0f} ms" for p in (50, 95, 99))
        print(f"smoke: exit {code}; {overall.num_requests} requests, {overall.rps:.1f} req/s; {percentiles}")
        if checkout:
            print(f"smoke: {checkout.num_completed} checkouts completed, checkout p95 {checkout.percentile(0.95):.0f} ms")


if __name__ == "__main__":
    main()
