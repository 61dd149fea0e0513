"""The process's one pint unit registry, made on first use.

Pint requires that every quantity of a computation come from one registry, and building one parses pint's
definition file (≈0.13 s). The CLI's unit conversions (:mod:`foiltwin.units`) and the optimiser's Pyomo units
(:mod:`optimizer.blocks`, through ``pyomo.environ.units.set_pint_registry``) share this one, so a command that
does both (``foiltwin optimize``) builds it once. The physics itself works in SI floats and never imports this.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@contextmanager
def _without_dask_probe() -> Iterator[None]:
    """Within the block, ``import dask`` fails (as if dask were not installed), unless dask is already imported.

    pint imports dask only to see whether it is there (``pint.compat``, to wrap dask arrays in quantities, which
    nothing here does): ≈ 0.06–0.1 s of every command that converts units (issue 15: a warm ``optimize``). After the
    block ``import dask`` works again (a batch on Dask imports it as before); only pint's dask support is off."""
    if "dask" in sys.modules:
        yield
        return
    sys.modules["dask"] = None  # type: ignore[assignment]  # the import system's "not available" marker
    try:
        yield
    finally:
        if sys.modules.get("dask", 0) is None:
            del sys.modules["dask"]


@cache
def unit_registry() -> Any:
    """The shared ``pint.UnitRegistry`` (pint is imported here, on first use, without its dask probe)."""
    with _without_dask_probe():
        import pint

    return pint.UnitRegistry()
