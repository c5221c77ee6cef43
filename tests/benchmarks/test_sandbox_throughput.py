"""benchmarks/sandbox_throughput.py names its load generator and reports no ratio its client bounds.

Without wrk, a Python client saturates near 400 req/s and measures every server at that rate:
ratios near 1.0, as if the sandbox matched bare Starlette. The benchmark measures what its
load generator reaches against a trivial server and refuses, in one line, to report ratios
when a server it measured came near that.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "sandbox_throughput.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_sandbox_throughput", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_script()


class TestClientBound:
    def test_a_python_client_at_its_ceiling_is_refused(self) -> None:
        reason = bench.client_bound(390.0, {bench.BASELINE: 370.0, "GET /v1/me": 360.0, "GET /v1/products": 350.0})
        assert reason is not None
        assert "390 req/s" in reason and "370 req/s" in reason and "95%" in reason and bench.BASELINE in reason

    def test_servers_well_below_the_ceiling_give_ratios(self) -> None:
        assert bench.client_bound(125_000.0, {bench.BASELINE: 10_400.0, "GET /v1/me": 8_600.0}) is None

    def test_the_fastest_server_decides_whichever_it_is(self) -> None:
        reason = bench.client_bound(1_000.0, {bench.BASELINE: 300.0, "GET /v1/me": 900.0})
        assert reason is not None and "GET /v1/me at 900 req/s" in reason

    def test_the_limit_is_a_share_of_the_ceiling(self) -> None:
        rates = {bench.BASELINE: 500.0}
        assert bench.client_bound(1_000.0, rates) is None
        assert bench.client_bound(1_000.0, {bench.BASELINE: 501.0}) is not None
        assert bench.client_bound(1_000.0, rates, max_share=0.4) is not None

    def test_no_ceiling_measured_is_refused(self) -> None:
        assert bench.client_bound(0.0, {bench.BASELINE: 10.0}) is not None


class TestLoadGenerator:
    def test_without_wrk_the_python_client_is_named_and_the_refusal_says_how_to_install_wrk(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(bench.shutil, "which", lambda name: None)
        generator = bench.load_generator(1)
        assert generator.rate is bench.python_rate
        assert "Python" in generator.name and "wrk is not on PATH" in generator.note
        line = bench.refusal(generator, bench.client_bound(390.0, {bench.BASELINE: 370.0}))
        assert "\n" not in line
        assert line.startswith("sandbox_throughput: no ratios:") and generator.name in line and "apt-get install wrk" in line

    def test_with_wrk_its_version_and_threads_are_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(bench.shutil, "which", lambda name: "/usr/bin/wrk")
        monkeypatch.setattr(bench, "wrk_version", lambda: "wrk 4.1.0 [epoll]")
        generator = bench.load_generator(2)
        assert generator.name == "wrk 4.1.0 [epoll], 2 threads" and generator.note == ""
        assert "--threads 3" in bench.refusal(generator, "it tops out")


class FakeTransport:
    def __init__(self) -> None:
        self.sent = b""

    def write(self, data: bytes) -> None:
        self.sent += data


def test_the_trivial_server_answers_each_request_head_once_whatever_the_chunks() -> None:
    protocol, transport = bench.TrivialHttp(), FakeTransport()
    protocol.connection_made(transport)
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    protocol.data_received(request[:10])
    assert transport.sent == b""
    protocol.data_received(request[10:] + request + request[:5])
    assert transport.sent == bench.TRIVIAL_RESPONSE * 2
    protocol.data_received(request[5:])
    assert transport.sent == bench.TRIVIAL_RESPONSE * 3
