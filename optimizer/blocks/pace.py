"""The pace of a web line from its logarithm: a 1-D exp table (the MILP keeps ln pace, which Faraday's law and the
dwell times are linear in, and needs the pace itself for the scheduled time, which is linear in it)."""

from __future__ import annotations

import math

import numpy as np

from optimizer.pwl import GridTable

PACE_STEP_LN = 0.085  # exp table of the pace: knots this close in ln p keep the chord error ≤ (Δ ln p)²/8 < 0.1 %


def exp_chord_error(step_ln: float) -> float:
    """Largest relative error of a chord of exp over a knot interval of width ``step_ln`` (≈ step²/8)."""
    t = np.linspace(0.0, 1.0, 2001)
    return float(np.max(((1.0 - t) + t * math.exp(step_ln)) * np.exp(-t * step_ln)) - 1.0)


def pace_table(lo_s_per_m: float, hi_s_per_m: float, name: str, knots: int | None = None) -> GridTable:
    """1-D table pace = exp(ln pace) [s/m] on log-spaced knots (by default as many as keep the chord error
    below 0.1 %: 41 over the full 30x speed range, 3 over a local refinement box)."""
    span = math.log(hi_s_per_m) - math.log(lo_s_per_m)
    knots = knots or max(3, math.ceil(span / PACE_STEP_LN) + 1)
    axis = np.linspace(math.log(lo_s_per_m), math.log(hi_s_per_m), knots)
    return GridTable(name, ("ln_pace",), (axis,), {"pace": np.exp(axis)})
