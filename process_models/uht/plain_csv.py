"""A fast, exact reader for the project's own packaged numeric tables (issue 15: a cold recipe parsed ≈ 55,000
numbers with ``numpy.loadtxt``, ≈ 11 ms).

:func:`parse_plain_rows` reads a body of *plain* decimals — one row a line, fields split by commas, each field
``[+-]digits[.digits][(e|E)[+-]digits]`` with at most 15 mantissa digits and 3 exponent digits — with numpy array
operations on the bytes instead of one string conversion per number. Each value is the mantissa M (an integer
below 10^15, an exact double) times or divided by 10^k (k ≤ 22, an exact double): one correctly rounded
operation on two exact doubles, which is the correctly rounded value of the decimal, the same double that
``strtod`` (and so ``numpy.loadtxt`` and ``float``) gives (Clinger's fast path: W. D. Clinger, "How to read
floating point numbers accurately", PLDI 1990). Anything else — a comment or blank line, spaces, ``nan``, a
missing field, more digits — returns None, and the caller parses the text the usual way (the same numbers and
the same error messages as before).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_POW10 = 10.0 ** np.arange(23)  # 10^0 … 10^22: exact doubles
_MAX_MANTISSA_DIGITS = 15  # 10^15 < 2^53: every mantissa is an exact double
_MAX_EXPONENT_DIGITS = 3
_CHUNK_BYTES = 1 << 15
_COMMA, _NEWLINE, _DOT, _MINUS, _PLUS = (ord(c) for c in ",\n.-+")


def _one_each(field: NDArray[np.int32]) -> bool:
    """Whether no field appears twice in ``field`` (the fields of sorted positions)."""
    return field.size < 2 or bool((field[1:] > field[:-1]).all())


def _mantissas(b: NDArray[np.uint8], last: NDArray[np.int32], n_digits: NDArray[np.intp],
               frac: NDArray[np.intp], has_dot: NDArray[np.bool_]) -> NDArray[np.float64]:
    """The mantissa digits of each field as an integer (exact in float64): digit k counted from the right sits at
    ``last - k``, one further left once past the decimal point; Σ digit·10^k, every product and partial sum an
    integer below 10^15, so exact in any order of summation."""
    n_rows = int(n_digits.max())
    k = np.arange(n_rows, dtype=np.int32)[:, None]
    pos = last - k
    pos -= k >= np.where(has_dot, frac, n_rows).astype(np.int32)
    digits = np.take(b, pos, mode="clip")
    digits -= 48
    digits[k >= n_digits.astype(np.int32)] = 0
    return _POW10[:n_rows] @ digits.astype(np.float64)


def _parse_lines(body: bytes, n_columns: int) -> NDArray[np.float64] | None:
    """:func:`parse_plain_rows` of whole lines at once."""
    b = np.frombuffer(body, dtype=np.uint8)
    if b.size == 0 or b[-1] != _NEWLINE:
        return None
    sep = (b == _COMMA) | (b == _NEWLINE)
    ends = np.flatnonzero(sep)  # each field ends at its separator
    n = ends.size
    if n % n_columns:
        return None
    starts = np.empty(n, dtype=np.intp)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    kinds = b[ends].reshape(-1, n_columns)
    if (ends == starts).any() or not ((kinds[:, :-1] == _COMMA).all() and (kinds[:, -1] == _NEWLINE).all()):
        return None
    special = np.flatnonzero(~(((b - np.uint8(48)) < 10) | sep))  # dots, exponent marks, signs
    ch = b[special]
    is_dot, is_e, is_sign = ch == _DOT, (ch | 32) == ord("e"), (ch == _MINUS) | (ch == _PLUS)
    if not (is_dot | is_e | is_sign).all():
        return None
    dots, marks, signs = special[is_dot], special[is_e], special[is_sign]
    field = np.cumsum(sep, dtype=np.int32)  # at a byte inside a field: the field's index
    f_dot, f_e, f_sign = field[dots], field[marks], field[signs]
    if not (_one_each(f_dot) and _one_each(f_e)):
        return None
    in_exp = (b[signs - 1] | 32) == ord("e")  # a sign is the field's first byte or follows its exponent mark
    if not ((signs == starts[f_sign]) | in_exp).all():
        return None
    mend = ends.copy()
    mend[f_e] = marks  # the mantissa ends at the exponent mark
    if (dots >= mend[f_dot]).any():  # a point in the exponent
        return None
    has_dot = np.zeros(n, dtype=bool)
    has_dot[f_dot] = True
    frac = np.zeros(n, dtype=np.int32)  # digits after the point
    frac[f_dot] = mend[f_dot] - dots - 1
    lead, neg = np.zeros(n, dtype=np.int32), np.zeros(n, dtype=bool)  # a leading sign
    lead[f_sign[~in_exp]] = 1
    neg[f_sign[~in_exp]] = b[signs[~in_exp]] == _MINUS
    n_digits = mend - starts - has_dot - lead
    if (n_digits < 1).any() or (n_digits > _MAX_MANTISSA_DIGITS).any():
        return None
    e10 = -frac  # the decimal exponent of each field's integer mantissa
    if f_e.size:
        after = b[marks + 1]  # the exponent's sign, if any (a separator follows every field)
        n_exp = ends[f_e] - marks - 1 - ((after == _MINUS) | (after == _PLUS))
        if ((n_exp < 1) | (n_exp > _MAX_EXPONENT_DIGITS)).any():
            return None
        k = np.arange(_MAX_EXPONENT_DIGITS)[:, None]
        digits = np.where(k < n_exp, b[np.maximum(ends[f_e] - 1 - k, 0)] - 48, 0)
        exponent = (10 ** np.arange(_MAX_EXPONENT_DIGITS)) @ digits
        e10[f_e] += np.where(after == _MINUS, -exponent, exponent).astype(np.int32)
    if (np.abs(e10) >= len(_POW10)).any():
        return None
    m = _mantissas(b, (mend - 1).astype(np.int32), n_digits, frac, has_dot)
    scale = _POW10[np.abs(e10)]
    value = np.where(e10 >= 0, m * scale, m / scale)
    value[neg] *= -1.0  # exact, and -0.0 for "-0" as strtod gives
    return value.reshape(-1, n_columns)


def parse_plain_rows(body: bytes, n_columns: int) -> NDArray[np.float64] | None:
    """The rows (n, n_columns) of a body of plain decimals (see the module docstring), each value the double
    ``strtod`` gives for its text; None if the body is not plain (the caller then parses it the usual way).

    Parsed in pieces of whole lines of about :data:`_CHUNK_BYTES`: the dozens of temporary arrays of one piece
    stay small enough to be recycled by the allocator (one pass over a 240 kB table took ≈ 1.7× as long)."""
    parts = []
    start = 0
    while start < len(body):
        end = body.find(b"\n", min(start + _CHUNK_BYTES, len(body)) - 1) + 1 or len(body)
        rows = _parse_lines(body[start:end], n_columns)
        if rows is None:
            return None
        parts.append(rows)
        start = end
    return np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else None
