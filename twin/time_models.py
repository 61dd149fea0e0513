"""Sampling of the scenario's time models (hours) from a given stream."""

from __future__ import annotations

import math

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
