"""Running the contract gate as CI does (a pytest subprocess) against a sandbox served here.

`served(app)` serves an ASGI app (the embedded sandbox, maybe wrapped in fault injection)
on a free loopback port; `run_gate(url, ...)` runs `pytest contracts/` against it and
returns the exit code, the JUnit results per operation and the coverage report.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from ocgate.config import Settings
from ocgate.contract.suite import pytest_command

REPO = Path(__file__).resolve().parents[2]


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
