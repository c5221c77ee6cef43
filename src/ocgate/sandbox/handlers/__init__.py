"""Hand-written OrderCloud business semantics, one module per area.

Importing this package imports every module in it, so a new module only has
to register its handlers (see ocgate.sandbox.registry) to take effect.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
