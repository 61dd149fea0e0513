"""One Pyomo block per unit of the plant, as IDAES builds a flowsheet: ``furnace`` (coil anneal), ``uht_line``,
``plating_line`` and ``costing``. ``optimizer.model.build_model`` only composes them (mode choice, the links
between them, targets and the objective).

Each builder declares its block on a model, ``add_<unit>_block(m, name, ...)``, and returns it. A block built
alone has its inputs (what another unit decides: the route, the plant's time) as Vars of its own; in the composed
model they are the composing model's expressions, so composing adds no linking Vars or rows. Alone, each block is
tested for its degrees of freedom (:func:`optimizer.blocks.dof.degrees_of_freedom`), its units and a known answer
(tests/test_optimizer_blocks.py).
"""
