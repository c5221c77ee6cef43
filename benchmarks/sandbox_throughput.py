"""Requests/s of the embedded sandbox against a bare Starlette JSON endpoint, in one run.

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 3] [--rounds 3] [--connections 32]

Both servers run in their own process with the sandbox's uvicorn settings
(ocgate.sandbox.server.uvicorn_server on a socket from bind_socket); the load
comes from a third process: `wrk` when it is installed (Debian: apt-get install
wrk), otherwise a small multi-connection httpx/asyncio client. Measured:

- baseline: GET /bare on a Starlette app that answers a constant JSON object;
- GET /v1/me with the seller admin's token;
- GET /v1/products listing 20 products with the same token.

The result is a table of requests/s and ratios to the baseline (the goal is >= 0.5),
plus how long the sandbox took to become ready. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ocgate.config import load_settings
from ocgate.sandbox.server import EmbeddedSandbox

PRODUCTS = 20


# -- the baseline server (run in its own process: `--serve-bare`) ------------------------------------


def serve_bare() -> None:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from ocgate.sandbox.server import bind_socket, uvicorn_server

    async def bare(request: object) -> JSONResponse:
        return JSONResponse({"ID": "bare", "Name": "A constant JSON object", "Active": True})

    sock = bind_socket("127.0.0.1", 0)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    asyncio.run(uvicorn_server(Starlette(routes=[Route("/bare", bare)])).serve(sockets=[sock]))


@contextmanager
def bare_server() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve-bare"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        for _ in range(100):
            try:
                httpx.get(f"{base_url}/bare")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- load generators ------------------------------------------------------------------------------------


def wrk_rate(url: str, token: str | None, seconds: int, connections: int) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url} answered {errors.group(1)} errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def python_rate(url: str, token: str | None, seconds: int, connections: int) -> float:
    """Run the asyncio client in a separate process, so it does not share a GIL with anything measured."""
    command = [sys.executable, __file__, "--load", url, "--seconds", str(seconds), "--connections", str(connections)]
    if token:
        command += ["--token", token]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


async def _load(url: str, token: str | None, seconds: int, connections: int) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    done = 0
    async with httpx.AsyncClient(headers=headers, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                response = await client.get(url)
                response.raise_for_status()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - started)


# -- the run --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare()
    if args.load:
        print(asyncio.run(_load(args.load, args.token, args.seconds, args.connections)))
        return None

    rate = wrk_rate if shutil.which("wrk") else python_rate
    settings = load_settings()
    started = time.perf_counter()
    with EmbeddedSandbox(settings, mode="thread"):
        ready = time.perf_counter() - started
    with EmbeddedSandbox(settings, mode="process") as sandbox, bare_server() as bare_url:
        admin = settings.persona("seller_admin")
        assert admin.username and admin.password
        form = {"grant_type": "password", "client_id": settings.client_id, "username": admin.username, "password": admin.password.get_secret_value(), "scope": "FullAccess"}
        token = httpx.post(f"{sandbox.base_url}/oauth/token", data=form).json()["access_token"]
        with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            for n in range(PRODUCTS):
                api.post("/products", json={"ID": f"bench-{n:02}", "Name": f"Benchmark product {n}", "Active": True, "xp": {"n": n}}).raise_for_status()
            assert len(api.get("/products").json()["Items"]) == PRODUCTS
        targets = {
            "bare Starlette JSON endpoint": (f"{bare_url}/bare", None),
            "GET /v1/me (authorized)": (f"{sandbox.base_url}/v1/me", token),
            f"GET /v1/products ({PRODUCTS} items)": (f"{sandbox.base_url}/v1/products", token),
        }
        best = dict.fromkeys(targets, 0.0)
        for _ in range(args.rounds):  # interleaved rounds, best of each: a busy machine slows runs, never speeds them up
            for name, (url, bearer) in targets.items():
                best[name] = max(best[name], rate(url, bearer, args.seconds, args.connections))
    rows = list(best.items())
    baseline = rows[0][1]
    generator = "wrk -t1" if rate is wrk_rate else "httpx/asyncio client"
    print(f"Sandbox throughput ({generator}, {args.connections} connections, best of {args.rounds} x {args.seconds} s; same uvicorn settings)\n")
    print("| endpoint | requests/s | ratio to bare Starlette |")
    print("| --- | ---: | ---: |")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} | {value / baseline:.2f} |")
    print(f"\nSandbox ready (thread mode, fresh marketplace) in {ready:.2f} s")


if __name__ == "__main__":
    main()
