"""Starting and stopping the embedded sandbox.

`EmbeddedSandbox` runs uvicorn on a free loopback port, either in a thread of
this process (fast, for tests and the contract suite) or in a subprocess
(for Locust, whose gevent monkey-patching must not share a process with it).
Either way `start()` returns only once the sandbox answers its health check.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Literal

import httpx
import uvicorn
from starlette.types import ASGIApp

from ..config import Settings
from ..errors import CannotRun
from ..spec import load_spec
from .app import create_app
from .state import Bootstrap, Marketplace

READY_TIMEOUT = 15.0


class SandboxError(CannotRun):
    """The embedded sandbox could not be started; the message says why."""


def bootstrap_from(settings: Settings) -> Bootstrap:
    admin = settings.persona("seller_admin")
    if not admin.username or not admin.password:
        raise SandboxError("personas.seller_admin: username and password are needed to create the sandbox's seller admin")
    return Bootstrap(
        seller_id=settings.sandbox.seller_id,
        seller_name=settings.sandbox.seller_name,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value() if settings.client_secret else None,
        admin_username=admin.username,
        admin_password=admin.password.get_secret_value(),
    )


def build_marketplace(settings: Settings) -> Marketplace:
    return Marketplace(load_spec(settings.spec_location), bootstrap_from(settings))


def bind_socket(host: str, port: int) -> socket.socket:
    # proto IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle's algorithm).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SandboxError(f"sandbox.port: cannot listen on {host}:{port} ({exc.strerror}); pick another port or 0 for any free one") from None
    sock.listen(1024)
    return sock


def uvicorn_server(app: ASGIApp) -> uvicorn.Server:
    """The uvicorn settings every sandbox runs with (benchmarks/sandbox_throughput.py serves its baseline with them too)."""
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))


class EmbeddedSandbox:
    def __init__(self, settings: Settings, mode: Literal["thread", "process"] = "thread") -> None:
        self.settings = settings
        self.mode = mode
        self.base_url = ""
        self.market: Marketplace | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> EmbeddedSandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> str:
        """Start and wait until healthy; returns the base URL (without /v1)."""
        if self.mode == "process":
            self._start_process()
        else:
            self._start_thread()
        self._wait_until_ready()
        return self.base_url

    def _start_thread(self) -> None:
        self.market = build_marketplace(self.settings)
        sock = bind_socket(self.settings.sandbox.host, self.settings.sandbox.port)
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self._server = uvicorn_server(create_app(self.market))
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve(sockets=[sock])), name="ocgate-sandbox", daemon=True)
        self._thread.start()

    def _start_process(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "ocgate.sandbox", "--host", self.settings.sandbox.host, "--port", str(self.settings.sandbox.port)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(self.settings.config_dir))
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("ocgate sandbox listening on "):
            error = self._process.stderr.read() if self._process.stderr else ""
            self.stop()
            raise SandboxError(f"the sandbox process did not start: {(error.strip().splitlines() or [line.strip()])[-1]}")
        self.base_url = line.split()[-1]
        threading.Thread(target=self._process.stdout.read, daemon=True).start()  # keep its pipe drained

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(timeout=1) as client:  # one client: each new one costs tens of ms
            while time.monotonic() < deadline:
                try:
                    if client.get(f"{self.base_url}/_sandbox/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise SandboxError(f"the embedded sandbox did not become ready within {READY_TIMEOUT:.0f} s")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the sandbox in the foreground until interrupted (used by `ocgate sandbox serve`)."""
    market = build_marketplace(settings)
    sock = bind_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    print(f"ocgate sandbox listening on http://{bound_host}:{bound_port}", flush=True)
    asyncio.run(uvicorn_server(create_app(market)).serve(sockets=[sock]))
