"""The scenario suite catches broken business rules, and `run_scenarios` reports how it went.

A sandbox runs in this process (thread mode) so that a test can break one business rule
in it; the journeys run through `run_scenarios` in a subprocess whose OCGATE_TARGET
points at that sandbox, exactly as they would against a real OrderCloud. A journey must
fail with its own message naming the rule when the rule is broken, and pass when it is
not. The rules are broken at the sandbox's front door (its dispatch of operations and
its role check), so these tests do not depend on how the sandbox implements them.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ocgate.config import load_settings
from ocgate.errors import ExitCode, reason_file
from ocgate.run import suite_environment
from ocgate.sandbox import EmbeddedSandbox
from ocgate.sandbox.registry import Call
from ocgate.scenarios.suite import pytest_command

REPO = Path(__file__).resolve().parents[2]
PRICE_BREAKS = "test_changing_the_quantity_across_a_break_reprices_the_line"
STOCK_DEDUCTION = "test_a_shopper_checks_out_and_the_seller_receives_an_open_order_with_the_stock_deducted"
READER_CANNOT_WRITE = "test_a_product_reader_lists_products_but_cannot_create_one"

Around = Callable[[Call, Callable[[], Any]], Any]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(load_settings()) as running:
        yield running


def run_scenarios(base_url: str, reports_dir: Path, keyword: str) -> int:
    """`pytest scenarios/ -k KEYWORD` as `ocgate run` starts it, against `base_url`; its exit code."""
    settings = load_settings(reports_dir=str(reports_dir))
    command = [*pytest_command(reports_dir, keyword=keyword), "-q"]
    return subprocess.run(command, cwd=REPO, env=suite_environment(settings, base_url), capture_output=True, check=False, timeout=600).returncode


def run_journeys(sandbox: EmbeddedSandbox, reports_dir: Path, *names: str) -> tuple[int, dict[str, str]]:
    """Run the named journeys against the sandbox; returns the exit code and test name -> failure message."""
    code = run_scenarios(sandbox.base_url, reports_dir, " or ".join(names))
    junit = ET.parse(reports_dir / "junit" / "scenarios.xml")
    failures = {}
    for case in junit.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        failures[case.get("name", "")] = "" if problem is None else problem.get("message", "")
    return code, failures


def break_operations(monkeypatch: pytest.MonkeyPatch, sandbox: EmbeddedSandbox, operation_ids: set[str], around: Around) -> None:
    """Make the sandbox run `around(call, proceed)` instead of these operations."""
    assert sandbox.market is not None
    resources = sandbox.market.resources
    original = resources.handle

    def handle(call: Call) -> Any:
        if call.op.operation_id in operation_ids:
            return around(call, lambda: original(call))
        return original(call)

    monkeypatch.setattr(resources, "handle", handle)


def first_break_only(call: Call, proceed: Callable[[], Any]) -> Any:
    """Price line items as if every price schedule had only its first break."""
    store = call.market.store
    with store.lock:
        schedules = store.collection("/priceschedules", ())
        kept = {schedule_id: schedule["PriceBreaks"] for schedule_id, schedule in schedules.items()}
        for schedule in schedules.values():
            schedule["PriceBreaks"] = (schedule["PriceBreaks"] or [])[:1]
        try:
            return proceed()
        finally:
            for schedule_id, breaks in kept.items():
                schedules[schedule_id]["PriceBreaks"] = breaks


def stock_untouched(call: Call, proceed: Callable[[], Any]) -> Any:
    """Open orders without deducting inventory: every product keeps its QuantityAvailable."""
    store = call.market.store
    with store.lock:
        products = store.collection("/products", ())
        stock = {product_id: product["Inventory"]["QuantityAvailable"] for product_id, product in products.items() if product.get("Inventory")}
        result = proceed()
        for product_id, quantity in stock.items():
            products[product_id]["Inventory"]["QuantityAvailable"] = quantity
        return result


def total_off_by_five(call: Call, proceed: Callable[[], Any]) -> Any:
    """Answer a submit with a Total 5.00 higher than Subtotal + TaxCost + ShippingCost − PromotionDiscount (that answer only)."""
    answer = proceed()
    return {**answer, "Total": answer["Total"] + 5} if isinstance(answer, dict) and isinstance(answer.get("Total"), (int, float)) else answer


def test_the_journeys_pass_on_an_intact_sandbox(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    code, results = run_journeys(sandbox, tmp_path, PRICE_BREAKS, STOCK_DEDUCTION, READER_CANNOT_WRITE)
    assert code == 0, results
    assert set(results) == {PRICE_BREAKS, STOCK_DEDUCTION, READER_CANNOT_WRITE} and not any(results.values())


def test_checkout_fails_when_price_breaks_are_ignored(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line_writes = {"LineItems.Create", "LineItems.Save", "LineItems.Patch", "Cart.CreateLineItem", "Cart.SaveLineItem", "Cart.PatchLineItem"}
    break_operations(monkeypatch, sandbox, line_writes, first_break_only)
    code, results = run_journeys(sandbox, tmp_path, PRICE_BREAKS)
    assert code == 1
    assert "price break not applied: 12 lamps should cost 15.00 each" in results[PRICE_BREAKS], results


def test_checkout_fails_when_submitting_does_not_deduct_inventory(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_operations(monkeypatch, sandbox, {"Orders.Submit", "Cart.Submit", "Orders.Approve"}, stock_untouched)
    code, results = run_journeys(sandbox, tmp_path, STOCK_DEDUCTION)
    assert code == 1
    assert "inventory not deducted on submit" in results[STOCK_DEDUCTION], results


def test_checkout_fails_when_the_submit_answer_breaks_the_documented_arithmetic(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_operations(monkeypatch, sandbox, {"Orders.Submit"}, total_off_by_five)
    code, results = run_journeys(sandbox, tmp_path, STOCK_DEDUCTION)
    assert code == 1
    failure = results[STOCK_DEDUCTION]
    assert "documented_arithmetic: POST /v1/orders/Outgoing/" in failure and "/submit: Total = " in failure, results
    assert "Order.Total = Subtotal + TaxCost + ShippingCost − PromotionDiscount" in failure, results


def test_role_rules_fail_when_the_role_check_is_skipped(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sandbox.market is not None
    monkeypatch.setattr(sandbox.market.tokens, "authorize", lambda identity, op: None)
    code, results = run_journeys(sandbox, tmp_path, READER_CANNOT_WRITE)
    assert code == 1
    assert "ProductReader creating a product was allowed (201), but must be refused" in results[READER_CANNOT_WRITE], results


def test_an_unreachable_target_means_the_scenarios_cannot_run_and_they_say_why_in_a_file(tmp_path: Path) -> None:
    assert run_scenarios("http://127.0.0.1:9", tmp_path, PRICE_BREAKS) == ExitCode.CANNOT_RUN
    assert "unreachable" in reason_file(tmp_path, "scenarios").read_text()
