"""Sampling of the scenario's time models (hours) from a given stream, and the failure clock of a unit's equipment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from twin.scenario import ConstantTime, ExponentialTime, LognormalTime, WeibullTime


def draw_hours(model: ExponentialTime | LognormalTime | WeibullTime | ConstantTime, rng: np.random.Generator) -> float:
    """One draw [h]. Draws scale with the model's mean for a given stream state (common random numbers)."""
    if isinstance(model, ExponentialTime):
        return float(model.mean_h * rng.standard_exponential())
    if isinstance(model, LognormalTime):
        sigma2 = math.log1p(model.cv_frac**2)
        return float(model.mean_h * math.exp(math.sqrt(sigma2) * rng.standard_normal() - 0.5 * sigma2))
    if isinstance(model, WeibullTime):
        return float(model.scale_h * rng.weibull(model.shape_frac))
    if isinstance(model, ConstantTime):
        return float(model.value_h)
    raise TypeError(f"unknown time model {type(model).__name__}")


class FailureClock:
    """Failures of a unit's equipment on its operating hours: one time-to-failure and one time-to-repair stream per
    equipment (``<name>.ttf``, ``<name>.ttr`` under the unit's name), a time to failure drawn when an item is
    (re)scheduled."""

    def __init__(self, equipment: Sequence[Any], streams: Any, unit: str) -> None:
        self.equipment = {e.name: e for e in equipment}
        self._ttf = {e.name: streams.get(unit, f"{e.name}.ttf") for e in equipment}
        self._ttr = {e.name: streams.get(unit, f"{e.name}.ttr") for e in equipment}
        self.next_h: dict[str, float] = {}
        self._first: tuple[str, float] = ("", math.inf)

    def schedule(self, name: str, operating_h: float) -> None:
        """Draw the next failure of ``name`` after ``operating_h`` (never, without a time to failure)."""
        e = self.equipment[name]
        self.next_h[name] = (math.inf if e.time_to_failure is None
                             else operating_h + draw_hours(e.time_to_failure, self._ttf[name]))
        self._first = min(self.next_h.items(), key=lambda kv: kv[1], default=("", math.inf))

    def schedule_all(self, operating_h: float) -> None:
        for name in self.equipment:
            self.schedule(name, operating_h)

    def first(self) -> tuple[str, float]:
        """The next failure: (equipment name, operating hour); ("", inf) without equipment (kept up to date by
        :meth:`schedule`: the loop asks at every event)."""
        return self._first

    def repair_h(self, name: str) -> float:
        """A repair time of ``name`` [h]."""
        return draw_hours(self.equipment[name].time_to_repair, self._ttr[name])
