"""Checkouts per second through the embedded sandbox.

    .venv/bin/python benchmarks/checkout_throughput.py [--seconds 10] [--workers 4]

One checkout is what a storefront does once the shopper's token is held: create an order,
add three line items, submit — five API calls. The sandbox runs in its own process (as under
Locust); a seller admin sets up a buyer, a shopper, and three priced, stocked products through
the API first, so the numbers include pricing, inventory and visibility checks. `--workers`
threads each loop over checkouts with their own keep-alive connection for `--seconds`; the
result is completed checkouts per second (and API calls per second). Run it from the
repository root; it needs nothing beyond the project's .venv.

The load generator is this process: `--workers` httpx threads sharing one GIL, so at most one
CPU of client. The output names it and says how much CPU it used; when that is close to a
whole CPU, the rate may be the client's limit rather than the sandbox's, and the output says so.
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx

from ocgate.config import load_settings
from ocgate.sandbox import EmbeddedSandbox

PASSWORD = "Bench-Shopper-2026"
LINES = 3
#: Client CPU (seconds per second) above which its threads, not the sandbox, may set the pace.
CLIENT_BOUND_CPU = 0.9


def ok(response: httpx.Response) -> dict:
    if response.status_code >= 300:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else {}


def set_up(base_url: str) -> tuple[str, list[str]]:
    """A shopper token and the IDs of three products it can buy (stock for a long run)."""
    settings = load_settings()
    admin_persona = settings.persona("seller_admin")
    assert admin_persona.username and admin_persona.password
    form = {"grant_type": "password", "client_id": settings.client_id, "username": admin_persona.username, "password": admin_persona.password.get_secret_value(), "scope": "FullAccess"}
    admin = httpx.Client(base_url=f"{base_url}/v1", headers={"Authorization": f"Bearer {ok(httpx.post(f'{base_url}/oauth/token', data=form))['access_token']}"})
    client = ok(admin.post("/apiclients", json={"AppName": "bench shop", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600}))
    buyer = ok(admin.post("/buyers", json={"ID": "bench", "Name": "Bench buyer", "Active": True}))
    ok(admin.post(f"/buyers/{buyer['ID']}/users", json={"Username": "bench-shopper", "Password": PASSWORD, "FirstName": "B", "LastName": "S", "Email": "b@example.com", "Active": True}))
    ok(admin.post("/securityprofiles", json={"ID": "bench-shopper", "Name": "Shopper", "Roles": ["Shopper"]}))
    ok(admin.post("/securityprofiles/assignments", json={"SecurityProfileID": "bench-shopper", "BuyerID": buyer["ID"]}))
    products = []
    for n in range(LINES):
        schedule = ok(admin.post("/priceschedules", json={"Name": f"Price {n}", "PriceBreaks": [{"Quantity": 1, "Price": 10 + n}, {"Quantity": 10, "Price": 8 + n}]}))
        product = ok(admin.post("/products", json={"Name": f"Product {n}", "Active": True, "DefaultPriceScheduleID": schedule["ID"], "Inventory": {"Enabled": True, "QuantityAvailable": 10_000_000}}))
        ok(admin.post("/catalogs/productassignments", json={"CatalogID": buyer["DefaultCatalogID"], "ProductID": product["ID"]}))
        products.append(product["ID"])
    form = {"grant_type": "password", "client_id": client["ID"], "username": "bench-shopper", "password": PASSWORD, "scope": "Shopper"}
    return ok(httpx.post(f"{base_url}/oauth/token", data=form))["access_token"], products


def checkout(api: httpx.Client, products: list[str]) -> None:
    order = ok(api.post("/orders/Outgoing", json={}))
    for product in products:
        ok(api.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 2}))
    ok(api.post(f"/orders/Outgoing/{order['ID']}/submit"))


def measure(base_url: str, token: str, products: list[str], seconds: float, workers: int) -> int:
    done = [0] * workers
    deadline = time.monotonic() + seconds

    def work(index: int) -> None:
        with httpx.Client(base_url=f"{base_url}/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            while time.monotonic() < deadline:
                checkout(api, products)
                done[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(f"load generator: {args.workers} httpx threads in this Python process (one GIL); the sandbox runs in its own process")
    with EmbeddedSandbox(load_settings(), mode="process") as sandbox:
        token, products = set_up(sandbox.base_url)
        with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            checkout(api, products)  # warm-up
        started, cpu_started = time.monotonic(), time.process_time()
        count = measure(sandbox.base_url, token, products, args.seconds, args.workers)
        elapsed, client_cpu = time.monotonic() - started, time.process_time() - cpu_started
    rate = count / elapsed
    print(f"{count} checkouts in {elapsed:.1f} s with {args.workers} workers; the client used {client_cpu / elapsed:.2f} CPU")
    print(f"checkouts/s: {rate:.1f}  (API calls/s: {rate * (LINES + 2):.0f})")
    if client_cpu / elapsed >= CLIENT_BOUND_CPU:
        print(f"note: the client used {client_cpu / elapsed:.2f} of the one CPU its threads can share, so this rate may be the client's limit, not the sandbox's")


if __name__ == "__main__":
    main()
