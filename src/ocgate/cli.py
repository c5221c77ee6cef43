"""The `ocgate` command line.

Exit codes: 0 pass, 1 violations or SLO breach, 2 cannot run (bad config,
unreachable target, refused login, unloadable spec, ...). Errors that stop a
run print one line that says what is wrong and what to do — never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .auth import AuthError
from .client import ApiCallError
from .config import ConfigError, Settings, load_settings
from .sandbox import SandboxError
from .spec import SpecError
from .target import TargetError

EXIT_CANNOT_RUN = 2
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


def main() -> None:
    """Console entry point: run the app, turning known problems into one line and exit code 2."""
    try:
        app(standalone_mode=False)
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
        sys.exit(130)
    except Exception as error:  # click usage errors and the like
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(EXIT_CANNOT_RUN)
        raise
