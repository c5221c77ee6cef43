"""The `ocgate` command line: it parses options and hands one `RunOptions` to `run.run`.

Exit codes are `errors.ExitCode`: 0 pass, 1 violations or SLO breach, 2 cannot run (bad
config, unreachable target, refused login, unloadable spec, ...), 130 interrupted (Ctrl-C or
SIGTERM: the suites are stopped, nothing is left running, and the results written so far stay
in reports/). Every `CannotRun` prints one line that says what is wrong and what to do, never
a traceback; so do typer's own usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from .config import PROFILE_NAMES, Settings, load_settings
from .errors import CannotRun, ExitCode
from .redact import redact_text
from .run import SUITES, RunOptions, results_folders
from .run import run as run_suites

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Contract, scenario and load testing for Sitecore OrderCloud.")
sandbox_app = typer.Typer(no_args_is_help=True, help="The embedded OrderCloud sandbox.")
app.add_typer(sandbox_app, name="sandbox")
spec_app = typer.Typer(no_args_is_help=True, help="The OpenAPI document: pin one for reproducible gates, compare two.")
app.add_typer(spec_app, name="spec")

TargetOption = Annotated[Optional[str], typer.Option("--target", help="embedded, a base URL, or a region shortcut such as us-west-sandbox")]
SpecOption = Annotated[Optional[str], typer.Option("--spec", help="OpenAPI document: builtin:NAME, a path or a URL")]


def fail(message: str, code: int = ExitCode.CANNOT_RUN) -> typer.Exit:
    typer.echo(f"ocgate: {message}", err=True)
    return typer.Exit(code)


def settings_from(target: str | None = None, spec: str | None = None, max_rps: float | None = None) -> Settings:
    return load_settings(target=target, spec=spec, max_rps=max_rps)


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


@spec_app.command("pin")
def spec_pin(
    source: Annotated[str, typer.Option("--from", help="URL, file or builtin:<name> to pin (default: the live document)")] = "live",
    out: Annotated[Optional[Path], typer.Option("--out", help="where to write (default contracts/openapi.json)")] = None,
) -> None:
    """Write the normalized, facts-only form of an OpenAPI document, so CI gates test one fixed document."""
    from .spec import pin
    from .spec.sources import PIN_DEFAULT, named_location

    settings = settings_from()
    pinned = pin(named_location(source, Path.cwd()), out or settings.config_dir / PIN_DEFAULT)
    typer.echo(f"pinned OrderCloud {pinned.version}: {pinned.operations} operations -> {pinned.path}")
    typer.echo(f'use it: spec = "{pinned.path}" in ocgate.toml, OCGATE_SPEC={pinned.path}, or --spec {pinned.path}')


@spec_app.command("diff")
def spec_diff(
    old: Annotated[str, typer.Argument(help="pinned, live, builtin[:name], a path or a URL")],
    new: Annotated[str, typer.Argument(help="pinned, live, builtin[:name], a path or a URL")],
    as_json: Annotated[bool, typer.Option("--json", help="print the changes as JSON")] = False,
) -> None:
    """What changed between two OpenAPI documents; exit 1 when anything breaking changed."""
    import json

    from .spec import load_document, normalize
    from .spec.diff import diff_documents
    from .spec.sources import named_location

    settings = settings_from()
    old_doc, new_doc = (normalize(load_document(named_location(name, settings.config_dir, settings.spec))) for name in (old, new))
    changes = diff_documents(old_doc, new_doc)
    if as_json:
        typer.echo(json.dumps(changes.to_json(), indent=2))
    else:
        changes.render(Console())
    raise typer.Exit(1 if changes.breaking else 0)


@app.command()
def seed(
    target: TargetOption = None,
    keep: Annotated[bool, typer.Option(help="leave the fixture in place (clean it later with `ocgate clean --run-id`)")] = False,
) -> None:
    """Seed a fixture marketplace through the API, print what was created, and remove it again."""
    from .api.seeding import seed_marketplace
    from .api.target import open_target

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


OnlyOption = Annotated[Optional[str], typer.Option("--only", help="comma list of suites: contract,scenarios,security,load")]
ProfileOption = Annotated[
    Optional[str], typer.Option("--profile", help=f"contract gate profile: {' or '.join(PROFILE_NAMES)} (default: the [contract] table's, gate)")
]
OperationOption = Annotated[Optional[list[str]], typer.Option("--operation", help="contract gate: only this operationId, e.g. Orders.Submit (repeatable)")]
TagOption = Annotated[Optional[list[str]], typer.Option("--tag", help="contract gate: only operations with this tag, e.g. Buyers (repeatable)")]
WaiversOption = Annotated[Optional[Path], typer.Option("--waivers", help="contract gate: the waiver file (default contracts/waivers.toml)")]
ScenarioFilterOption = Annotated[Optional[str], typer.Option("--scenario-filter", help="scenarios: a pytest -k expression, e.g. 'checkout or approval'")]
ShapeOption = Annotated[str, typer.Option("--shape", help="load: smoke, ramp, spike or soak")]
UsersOption = Annotated[Optional[int], typer.Option("--users", help="load: peak virtual users (default: the shape's)")]
DurationOption = Annotated[Optional[str], typer.Option("--duration", help="load: run time, e.g. 90s or 5m (default: the shape's)")]
ProcessesOption = Annotated[int, typer.Option("--processes", help="load: Locust worker processes")]
SloOption = Annotated[Optional[Path], typer.Option("--slo", help="load: the SLO file (default load/slo.toml)")]
TrafficOption = Annotated[Optional[Path], typer.Option("--traffic", help="load: the traffic file (default load/traffic.toml)")]
HtmlOption = Annotated[bool, typer.Option(help="build the Allure HTML report")]
WorkersOption = Annotated[Optional[int], typer.Option("--workers", min=1, help="calls in flight at once: the gate's operations (default: the [contract] table's; else 8 on a real target, 1 embedded) and the role matrix's probes (default 8)")]
MaxRpsOption = Annotated[Optional[float], typer.Option("--max-rps", min=0.1, help="requests per second a suite may send to the target, all workers together (default: max_rps, no cap)")]


def _run(options: RunOptions, target: str | None, spec: str | None, max_rps: float | None = None) -> None:
    from .load.report import threshold_table
    from .report.summary import print_failures, summary_table

    console = Console(stderr=True)
    result = run_suites(settings_from(target, spec, max_rps), options, console)
    console.print(summary_table([outcome.row for outcome in result.outcomes]))
    if result.slo_verdicts:
        console.print(threshold_table(result.slo_verdicts))
    print_failures(console, result.failures)
    for note in result.notes:
        typer.echo(f"ocgate: {note}", err=True)
    if result.html:
        typer.echo(f"report: {result.html}")
    raise typer.Exit(result.exit_code)


def _suites(only: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in only.split(",") if name.strip()) if only else SUITES


def _absolute(path: Path | None) -> str | None:
    """Suites run in the repository root: a file named on the command line is passed on absolute."""
    return str(path.resolve()) if path else None


def _contract_options(profile: str | None, operation: list[str] | None, tag: list[str] | None, waivers: Path | None, workers: int | None) -> dict[str, Any]:
    return {"profile": profile, "operations": tuple(operation or ()), "tags": tuple(tag or ()), "waivers": _absolute(waivers), "workers": workers}


def _load_options(shape: str, users: int | None, duration: str | None, processes: int, slo: Path | None, traffic: Path | None) -> dict[str, Any]:
    return {"load_shape": shape, "load_users": users, "load_duration": duration, "load_processes": processes, "slo": _absolute(slo), "traffic": _absolute(traffic)}


@app.command()
def run(
    only: OnlyOption = None,
    profile: ProfileOption = None,
    target: TargetOption = None,
    spec: SpecOption = None,
    operation: OperationOption = None,
    tag: TagOption = None,
    waivers: WaiversOption = None,
    workers: WorkersOption = None,
    max_rps: MaxRpsOption = None,
    scenario_filter: ScenarioFilterOption = None,
    shape: ShapeOption = "smoke",
    users: UsersOption = None,
    duration: DurationOption = None,
    processes: ProcessesOption = 1,
    slo: SloOption = None,
    traffic: TrafficOption = None,
    html: HtmlOption = True,
) -> None:
    """The main job: contracts, scenarios and a load smoke run, one Allure report, one exit code.

    Exit code 0 pass, 1 violations or SLO breach, 2 cannot run, 130 interrupted (Ctrl-C keeps
    the results written so far; `ocgate report` builds their HTML).
    """
    options = RunOptions(
        only=_suites(only),
        scenario_filter=scenario_filter,
        html=html,
        **_contract_options(profile, operation, tag, waivers, workers),
        **_load_options(shape, users, duration, processes, slo, traffic),
    )
    _run(options, target, spec, max_rps)


@app.command()
def contract(
    profile: ProfileOption = None,
    target: TargetOption = None,
    spec: SpecOption = None,
    operation: OperationOption = None,
    tag: TagOption = None,
    waivers: WaiversOption = None,
    workers: WorkersOption = None,
    max_rps: MaxRpsOption = None,
) -> None:
    """The contract gate alone (Schemathesis over every operation)."""
    _run(RunOptions(only=("contract",), html=False, **_contract_options(profile, operation, tag, waivers, workers)), target, spec, max_rps)


@app.command()
def scenarios(target: TargetOption = None, spec: SpecOption = None, scenario_filter: ScenarioFilterOption = None, workers: WorkersOption = None, max_rps: MaxRpsOption = None) -> None:
    """The scripted buyer and seller journeys and the role matrix."""
    _run(RunOptions(only=("scenarios",), scenario_filter=scenario_filter, workers=workers, html=False), target, spec, max_rps)


@app.command()
def security(target: TargetOption = None, spec: SpecOption = None, max_rps: MaxRpsOption = None) -> None:
    """OrderCloud's security promises: enumeration, cross-company isolation, tokens, escalation, secrets."""
    _run(RunOptions(only=("security",), html=False), target, spec, max_rps)


@app.command()
def load(
    shape: ShapeOption = "smoke",
    users: UsersOption = None,
    duration: DurationOption = None,
    processes: ProcessesOption = 1,
    slo: SloOption = None,
    traffic: TrafficOption = None,
    target: TargetOption = None,
) -> None:
    """A Locust load run with SLO thresholds (never against production hosts)."""
    _run(RunOptions(only=("load",), html=False, **_load_options(shape, users, duration, processes, slo, traffic)), target, None)


@app.command("report")
def report_command() -> None:
    """Build the Allure HTML report from reports/allure-results and its suite folders (needs `npm install` once)."""
    from .report import allure

    settings = settings_from()
    html = allure.generate_html(results_folders(settings), settings.reports_path / "allure-report", settings.config_dir)
    typer.echo(f"report: {html}")


@app.command()
def clean(run_id: Annotated[str, typer.Option("--run-id", help="the prefix of the run to remove, e.g. ocg1a2b3c")], target: TargetOption = None) -> None:
    """Delete what an interrupted run left behind on a target, by its run ID prefix."""
    from .api.cleanup import sweep
    from .api.target import open_target
    from .spec import load_spec

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
    except CannotRun as error:
        typer.echo(f"ocgate: {redact_text(error.line())}", err=True)
        sys.exit(ExitCode.CANNOT_RUN)
    except KeyboardInterrupt:
        typer.echo("ocgate: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except typer.TyperException as error:  # usage errors: unknown option, bad value
        error.show()
        sys.exit(ExitCode.CANNOT_RUN)
    except typer.Abort:
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(outcome if isinstance(outcome, int) else 0)
