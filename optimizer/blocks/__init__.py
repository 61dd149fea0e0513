"""One Pyomo block per unit of the plant, as IDAES builds a flowsheet: ``furnace`` (coil anneal), ``uht_line``,
``plating_line`` and ``costing``, and with skin metals other than Zn asked (issue 14) ``skin_metal`` (the metal as
a decision, its skin tables on the UHT line's hull). ``optimizer.model.build_model`` only composes them (mode
choice, the links between them, targets and the objective).

Each builder declares its block on a model, ``add_<unit>_block(m, name, ...)``, and returns it. A block built
alone has its inputs (what another unit decides: the route, the plant's time) as Vars of its own; in the composed
model they are the composing model's expressions, so composing adds no linking Vars or rows. Alone, each block is
tested for its degrees of freedom (:func:`optimizer.blocks.dof.degrees_of_freedom`), its units and a known answer
(tests/test_optimizer_blocks.py).
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pyomo.common import dependencies as _pyomo_dependencies
from pyomo.core.base.units_container import PyomoUnitsContainer
from pyomo.environ import units as _pyomo_units

from process_models.unit_registry import unit_registry


@contextmanager
def _scipy_probe_without_pyomo_hook() -> Iterator[None]:
    """Within the block, a plain ``import scipy`` does not fire Pyomo's import hook.

    Pyomo hooks the first ``import scipy`` of the process, whoever makes it, to import ``scipy.stats``,
    ``.integrate``, ``.sparse`` and ``.spatial`` too (``pyomo.common.dependencies._finalize_scipy``, ≈0.3 s CPU).
    pint imports scipy only to see whether it is there (``pint.compat``); neither the optimiser nor Pyomo's units
    use those subpackages, so a warm ``foiltwin optimize`` paid for them for nothing (issue 15). The hook is held
    while pint is imported and put back after: Pyomo's own use of scipy (its ``scipy_available`` and deferred
    ``scipy`` module) still imports them when it is asked. If Pyomo's internals differ (another version), nothing
    is held and the import is as before (slower, same results)."""
    finder = getattr(_pyomo_dependencies, "DeferredImportCallbackFinder", None)
    hooks = getattr(finder, "_callbacks", None)
    held = hooks.pop("scipy", None) if isinstance(hooks, dict) and "scipy" not in sys.modules else None
    try:
        yield
    finally:
        if held is not None:
            hooks.setdefault("scipy", held)


# before any block touches a unit, Pyomo's units take the process's one pint registry (the CLI converts with the
# same one) instead of building a second one; if Pyomo already built its own (units used before this import),
# it keeps it: switching registries under existing components would break them
if type(_pyomo_units) is not PyomoUnitsContainer:
    with _scipy_probe_without_pyomo_hook():
        _registry = unit_registry()
    _pyomo_units.set_pint_registry(_registry)
