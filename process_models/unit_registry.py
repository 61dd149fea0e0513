"""The process's one pint unit registry, made on first use.

Pint requires that every quantity of a computation come from one registry, and building one parses pint's
definition file (≈0.13 s). The CLI's unit conversions (:mod:`foiltwin.units`) and the optimiser's Pyomo units
(:mod:`optimizer.blocks`, through ``pyomo.environ.units.set_pint_registry``) share this one, so a command that
does both (``foiltwin optimize``) builds it once. The physics itself works in SI floats and never imports this.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def unit_registry() -> Any:
    """The shared ``pint.UnitRegistry`` (pint is imported here, on first use)."""
    import pint

    return pint.UnitRegistry()
