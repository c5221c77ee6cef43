"""The pools of orders and returns serve real operations, through the path parameter each fills."""

from __future__ import annotations

import pytest

from ocgate.config import load_settings
from ocgate.gate.orders import OrderPool
from ocgate.gate.returns import ReturnPool
from ocgate.spec import load_spec


@pytest.mark.parametrize("pool", [OrderPool, ReturnPool])
def test_every_operation_a_pool_serves_is_in_the_spec_and_names_the_pools_parameter(pool) -> None:
    spec = load_spec(load_settings().spec_location)
    operations = {op.operation_id: op for op in spec.operations}
    for operation_id in pool.needs:
        assert operation_id in operations, f"{pool.__name__}: {operation_id} is no operation of the spec"
        assert "{" + pool.param + "}" in operations[operation_id].path, f"{operation_id} has no {{{pool.param}}} to fill"
