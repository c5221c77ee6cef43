"""Short load runs for the end-to-end tests: fast shoppers, a readable console, the run's outputs."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console

from ocgate.config import Settings, load_settings
from ocgate.load.runner import run_load
from ocgate.load.slo import LoadStats

#: Shoppers who barely think and check out often, so a run of a few seconds completes checkouts.
FAST_TRAFFIC = """
[storefront]
think_time = [0.1, 0.4]

[storefront.weights]
browse = 4
product_detail = 2
categories = 1
add_to_cart = 4
change_quantity = 1
abandon_cart = 1
checkout = 6
my_orders = 1

[fulfilment]
pacing = 1.0
"""
SECONDS = 12
USERS = 4  # three shoppers and the fulfilment user


@dataclass
class Run:
    code: int
    output: str
    reports: Path

    @property
    def stats(self) -> LoadStats:
        return LoadStats.from_summary(self.reports / "load" / "locust_summary.json")

    def allure_results(self) -> list[dict]:
        return [json.loads(path.read_text()) for path in (self.reports / "allure-results" / "load").glob("*-result.json")]


def load_run(settings: Settings, reports: Path, slo: str, **options: object) -> Run:
    (reports / "slo.toml").write_text(slo)
    (reports / "traffic.toml").write_text(FAST_TRAFFIC)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    result = run_load(
        settings,
        shape="smoke",
        users=USERS,
        duration=SECONDS,
        reports_dir=reports,
        slo_file=reports / "slo.toml",
        traffic_file=reports / "traffic.toml",
        console=console,
        **options,
    )
    return Run(result.exit_code, console.file.getvalue(), reports)


def admin_client(base_url: str) -> httpx.Client:
    """The fresh sandbox's seller admin (FullAccess), for looking at what a run left behind."""
    settings = load_settings()
    persona = settings.persona("seller_admin")
    assert persona.username and persona.password
    form = {"grant_type": "password", "client_id": settings.client_id, "username": persona.username, "password": persona.password.get_secret_value(), "scope": "FullAccess"}
    token = httpx.post(f"{base_url}/oauth/token", data=form).json()["access_token"]
    return httpx.Client(base_url=f"{base_url}/v1", headers={"Authorization": f"Bearer {token}"})
