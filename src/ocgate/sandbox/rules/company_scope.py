"""A buyer or supplier user reaches only its own company's objects, whatever roles it holds.

Roles say which operations a user may call (BEHAVIOUR.md §6); they never open another
company's objects. A buyer user holding BuyerUserAdmin manages the users of its own buyer,
not those of another buyer of the marketplace; a supplier user holding SupplierUserAdmin those
of its own supplier. So a request by a buyer (supplier) user whose path names another buyer
(supplier) — `{buyerID}` (`{supplierID}`) — or whose body names one in `BuyerID`
(`SupplierID`) is answered 404 NotFound, as if that company did not exist, like an order of
another company (rules/order_access.py; BEHAVIOUR.md §4.3, §5). Seller users are not
limited here. Checked at the front door (app.py), after the role check, for every operation.
"""

from __future__ import annotations

from typing import Any

from ..directory import Identity
from ..errors import not_found

#: user type -> (the path parameter naming its kind of company, the body field naming one, the object type)
COMPANY_NAMES = {"buyer": ("buyerID", "BuyerID", "Buyer"), "supplier": ("supplierID", "SupplierID", "Supplier")}


def check(identity: Identity, params: dict[str, str], body: Any) -> None:
    """404 NotFound when a buyer (supplier) user names another buyer (supplier) in the path or body."""
    names = COMPANY_NAMES.get(identity.user_type)
    if names is None:
        return
    param, field, object_type = names
    named = params.get(param)
    if named is not None and named != identity.company_id:
        raise not_found(object_type, named)
    if isinstance(body, dict):
        in_body = body.get(field)
        if isinstance(in_body, str) and in_body and in_body != identity.company_id:
            raise not_found(object_type, in_body)
