"""LAPACK's tridiagonal solvers (``dgtsv``, ``dptsv`` of ``scipy.linalg.lapack``), imported at their first use.

Importing ``scipy.linalg`` costs start-up time (issue 15) that a CLI call or a twin run not solving a diffusion
or web-heater problem does not need, so the solvers (:mod:`process_models.uht.interdiffusion`,
:mod:`process_models.uht.web_heater`) fetch them here when they first solve. The functions are the f2py
wrappers themselves: callers pass the bands and right-hand sides straight to LAPACK.
"""

from __future__ import annotations

from collections.abc import Callable

_SOLVERS: dict[str, Callable] = {}


def tridiagonal_solvers() -> tuple[Callable, Callable]:
    """``(dgtsv, dptsv)``: the general (partial pivoting) and the symmetric positive-definite tridiagonal solver."""
    if not _SOLVERS:
        from scipy.linalg.lapack import dgtsv, dptsv  # here, not at import: see the module docstring

        _SOLVERS.update(dgtsv=dgtsv, dptsv=dptsv)
    return _SOLVERS["dgtsv"], _SOLVERS["dptsv"]
