"""LAPACK's tridiagonal solvers (``dgtsv``, ``dptsv``, SciPy's f2py wrappers), loaded at their first use.

Importing ``scipy.linalg`` costs ≈ 0.33 s of start-up (issue 15): its package initialiser imports SciPy's array-API
layer, which touches every lazy attribute of numpy (``numpy.f2py`` among them). The solvers
(:mod:`process_models.uht.interdiffusion`, :mod:`process_models.uht.web_heater`) need only two functions of its
compiled LAPACK module ``scipy.linalg._flapack``, so :func:`tridiagonal_solvers` loads that extension module from
its file alone (≈ 0.1 s), without running the package initialiser. The functions are the same f2py wrappers, so the
results are the same bit for bit (tests/test_lapack_loader.py). If the file cannot be found or loaded (another SciPy
layout), ``from scipy.linalg.lapack import dgtsv, dptsv`` is used instead.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

_SOLVERS: dict[str, Callable] = {}
FLAPACK = "scipy.linalg._flapack"


def _flapack_alone() -> object | None:
    """``scipy.linalg._flapack`` loaded from its file without importing ``scipy.linalg`` (None if that fails). If
    ``scipy.linalg`` is already imported, its own module is returned."""
    if FLAPACK in sys.modules:
        return sys.modules[FLAPACK]
    try:
        spec = importlib.util.find_spec("scipy")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "linalg"
        files = [p for p in folder.glob("_flapack.*") if p.suffix in (".so", ".pyd")]
        if len(files) != 1:
            return None
        loader = importlib.machinery.ExtensionFileLoader(FLAPACK, str(files[0]))
        module_spec = importlib.util.spec_from_file_location(FLAPACK, files[0], loader=loader)
        if module_spec is None:
            return None
        module = importlib.util.module_from_spec(module_spec)
        loader.exec_module(module)
        return module
    except (ImportError, OSError):
        return None


def tridiagonal_solvers() -> tuple[Callable, Callable]:
    """``(dgtsv, dptsv)``: the general (partial pivoting) and the symmetric positive-definite tridiagonal solver."""
    if not _SOLVERS:
        module = _flapack_alone()
        if module is not None and hasattr(module, "dgtsv") and hasattr(module, "dptsv"):
            _SOLVERS.update(dgtsv=module.dgtsv, dptsv=module.dptsv)
        else:
            from scipy.linalg.lapack import dgtsv, dptsv  # the package's own import (see the module docstring)

            _SOLVERS.update(dgtsv=dgtsv, dptsv=dptsv)
    return _SOLVERS["dgtsv"], _SOLVERS["dptsv"]
