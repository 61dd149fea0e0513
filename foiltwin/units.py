"""Unit conversion at the CLI's boundary (pint): a value between the units a user types and the model's SI units.
The registry is the process's shared one (:func:`process_models.unit_registry.unit_registry`, also the optimiser's
Pyomo units). Importing pint costs ≈0.2 s, so nothing imports this module at start-up."""

from __future__ import annotations

import math
from functools import cache

from process_models.unit_registry import unit_registry

ureg = unit_registry()


@cache
def _factor(unit: str, to: str) -> tuple[str, float]:
    """How to convert ``unit`` to ``to``: ("*", f) or ("/", g). Pint gives the factor; a whole-number factor (or
    inverse) is applied as that whole number, so 20 mm/min is 20 / 60000 m/s, not 20 × 1.6666666666666667e-05
    and a power of ten as written (10 µm is 10 × 1e-6 m), so the floats are those of the hand-written
    conversions they replace, not one ulp off."""
    f = float(ureg.Quantity(1.0, unit).to(to).magnitude)
    g = 1.0 / f
    if f >= 1.0 and abs(f - round(f)) <= 1e-9 * f:
        return "*", float(round(f))
    if f < 1.0 and float(f"{f:.12e}") == float(f"1e{math.floor(math.log10(f))}"):
        return "*", float(f"1e{math.floor(math.log10(f))}")  # 1e-6 as written, a power of ten
    if abs(g - round(g)) <= 1e-9 * g:
        return "/", float(round(g))
    return "*", f


def to_unit(value: float, unit: str, to: str) -> float:
    """``value`` in ``unit`` expressed in ``to`` (pint unit expressions: ``"um"``, ``"mg/cm**2"``, ``"m/min"``)."""
    op, x = _factor(unit, to)
    return float(value) * x if op == "*" else float(value) / x
