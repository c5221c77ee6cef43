"""The `ocgate` command line.

Exit codes: 0 pass, 1 violations or SLO breach, 2 cannot run (bad config,
unreachable target, refused login, unloadable spec, ...). Errors that stop a
run print one line that says what is wrong and what to do — never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.console import Console

from .auth import AuthError
from .client import ApiCallError
from . import runner
from .config import ConfigError, Settings, load_settings
from .runner import RunOptions
from .sandbox import SandboxError
from .spec import SpecError
from .target import TargetError

EXIT_CANNOT_RUN = 2
EXIT_INTERRUPTED = 130
#: Problems that mean "cannot run", each already phrased as one actionable line.
USAGE_ERRORS: tuple[type[Exception], ...] = (ConfigError, SpecError, SandboxError, TargetError, AuthError)

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Contract, scenario and load testing for Sitecore OrderCloud.")
sandbox_app = typer.Typer(no_args_is_help=True, help="The embedded OrderCloud sandbox.")
app.add_typer(sandbox_app, name="sandbox")

TargetOption = Annotated[Optional[str], typer.Option("--target", help="embedded, a base URL, or a region shortcut such as us-west-sandbox")]
SpecOption = Annotated[Optional[str], typer.Option("--spec", help="OpenAPI document: path or URL")]


def fail(message: str, code: int = EXIT_CANNOT_RUN) -> typer.Exit:
    typer.echo(f"ocgate: {message}", err=True)
    return typer.Exit(code)


def settings_from(target: str | None = None, spec: str | None = None) -> Settings:
    return load_settings(target=target, spec=spec)


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0 = any free port)")] = 0,
) -> None:
    """Run the embedded sandbox in the foreground; prints its URL and the seller admin login."""
    from .sandbox.server import serve

    settings = settings_from()
    admin = settings.persona("seller_admin")
    typer.echo(f"seller admin: username {admin.username} (password from personas.seller_admin), client_id {settings.client_id}")
    serve(settings, host, port)


@app.command()
def seed(
    target: TargetOption = None,
    keep: Annotated[bool, typer.Option(help="leave the fixture in place (clean it later with `ocgate clean --run-id`)")] = False,
) -> None:
    """Seed a fixture marketplace through the API, print what was created, and remove it again."""
    from .marketplace import seed_marketplace
    from .target import open_target

    with open_target(settings_from(target)) as opened:
        seeder, market = seed_marketplace(opened)
        typer.echo(f"run {market.run_id}: {len(market.buyers)} buyers, {len(market.product_ids)} products, orders {', '.join(f'{k}={len(v)}' for k, v in market.orders.items())}")
        if keep and not opened.is_embedded:
            typer.echo(f"kept; remove with: ocgate clean --run-id {market.run_id}")
            return
        leftovers = seeder.cleanup()
        if leftovers:
            raise fail("cleanup left objects behind: " + "; ".join(leftovers), 1)
        typer.echo("cleaned up")


OnlyOption = Annotated[Optional[str], typer.Option("--only", help="comma list of suites: contract,scenarios,load")]
ProfileOption = Annotated[str, typer.Option("--profile", help="gate (CI default) or deep (nightly)")]


def _run(options: RunOptions, target: str | None, spec: str | None) -> None:
    console = Console(stderr=True)
    result = runner.run(settings_from(target, spec), options, console)
    console.print(runner.summary_table(result))
    for note in result.notes:
        typer.echo(f"ocgate: {note}", err=True)
    if result.html:
        typer.echo(f"report: {result.html}")
    raise typer.Exit(result.exit_code)


def _suites(only: str | None) -> tuple[str, ...]:
    if not only:
        return runner.SUITES
    chosen = tuple(name.strip() for name in only.split(",") if name.strip())
    unknown = [name for name in chosen if name not in runner.SUITES]
    if unknown:
        raise fail(f"--only: unknown suite {', '.join(unknown)}; choose from {', '.join(runner.SUITES)}")
    return chosen


@app.command()
def run(only: OnlyOption = None, profile: ProfileOption = "gate", target: TargetOption = None, spec: SpecOption = None, html: Annotated[bool, typer.Option(help="build the Allure HTML report")] = True) -> None:
    """The main job: contracts, scenarios and a load smoke run, one Allure report, one exit code."""
    _run(RunOptions(only=_suites(only), profile=profile, html=html), target, spec)


@app.command()
def contract(profile: ProfileOption = "gate", target: TargetOption = None, spec: SpecOption = None) -> None:
    """The contract gate alone (Schemathesis over every operation)."""
    _run(RunOptions(only=("contract",), profile=profile, html=False), target, spec)


@app.command()
def scenarios(target: TargetOption = None, spec: SpecOption = None) -> None:
    """The scripted buyer and seller journeys and the role matrix."""
    _run(RunOptions(only=("scenarios",), html=False), target, spec)


@app.command()
def load(
    shape: Annotated[str, typer.Option(help="smoke, ramp, spike or soak")] = "smoke",
    target: TargetOption = None,
) -> None:
    """A Locust load run with SLO thresholds (never against production hosts)."""
    _run(RunOptions(only=("load",), load_shape=shape, html=False), target, None)


@app.command("report")
def report_command() -> None:
    """Build the Allure HTML report from reports/allure-results (needs `npm install` once)."""
    from . import report

    settings = settings_from()
    try:
        html = report.generate_html([runner.results_dir(settings)], settings.reports_path / "allure-report", settings.config_dir)
    except report.ReportError as error:
        raise fail(str(error)) from None
    typer.echo(f"report: {html}")


@app.command()
def clean(run_id: Annotated[str, typer.Option("--run-id", help="the prefix of the run to remove, e.g. ocg1a2b3c")], target: TargetOption = None) -> None:
    """Delete what an interrupted run left behind on a target, by its run ID prefix."""
    from .cleanup import sweep
    from .spec import load_spec
    from .target import open_target

    settings = settings_from(target)
    with open_target(settings) as opened:
        try:
            deleted = sweep(opened.client("seller_admin", record=False), load_spec(settings.spec_location), run_id)
        except ValueError as error:
            raise fail(f"--run-id: {error}") from None
    typer.echo(f"deleted {len(deleted)} objects" + "".join(f"\n  {path}" for path in deleted))


def main() -> None:
    """Console entry point: run the app, turning known problems into one line and exit code 2."""
    try:
        outcome = app(standalone_mode=False)  # returns the exit code of typer.Exit instead of raising it
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except USAGE_ERRORS as error:
        typer.echo(f"ocgate: {error}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except ApiCallError as error:
        typer.echo(f"ocgate: the target refused a setup call: {error}; check the seller admin's roles", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except KeyboardInterrupt:
        typer.echo("ocgate: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as error:  # usage errors: unknown option, bad value
        error.show()
        sys.exit(EXIT_CANNOT_RUN)
    except typer.Abort:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(outcome if isinstance(outcome, int) else 0)
