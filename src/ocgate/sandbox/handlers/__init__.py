"""Hand-written OrderCloud operations, one module per resource or flow (orders, cart, checkout, ...).

Only operations with real business semantics are hand-written: plain CRUD, including CRUD that
only needs a visibility or parent guard or storage under the caller, is the engine's
(resources.py, with guards and perspectives declared in registry.py). A handler module imports
the engine and the shared rules (rules/), never another handler module.

Importing this package imports every module in it, so a new module only has to register its
handlers (see ocgate.sandbox.registry) to take effect.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
