"""Degrees of freedom of a block built alone (IDAES's count) and the freedom its piecewise-linear tables keep."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables


def degrees_of_freedom(b: pyo.Block) -> int:
    """Unfixed Vars in the block's active equalities minus the number of those equalities (IDAES's count)."""
    eqs = [c for c in b.component_data_objects(pyo.Constraint, active=True, descend_into=True) if c.equality]
    free = {id(v) for c in eqs for v in identify_variables(c.body) if not v.fixed}
    return len(free) - len(eqs)


def table_freedom(table: pyo.Block) -> int:
    """Freedom a table block of :func:`optimizer.pwl.add_table` keeps once its coordinates are fixed: V vertex
    weights against the convex row and one coordinate row per axis (each output is defined by its own row). Its
    SOS2 rows (inequalities on binaries) pick the one simplex, so none of it is a decision."""
    return len(table.V) - 1 - len(table.coord)
