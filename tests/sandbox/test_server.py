"""Starting and stopping the embedded sandbox, what a fresh one holds, and its non-API endpoints under /_sandbox."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest
from _sandbox_api import api_client, password_token

from ocgate.config import Settings
from ocgate.sandbox.server import EmbeddedSandbox, SandboxError


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_the_sandbox_starts_answers_and_stops(settings: Settings, mode: str) -> None:
    started = time.perf_counter()
    with EmbeddedSandbox(settings, mode=mode) as running:
        print(f"{mode} sandbox ready in {time.perf_counter() - started:.2f} s")  # benchmarks/ records it; no timing assertion here
        assert httpx.get(f"{running.base_url}/_sandbox/health").json()["status"] == "ok"
        base_url = running.base_url
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/_sandbox/health", timeout=1)


def test_a_fresh_sandbox_holds_a_seller_admin_a_client_and_a_full_access_profile(sandbox: EmbeddedSandbox, settings: Settings) -> None:
    persona = settings.persona("seller_admin")
    assert persona.username and persona.password
    token = password_token(sandbox.base_url, settings.client_id, persona.username, persona.password.get_secret_value(), "FullAccess")
    with api_client(sandbox.base_url, token) as admin:
        assert [client["ID"] for client in admin.get("/apiclients").json()["Items"]] == [settings.client_id]
        assert [user["Username"] for user in admin.get("/adminusers").json()["Items"]] == [persona.username]
        assert admin.get("/securityprofiles").json()["Items"][0]["Roles"] == ["FullAccess"]


def test_sandbox_endpoints_live_outside_v1(sandbox: EmbeddedSandbox) -> None:
    counts = httpx.get(f"{sandbox.base_url}/_sandbox/counts").json()
    assert counts["collections"]["/adminusers"] == 1
    assert httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json() == {"Items": []}
    assert httpx.get(f"{sandbox.base_url}/v1/_sandbox/health").status_code == 404  # not part of the API


def test_a_busy_port_is_a_clear_sandbox_error(settings: Settings) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SandboxError, match=f"sandbox.port: cannot listen on 127.0.0.1:{port}"):
            EmbeddedSandbox(settings.model_copy(update={"sandbox": settings.sandbox.model_copy(update={"port": port})})).start()
        command = [sys.executable, "-m", "ocgate.sandbox", "--port", str(port)]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=settings.config_dir)
    assert finished.returncode == 2
    assert finished.stderr.strip().count("\n") == 0
    assert "cannot listen" in finished.stderr


def test_the_clock_moves_forward_only_by_a_number_of_seconds(sandbox: EmbeddedSandbox) -> None:
    clock = f"{sandbox.base_url}/_sandbox/clock"
    assert httpx.post(clock, json={"seconds": 0}).json() == {"offset_seconds": 0}
    for bad in ({"seconds": -5}, {"seconds": "soon"}, [], {"minutes": 1}):
        response = httpx.post(clock, json=bad)
        assert response.status_code == 400
        assert response.json()["Errors"][0]["ErrorCode"] == "InvalidRequest"
