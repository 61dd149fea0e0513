"""The one error type users see: a bad input named by field, value and allowed range.

Whatever a user hands in comes back shortened: the value to :data:`VALUE_MAX_CHARS` characters (a 50 MB value
is not echoed whole), the field and the allowed range to a bounded length, and the message on ONE line (line
breaks and runs of blanks become one blank), so the CLI prints one line and the dashboard one box.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: `foiltwin --help` and the registry need none (start-up)
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

VALUE_MAX_CHARS = 80  # the value as shown in a message
PATH_MAX_CHARS = 4096  # a file path is shown whole up to the OS's PATH_MAX (a cut path cannot be acted on)
FIELD_MAX_CHARS = 120  # a field name (user text too: a misspelt --set key)
ALLOWED_MAX_CHARS = 600  # what is allowed (may quote lists of known names or a parser's message)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs → one blank), cut to ``limit`` characters with the full length
    said: ``'aaaa…' (52428800 characters)``."""
    one = " ".join(str(text).split())
    if len(one) <= limit:
        return one
    tail = f"… ({len(one)} characters)"
    return one[: max(limit - len(tail), 8)] + tail


def show_value(value: Any, limit: int = VALUE_MAX_CHARS) -> str:
    """A value as a message shows it: its ``repr`` (strings quoted, so a blank is visible), shortened."""
    try:
        if isinstance(value, str | bytes) and len(value) > 4 * limit:  # no repr of a 50 MB string
            tail = f"… ({len(value)} characters)"
            return " ".join(repr(value[:limit]).split())[: max(limit - len(tail), 8)] + tail
        text = repr(value)
    except Exception:  # a value whose repr fails is still named by its type
        text = f"<{type(value).__name__}>"
    return shorten(text, limit)


class FoiltwinInputError(ValueError):
    """An input (CLI option, scenario field, parameter override) outside its allowed range.

    The message always names the field, the offending value and what is allowed, so the CLI can
    print it as one line and exit with code 2. The value is kept as given in :attr:`value` (tests and the
    batch store read it); :attr:`value_text` is the shortened form every message uses.
    """

    def __init__(self, field: str, value: Any, allowed: str, reason: str | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.reason = reason
        # args are the constructor's, so copies (SimPy re-raises ``type(e)(*e.args)``, pickling to worker
        # processes) keep the field, value and range
        super().__init__(field, value, allowed, reason)

    @property
    def value_text(self) -> str:
        """The value as messages show it: ``repr``, one line, at most :data:`VALUE_MAX_CHARS` characters."""
        return show_value(self.value)

    @property
    def field_text(self) -> str:
        return shorten(self.field, FIELD_MAX_CHARS)

    @property
    def allowed_text(self) -> str:
        return shorten(self.allowed, ALLOWED_MAX_CHARS)

    def __str__(self) -> str:
        text = f"{self.field_text}={self.value_text} is not allowed: {self.allowed_text}"
        return text + (f" ({shorten(self.reason, ALLOWED_MAX_CHARS)})" if self.reason else "")


class FoiltwinPathError(FoiltwinInputError):
    """A bad file or folder path: as :class:`FoiltwinInputError`, but the path is shown whole (up to
    :data:`PATH_MAX_CHARS`), since a user cannot fix a path the message cut."""

    @property
    def value_text(self) -> str:
        return show_value(self.value, PATH_MAX_CHARS)


class ModelConvergenceError(FoiltwinInputError):
    """The physics could not solve these settings (e.g. a Newton iteration that does not converge even after
    its step splits): a user error in the sense that the settings lie outside what the model handles. ``field``
    names the settings (``stage2``, ``stage3``), ``value`` their values in the user's units; ``rows`` are the
    failing rows of a batch (for a caller that retries the others)."""

    def __init__(self, field: str, value: Any, allowed: str, reason: str | None = None,
                 rows: tuple[int, ...] = ()) -> None:
        super().__init__(field, value, allowed, reason)
        self.rows = tuple(rows)
        self.args = (field, value, allowed, reason, self.rows)


def require_number(field: str, value: Any, unit: str = "") -> float:
    """``value`` as a float if it is a real number; ``True``/``False``, strings and other types are refused (no
    bool→float, no "3"→3)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        import numpy as np  # (only on this rare path: numpy scalars are numbers.Real already)

        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            return float(value)
        raise FoiltwinInputError(field, value, "a number" + (f" in {unit}" if unit not in ("", "1") else "")
                                 + f", not {type(value).__name__}")
    return float(value)


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

    NaN is always rejected. Bounds given as ``None`` are open: any finite value, never ±inf (the range reads
    ``(-inf, ...`` or ``..., inf)``, which leaves infinity out).
    """
    import math

    v = require_number(field, value, unit)
    lo_ok = v > -math.inf if low is None else (v >= low if low_inclusive else v > low)
    hi_ok = v < math.inf if high is None else (v <= high if high_inclusive else v < high)
    if math.isnan(v) or not (lo_ok and hi_ok):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "[" if low_inclusive and low is not None else "("
        right = "]" if high_inclusive and high is not None else ")"
        suffix = f" {unit}" if unit else ""
        raise FoiltwinInputError(field, value, f"must lie in {left}{lo}, {hi}{right}{suffix}")
    return v


def _holds_bool(value: Any) -> bool:
    """Whether a (nested) list or tuple holds a bool (``np.asarray([1.0, True])`` would make it 1.0)."""
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return True
    return isinstance(value, list | tuple) and any(_holds_bool(v) for v in value)


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
    :class:`FoiltwinInputError` through :func:`check_range`, naming the field, the value and the range. Booleans,
    strings and other non-numbers are refused (no bool→float, no "3"→3)."""
    import numpy as np

    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":
        raw = np.asarray(value) if not isinstance(value, str | bytes) else None
        if raw is None or raw.dtype.kind not in "iuf" or _holds_bool(value):
            raise FoiltwinInputError(field, value, "a number" + (f" in {unit}" if unit not in ("", "1") else "")
                                     + " (or an array of numbers)")
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
