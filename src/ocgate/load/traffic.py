"""The traffic model's inputs: its settings and the accounts its virtual users log in as.

Settings (`load/traffic.toml`): what the virtual users do, how often, how fast.
They are read by the load model inside Locust and by the load runner before it
seeds anything, so a typo costs one line of error, not a seeded marketplace.

Accounts: the run-scoped users the load runner seeded, handed to Locust in a
JSON file only the current user can read, deleted when the run ends.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import ConfigError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weights(Strict):
    """Relative frequency of each storefront behaviour (0 switches one off)."""

    browse: int = Field(40, ge=0)
    product_detail: int = Field(20, ge=0)
    categories: int = Field(10, ge=0)
    add_to_cart: int = Field(12, ge=0)
    change_quantity: int = Field(5, ge=0)
    abandon_cart: int = Field(3, ge=0)
    checkout: int = Field(6, ge=0)
    my_orders: int = Field(4, ge=0)

    @model_validator(mode="after")
    def _something_to_do(self) -> Weights:
        if not any(self.model_dump().values()):
            raise ValueError("at least one weight must be above 0")
        return self


class Storefront(Strict):
    think_time: tuple[float, float] = Field((1.0, 5.0), description="seconds between two actions, uniformly random")
    page_size: int = Field(20, ge=1, le=100)
    max_cart_lines: int = Field(2, ge=1, le=20)
    max_quantity: int = Field(2, ge=1, le=100)
    weights: Weights = Field(default_factory=Weights)

    @model_validator(mode="after")
    def _ordered_think_time(self) -> Storefront:
        low, high = self.think_time
        if not 0 <= low <= high:
            raise ValueError("think_time is [min, max] seconds with 0 <= min <= max")
        return self


class Fulfilment(Strict):
    pacing: float = Field(5.0, gt=0, description="seconds from the start of one fulfilment round to the next")
    batch: int = Field(5, ge=1, le=100, description="orders handled per round")
    complete_share: float = Field(0.25, ge=0, le=1, description="share completed directly; the rest is shipped")


class Traffic(Strict):
    storefront: Storefront = Field(default_factory=Storefront)
    fulfilment: Fulfilment = Field(default_factory=Fulfilment)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The document of a load settings file (traffic, SLO), or ConfigError in one line."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} file ({exc.strerror}); pass an existing file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the {what} file") from None


def load_traffic(path: Path) -> Traffic:
    """Read a traffic file, or raise ConfigError naming the file and the setting."""
    document = read_toml(path, "traffic")
    try:
        return Traffic.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        setting = ".".join(str(part) for part in error["loc"]) or "traffic"
        reason = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
        raise ConfigError(f"{path}: {setting}: {reason}") from None


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    scope: tuple[str, ...]


@dataclass(frozen=True)
class Accounts:
    run_id: str  # the prefix of every order the virtual users create
    token_url: str
    client_id: str
    fulfilment: Account  # seller side: ships and completes orders
    payments: Account  # seller side: the storefront middleware that accepts payments
    shoppers: list[Account] = field(default_factory=list)

    def write(self, path: Path) -> None:
        """Write for Locust, readable by the owner only (the file holds passwords)."""
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when the file already existed
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(asdict(self), file)

    @classmethod
    def read(cls, path: Path) -> Accounts:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                run_id=data["run_id"],
                token_url=data["token_url"],
                client_id=data["client_id"],
                fulfilment=_account(data["fulfilment"]),
                payments=_account(data["payments"]),
                shoppers=[_account(shopper) for shopper in data["shoppers"]],
            )
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the accounts file ({exc.strerror}); `ocgate load` writes one for each run") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not an ocgate accounts file ({exc.__class__.__name__}: {exc}); `ocgate load` writes one for each run") from None


def _account(data: dict) -> Account:
    return Account(**{**data, "scope": tuple(data["scope"])})
