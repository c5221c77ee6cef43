"""The fixture marketplace's shape, read from `marketplace.toml` in the data folder (`data/` by default).

Seeding (`ocgate.api.seeding`) creates what this file describes: how many buyers, shoppers,
categories and products; the roles of the shopper and approver security profiles; the
storefront client's token lifetimes; prices and their breaks, inventory and product xp; the
address constants; the approval threshold; the spending account's balance; and the Faker
seed that names, addresses and prices come from. `data/README.md` describes every key.

Every key is required and nothing else is allowed, so the file always reads as the whole
shape. Any problem — no file, not TOML, an unknown or missing key, a value out of bounds —
is a `DataError` whose one-line message names the file and the key and says what to do.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from ..errors import CannotRun

DATA_FILE = "marketplace.toml"

Count = Annotated[int, Field(ge=1)]
# Whole amounts stay whole, so the approval rule reads `order.Total > 1000`, not `> 1000.0`.
Amount = Annotated[float, Field(ge=0), AfterValidator(lambda value: int(value) if value.is_integer() else value)]


class DataError(CannotRun):
    """Fixture data that cannot be used; the message names the file and the key and says what to do."""


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # a misspelt key must not be silently ignored


class FakerData(_Table):
    seed: int


class StorefrontData(_Table):
    access_token_minutes: int = Field(ge=10, le=600)  # OrderCloud's range for an API client
    refresh_token_minutes: int = Field(ge=0)


class BuyersData(_Table):
    count: Count
    shoppers: Count


class RolesData(_Table):
    shopper: list[str] = Field(min_length=1)
    approver: list[str] = Field(min_length=1)


class AddressesData(_Table):
    country: str = Field(pattern=r"^[A-Z]{2}$")
    phone: str = Field(min_length=1)


class ApprovalData(_Table):
    threshold: Amount


class SpendingAccountData(_Table):
    balance: Amount


class CategoriesData(_Table):
    count: Count


class PriceBreak(_Table):
    quantity: Count
    price_factor: float = Field(gt=0, le=1)


class InventoryData(_Table):
    quantity: int = Field(ge=0)
    order_can_exceed: bool


class ProductsData(_Table):
    count: Count
    price_min: float = Field(ge=0)
    price_max: float = Field(ge=0)
    colors: list[str] = Field(min_length=1)
    price_breaks: list[PriceBreak] = Field(min_length=1)
    inventory: InventoryData

    @model_validator(mode="after")
    def _consistent(self) -> ProductsData:
        if self.price_max < self.price_min:
            raise ValueError("price_max must be at least price_min")
        quantities = [price_break.quantity for price_break in self.price_breaks]
        if quantities[0] != 1 or quantities != sorted(set(quantities)):
            raise ValueError("price_breaks must start at quantity 1 and rise (an item is ordered one at a time too)")
        return self

    def quantity_over_threshold(self, unit_price: float) -> int:
        """A line item quantity whose total passes the approval threshold even at the cheapest price break."""
        return int(self.approval.threshold / (self.products.cheapest_share * (unit_price or 1))) + 2

    @property
    def cheapest_share(self) -> float:
        """The lowest unit price of any break, as a share of the price of one item."""
        return min(price_break.price_factor for price_break in self.price_breaks) / self.price_breaks[0].price_factor


class OrdersData(_Table):
    place: bool


class FixtureData(_Table):
    """The whole file, one model per table."""

    faker: FakerData
    storefront: StorefrontData
    buyers: BuyersData
    roles: RolesData
    addresses: AddressesData
    approval: ApprovalData
    spending_account: SpendingAccountData
    categories: CategoriesData
    products: ProductsData
    orders: OrdersData

    @model_validator(mode="after")
    def _orders_can_be_placed(self) -> FixtureData:
        if not self.orders.place:
            return self
        if self.products.count < 3:
            raise ValueError("orders.place needs products.count of 3 or more: the seeded orders use the first three products")
        if self.approval.threshold < 2 * self.products.price_max:
            raise ValueError("approval.threshold must be at least 2 × products.price_max: the seeded Open order (2 items) must not need approval")
        return self

    def quantity_over_threshold(self, unit_price: float) -> int:
        """A line item quantity whose total passes the approval threshold even at the cheapest price break."""
        return int(self.approval.threshold / (self.products.cheapest_share * (unit_price or 1))) + 2


def load_fixture_data(folder: Path) -> FixtureData:
    """Read and validate `folder/marketplace.toml`, or raise DataError with a one-line reason."""
    path = folder / DATA_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: not found; set data_dir (ocgate.toml or OCGATE_DATA_DIR) to a folder holding {DATA_FILE}") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}); check the file and run again") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid TOML ({' '.join(str(exc).split())}); fix the file and run again") from None
    try:
        return FixtureData.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{path}: {_describe(exc.errors()[0])}") from None


def _describe(error: ErrorDetails) -> str:
    """One validation error as `key.path: what is wrong; what to do`."""
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]).lstrip(".")
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key; remove it or check its spelling (data/README.md lists the keys)"
    if error["type"] == "missing":
        return f"{key}: missing; add it (data/README.md describes it)"
    reason = error["msg"].removeprefix("Value error, ")
    return f"{key}: {reason}; edit the file and run again" if key else f"{reason}; edit the file and run again"
