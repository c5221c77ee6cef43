"""The gate and the scenarios behind a network that holds every request for N ms.

    .venv/bin/python benchmarks/latency.py [--delays 0,50,100] [--workers N] [--tag T] [--skip-scenarios]

A CI job reaching a real OrderCloud sandbox waits 50-150 ms per request; on the embedded
sandbox a request takes about 1 ms, so a harness that sends its calls one after another looks
fast here and is slow there. This benchmark starts the embedded sandbox (a process of its
own) and, in front of it, a delaying proxy of its own on 127.0.0.1: a TCP relay that forwards
each chunk the client sends `delay` ms after it arrived (a link with that latency: requests
on one connection stay in order, answers come back at once). Then, per delay, it runs the
gate profile (`pytest contracts/`, as `ocgate contract` does) and the scenarios (`pytest
scenarios/`) against the proxy's URL, and prints one Markdown row per run: wall time,
calls, retries (429/503 waited out), operations reaching 2xx, exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ocgate.config import load_settings
from ocgate.contract.suite import pytest_command as contract_command
from ocgate.sandbox import EmbeddedSandbox
from ocgate.scenarios.suite import pytest_command as scenarios_command

REPO = Path(__file__).resolve().parents[1]
CHUNK = 65536


class DelayingProxy:
    """A loopback TCP relay to `upstream` (host, port) that delays what clients send by `delay` seconds.

    The sandbox closes a keep-alive connection after 5 idle seconds; a request the client sent
    just before (it is held here for `delay`) would meet a closed connection. The relay then
    opens a new upstream connection for it: an idle close only ever happens between requests.
    """

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream = upstream
        self.delay = delay
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        # asyncio keeps only weak references to tasks, and on Python 3.11 nothing else holds a
        # connection's relay: without this set, a relay waiting on an idle link could be garbage
        # collected mid-wait ("Task was destroyed but it is pending").
        self._relays: set[asyncio.Task] = set()

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        # Chunks are queued with the time they may leave: a slow chunk never holds up a later one
        # longer than the delay, as on a link with that latency.
        relay = asyncio.current_task()
        assert relay is not None
        self._relays.add(relay)
        relay.add_done_callback(self._relays.discard)
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        receiving = self.loop.create_task(self._receive(client_reader, queue))
        upstream: asyncio.StreamWriter | None = None
        answers: asyncio.Task | None = None
        try:
            while (item := await queue.get())[1]:
                due, data = item
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                if upstream is None or answers is None or answers.done():
                    reader, upstream = await asyncio.open_connection(*self.upstream)
                    answers = self.loop.create_task(self._answer(reader, client_writer))
                upstream.write(data)
                await upstream.drain()
            if answers is not None:
                await answers
        except OSError:
            pass  # a side went away: the relay ends, as the connection would
        finally:
            client_writer.close()
            if upstream is not None:
                upstream.close()
            helpers = [task for task in (receiving, answers) if task is not None]
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)  # ended before the relay lets go of them

    async def _receive(self, reader: asyncio.StreamReader, queue: asyncio.Queue) -> None:
        while data := await reader.read(CHUNK):
            queue.put_nowait((self.loop.time() + self.delay, data))
        queue.put_nowait((0.0, b""))

    @staticmethod
    async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()

    async def _serve(self, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(self._relay, "127.0.0.1", 0, backlog=512)
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        async with server:
            await stop.wait()
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)  # relays ended here are no errors
        relays = list(self._relays)
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)  # connections still open end with the proxy

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve in a thread of this process; yields the proxy's base URL."""
        stop = asyncio.Event()
        thread = threading.Thread(target=self.loop.run_until_complete, args=(self._serve(stop),), daemon=True)
        thread.start()
        self.ready.wait(10)
        try:
            yield f"http://127.0.0.1:{self.port}"
        finally:
            self.loop.call_soon_threadsafe(stop.set)
            thread.join(10)


def run_suite(command: list[str], base_url: str, spec: str, workdir: Path) -> tuple[float, int, str]:
    """Run one suite against `base_url`; wall seconds, exit code and the output's last lines."""
    env = {**os.environ, "OCGATE_TARGET": base_url, "OCGATE_SPEC": spec, "OCGATE_REPORTS_DIR": str(workdir), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    completed = subprocess.run([*command, "-q", "-W", "ignore"], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        print(completed.stdout[-3000:] + completed.stderr[-3000:], file=sys.stderr)
    return time.monotonic() - started, completed.returncode, "\n".join(completed.stdout.strip().splitlines()[-4:])


def gate_row(delay_ms: int, base_url: str, spec: str, workdir: Path, args: argparse.Namespace) -> str:
    command = contract_command(workdir, profile="gate", tags=args.tag or (), workers=args.workers)
    seconds, exit_code, tail = run_suite(command, base_url, spec, workdir)
    report = json.loads((workdir / "contract-coverage.json").read_text(encoding="utf-8"))
    calls = report["calls"]
    print(tail, flush=True)
    return (
        f"| gate | {delay_ms} ms | {seconds:.0f} s | {calls} | {report['retries']} | "
        f"{report['reached_2xx']}/{report['operations']} ({report['share_2xx']:.1%}) | {exit_code} |"
    )


def scenarios_row(delay_ms: int, base_url: str, spec: str, workdir: Path) -> str:
    seconds, exit_code, tail = run_suite(scenarios_command(workdir), base_url, spec, workdir)
    print(tail, flush=True)
    return f"| scenarios + role matrix | {delay_ms} ms | {seconds:.0f} s | | | | {exit_code} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delays", default="0,50,100", help="comma list of delays in ms (default 0,50,100)")
    parser.add_argument("--workers", type=int, default=None, help="the gate's workers (default: the [contract] table's)")
    parser.add_argument("--tag", action="append", help="gate: only operations with this tag (repeatable)")
    parser.add_argument("--skip-scenarios", action="store_true")
    parser.add_argument("--skip-gate", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    rows = []
    with EmbeddedSandbox(settings, mode="process") as sandbox, tempfile.TemporaryDirectory() as tmp:
        host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
        for delay_ms in (int(value) for value in args.delays.split(",")):
            with DelayingProxy((host, int(port)), delay_ms / 1000).running() as base_url:
                if not args.skip_gate:
                    rows.append(gate_row(delay_ms, base_url, settings.spec_location, Path(tmp) / f"gate-{delay_ms}", args))
                    print(rows[-1], flush=True)
                if not args.skip_scenarios:
                    rows.append(scenarios_row(delay_ms, base_url, settings.spec_location, Path(tmp) / f"scenarios-{delay_ms}"))
                    print(rows[-1], flush=True)
    print(f"\n{os.cpu_count()} CPUs, spec {settings.spec_location}, embedded sandbox behind a delaying proxy")
    print("| run | delay | wall time | calls | retries | reached 2xx | exit code |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
