"""The document's own arithmetic of orders and line items, in one table, and the rounding rule.

ocgate's built-in document keeps facts only (no descriptions), so the formulas cannot be read
from it at run time: they are written here, each with its source. Every answer that carries
these fields must satisfy them: an order or a cart, a submit, a worksheet, a list page. The
contract gate (`documented_arithmetic`, contracts/checks.py), the scenarios (every answer a
journey's client gets, scenarios/conftest.py) and the load model (load/ordercloud_user.py: a
checkout answer breaking them is a failed checkout) all use `problems(answer)`.

Rounding: money is compared to the cent — two amounts agree when they differ by less than half
a cent (0.005). OrderCloud's amounts are JSON numbers (doubles) carrying about 15 significant
digits, so beyond 10^13 the cent is finer than the number itself: there they agree within one
part in 10^12 of the amount. The expected value is computed in decimal from the numbers as the
answer gives them (3 × 9.99 is 29.97, not 29.969999999999995).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

#: Two amounts closer than this agree (half a cent: compared to the cent).
HALF_CENT = Decimal("0.005")
#: Relative tolerance for amounts a double cannot hold to the cent (beyond 10^13).
DOUBLE_PRECISION = Decimal("1e-12")


@dataclass(frozen=True)
class Formula:
    """One documented identity: `field` of a `model` equals `expected(object)`."""

    model: str
    field: str
    text: str
    source: str
    expected: Callable[[dict[str, Any]], Decimal | None]


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _optional(obj: dict[str, Any], name: str) -> Decimal:
    """An amount that counts as 0 when unset (null or absent), as the document's examples show."""
    return _amount(obj.get(name)) or Decimal(0)


def _line_subtotal(line: dict[str, Any]) -> Decimal | None:
    price, quantity = _amount(line.get("UnitPrice")), _amount(line.get("Quantity"))
    return None if price is None or quantity is None else price * quantity


def _line_total(line: dict[str, Any]) -> Decimal | None:
    subtotal = _amount(line.get("LineSubtotal"))
    return None if subtotal is None else subtotal - _optional(line, "PromotionDiscount")


def _order_total(order: dict[str, Any]) -> Decimal | None:
    subtotal = _amount(order.get("Subtotal"))
    if subtotal is None:
        return None
    extras = _optional(order, "Gratuity")  # only where the model has it (1.0.260 and 1.0.445 do not)
    return subtotal + _optional(order, "TaxCost") + _optional(order, "ShippingCost") + extras - _optional(order, "PromotionDiscount")


SCHEMA_1_0_260 = "OpenAPI 1.0.260, components.schemas"
#: Every formula the gate holds answers to. Order.Subtotal = Σ LineItem.LineSubtotal needs the
#: order's lines too: `subtotal_problem` (in a worksheet, or with the lines read by the gate).
FORMULAS: tuple[Formula, ...] = (
    Formula("LineItem", "LineSubtotal", "UnitPrice × Quantity", f'{SCHEMA_1_0_260}.LineItem.LineSubtotal: "UnitPrice x Quantity"; BEHAVIOUR.md §4.4', _line_subtotal),
    Formula(
        "LineItem",
        "LineTotal",
        "LineSubtotal − PromotionDiscount",
        f'{SCHEMA_1_0_260}.LineItem.LineTotal: "LineSubtotal - PromotionDiscount"; BEHAVIOUR.md §4.4 (DOCS line-item-promos.mdx)',
        _line_total,
    ),
    Formula(
        "Order",
        "Total",
        "Subtotal + TaxCost + ShippingCost − PromotionDiscount (+ Gratuity where the model has it)",
        f'{SCHEMA_1_0_260}.Order.Total: "Subtotal + TaxCost + ShippingCost - PromotionDiscount"; Gratuity: BEHAVIOUR.md §4.4 (JSSDK models/Order.ts)',
        _order_total,
    ),
)
SUBTOTAL_SOURCE = f'{SCHEMA_1_0_260}.Order.Subtotal: "Sum of all LineItem.LineSubtotals."'


@dataclass(frozen=True)
class Problem:
    """One broken identity: where in the answer, the formula, what the answer says, what it should."""

    where: str
    model: str
    field: str
    formula: str
    source: str
    actual: Any
    expected: Decimal

    def __str__(self) -> str:
        where = f"{self.where}." if self.where else ""
        return f"{where}{self.field} = {self.actual}, expected {_cents(self.expected)} ({self.model}.{self.field} = {self.formula}; {self.source})"


def agree(actual: Any, expected: Decimal) -> bool:
    """Whether an amount equals the expected one to the cent (see the module's rounding rule)."""
    value = _amount(actual)
    if value is None:
        return False
    difference = abs(value - expected)
    return difference < HALF_CENT or difference <= abs(expected) * DOUBLE_PRECISION


def model_of(obj: dict[str, Any]) -> str | None:
    """Which documented model an object of an answer is, by the fields it carries."""
    if "LineSubtotal" in obj and "UnitPrice" in obj and "Quantity" in obj:
        return "LineItem"
    if "Subtotal" in obj and "Total" in obj and "PromotionDiscount" in obj:
        return "Order"
    return None


def object_problems(obj: dict[str, Any], where: str = "") -> list[Problem]:
    """The formulas one order or line item breaks."""
    model, found = model_of(obj), []
    for formula in FORMULAS:
        if formula.model != model or formula.field not in obj or obj[formula.field] is None:
            continue
        expected = formula.expected(obj)
        if expected is not None and not agree(obj[formula.field], expected):
            found.append(Problem(where, model, formula.field, formula.text, formula.source, obj[formula.field], expected))
    return found


def subtotal_problem(order: dict[str, Any], lines: list[dict[str, Any]], where: str = "") -> Problem | None:
    """Order.Subtotal against the sum of its lines' LineSubtotal (all of them, not one page)."""
    amounts = [_amount(line.get("LineSubtotal")) for line in lines]
    if order.get("Subtotal") is None or any(amount is None for amount in amounts):
        return None
    expected = sum((amount for amount in amounts if amount is not None), Decimal(0))
    if agree(order["Subtotal"], expected):
        return None
    return Problem(where, "Order", "Subtotal", "Σ LineItem.LineSubtotal", SUBTOTAL_SOURCE, order["Subtotal"], expected)


def problems(answer: Any) -> list[Problem]:
    """Every broken identity in an answer: each order and line item in it, wherever it sits (a list
    page's Items, a worksheet's Order and LineItems), and a worksheet's Subtotal against its lines."""
    return [problem for problem in _walk(answer, "")]


def _walk(value: Any, where: str) -> Iterator[Problem]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]")
        return
    if not isinstance(value, dict):
        return
    yield from object_problems(value, where)
    order, lines = value.get("Order"), value.get("LineItems")
    if isinstance(order, dict) and isinstance(lines, list) and all(isinstance(line, dict) for line in lines):
        problem = subtotal_problem(order, lines, f"{where}.Order" if where else "Order")  # an order worksheet holds all the lines
        if problem is not None:
            yield problem
    for name, member in value.items():
        if isinstance(member, (dict, list)) and name != "xp":
            yield from _walk(member, f"{where}.{name}" if where else name)


def _cents(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')) if abs(value) < Decimal('1e13') else value}"


def describe(found: list[Problem]) -> str:
    return "; ".join(str(problem) for problem in found)
