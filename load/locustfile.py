"""ocgate's Locust model of OrderCloud checkout traffic.

Storefront buyers (storefront.py) browse, fill carts and check out, each logged
in as its own seeded account; one seller-side user (fulfilment.py) ships and
completes their orders. `ocgate load` seeds the accounts, runs this file and
checks the SLOs; to run it by hand against a target you seeded yourself:

    locust -f load/locustfile.py --headless --host https://sandboxapi.ordercloud.io \\
        --accounts accounts.json --shape smoke --csv reports/load/locust

Options added here: --shape (smoke, ramp, spike, soak; --users and --run-time
scale it), --accounts (the seeded accounts, JSON), --traffic (weights and think
time, default load/traffic.toml). With --csv PREFIX it also writes
PREFIX_summary.json, the statistics the SLO verdicts read.

Production hosts are refused: api.ordercloud.io and *-production.ordercloud.io.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fulfilment import SellerFulfilment
from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner
from shapes import NamedShape
from storefront import StorefrontBuyer
from summary import write_summary

from ocgate.config import ConfigError, is_production_host
from ocgate.errors import CannotRun, ExitCode
from ocgate.load.shapes import SHAPES
from ocgate.load.traffic import Accounts, load_traffic

__all__ = ["NamedShape", "SellerFulfilment", "StorefrontBuyer"]

DEFAULT_TRAFFIC = Path(__file__).with_name("traffic.toml")


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--shape", choices=sorted(SHAPES), default="smoke", env_var="OCGATE_LOAD_SHAPE", help="load shape (default smoke)")
    parser.add_argument("--accounts", default="", env_var="OCGATE_LOAD_ACCOUNTS", help="seeded accounts (JSON written by `ocgate load`)")
    parser.add_argument("--traffic", default=str(DEFAULT_TRAFFIC), env_var="OCGATE_LOAD_TRAFFIC", help="behaviour weights and think time (TOML)")


@events.init.add_listener
def _configure(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None:  # Locust used as a library, without a command line
        return
    try:
        if not environment.host:
            raise ConfigError("--host: the target's base URL is needed, e.g. https://sandboxapi.ordercloud.io")
        _refuse_production(environment.host)
        if not options.accounts:
            raise ConfigError("--accounts: no seeded accounts; run `ocgate load`, which seeds them and runs this file")
        accounts = Accounts.read(Path(options.accounts))
        _refuse_production(accounts.token_url)
        if not accounts.shoppers:
            raise ConfigError(f"{options.accounts}: no shopper accounts")
        traffic = load_traffic(Path(options.traffic))
        if isinstance(environment.shape_class, NamedShape):
            environment.shape_class.choose(options.shape, options.num_users, options.run_time)
    except CannotRun as error:
        sys.stderr.write(f"ocgate: {error.line()}\n")
        sys.exit(ExitCode.CANNOT_RUN)
    StorefrontBuyer.configure(traffic.storefront, accounts)
    SellerFulfilment.configure(traffic.fulfilment, accounts)


def _refuse_production(url: str) -> None:
    if is_production_host(url):
        raise ConfigError(f"{url} is an OrderCloud production host; load runs only target sandbox or staging environments")


@events.quitting.add_listener
def _summary(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is not None and options.csv_prefix and not isinstance(environment.runner, WorkerRunner):
        write_summary(environment, Path(f"{options.csv_prefix}_summary.json"))
