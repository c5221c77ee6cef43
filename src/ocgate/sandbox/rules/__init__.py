"""Shared business rules of the sandbox: one module per rule family, each citing its sources.

Handlers (handlers/) and the engine's declared hooks apply these rules; a rule never imports a
handler. Where to look:

- order_access       who sees which order, finding the order a request names, whether it may change
- order_status       moving an order (or return) between statuses; canceling; becoming Open deducts stock
- placing_orders     who orders from whom, what a new order holds, who may set its costs
- addresses          saved and one-time addresses copied onto orders, line items and shipments
- pricing            price breaks, quantity rules, sales, promotion discounts and redemptions, totals
- inventory          stock checks on line items and submit, deduction, product inventory rules
- inventory_records  stock per inventory record: which record a line may name, who may draw on it
- approval_rules     which approval rules an order matches, who approves under them
- rule_expressions   the expression language of approval rules and promotions
- catalog_visibility what a buyer user sees of the catalog (products, categories, catalogs)
- shared_with_users  what a buyer user sees of its company (objects shared through assignments)
- company_scope      a buyer or supplier user names only its own company, whatever its roles
- subscriptions      whose subscriptions are whose; the orders placed from due ones

Some modules also declare how the generic operations guard their collections (registry.guard,
registry.perspective), next to the rule they apply. Importing this package imports every module
in it, so those declarations take effect.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
