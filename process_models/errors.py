"""The one error type users see: a bad input named by field, value and allowed range."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


class FoiltwinInputError(ValueError):
    """An input (CLI option, scenario field, parameter override) outside its allowed range.

    The message always names the field, the offending value and what is allowed, so the CLI can
    print it as one line and exit with code 2.
    """

    def __init__(self, field: str, value: Any, allowed: str, reason: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.reason = reason
        text = f"{field}={value!r} is not allowed: {allowed}"
        if reason:
            text += f" ({reason})"
        super().__init__(text)


def check_range(
    field: str,
    value: float,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    unit: str = "",
) -> float:
    """Return ``value`` if it lies in the range, else raise :class:`FoiltwinInputError`.

    NaN is always rejected. Bounds given as ``None`` are open.
    """
    import math

    v = float(value)
    lo_ok = low is None or (v >= low if low_inclusive else v > low)
    hi_ok = high is None or (v <= high if high_inclusive else v < high)
    if math.isnan(v) or not (lo_ok and hi_ok):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "[" if low_inclusive and low is not None else "("
        right = "]" if high_inclusive and high is not None else ")"
        suffix = f" {unit}" if unit else ""
        raise FoiltwinInputError(field, value, f"must lie in {left}{lo}, {hi}{right}{suffix}")
    return v


def check_array(
    field: str,
    value: ArrayLike,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> NDArray[np.float64]:
    """``value`` as a float array; the first element outside the range (NaN and ±inf always are) raises
    :class:`FoiltwinInputError` through :func:`check_range`, naming the field, the value and the range."""
    arr = np.asarray(value, dtype=float)
    ok = np.isfinite(arr)
    if low is not None:
        ok &= (arr >= low) if low_inclusive else (arr > low)
    if high is not None:
        ok &= (arr <= high) if high_inclusive else (arr < high)
    if not np.all(ok):
        bad = float(arr[~ok].flat[0])
        check_range(field, bad, low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive, unit=unit)
        raise FoiltwinInputError(field, bad, "a finite number")
    return arr
