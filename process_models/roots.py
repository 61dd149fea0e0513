"""A scalar root in a bracket, without importing scipy.optimize (≈0.25 s of start-up with scipy.special and
scipy.sparse) on paths that every run takes. Tested against scipy's brentq (tests/test_roots.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def bracketed_root(f: Callable[[float], float], a: float, b: float, xtol: float = 1e-12,
                   max_iter: int = 200) -> float:
    """A root of ``f`` in [a, b] where f(a) and f(b) differ in sign (Illinois regula falsi: superlinear, never
    leaves the bracket); to ``xtol`` in x. Raises ValueError without a sign change."""
    fa, fb = f(a), f(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if math.copysign(1.0, fa) == math.copysign(1.0, fb):
        raise ValueError(f"no sign change of f in [{a}, {b}]")
    side = 0
    for _ in range(max_iter):
        c = (a * fb - b * fa) / (fb - fa)
        if not (min(a, b) < c < max(a, b)):
            c = 0.5 * (a + b)
        fc = f(c)
        if fc == 0.0 or abs(b - a) <= xtol:
            return c
        if math.copysign(1.0, fc) == math.copysign(1.0, fb):
            b, fb = c, fc
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb *= 0.5
            side = 1
        if abs(b - a) <= xtol:
            return c
    return 0.5 * (a + b)


def lambert_w0(x: np.ndarray) -> np.ndarray:
    """The principal branch W₀ of the Lambert W function (w·eʷ = x) for real x ≥ −1/e, elementwise, to round-off
    (Halley's iteration from a branch-point series near −1/e and a log-based start elsewhere; scipy.special's
    lambertw agrees to 1e-14 relative in tests/test_roots.py). Each element stops iterating at its own convergence, so
    its value does not depend on the other elements of ``x``."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    e_inv = math.exp(-1.0)
    if np.any(x < -e_inv * (1.0 + 1e-12)):
        raise ValueError("lambert_w0 needs x >= -1/e")
    x = np.maximum(x, -e_inv)
    p = np.sqrt(np.maximum(2.0 * (math.e * x + 1.0), 0.0))
    near = -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p**3  # series at the branch point
    lx = np.log1p(np.maximum(x, 0.0))
    far = np.where(x > 3.0, lx - np.log(np.maximum(lx, 1e-300)), 0.567 * x / (1.0 + 0.567 * np.abs(x)))
    w = np.where(x < -0.25, near, far)
    active = np.ones(w.shape, dtype=bool)  # an element stops at its own convergence: as it would alone
    for _ in range(40):
        ew = np.exp(w)
        f = w * ew - x
        wp1 = w + 1.0
        denom = ew * wp1 - (w + 2.0) * f / np.where(wp1 == 0.0, 1e-300, 2.0 * wp1)
        step = np.where(denom != 0.0, f / np.where(denom == 0.0, 1.0, denom), 0.0)
        w = np.where(active, w - step, w)
        active &= ~(np.abs(step) <= 4e-16 * (1.0 + np.abs(w)))
        if not active.any():
            break
    return np.where(x == -e_inv, -1.0, w)
