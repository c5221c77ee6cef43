"""The contract gate against plain `st run`, on the same spec and the same embedded sandbox.

    .venv/bin/python benchmarks/contract_gate.py [--skip-st]     # from the repository root

One embedded sandbox (a process of its own) serves both runs, one after the other:

1. gate: `pytest contracts/` with the `gate` profile, as `ocgate contract` runs it (seeding,
   personas, cleanup included);
2. st run: Schemathesis's CLI with its default settings on the same overlaid document, as
   the seller admin (a FullAccess token in an Authorization header), with a HAR report.

For each: wall time, operations exercised, the share of operations that answered 2xx at
least once, and requests sent (the gate's count includes its probes). Prints a Markdown
table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ocgate.config import Settings, load_settings
from ocgate.contract.suite import pytest_command
from ocgate.sandbox import EmbeddedSandbox
from ocgate.sandbox.routing import Router
from ocgate.spec import load_spec

ST = Path(sys.executable).with_name("st")


def run_gate(settings: Settings, base_url: str, workdir: Path) -> dict:
    env = {**os.environ, "OCGATE_TARGET": base_url, "OCGATE_SPEC": settings.spec_location, "OCGATE_REPORTS_DIR": str(workdir)}
    started = time.monotonic()
    completed = subprocess.run([*pytest_command(workdir, profile="gate"), "-q", "-W", "ignore"], env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    report = json.loads((workdir / "contract-coverage.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "operations": report["operations"],
        "exercised": report["exercised"],
        "reached_2xx": report["reached_2xx"],
        "requests": report["requests"] + report["probe_requests"],
        "exit": completed.returncode,
    }


def admin_token(settings: Settings, base_url: str) -> str:
    admin = settings.persona("seller_admin")
    assert admin.username and admin.password
    form = {"grant_type": "password", "client_id": settings.client_id, "username": admin.username, "password": admin.password.get_secret_value(), "scope": "FullAccess"}
    return httpx.post(f"{base_url}/oauth/token", data=form, timeout=30).json()["access_token"]


def run_st(settings: Settings, base_url: str, workdir: Path) -> dict:
    spec = load_spec(settings.spec_location)
    document = dict(spec.document, servers=[{"url": "/v1"}])
    schema_file = workdir / "openapi.json"
    schema_file.write_text(json.dumps(document), encoding="utf-8")
    har = workdir / "st.har"
    command = [str(ST), "run", str(schema_file), "--url", f"{base_url}/v1", "-H", f"Authorization: Bearer {admin_token(settings, base_url)}", "--report", "har", "--report-har-path", str(har)]
    started = time.monotonic()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    print("st run: " + " ".join(completed.stdout.strip().splitlines()[-3:]), file=sys.stderr)
    router = Router(spec.operations)
    statuses: dict[str, set[int]] = defaultdict(set)
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    for entry in entries:
        path = urlsplit(entry["request"]["url"]).path
        try:
            op, _ = router.match(entry["request"]["method"], path.removeprefix("/v1"))
        except Exception:  # a probe at a path or method the spec does not have
            continue
        statuses[op.operation_id].add(entry["response"]["status"])
    return {
        "seconds": seconds,
        "operations": len(spec.operations),
        "exercised": len(statuses),
        "reached_2xx": sum(1 for codes in statuses.values() if any(200 <= code < 300 for code in codes)),
        "requests": len(entries),
        "exit": completed.returncode,
    }


def table(rows: dict[str, dict]) -> str:
    lines = ["| run | wall time | operations exercised | reached 2xx | requests | exit code |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in rows.items():
        share = row["reached_2xx"] / row["operations"]
        lines.append(f"| {name} | {row['seconds']:.0f} s | {row['exercised']}/{row['operations']} | {row['reached_2xx']} ({share:.0%}) | {row['requests']} | {row['exit']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-st", action="store_true", help="measure the gate only")
    parser.add_argument("--skip-gate", action="store_true", help="measure st run only")
    args = parser.parse_args()
    settings = load_settings()
    rows = {}
    with EmbeddedSandbox(settings, mode="process") as sandbox, tempfile.TemporaryDirectory() as tmp:
        if not args.skip_gate:
            rows["ocgate contract (gate profile)"] = run_gate(settings, sandbox.base_url, Path(tmp) / "gate")
        if not args.skip_st:
            (Path(tmp) / "st").mkdir()
            rows["st run (defaults, seller admin token)"] = run_st(settings, sandbox.base_url, Path(tmp) / "st")
    print(f"{os.cpu_count()} CPUs, spec {load_spec(load_settings().spec_location).version}, embedded sandbox")
    print(f"clients: the gate (pytest {version('pytest')} + Schemathesis {version('schemathesis')}), st run (Schemathesis {version('schemathesis')} CLI)")
    print(table(rows))


if __name__ == "__main__":
    main()
