"""The CLI's unit registry (pint), made on first use: converting a value between the units a user types and the
model's SI units at the boundary. Importing pint costs ≈0.2 s, so nothing imports this module at start-up."""

from __future__ import annotations

import pint

ureg = pint.UnitRegistry()


def to_unit(value: float, unit: str, to: str) -> float:
    """``value`` in ``unit`` expressed in ``to`` (pint unit expressions: ``"um"``, ``"mg/cm**2"``, ``"m/min"``)."""
    return float(ureg.Quantity(value, unit).to(to).magnitude)
