"""What an operation does to the objects it names, read from the shape of the spec.

- create: a POST whose path plus `/{id}` is an item path (POST /buyers -> GET /buyers/{buyerID}), or
  a DELETE path when no GET reads the object (POST .../payments/{paymentID}/transactions);
- save: a PUT on an item path (create-or-replace);
- link: a PUT of a relation without body, undone by a DELETE at the same path
  (PUT /products/{productID}/suppliers/{supplierID});
- assignment: a POST without answer body that relates objects named in its body
  (POST /catalogs/productassignments), undone by its Delete twin;
- action: any other POST on a path naming an object (submit, ship, moveto, ...).
PUT, PATCH and DELETE change the object their path names last, and so do a few actions
(DESTRUCTIVE_ACTIONS): the contract run sends them only to objects it created itself.
Other actions (calculate, accesstoken, ...) may use any object; orders in the state an
action needs come from the order pool (orders.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..spec import Operation, Spec
from .objects import item_paths, slots

#: Actions that change their object beyond what the suite could repair: moving a seeded user to
#: another buyer would lock its persona out, regenerating a product's variants drops the seeded ones.
DESTRUCTIVE_ACTIONS = frozenset({"Users.Move", "Products.GenerateVariants"})


@dataclass
class Kinds:
    spec: Spec

    @cached_property
    def _item_paths(self) -> set[str]:
        return item_paths(self.spec)

    @cached_property
    def _by_id(self) -> dict[str, Operation]:
        return {op.operation_id: op for op in self.spec.operations}

    def item_path(self, op: Operation) -> str | None:
        """The item path of what a create or save operation writes (None for other operations)."""
        if op.method == "PUT" and op.path in self._item_paths:
            return op.path
        if op.method == "POST":
            return next((path for path in self._item_paths if path.startswith(op.path + "/{") and path.count("/") == op.path.count("/") + 1), None)
        return None

    def is_create(self, op: Operation) -> bool:
        return op.method == "POST" and self.item_path(op) is not None

    def is_save(self, op: Operation) -> bool:
        return op.method == "PUT" and self.item_path(op) is not None

    def is_link(self, op: Operation) -> bool:
        return op.method == "PUT" and op.request_schema is None and not self.is_save(op) and self.delete_twin(op.path) is not None

    def saves_assignment(self, op: Operation) -> bool:
        """A POST without answer body that relates the objects its body names, whether or not an
        operation undoes it (a CC listener assignment goes only with its message sender)."""
        return op.method == "POST" and op.success_status == 204 and op.request_schema is not None and op.verb.startswith("Save") and "ssignment" in op.verb

    def is_assignment(self, op: Operation) -> bool:
        return self.saves_assignment(op) and self.undo_of_assignment(op) is not None

    def changes_target(self, op: Operation) -> bool:
        """Whether the call changes or removes the object its path names (rather than creating one)."""
        if op.method in ("PUT", "PATCH", "DELETE"):
            return bool(slots(op.path))
        return op.operation_id in DESTRUCTIVE_ACTIONS

    def run_order(self, op: Operation) -> tuple[int, int, str]:
        """Sort key that runs creates first (parents before children), then saves and assignments,
        reads, actions, patches, and deletes last (children before parents): each call finds the
        objects it needs, and nothing is deleted before the calls that use it."""
        depth = op.path.count("/")
        if self.is_create(op):
            return (0, depth, op.path)
        if self.is_save(op) or self.is_link(op) or self.is_assignment(op):
            return (1, depth, op.path)
        rank = {"GET": 2, "POST": 3, "PUT": 3, "PATCH": 4}.get(op.method)
        return (rank, depth, op.path) if rank is not None else (5, -depth, op.path)

    def delete_twin(self, path: str) -> Operation | None:
        """The DELETE operation at a path template."""
        return next((op for op in self.spec.operations if op.method == "DELETE" and op.path == path), None)

    def undo_of_keyed_write(self, op: Operation) -> list[Operation] | None:
        """The DELETE(s) undoing a write keyed by its body: an assignment, or a PUT without an
        item path whose DELETE names the body's fields (PUT /xpindices -> DELETE /xpindices/{thingType}/{key})."""
        if self.is_assignment(op):
            return self.undo_of_assignment(op)
        if op.method == "PUT" and op.request_schema is not None and self.item_path(op) is None:
            twins = [o for o in self.spec.operations if o.method == "DELETE" and o.path.startswith(op.path + "/{")]
            return twins or None
        return None

    def undo_of_assignment(self, op: Operation) -> list[Operation] | None:
        """The Delete twin(s) of an assignment save (SaveProductAssignment -> DeleteProductAssignment;
        ApiClients.SaveAssignment -> DeleteBuyerAssignment / DeleteSupplierAssignment)."""
        if not op.verb.startswith("Save") or "ssignment" not in op.verb:
            return None
        exact = self._by_id.get(f"{op.resource}.Delete{op.verb[4:]}")
        if exact is not None:
            return [exact]
        suffix = op.verb[4:]
        twins = [o for o in self.spec.operations if o.method == "DELETE" and o.resource == op.resource and o.verb.startswith("Delete") and o.verb.endswith(suffix)]
        return twins or None
