"""Scalar linear interpolation in plain Python floats, bit for bit what ``numpy.interp`` returns.

Per-event code of the twin interpolates one value at a time (a heater's power at a temperature, the plating
efficiency at the bath's concentration). ``numpy.interp`` costs several µs per scalar call in argument
conversion; this does the same arithmetic on a Python list in well under one. It follows numpy's
``arr_interp`` (``numpy/_core/src/multiarray/compiled_base.c``) step by step — the interval found by binary
search (``xp[j] <= x < xp[j+1]``), the end values outside the table, the exact table value at a knot, the
slope ``(yp[j+1] - yp[j]) / (xp[j+1] - xp[j])`` and ``slope * (x - xp[j]) + yp[j]`` — so that switching a
caller from ``numpy.interp`` changes no result (tests/test_twin_fast_paths.py compares the two).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence


def interp_scalar(x: float, xp: Sequence[float], yp: Sequence[float]) -> float:
    """``float(numpy.interp(x, xp, yp))`` for one ``x``; ``xp`` increasing, as numpy requires (not checked)."""
    n = len(xp)
    if n == 1:  # numpy's one-point table: its value everywhere, NaN included
        return yp[0]
    if x != x:  # NaN in, NaN out
        return x
    j = bisect_right(xp, x) - 1
    if j < 0:
        return yp[0]
    if j >= n - 1:  # x at or beyond the last knot
        return yp[n - 1]
    x0 = xp[j]
    y0 = yp[j]
    if x0 == x:
        return y0
    y1 = yp[j + 1]
    slope = (y1 - y0) / (xp[j + 1] - x0)
    out = slope * (x - x0) + y0
    if math.isnan(out):  # numpy's fallback: the other end of the interval
        out = slope * (x - xp[j + 1]) + y1
        if math.isnan(out) and y0 == y1:
            out = y0
    return out
