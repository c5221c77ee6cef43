"""The report stays light: a passing journey keeps its steps, a failing one every exchange.

A full run's scenarios make thousands of calls; attached, their bodies made a 106 MB page.
Each recorded call is an Allure step naming persona, method, path and status; its masked
request (curl) and response are kept while the test runs and attached only if it fails.

The end-to-end test runs two tiny journeys through the scenario suite's own conftest (its
fixtures and hooks) in a subprocess, against an embedded sandbox, and reads the Allure
results they leave. The others check the client's side of it in this process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_runs import environment

from ocgate.api import client as client_module
from ocgate.api.client import OrderCloudClient, attach_exchange, attach_kept, keep_exchanges, unrecorded
from ocgate.redact import MASK
from ocgate.scenarios.suite import SCENARIOS_DIR, UNUSED_PLUGINS

JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWxsZXIifQ.c2lnbmF0dXJl"

#: Loads scenarios/conftest.py under another name and takes its fixtures and hooks as its own.
CONFTEST = f"""
import importlib.util
import sys

sys.path.insert(0, {str(SCENARIOS_DIR)!r})
_spec = importlib.util.spec_from_file_location("scenario_suite_conftest", {str(SCENARIOS_DIR / "conftest.py")!r})
_suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_suite)
globals().update({{name: value for name, value in vars(_suite).items() if not name.startswith("__")}})
"""

JOURNEYS = """
import pytest


def test_a_journey_that_passes(seller):
    seller.ok("GET", "/me")
    seller.get("/products", pageSize=2)


def test_a_journey_that_fails(seller):
    seller.get("/me")
    seller.get("/buyers", pageSize=1)
    assert False, "broken on purpose"


@pytest.mark.parametrize("entry", ["x" * 5000], ids=["a-long-value"])
def test_a_long_parameter(entry):
    pass
"""


def allure_results(folder: Path) -> dict[str, dict[str, Any]]:
    """Test name -> its Allure result."""
    results = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*-result.json")]
    return {result["name"]: result for result in results}


def attachments(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every attachment of a result or step, its steps' included, in order."""
    yield from node.get("attachments", [])
    for step in node.get("steps", []):
        yield from attachments(step)


def step_names(node: dict[str, Any]) -> list[str]:
    return [step["name"] for step in node.get("steps", [])]


@pytest.fixture(scope="module")
def journeys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the tiny journeys once; returns their Allure results folder."""
    root = tmp_path_factory.mktemp("report-size")
    suite = root / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (suite / "test_journeys.py").write_text(JOURNEYS, encoding="utf-8")
    results = root / "allure-results"
    command = [sys.executable, "-m", "pytest", str(suite), "--rootdir", str(suite), "--alluredir", str(results), "-q", "-p", "no:cacheprovider"]
    command += [option for plugin in UNUSED_PLUGINS for option in ("-p", f"no:{plugin}")]
    done = subprocess.run(command, cwd=SCENARIOS_DIR.parent, env=environment({"OCGATE_REPORTS_DIR": str(root / "reports")}), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # one test fails on purpose
    assert "1 failed, 2 passed" in done.stdout, done.stdout
    return results


def test_a_passing_journey_keeps_its_steps_and_no_attachment(journeys: Path) -> None:
    result = allure_results(journeys)["test_a_journey_that_passes"]
    assert result["status"] == "passed"
    names = step_names(result)
    assert len(names) == 2, names
    assert re.fullmatch(r"seller_admin: GET /me → 200 \(\d+ ms\)", names[0]), names
    assert re.fullmatch(r"seller_admin: GET /products → 200 \(\d+ ms\)", names[1]), names
    assert list(attachments(result)) == []


def test_a_failing_journey_has_every_exchange_attached_in_order_and_masked(journeys: Path) -> None:
    result = allure_results(journeys)["test_a_journey_that_fails"]
    assert result["status"] == "failed"
    journey, calls = step_names(result)[:2], result["steps"][2]
    assert re.fullmatch(r"seller_admin: GET /me → 200 \(\d+ ms\)", journey[0]), journey
    assert re.fullmatch(r"seller_admin: GET /buyers → 200 \(\d+ ms\)", journey[1]), journey
    assert calls["name"].startswith("The 2 calls of this test"), calls["name"]
    assert step_names(calls) == ["1. seller_admin: GET /me → 200", "2. seller_admin: GET /buyers → 200"]
    attached = list(attachments(result))
    assert [item["name"] for item in attached] == ["request (curl)", "response 200"] * 2
    texts = [(journeys / item["source"]).read_text(encoding="utf-8") for item in attached]
    assert texts[0].startswith("curl -X GET") and "/v1/me" in texts[0]
    assert "/v1/buyers?pageSize=1" in texts[2]
    for curl in (texts[0], texts[2]):
        assert f"'authorization: bearer {MASK}'" in curl.lower(), curl
    assert json.loads(texts[3])["Meta"]["PageSize"] == 1
    for text in texts:
        assert not JWT.search(text), text


def test_only_the_failing_journey_left_attachment_files(journeys: Path) -> None:
    assert len(list(journeys.glob("*-attachment*"))) == 4


def test_a_long_parameter_value_is_shown_by_its_test_id(journeys: Path) -> None:
    result = allure_results(journeys)["test_a_long_parameter[a-long-value]"]
    assert result["parameters"] == [{"name": "entry", "value": "'a-long-value'"}]


# -- the client's side, in this process ----------------------------------------------------------


@pytest.fixture
def reported(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the client puts in the report: ("step", title) and ("attach", name), in order."""
    seen: list[tuple[str, str]] = []

    class Step:
        def __init__(self, title: str) -> None:
            seen.append(("step", title))

        def __enter__(self) -> None:
            return None

        def __exit__(self, *exc_info: object) -> None:
            return None

    monkeypatch.setattr(client_module.allure, "step", Step)
    monkeypatch.setattr(client_module.allure, "attach", lambda body, name=None, attachment_type=None, extension=None: seen.append(("attach", name)))
    return seen


def sandbox_client(status: int = 200) -> OrderCloudClient:
    """A recorded seller client whose calls a stub answers."""
    api = OrderCloudClient("https://example.invalid", None, "seller_admin")
    api.http = httpx.Client(
        base_url="https://example.invalid/v1",
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=httpx.MockTransport(lambda request: httpx.Response(status, json={"ID": "x", "access_token": TOKEN})),
    )
    return api


def test_outside_a_test_buffer_an_exchange_is_attached_at_once(reported: list[tuple[str, str]]) -> None:
    with sandbox_client() as api:
        api.get("/me")
    assert [kind for kind, _ in reported] == ["step", "attach", "attach"]
    assert re.fullmatch(r"seller_admin: GET /me → 200 \(\d+ ms\)", reported[0][1])


def test_inside_keep_exchanges_the_exchanges_wait_for_a_verdict(reported: list[tuple[str, str]]) -> None:
    with sandbox_client(404) as api, keep_exchanges() as kept:
        api.get("/me")
        api.delete("/products/x")
    assert [kind for kind, _ in reported] == ["step", "step"]
    assert [exchange.title for exchange in kept] == ["seller_admin: GET /me", "seller_admin: DELETE /products/x"]
    reported.clear()
    attach_kept(kept)
    assert reported == [
        ("step", "The 2 calls of this test: requests (curl) and responses, masked"),
        ("step", "1. seller_admin: GET /me → 404"),
        ("attach", "request (curl)"),
        ("attach", "response 404"),
        ("step", "2. seller_admin: DELETE /products/x → 404"),
        ("attach", "request (curl)"),
        ("attach", "response 404"),
    ]


def test_a_kept_exchange_is_masked_when_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies: list[str] = []
    monkeypatch.setattr(client_module.allure, "attach", lambda body, name=None, attachment_type=None, extension=None: bodies.append(body))
    with sandbox_client() as api, keep_exchanges() as kept:
        attach_exchange(api.get("/me"))
    assert bodies == []
    kept[0].attach()
    assert len(bodies) == 2 and not any(TOKEN in body for body in bodies), bodies


def test_unrecorded_calls_leave_nothing(reported: list[tuple[str, str]]) -> None:
    with sandbox_client() as api, keep_exchanges() as kept, unrecorded():
        api.get("/me")
    assert reported == [] and kept == []
