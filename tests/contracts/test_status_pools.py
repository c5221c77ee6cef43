"""The pools of orders and returns serve real operations, through the path parameter each fills."""

from __future__ import annotations

import httpx
import pytest

from ocgate.api.client import ApiCallError
from ocgate.api.fixture_data import load_fixture_data
from ocgate.api.seeding import SeededBuyer, SeededMarketplace
from ocgate.config import load_settings
from ocgate.contract.kinds import Kinds
from ocgate.contract.objects import Objects
from ocgate.contract.orders import OrderPool
from ocgate.contract.returns import ReturnPool
from ocgate.contract.writes import Writes
from ocgate.spec import load_spec


@pytest.mark.parametrize("pool", [OrderPool, ReturnPool])
def test_every_operation_a_pool_serves_is_in_the_spec_and_names_the_pools_parameter(pool) -> None:
    spec = load_spec(load_settings().spec_location)
    operations = {op.operation_id: op for op in spec.operations}
    for operation_id in pool.needs:
        assert operation_id in operations, f"{pool.__name__}: {operation_id} is no operation of the spec"
        assert "{" + pool.param + "}" in operations[operation_id].path, f"{operation_id} has no {{{pool.param}}} to fill"


class RefusingShopper:
    """A shopper the target refuses every call of (a rule of the run's own holds every order, say)."""

    def __init__(self) -> None:
        self.calls = 0

    def ok(self, method: str, path: str, body: object = None) -> object:
        self.calls += 1
        request = httpx.Request(method, f"https://sandbox.example/v1{path}")
        raise ApiCallError(httpx.Response(400, json={"Errors": [{"ErrorCode": "Order.CannotSubmit", "Message": "no", "Data": None}]}, request=request))


def test_an_object_the_target_refuses_to_make_becomes_an_id_that_names_nothing_and_a_reported_refusal() -> None:
    spec = load_spec(load_settings().spec_location)
    shopper = RefusingShopper()
    writes = Writes(Kinds(spec), Objects.for_spec(spec), "ocgtest")
    data = load_fixture_data(load_settings().data_path)
    market = SeededMarketplace(run_id="ocgtest", storefront_client_id="client", data=data, buyers=[SeededBuyer("b1", address_ids=["a1"])], product_ids=["p1"])
    pool = OrderPool(shopper=shopper, market=market, writes=writes, seller_persona="seller_admin")
    first, second = pool.take("Orders.Ship"), pool.take("Orders.Ship")  # needs an Open order
    assert first.startswith("ocgtest-") and second.startswith("ocgtest-") and first != second  # tried again next time
    assert shopper.calls == 2
    assert pool.refused == ["orderID in status Open: POST /v1/orders/Outgoing -> 400 Order.CannotSubmit"]
