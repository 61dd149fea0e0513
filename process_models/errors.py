"""The one error type users see: a bad input named by field, value and allowed range."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: `foiltwin --help` and the registry need none (start-up)
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
        # args are the constructor's, so copies (SimPy re-raises ``type(e)(*e.args)``, pickling to worker
        # processes) keep the field, value and range
        super().__init__(field, value, allowed, reason)

    def __str__(self) -> str:
        text = f"{self.field}={self.value!r} is not allowed: {self.allowed}"
        return text + (f" ({self.reason})" if self.reason else "")


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
    import numpy as np

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


FRACTION_ROUNDOFF = 1e-9  # solver iterates may overshoot [0, 1] by round-off; that much is accepted


def check_fractions(field: str, value: ArrayLike, what: str = "mole fractions") -> NDArray[np.float64]:
    """Fractions in [0, 1] as a float array: NaN or values beyond the round-off tolerance raise
    :class:`FoiltwinInputError`; overshoots within it (numerical noise of a solver, e.g. -7e-290) are snapped
    onto the bounds."""
    import numpy as np

    xa = np.asarray(value, dtype=float)
    ok = np.isfinite(xa) & (xa >= -FRACTION_ROUNDOFF) & (xa <= 1.0 + FRACTION_ROUNDOFF)
    if not np.all(ok):
        raise FoiltwinInputError(field, float(xa[~ok].flat[0]), f"{what} in [0, 1]")
    return np.clip(xa, 0.0, 1.0)
