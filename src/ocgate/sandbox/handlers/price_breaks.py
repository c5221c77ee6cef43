"""Price breaks of a price schedule, and the rules a schedule's breaks follow.

A price break is identified by its Quantity: saving one with a quantity the
schedule already has replaces it; breaks stay sorted by quantity. The last
break of a schedule that is assigned to a product cannot be deleted (a buyer
would see a product without a price). IsOnSale is derived from SaleStart /
SaleEnd and the sandbox clock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..errors import ApiError, bad_request
from ..models import validate
from ..registry import Call, before_write, handles, presents

SCHEDULES = "/priceschedules"
PRODUCT_ASSIGNMENTS = "/products/assignments"


@before_write(SCHEDULES)
def check_schedule(call: Call, schedule: dict[str, Any], previous: dict[str, Any] | None) -> None:
    quantities = [brk.get("Quantity") for brk in schedule.get("PriceBreaks") or []]
    if len(quantities) != len(set(quantities)):
        raise bad_request("PriceSchedule.DuplicatePriceBreaks", "Price breaks array cannot contain duplicate quantity values.", {"Quantities": quantities})
    low, high = schedule.get("MinQuantity"), schedule.get("MaxQuantity")
    if low is not None and high is not None and high < low:
        raise bad_request("PriceSchedule.MinGreaterThanMax", "Max Quantity must be greater than or equal to min quantity.", {"MinQuantity": low, "MaxQuantity": high})
    if schedule.get("PriceBreaks"):
        schedule["PriceBreaks"] = sorted(schedule["PriceBreaks"], key=lambda brk: brk.get("Quantity") or 0)


@presents(SCHEDULES)
def with_sale_state(call: Call, schedule: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
    return {**schedule, "IsOnSale": _on_sale(schedule, call.market.clock())}


def _on_sale(schedule: dict[str, Any], now: float) -> bool:
    start, end = _moment(schedule.get("SaleStart")), _moment(schedule.get("SaleEnd"))
    if start is None and end is None:
        return False
    return (start is None or start <= now) and (end is None or now <= end)


def _moment(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


@handles("PriceSchedules.SavePriceBreak")
def save_price_break(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="PriceBreak")
    resources = call.market.resources
    schedules = resources.collection(SCHEDULES)
    schedule_id = call.params["priceScheduleID"]
    schedule = resources.require(schedules, (), schedule_id)
    breaks = [brk for brk in schedule.get("PriceBreaks") or [] if brk.get("Quantity") != call.body["Quantity"]]
    added = {"Quantity": call.body["Quantity"], "Price": call.body["Price"], "SalePrice": call.body.get("SalePrice")}
    return resources.patch(call, schedules, (), schedule_id, {"PriceBreaks": [*breaks, added]})


@handles("PriceSchedules.DeletePriceBreak")
def delete_price_break(call: Call) -> None:
    quantity = int(call.query["quantity"])  # required integer (checked by the app against the spec)
    resources = call.market.resources
    schedules = resources.collection(SCHEDULES)
    schedule_id = call.params["priceScheduleID"]
    schedule = resources.require(schedules, (), schedule_id)
    breaks = schedule.get("PriceBreaks") or []
    remaining = [brk for brk in breaks if brk.get("Quantity") != quantity]
    if len(remaining) == len(breaks):
        raise ApiError(
            404,
            "PriceSchedule.QtyNotFound",
            "The price schedule does not contain a price break with the given quantity.",
            {"ObjectType": "PriceBreak", "ObjectID": quantity},
        )
    if not remaining and _is_assigned(call, schedule_id):
        raise bad_request(
            "PriceSchedule.CannotDeleteLastPriceBreak",
            "Cannot delete the last price break because this price schedule has assignments.",
            {"PriceScheduleID": schedule_id},
        )
    resources.patch(call, schedules, (), schedule_id, {"PriceBreaks": remaining})


def _is_assigned(call: Call, schedule_id: str) -> bool:
    return any(row.get("PriceScheduleID") == schedule_id for row in call.market.store.collection(PRODUCT_ASSIGNMENTS).values())
