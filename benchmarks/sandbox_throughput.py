"""Requests/s of the embedded sandbox against a bare Starlette JSON endpoint, in one run.

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 3] [--rounds 3] [--connections 32] [--threads 1]

Needs `wrk` (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk). Without it the
load comes from a small multi-connection httpx/asyncio client in one Python process, which
saturates before the servers do on most machines; then the benchmark says so in one line and
reports no ratio (exit 2) instead of ratios that measure the client.

Both servers run in their own process with the sandbox's uvicorn settings
(ocgate.sandbox.server.uvicorn_server on a socket from bind_socket); the load comes from a
third process. Measured, in interleaved rounds (best of each):

- the load generator's ceiling: a trivial asyncio server answering `{}` from one process,
  far cheaper than any Starlette app, so that what the generator reaches there is about
  the most it can do at all;
- baseline: GET /bare on a Starlette app that answers a constant JSON object;
- GET /v1/me with the seller admin's token;
- GET /v1/products listing 20 products with the same token.

The output names the load generator, then a table of requests/s and ratios to the baseline
(the goal is >= 0.5), plus how long the sandbox took to become ready. A ratio is reported
only when every server measured stays below MAX_SHARE_OF_CEILING of the generator's ceiling;
otherwise the generator, not the servers, set the pace. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from ocgate.config import load_settings
from ocgate.sandbox import EmbeddedSandbox

PRODUCTS = 20
#: A server measured above this share of the generator's ceiling was (or may have been) held
#: back by the generator: a ratio to it would measure the client.
MAX_SHARE_OF_CEILING = 0.5
INSTALL_WRK = "install wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"
CEILING = "trivial asyncio server (generator's ceiling)"
BASELINE = "bare Starlette JSON endpoint"
#: What the trivial server answers to every request it reads, on keep-alive connections.
TRIVIAL_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


# -- the servers (each run in its own process: `--serve bare|trivial`) --------------------------------


def serve_bare() -> None:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from ocgate.sandbox.server import bind_socket, uvicorn_server

    async def bare(request: object) -> JSONResponse:
        return JSONResponse({"ID": "bare", "Name": "A constant JSON object", "Active": True})

    sock = bind_socket("127.0.0.1", 0)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}/bare", flush=True)
    asyncio.run(uvicorn_server(Starlette(routes=[Route("/bare", bare)])).serve(sockets=[sock]))


class TrivialHttp(asyncio.Protocol):
    """Answers every request head it reads with TRIVIAL_RESPONSE (GETs only: no body to skip)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        heads = self.pending.count(b"\r\n\r\n")
        if heads:
            self.pending = self.pending[self.pending.rfind(b"\r\n\r\n") + 4 :]
            self.transport.write(TRIVIAL_RESPONSE * heads)


def serve_trivial() -> None:
    from ocgate.sandbox.server import bind_socket

    async def serve() -> None:
        sock = bind_socket("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(TrivialHttp, sock=sock)
        print(f"http://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
        await server.serve_forever()

    asyncio.run(serve())


@contextmanager
def server_process(kind: str) -> Iterator[str]:
    """Start `--serve KIND` in a process of its own; yields the URL to load."""
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        for _ in range(100):
            try:
                httpx.get(url)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- load generators ------------------------------------------------------------------------------------

Rate = Callable[[str, "str | None", int, int], float]  # url, bearer token, seconds, connections -> requests/s


@dataclass(frozen=True)
class LoadGenerator:
    name: str  # what the output says the load came from
    rate: Rate
    advice: str  # what to do when it bounds the measurement
    note: str = ""


def wrk_version() -> str:
    """`wrk 4.1.0 [epoll]` (wrk -v prints its version and exits 1)."""
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return re.sub(r"\s+Copyright.*", "", first[0]) if first else "wrk"


def wrk_rate(threads: int) -> Rate:
    def rate(url: str, token: str | None, seconds: int, connections: int) -> float:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url]
        if token:
            command[1:1] = ["-H", f"Authorization: Bearer {token}"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if errors:
            raise SystemExit(f"{url} answered {errors.group(1)} errors under load:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    return rate


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


def load_generator(threads: int) -> LoadGenerator:
    """wrk when it is on PATH, else the Python client."""
    if shutil.which("wrk"):
        return LoadGenerator(f"{wrk_version()}, {threads} thread{'s' if threads > 1 else ''}", wrk_rate(threads), f"run wrk with more threads (--threads {threads + 1})")
    return LoadGenerator("httpx/asyncio client in one Python process", python_rate, INSTALL_WRK, note=" (wrk is not on PATH)")


# -- the verdict ------------------------------------------------------------------------------------------


def client_bound(ceiling: float, rates: Mapping[str, float], max_share: float = MAX_SHARE_OF_CEILING) -> str | None:
    """Why ratios between `rates` would measure the load generator, or None when they would not.

    `ceiling` is what the generator reached against a server far cheaper than any measured; a
    server measured near it may have been held back by the generator, and a ratio to it (or of it)
    would show the client's limit, not the servers'."""
    if not rates:
        return None
    name, fastest = max(rates.items(), key=lambda item: item[1])
    if ceiling > 0 and fastest <= max_share * ceiling:
        return None
    share = f"{fastest / ceiling:.0%} of that" if ceiling > 0 else "more than that"
    return f"it tops out at {ceiling:,.0f} req/s against a trivial server and measured {name} at {fastest:,.0f} req/s ({share}; a fair ratio needs at most {max_share:.0%})"


def refusal(generator: LoadGenerator, reason: str) -> str:
    """The one line printed instead of ratios the client bounds."""
    return f"sandbox_throughput: no ratios: the load generator ({generator.name}) is the bottleneck: {reason}, so a ratio would measure the client, not the sandbox; {generator.advice} and run again"


# -- the run --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--serve", choices=("bare", "trivial"), help=argparse.SUPPRESS)
    parser.add_argument("--load", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        {"bare": serve_bare, "trivial": serve_trivial}[args.serve]()
        return 0
    if args.load:
        print(asyncio.run(_load(args.load, args.token, args.seconds, args.connections)))
        return 0

    generator = load_generator(args.threads)
    print(f"load generator: {generator.name}, {args.connections} connections{generator.note}", flush=True)
    settings = load_settings()
    started = time.perf_counter()
    with EmbeddedSandbox(settings, mode="thread"):
        ready = time.perf_counter() - started
    with EmbeddedSandbox(settings, mode="process") as sandbox, server_process("bare") as bare_url, server_process("trivial") as trivial_url:
        admin = settings.persona("seller_admin")
        assert admin.username and admin.password
        form = {"grant_type": "password", "client_id": settings.client_id, "username": admin.username, "password": admin.password.get_secret_value(), "scope": "FullAccess"}
        token = httpx.post(f"{sandbox.base_url}/oauth/token", data=form).json()["access_token"]
        with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {token}"}) as api:
            for n in range(PRODUCTS):
                api.post("/products", json={"ID": f"bench-{n:02}", "Name": f"Benchmark product {n}", "Active": True, "xp": {"n": n}}).raise_for_status()
            assert len(api.get("/products").json()["Items"]) == PRODUCTS
        targets = {
            CEILING: (trivial_url, None),
            BASELINE: (bare_url, None),
            "GET /v1/me (authorized)": (f"{sandbox.base_url}/v1/me", token),
            f"GET /v1/products ({PRODUCTS} items)": (f"{sandbox.base_url}/v1/products", token),
        }
        best = dict.fromkeys(targets, 0.0)
        for _ in range(args.rounds):  # interleaved rounds, best of each: a busy machine slows runs, never speeds them up
            for name, (url, bearer) in targets.items():
                best[name] = max(best[name], generator.rate(url, bearer, args.seconds, args.connections))
    ceiling = best.pop(CEILING)
    reason = client_bound(ceiling, best)
    if reason:
        print(refusal(generator, reason), file=sys.stderr)
        return 2
    baseline = best[BASELINE]
    print(f"Sandbox throughput (best of {args.rounds} x {args.seconds} s; same uvicorn settings; the generator reaches {ceiling:,.0f} req/s against a trivial server)\n")
    print("| endpoint | requests/s | ratio to bare Starlette |")
    print("| --- | ---: | ---: |")
    for name, value in best.items():
        print(f"| {name} | {value:,.0f} | {value / baseline:.2f} |")
    print(f"\nSandbox ready (thread mode, fresh marketplace) in {ready:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
