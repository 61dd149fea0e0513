"""Monotone piecewise-cubic (PCHIP) interpolation of a 1-D table in numpy alone.

The same interpolant, operation for operation, as ``scipy.interpolate.PchipInterpolator`` (Fritsch & Butland
derivatives with the weighted harmonic mean inside, the three-point shape-preserving formula at the ends;
Hermite cubics in the power basis of ``PPoly`` evaluated term by term, ``c3 + c2·s + c1·s² + c0·s³``), so its
values agree bit for bit (tests/test_properties.py compares them). It exists because importing
``scipy.interpolate`` pulls in scipy.optimize, scipy.special and scipy.sparse — about half a second of start-up
for every twin run and CLI call — for one 12-point table (the Matula Cu resistivity).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _edge_slope(h0: float, h1: float, m0: float, m1: float) -> float:
    """End derivative: three-point formula, zeroed if it has the wrong sign, limited to 3·m0 where the secants
    change sign (scipy's ``PchipInterpolator._edge_case``)."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    if np.sign(d) != np.sign(m0):
        return 0.0
    if np.sign(m0) != np.sign(m1) and abs(d) > 3.0 * abs(m0):
        return 3.0 * m0
    return float(d)


class Pchip:
    """PCHIP through (x, y), x strictly increasing, at least three points; evaluated inside [x0, xn] only."""

    def __init__(self, x: ArrayLike, y: ArrayLike) -> None:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or x.size < 3 or not np.all(np.diff(x) > 0.0):
            raise ValueError("Pchip needs strictly increasing x and y of the same length, at least 3 points")
        hk = x[1:] - x[:-1]
        mk = (y[1:] - y[:-1]) / hk
        smk = np.sign(mk)
        flat = (smk[1:] != smk[:-1]) | (mk[1:] == 0) | (mk[:-1] == 0)
        w1 = 2 * hk[1:] + hk[:-1]
        w2 = hk[1:] + 2 * hk[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            whmean = (w1 / mk[:-1] + w2 / mk[1:]) / (w1 + w2)
        dk = np.zeros_like(y)
        dk[1:-1][~flat] = 1.0 / whmean[~flat]
        dk[0] = _edge_slope(hk[0], hk[1], mk[0], mk[1])
        dk[-1] = _edge_slope(hk[-1], hk[-2], mk[-1], mk[-2])
        # CubicHermiteSpline's power-basis coefficients per interval (highest power first)
        dx = np.diff(x)
        slope = np.diff(y) / dx
        t = (dk[:-1] + dk[1:] - 2 * slope) / dx
        self.x = x
        self.c = np.stack((t / dx, (slope - dk[:-1]) / dx - t, dk[:-1], y[:-1]))
        self.c_slope = self.c[:-1] * np.array([3.0, 2.0, 1.0])[:, None]  # PPoly.derivative(): c_k·(order - k)

    def _interval(self, xv: FloatArray) -> tuple[np.ndarray, FloatArray]:
        i = np.clip(np.searchsorted(self.x, xv, side="right") - 1, 0, self.x.size - 2)
        return i, xv - self.x[i]

    @staticmethod
    def _power_sum(c: FloatArray, i: np.ndarray, s: FloatArray) -> FloatArray:
        """Σ c[k]·s^(order-k), lowest power first, s^k by repeated multiplication (PPoly's evaluation order)."""
        res = np.zeros_like(s)
        z = np.ones_like(s)
        order = c.shape[0]
        for kp in range(order):
            res = res + c[order - kp - 1, i] * z * 1.0
            if kp < order - 1:
                z = z * s
        return res

    def __call__(self, x: ArrayLike) -> FloatArray:
        """Values at ``x`` (inside the table's range)."""
        xv = np.asarray(x, dtype=float)
        i, s = self._interval(xv)
        return self._power_sum(self.c, i, s)

    def slope(self, x: ArrayLike) -> FloatArray:
        """First derivative at ``x`` (inside the table's range)."""
        xv = np.asarray(x, dtype=float)
        i, s = self._interval(xv)
        return self._power_sum(self.c_slope, i, s)
