"""Running the contract gate as CI does (a pytest subprocess) against a sandbox served here.

`served(app)` serves an ASGI app (the embedded sandbox, maybe wrapped in fault injection:
`faulty_sandbox`) on a free loopback port; `run_gate(url, ...)` runs `pytest contracts/` against it and
returns the exit code, the JUnit results per operation and the coverage report.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ocgate.config import Settings
from ocgate.contract.suite import pytest_command
from ocgate.sandbox.app import create_app
from ocgate.sandbox.errors import ApiError
from ocgate.sandbox.routing import Router
from ocgate.sandbox.server import build_marketplace

REPO = Path(__file__).resolve().parents[2]
#: (status, answer, the request's JSON body) -> (status, answer): one operation's answers, broken
Fault = Callable[[int, Any, Any], tuple[int, Any]]


@contextmanager
def served(app, settings: Settings) -> Iterator[str]:
    """Serve `app` on a free loopback port; yields its base URL."""
    from ocgate.sandbox.server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    base_url = f"http://{host}:{port}"
    for _ in range(500):
        try:
            if httpx.get(f"{base_url}/_sandbox/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            threading.Event().wait(0.02)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@dataclass
class GateRun:
    exit_code: int
    #: operationId -> failure message ("" when the operation passed)
    results: dict[str, str]
    #: operationId -> why it was skipped ("known: ..." for waived failures)
    skipped: dict[str, str]
    coverage: dict
    output: str
    reports: Path

    def allure_results(self) -> list[dict]:
        """The allure-pytest results of the operations, each with its attachments' text under "texts"."""
        folder = self.reports / "allure-results" / "contract"
        results = []
        for path in folder.glob("*-result.json"):
            result = json.loads(path.read_text(encoding="utf-8"))
            result["texts"] = [(folder / attachment["source"]).read_text(encoding="utf-8") for attachment in result.get("attachments", [])]
            results.append(result)
        return results


def run_gate(
    base_url: str, settings: Settings, tmp_path: Path, operation_ids: list[str], waivers: Path | None = None, *, tags: list[str] | None = None, workers: int | None = None
) -> GateRun:
    """`pytest contracts/` (gate profile) for these operations (or tags) against `base_url`."""
    env = {
        **os.environ,
        "OCGATE_TARGET": base_url,
        "OCGATE_SPEC": settings.spec_location,
        "OCGATE_REPORTS_DIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = pytest_command(tmp_path, profile="gate", operation_ids=operation_ids, tags=tags or (), waivers=str(waivers) if waivers else None, workers=workers)
    completed = subprocess.run([*command, "-q", "-W", "ignore"], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=600)
    results, skipped = {}, {}
    for case in ElementTree.parse(tmp_path / "junit" / "contract.xml").getroot().iter("testcase"):
        name = case.get("name", "")
        if "[" in name:
            operation_id = name.split("[", 1)[1].rstrip("]")
            failure, skip = case.find("failure"), case.find("skipped")
            results[operation_id] = "" if failure is None else (failure.get("message", "") + (failure.text or ""))
            if skip is not None:
                skipped[operation_id] = skip.get("message", "")
    coverage = json.loads((tmp_path / "contract-coverage.json").read_text(encoding="utf-8"))
    return GateRun(completed.returncode, results, skipped, coverage, completed.stdout + completed.stderr, tmp_path)


def sandbox_counts(base_url: str) -> dict:
    return httpx.get(f"{base_url}/_sandbox/counts", timeout=10).json()["collections"]


class FaultyApi:
    """ASGI middleware: the sandbox's answers to the faulted operations, rewritten the way a broken
    OrderCloud release would answer (each fault sees the request's JSON body too)."""

    def __init__(self, app: Any, router: Router, faults: dict[str, Fault]) -> None:
        self.app, self.router, self.faults = app, router, faults

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        fault = self._fault_for(scope)
        if fault is None:
            await self.app(scope, receive, send)
            return
        request = b""
        while True:
            message = await receive()
            request += message.get("body", b"")
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": request, "more_body": False}

        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        raw = b"".join(chunks)
        try:
            sent = json.loads(request) if request else None
        except ValueError:
            sent = None
        status, body = fault(start["status"], json.loads(raw) if raw else None, sent)
        content = json.dumps(body).encode() if body is not None else b""
        headers = [(name, value) for name, value in start["headers"] if name.lower() not in (b"content-length", b"content-type")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _fault_for(self, scope: dict) -> Fault | None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            return None
        try:
            op, _ = self.router.match(scope["method"], scope["path"][3:])
        except ApiError:
            return None
        return self.faults.get(op.operation_id)


def faulty_sandbox(settings: Settings, faults: dict[str, Fault]) -> Any:
    market = build_marketplace(settings)
    return FaultyApi(create_app(market), Router(market.spec.operations), faults)


def run_faulty_gate(settings: Settings, reports: Path, faults: dict[str, Fault], operation_ids: list[str], waived: tuple[str, Fault, str]) -> GateRun:
    """The gate over `operation_ids` against a sandbox broken by `faults`, plus one operation whose
    fault a waiver accepts (`waived`: operation, fault, check)."""
    operation, fault, check = waived
    waivers = reports / "waivers.toml"
    waivers.write_text(f'[[waiver]]\noperation = "{operation}"\ncheck = "{check}"\nreason = "accepted in this test"\nexpires = 2999-12-31\n', encoding="utf-8")
    with served(faulty_sandbox(settings, {**faults, operation: fault}), settings) as url:
        return run_gate(url, settings, reports, [*operation_ids, operation], waivers)
