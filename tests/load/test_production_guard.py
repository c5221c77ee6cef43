"""Production is not a load target: api.ordercloud.io and *-production.ordercloud.io are refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ocgate.config import load_settings
from ocgate.errors import CannotRun, ExitCode
from ocgate.load.runner import run_load

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "overrides",
    [
        {"target": "https://api.ordercloud.io"},
        {"target": "europe-west-production"},
        {"target": "https://japaneast-production.ordercloud.io"},
        {"target": "https://sandboxapi.ordercloud.io", "token_url": "https://useast-production.ordercloud.io/oauth/token"},
    ],
)
def test_a_load_run_against_production_is_refused_before_anything_is_sent(overrides, console, tmp_path):
    with pytest.raises(CannotRun, match="is an OrderCloud production host.*sandbox or staging"):
        run_load(load_settings(**overrides), shape="smoke", reports_dir=tmp_path, console=console)
    assert not (tmp_path / "load").exists()


def test_sandbox_and_staging_hosts_pass_the_guard(console, tmp_path):
    # Nothing listens there in this test: the run stops at the reachability check, past the guard.
    with pytest.raises(CannotRun) as refused:
        run_load(load_settings(target="http://127.0.0.1:9"), shape="smoke", reports_dir=tmp_path, console=console)
    assert "production" not in refused.value.line() and "unreachable" in refused.value.line()


def test_the_locustfile_run_by_hand_refuses_production_too(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(REPO_ROOT / "load" / "locustfile.py"), "--headless", "--host", "https://westeurope-production.ordercloud.io"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == ExitCode.CANNOT_RUN
    assert "https://westeurope-production.ordercloud.io is an OrderCloud production host" in done.stderr
