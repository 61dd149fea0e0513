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

from pyomo.core.base.units_container import PyomoUnitsContainer
from pyomo.environ import units as _pyomo_units

from process_models.unit_registry import unit_registry

# before any block touches a unit, Pyomo's units take the process's one pint registry (the CLI converts with the
# same one) instead of building a second one; if Pyomo already built its own (units used before this import),
# it keeps it: switching registries under existing components would break them
if type(_pyomo_units) is not PyomoUnitsContainer:
    _pyomo_units.set_pint_registry(unit_registry())
