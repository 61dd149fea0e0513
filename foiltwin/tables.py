"""Human-readable CLI output: rich tables with a unit in each column header, numbers right-aligned.

rich is imported only when a table is printed (``foiltwin --help`` stays quick). Cell text is escaped, so a
``[nm]`` in a unit or a name is printed as typed, not eaten as rich markup. ``--json`` gives the same data as
numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """A table column: header, unit (shown as ``header [unit]``; "" for none) and whether it holds numbers."""

    header: str
    unit: str = ""
    numeric: bool = True

    @property
    def title(self) -> str:
        return f"{self.header} [{self.unit}]" if self.unit else self.header


def num(v: Any, spec: str = ".4g") -> str:
    """A number as text (``n/a`` for None or NaN; booleans as yes/no)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return format(v, spec)
    return str(v)


def _decimals(x: float, significant: int) -> int:
    """Decimals that show ``x`` to ``significant`` significant digits (0 for large numbers)."""
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, significant - 1 - math.floor(math.log10(abs(x))))


def mean_and_spread(mean: float | None, *spreads: float | None) -> list[str]:
    """``mean`` to 4 significant digits and each spread (sd, interval half-width) to the same last decimal as the
    mean or 2 significant digits of its own, whichever is coarser, so a spread never shows more digits than the
    mean carries: a spread that rounds away is shown as 0 (no ``1.7e-11`` noise)."""
    if mean is None:
        return ["n/a"] + ["n/a" for _ in spreads]
    d_mean = _decimals(mean, 4)
    big = abs(mean) >= 1e6 or (mean != 0 and abs(mean) < 1e-4)
    out = [f"{mean:.4g}" if big else f"{mean:.{d_mean}f}"]
    for s in spreads:
        if s is None:
            out.append("n/a")
            continue
        d = min(d_mean, _decimals(s, 2)) if s > 0 else d_mean
        if big:
            out.append("0" if s == 0 or s < abs(mean) * 1e-6 else f"{s:.2g}")
        elif round(s, d) == 0:
            out.append("0")
        else:
            out.append(f"{s:.{d}f}")
    return out


def print_table(columns: Sequence[Column], rows: Sequence[Sequence[Any]], title: str | None = None,
                caption: str | None = None) -> None:
    """Print a rich table to stdout (no colour codes when stdout is not a terminal)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=None if title is None else escape(title), caption=None if caption is None else escape(caption),
                  show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(escape(c.title), justify="right" if c.numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(escape(num(v)) if not isinstance(v, str) else escape(v) for v in row))
    Console(soft_wrap=False, width=_width()).print(table)


def _width() -> int | None:
    """Terminal width, or 160 columns when stdout is a file or pipe (rich's default 80 folds wide tables)."""
    import shutil
    import sys

    return None if sys.stdout.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)


def quantity_text(value: float, unit: str, to: str, spec: str = ".4g") -> str:
    """``value`` in ``unit`` converted by pint to ``to`` and written with its unit (``2.5e-06 m`` → ``2.5 µm``)."""
    return f"{format(convert(value, unit, to), spec)} {to}"


def convert(value: float, unit: str, to: str) -> float:
    """``value`` from ``unit`` to ``to`` through pint (imported here only: it costs ≈0.2 s)."""
    from foiltwin.units import to_unit

    return to_unit(value, _pint_unit(unit), _pint_unit(to))


def _pint_unit(unit: str) -> str:
    return {"µm": "micrometer", "um": "micrometer", "m2": "m**2", "1": "dimensionless", "frac": "dimensionless",
            "at frac": "dimensionless", "%": "percent"}.get(unit, unit)
