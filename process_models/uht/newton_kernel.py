"""Compiled Newton step of the Cu–Zn interdiffusion solver (optional: numba, the ``fast`` extra; issue 15).

:func:`process_models.uht.interdiffusion.solve_interdiffusion` iterates each backward-Euler step in numpy: a
foil's iteration is ≈ 25 array calls of ≈ 1 µs on profiles of 170 cells, so Python's call overhead, not
arithmetic, sets its cost (a recipe's stage III: ≈ 60 steps × 2–3 iterations). This module runs the same
iteration for every foil of a step in one compiled call (stage III: every step of every foil, ``march_foils``), for
the solver's combinations that the product uses: the Kirchhoff potential of
:class:`~process_models.uht.cuzn_diffusivity.CuZnFickDiffusivity` with the Zn evaporation flux of
:class:`~process_models.uht.zn_evaporation.SurfaceEvaporation` (stage III) or the α uptake beside the γ islands of
:class:`~process_models.uht.gamma_islands.IslandGrowth` (stage II).

The iteration is the numpy path's, operation for operation (the same formulas in the same order):

* Ψ and D̃ of each cell from the 15 step coefficients of ``CuZnFickDiffusivity._pieces_at`` (α law, blend 1, β,
  blend 2, γ; a piece above a cell's x adds an exact zero, as the numpy telescoping sum does);
* the surface flux J and dJ/dx_s (``zn_evaporation._flux``, ``IslandGrowth._alpha_flux``);
* the residual and the symmetrised SPD tridiagonal system, solved by LDLᵀ as LAPACK's ``dpttrf``/``dpttrs``
  do (``dptsv``, the numpy path's solver);
* damping, the D̃ trust region, clipping, and the convergence test with the quadratic rate constant (a predicted
  update must leave the surface flux it assumed, ``interdiffusion.newton_flux_holds``; a first update accepted by the
  previous step's rate constant stands once the next update confirms it).

What the kernel leaves to the numpy path: a foil whose symmetrised system is not positive definite (the numpy
path then pivots with ``dgtsv``) is handed back and its step is solved there; a foil whose iteration fails is
reported as failed, and the caller splits its step as before. So every foil's step is the numpy path's step,
up to the last bits of libm's ``expm1``/``log`` against numpy's (both round to within an ulp): a converged
profile agrees to ≈ 1e-13, far inside the Newton tolerance (``NEWTON_TOL_FRAC`` = 1e-6); the tests compare the
two paths recipe by recipe.

Switch: ``FOILTWIN_COMPILED_KERNELS=0`` (or false, no, off) in the environment turns the kernels off (numpy
only); 1, true, yes, on or unset leaves them on; any other value is refused with the allowed ones. Without numba, or
when numba cannot load them (no writable cache directory: a warning says so), they are off. :func:`kernel_tag`
names the path in results' fingerprints. numba compiles a kernel at its first use and keeps it in its on-disk cache
(``__pycache__``), so later processes load it (≈ 0.4 s with numba's import) instead of compiling (≈ 10 s).

A step's status per foil: 0 converged, 1 failed (the caller splits the step), 2 handed back (the numpy path
solves it).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import os
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from process_models.uht.interdiffusion import (
    CLIP_TOL_FRAC,
    LN_D_TRUST,
    NEWTON_MAX_ITER,
    NEWTON_MAX_UPDATE_FRAC,
    NEWTON_TOL_FRAC,
    PREDICTOR_MAX_CHANGE_FRAC,
    SMOOTH_STEP_MAX_ITER,
    TRUST_AFTER_ITER,
)

if TYPE_CHECKING:
    from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
    from process_models.uht.gamma_islands import IslandGrowth
    from process_models.uht.zn_evaporation import SurfaceEvaporation

__all__ = ["CuZnKirchhoffStep", "IslandUptakeStep", "compiled_kernels_enabled", "evaporation_step",
           "island_uptake_step", "kernel_tag", "newton_step_kernel"]

ENV_SWITCH = "FOILTWIN_COMPILED_KERNELS"
SWITCH_OFF = ("0", "false", "no", "off")
SWITCH_ON = ("", "1", "true", "yes", "on")
KERNEL_MODULES = ("process_models.uht.newton_kernel_jit", "process_models.uht.islands_kernel_jit",
                  "process_models.uht.web_heater_kernel_jit")


def _switch_on() -> bool:
    """Whether ``FOILTWIN_COMPILED_KERNELS`` asks for the compiled kernels; any value but the known ones is refused
    (FoiltwinInputError)."""
    raw = os.environ.get(ENV_SWITCH, "1")
    value = raw.strip().lower()
    if value in SWITCH_OFF:
        return False
    if value not in SWITCH_ON:
        from process_models.errors import FoiltwinInputError

        raise FoiltwinInputError(ENV_SWITCH, raw, "1, true, yes or on (compiled kernels where numba is installed) "
                                                  "or 0, false, no, off (numpy only)")
    return True


def compiled_kernels_enabled() -> bool:
    """Whether the compiled kernels are used: ``FOILTWIN_COMPILED_KERNELS`` is not off, numba is installed and
    the kernels load (:func:`kernels_load`). Any other value of the switch is refused (FoiltwinInputError)."""
    return _switch_on() and importlib.util.find_spec("numba") is not None and kernels_load()


@cache
def kernels_load() -> bool:
    """Whether the kernel modules import (once per process). numba decorates them at import with ``cache=True``,
    which fails when it finds no writable cache directory (a read-only install, no writable home): the product then
    runs the numpy path, with one warning, rather than stopping."""
    try:
        for name in KERNEL_MODULES:
            refresh_stale_kernels(importlib.import_module(name))
    except Exception as err:  # any failure to load optional compiled code means: use numpy
        warnings.warn(f"compiled kernels unavailable, using numpy ({type(err).__name__}: {err}); set "
                      f"{ENV_SWITCH}=0 to silence this", RuntimeWarning, stacklevel=2)
        return False
    return True


def compiled_in_digest(module: object) -> str:
    """Digest of the code from other files that ``module``'s kernels compile in (its ``COMPILED_IN`` functions:
    bytecode, constants and names)."""
    h = hashlib.sha256()
    for fn in getattr(module, "COMPILED_IN", ()):
        code = fn.__code__
        h.update(code.co_code + repr((code.co_consts, code.co_names)).encode())
    return h.hexdigest()


def refresh_stale_kernels(module: object) -> bool:
    """Flush ``module``'s cached kernels if code they compile in from another file changed; True if flushed.

    numba keys a cached kernel on its own source file only: a kernel that calls a function of another file
    (``newton_kernel_jit`` compiles in ``interdiffusion.newton_converged``) would otherwise keep running the old
    code after that file changed (a ``git pull`` that touches only it). The digest of that code
    (:func:`compiled_in_digest`) is kept beside numba's index; when it differs, or is missing, the module's caches
    are flushed and its kernels compile again at their next call."""
    if not getattr(module, "COMPILED_IN", ()):
        return False
    caches = [d._cache for d in vars(module).values() if hasattr(getattr(d, "_cache", None), "flush")
              and getattr(d, "py_func", None) is not None and d.py_func.__module__ == module.__name__]
    if not caches:
        return False
    digest = compiled_in_digest(module)
    stamp = Path(caches[0].cache_path) / f"{module.__name__.rsplit('.', 1)[-1]}.compiled_in"
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    for kept in caches:
        kept.flush()
    with contextlib.suppress(OSError):  # no writable cache: numba cannot keep the kernels either
        stamp.write_text(digest)
    return True


def kernel_tag(load: bool = True) -> str:
    """Which Newton-step code runs, for fingerprints: ``numba-<version>`` or ``numpy``.

    ``load=False`` answers without importing numba and the kernels (≈ 0.3 s) while this process has not loaded them
    yet: the tag they get if they load, which they do wherever numba finds a writable cache directory. Once
    :func:`kernels_load` has run, both answers are the exact one. It serves a fingerprint taken before any kernel
    ran, by a run that may need none (a warm ``optimize --cache-dir``, :mod:`optimizer.cache_store`, which takes the
    fingerprint again before it saves)."""
    if not load and kernels_load.cache_info().currsize == 0:
        enabled = _switch_on() and importlib.util.find_spec("numba") is not None
    else:
        enabled = compiled_kernels_enabled()
    return f"numba-{_numba_version()}" if enabled else "numpy"


@cache
def _numba_version() -> str:
    """numba's installed version (read once: the metadata lookup takes ≈ 0.3 ms, and the code fingerprint asks on
    every call, once per batch job)."""
    from importlib.metadata import version

    return version("numba")


@cache
def newton_step_kernel() -> Callable:
    """The compiled ``newton_foils`` of :mod:`process_models.uht.newton_kernel_jit` (compiled at the first call,
    then loaded from numba's on-disk cache)."""
    from process_models.uht import newton_kernel_jit  # here, not at import: start-up time, and numba is optional

    return newton_kernel_jit.newton_foils


FluxRows = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
MarchRows = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class CuZnKirchhoffStep:
    """The compiled Newton step for :func:`~process_models.uht.interdiffusion.solve_interdiffusion`'s
    ``newton_kernel``: the Cu–Zn Kirchhoff model ``model`` with a surface flux the kernel knows (built by
    :func:`evaporation_step` in stage III, :func:`island_uptake_step` in stage II).

    Called by the solver with the step's foils (b of the batch's B): it gathers their D̃ coefficients (planned for
    every step by :meth:`plan`, else computed) and flux factors and runs the kernel; returns (x (b, N), Zn in (b,),
    iterations (b,), status (b,): 0 converged, 1 failed, 2 handed back to the numpy path, clipped cells (b,)).
    """

    def __init__(self, model: CuZnFickDiffusivity, flux_rows: FluxRows, x_grid: np.ndarray | None = None,
                 flux_plan: Callable[[np.ndarray, np.ndarray], None] | None = None,
                 march_rows: MarchRows | None = None, table: np.ndarray | None = None,
                 own_rows: FluxRows | None = None) -> None:
        self._model, self._flux_rows, self._flux_plan = model, flux_rows, flux_plan
        self._own_rows = own_rows  # flux_rows of some foils alone, from their own (T, t) (b,): see _factors
        self._marching = False
        self._march_rows, self._table = march_rows, table
        self._march: tuple[np.ndarray, ...] | None = None
        self._bounds = model.piece_bounds()
        self._x_grid = np.ascontiguousarray(np.zeros(2) if x_grid is None else x_grid, dtype=float)
        self._dx_grid = np.diff(self._x_grid)
        self._planned: dict[bytes, np.ndarray] = {}
        self._kernel = newton_step_kernel()
        self._consts = np.array([NEWTON_MAX_UPDATE_FRAC, TRUST_AFTER_ITER, LN_D_TRUST, CLIP_TOL_FRAC,
                                 float(np.finfo(float).tiny), NEWTON_TOL_FRAC, NEWTON_MAX_ITER], dtype=float)

    def plan(self, T_K: np.ndarray, t_s: np.ndarray) -> None:
        """Every step's D̃ coefficients at once (``T_K``, ``t_s`` (B, n): the steps' temperatures and end times), and
        the flux's own plan."""
        coeffs = self._model.step_coefficients(T_K)  # (B, n, 15)
        self._coeffs = coeffs
        self._planned = {np.ascontiguousarray(T_K[:, k]).tobytes(): np.ascontiguousarray(coeffs[:, k])
                         for k in range(T_K.shape[1])}
        if self._flux_plan is not None:
            self._flux_plan(T_K, t_s)
        self._march = None
        if self._march_rows is not None:  # every step's flux factors too: the march kernel takes whole foils
            fl, rows = self._march_rows(T_K, t_s)
            self._march = (np.array(T_K, dtype=float), np.array(t_s, dtype=float), np.ascontiguousarray(coeffs), fl,
                           rows)

    def can_march(self, T_step: np.ndarray, t_end: np.ndarray) -> bool:
        """Whether :meth:`march` has every step's data planned for these steps (temperatures and end times)."""
        m = self._march
        return m is not None and np.array_equal(m[0], T_step) and np.array_equal(m[1], t_end)

    def march(self, x: np.ndarray, x_prev: np.ndarray, smooth: np.ndarray, last_change: np.ndarray, rate: np.ndarray,
              tk: np.ndarray, k_next: np.ndarray, c: float, widths: np.ndarray, g: np.ndarray, gsum: np.ndarray,
              accounts: tuple[np.ndarray, ...], profiles: np.ndarray | None) -> np.ndarray:
        """Every foil's planned steps from ``k_next`` on in one compiled call
        (:func:`~process_models.uht.newton_kernel_jit.march_foils`); returns each foil's stopping step (-1: done)."""
        from process_models.uht.newton_kernel_jit import march_foils

        assert self._march is not None and self._table is not None
        self._marching = True
        _, _, coeffs, fl, rows = self._march
        keep = profiles is not None
        return march_foils(x, x_prev, smooth, last_change, rate, tk, k_next, c, widths, g, gsum, coeffs, self._bounds,
                           fl, rows, self._table, self._x_grid, self._dx_grid, self._consts,
                           np.array([SMOOTH_STEP_MAX_ITER, PREDICTOR_MAX_CHANGE_FRAC]), *accounts,
                           profiles if keep else np.empty((1, 1, 1)), keep)

    def _coefficients(self, T_K: np.ndarray) -> np.ndarray:
        """(b, 15) coefficients at the step temperatures (b,): planned, or computed (split steps). They depend on
        T alone, so a plan entry with the same temperatures is the right one."""
        hit = self._planned.get(T_K.tobytes())
        if hit is not None and hit.shape[0] == T_K.size:
            return hit
        return self._model.step_coefficients(T_K)

    def _factors(self, T_all_K: np.ndarray, t_all_s: np.ndarray, idx: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The flux factors (b, 4) and activity rows (b, N_act) of foils ``idx`` (the flux's ``flux_rows``). While
        marching, a step taken in Python is one foil's: its factors alone (``own_rows``, the same numbers; the
        whole batch's view would cost a batch's factors for every such step, and the other foils' (T, t) are the
        kernel's)."""
        if self._marching and self._own_rows is not None:
            return self._own_rows(T_all_K[idx], t_all_s[idx], idx)
        return self._flux_rows(T_all_K, t_all_s, idx)

    def end_march(self) -> list[np.ndarray] | None:
        """After :meth:`march` is done with every foil: what it recorded (None: nothing; see the subclasses)."""
        self._marching = False
        return None

    def __call__(self, x_old: np.ndarray, x_guess: np.ndarray, a: np.ndarray, g: np.ndarray, gsum: np.ndarray,
                 rate: np.ndarray, dt: np.ndarray, T_K: np.ndarray, T_all_K: np.ndarray, t_all_s: np.ndarray,
                 idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """One step for foils ``idx`` (rows of ``x_old``, ``x_guess``, ``a``, ``rate``, ``dt``, ``T_K``), the flux
        seeing the whole batch's state (``T_all_K``, ``t_all_s`` (B,)); ``rate`` (b,) is updated in place."""
        T = np.ascontiguousarray(T_K, dtype=float)
        fl, a0, a1 = self._factors(T_all_K, t_all_s, idx)
        return self._kernel(np.ascontiguousarray(x_old), np.ascontiguousarray(x_guess), a, g, gsum,
                            self._coefficients(T), self._bounds, fl, self._x_grid, self._dx_grid, a0, a1, rate,
                            np.ascontiguousarray(dt), self._consts)


def evaporation_step(model: CuZnFickDiffusivity, flux: SurfaceEvaporation) -> CuZnKirchhoffStep:
    """The compiled step with Zn evaporating at the surface (stage III): flux kind 1 of ``flux_row``."""
    x_grid, act = flux.activity_table
    act = np.ascontiguousarray(act, dtype=float)

    def rows(T_all: np.ndarray, t_all: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f_rate, row, weight = flux.factors(T_all, t_all)
        return _evaporation_rows(f_rate[idx], row[idx], weight[idx])

    def own_rows(T: np.ndarray, t: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _evaporation_rows(*flux.factors_of(idx, T, t))

    def _evaporation_rows(f_rate: np.ndarray, row: np.ndarray, weight: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fl = np.zeros((row.size, 4))
        fl[:, 0], fl[:, 1], fl[:, 2] = 1.0, f_rate, weight
        return fl, act[row], act[row + 1]

    def march_rows(T: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every step's factors (B, n, 4) and activity rows (B, n) (the flux's plan has them: the same arrays)."""
        B, n = T.shape
        fl = np.zeros((B, n, 4))
        rows_ = np.empty((B, n), dtype=np.int64)
        for k in range(n):
            f_rate, row, weight = flux.factors(np.ascontiguousarray(T[:, k]), np.ascontiguousarray(t[:, k]))
            fl[:, k, 0], fl[:, k, 1], fl[:, k, 2] = 1.0, f_rate, weight
            rows_[:, k] = row
        return fl, rows_

    return CuZnKirchhoffStep(model, rows, x_grid, flux.plan, march_rows, act, own_rows)


def island_uptake_step(model: CuZnFickDiffusivity, islands: IslandGrowth) -> IslandUptakeStep:
    """The compiled step with α taking up Zn beside the γ islands (stage II): flux kind 2 of ``flux_row``. Each
    step books its supply with the islands as the numpy path's does (``IslandGrowth.alpha_uptake_factors``)."""
    def rows(T_all: np.ndarray, t_all: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k, x_cap, _ = islands.alpha_uptake_factors(T_all, t_all)
        return _uptake_rows(k[idx], x_cap[idx])

    def own_rows(T: np.ndarray, t: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _uptake_rows(*islands.uptake_factors_of(idx, T, t))

    def _uptake_rows(k: np.ndarray, x_cap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fl = np.zeros((k.size, 4))
        fl[:, 0], fl[:, 1], fl[:, 2], fl[:, 3] = 2.0, k, x_cap, islands.width
        z = np.zeros((k.size, 2))  # no activity rows; writable C arrays, as stage III's: one compiled signature
        return fl, z, z

    return IslandUptakeStep(model, rows, islands, own_rows)


class IslandUptakeStep(CuZnKirchhoffStep):
    """:class:`CuZnKirchhoffStep` for stage II, which also marches whole foils in one compiled call
    (``newton_kernel_jit.march_islands``): the kernel books each step with the islands itself, as the solver's
    ``record`` hook ``IslandGrowth.step_done`` would (:meth:`books` tells the solver which hook it stands for).
    A step the kernel leaves to Python is taken there (splits, the numpy path) and booked for that foil alone
    (:meth:`book`); the records are the coverage after every step (:meth:`end_march`)."""

    def __init__(self, model: CuZnFickDiffusivity, flux_rows: FluxRows, islands: IslandGrowth,
                 own_rows: FluxRows) -> None:
        super().__init__(model, flux_rows, None, islands.plan, own_rows=own_rows)
        self._islands = islands

    def plan(self, T_K: np.ndarray, t_s: np.ndarray) -> None:
        """:meth:`CuZnKirchhoffStep.plan`, and every step's supply, α cap and phase fields for the march."""
        from process_models.uht.islands_kernel_jit import FIELD_ROWS

        super().plan(T_K, t_s)
        coeffs = np.ascontiguousarray(self._coeffs)
        assert self._islands.planned_steps is not None  # the islands' plan ran (the flux plan)
        supply, x_cap, fields = self._islands.planned_steps
        B, n = T_K.shape
        self._march = (np.array(T_K, dtype=float), np.array(t_s, dtype=float), coeffs,
                       np.ascontiguousarray(supply), np.ascontiguousarray(x_cap),
                       np.ascontiguousarray(np.stack([fields[name] for name in FIELD_ROWS], axis=-1)),
                       np.full(B, self._islands.state.n_cohorts, dtype=np.int64), np.zeros((n, B)))

    def books(self, record: Callable | None) -> bool:
        """Whether ``record`` is the hook the march books itself: the islands' ``step_done``, with their bookkeeping
        compiled (the march compiles the same code in)."""
        isl = self._islands
        return isl.compiled_bookkeeping and getattr(record, "__self__", None) is isl and record == isl.step_done

    def march(self, x: np.ndarray, x_prev: np.ndarray, smooth: np.ndarray, last_change: np.ndarray, rate: np.ndarray,
              tk: np.ndarray, k_next: np.ndarray, c: float, widths: np.ndarray, g: np.ndarray, gsum: np.ndarray,
              accounts: tuple[np.ndarray, ...], profiles: np.ndarray | None) -> np.ndarray:
        """Every foil's planned stage-II steps from ``k_next`` on, booked with the islands; returns each foil's
        stopping step (-1: done)."""
        from process_models.uht.newton_kernel_jit import march_islands

        assert self._march is not None and profiles is None
        self._marching = True
        _, _, coeffs, supply, x_cap, fields, n_cohorts, coverage = self._march
        isl = self._islands
        return march_islands(x, x_prev, smooth, last_change, rate, tk, k_next, c, widths, g, gsum, coeffs,
                             self._bounds, supply, x_cap, isl.width, fields, isl.state_rows, isl.state.counts_per_m2,
                             isl.state.zn_per_island_mol, n_cohorts, isl.kernel_constants, self._consts,
                             np.array([SMOOTH_STEP_MAX_ITER, PREDICTOR_MAX_CHANGE_FRAC]), *accounts, coverage)

    def book(self, b: int, k: int, x_row: np.ndarray, t_end_s: float) -> None:
        """Book foil b's step k, taken in Python, with the islands (its supply and temperature as that step's last
        flux call left them, as ``step_done`` books them)."""
        from process_models.uht.islands_kernel_jit import islands_row, next_cohorts

        assert self._march is not None
        n_cohorts, coverage = self._march[6], self._march[7]
        isl = self._islands
        n_cohorts[b] = next_cohorts(int(n_cohorts[b]), isl.state.counts_per_m2.shape[1])
        coverage[k, b] = islands_row(b, np.ascontiguousarray(x_row), isl.widths, float(isl.step_supply[b]),
                                     float(t_end_s), isl.step_fields_row(b), isl.state_rows, isl.state.counts_per_m2,
                                     isl.state.zn_per_island_mol, int(n_cohorts[b]), isl.kernel_constants)

    def end_march(self) -> list[np.ndarray]:
        """After the march: the islands' cohort count, and the records (the coverage (B,) after every step)."""
        super().end_march()
        assert self._march is not None
        n_cohorts, coverage = self._march[6], self._march[7]
        if np.any(n_cohorts != n_cohorts[0]):
            raise AssertionError("foils ended the march with different cohort counts")
        self._islands.state.n_cohorts = int(n_cohorts[0])
        return list(coverage)
