"""Batched implicit finite-volume solver for 1-D interdiffusion of Zn in a Cu foil.

Volume-fixed frame, constant molar density c (mol/m³), unknown x = x_Zn per cell, depth z from the surface
(z = 0) to the back face (no flux):

    c ∂x/∂t = ∂/∂z ( D̃(x, T) ∂x/∂z ) = ∂²Ψ/∂z²,   Ψ(x, T) = ∫₀ˣ D̃ dx'  (Kirchhoff potential)

Discretisation (cell-centred finite volumes, backward Euler, Newton in x):

* face flux between cells i and i+1: F = -(Ψ(x_{i+1}) - Ψ(x_i)) / (z_{i+1} - z_i); with a ``kirchhoff``
  callable Ψ is exact, otherwise the face integral ∫ D̃ dx is evaluated by Gauss-Legendre quadrature of
  ``diffusivity``. The Jacobian entries are ±D̃(x)/Δz, so the Newton matrix is tridiagonal.
* surface: a flux J(x_s, T, t) into the foil (:class:`FluxBC`, implicit, with dJ/dx_s in the Jacobian), a
  fixed surface composition (:class:`DirichletBC`, half-cell flux from z = 0 to the first centre), or no flux.
* B foils are solved together: their tridiagonal systems form one system of size B·N with zero couplings
  between blocks, solved by one LAPACK call per Newton iteration (``dptsv`` on the symmetrised Jacobian,
  ``dgtsv`` as fallback). Converged foils are frozen, so a foil's result does not depend on the others.
* Time steps: every foil takes ``n_steps`` steps placed at s_k = (k/n)^p of the normalised clock
  s(t) = (1 - θ)·τ(t)/τ_end + θ·(t - t0)/(t_end - t0), τ(t) = ∫ clock(T(t')) dt' (fine early steps because
  profiles grow like √τ; θ bounds every step by ~p/(θ n) of the history); the nearest step ends are then
  moved onto the history's samples so no step straddles a kink of T(t). Each step is solved at the
  temperature whose clock equals the step's mean clock Δτ/Δt, so ∫ clock dt is exact step by step even
  where a step spans a steep ramp (plain backward Euler would use the step-end temperature).
* Newton starts from the old profile, or from a linear extrapolation once steps converge easily; it stops
  when the update, or the update predicted from the quadratic convergence rate, is below
  ``NEWTON_TOL_FRAC`` (far below the time-discretisation error). A prediction must be borne out: an update it
  accepts must leave the surface flux it assumed (:func:`newton_flux_holds`; a kink of J(x_s) is invisible to the
  rate), and a first update accepted by the rate carried from the previous step stands only if the next update is
  below the tolerance (a linear step leaves that rate ≈ 1e-15 and it would otherwise never be measured again).
* Conservation: the Zn that entered in a step is recorded as the linearised flux J + dJ/dx_s·δx_s of the
  Newton update that gave the step's profile, which equals the step's inventory change to round-off.
* A batch of one foil (one recipe) takes a lean path (:func:`_march_one`, :func:`_newton_one`): the same
  iteration and arithmetic without the active-set bookkeeping, its scalars as Python floats, so the same numbers
  with fewer array calls per Newton iteration (issue 15).
* A Newton iterate outside [0, 1] (beyond round-off) is clipped and counted in ``n_clipped`` (a clipped
  update never ends the iteration); a step whose Newton iteration fails is split in two for the foils
  concerned (counted in ``step_splits``); a step still failing after ``MAX_SPLIT_DEPTH`` splits is solved by a
  guarded iteration (:func:`_newton_guarded`: the update cap halves whenever an update reverses the last) before
  the solver gives up.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.errors import FoiltwinInputError, ModelConvergenceError, check_fractions
from process_models.lapack import tridiagonal_solvers
from process_models.rowwise import row_dot

__all__ = [
    "DepthGrid",
    "DiffusionResult",
    "DirichletBC",
    "FluxBC",
    "NewtonStats",
    "depth_where_below_m",
    "make_depth_grid",
    "place_time_steps",
    "solve_interdiffusion",
    "uniform_depth_grid",
    "zn_inventory_mol_per_m2",
]

Array = NDArray[np.float64]
DiffusivityFn = Callable[[Array, Array], Array]
KirchhoffFn = Callable[[Array, Array], tuple[Array, Array]]
FluxFn = Callable[..., tuple[Array, Array]]
RecordFn = Callable[[Array, Array, Array], ArrayLike]

# Numerical settings (not physics).
NEWTON_TOL_FRAC = 1e-6  # converged when the (predicted) remaining Newton correction is below this
NEWTON_MAX_ITER = 30
NEWTON_MAX_UPDATE_FRAC = 0.1  # damping: a Newton update moves no cell by more than this
TRUST_AFTER_ITER = 4  # from this Newton update on, an update may change D̃ of no cell by more than ...
LN_D_TRUST = 3.0  # ... a factor e³ (steep D̃(x), e.g. where α meets a slow β law, makes Newton cycle)
CLIP_TOL_FRAC = 1e-12  # iterates beyond [0, 1] by more than this are clipped and counted
SMOOTH_STEP_MAX_ITER = 3  # a step converged within this many updates lets the next one extrapolate ...
PREDICTOR_MAX_CHANGE_FRAC = 0.05  # ... if the extrapolation moves no cell by more than this
MAX_SPLIT_DEPTH = 8  # a failing step is halved at most this many times
GUARDED_MAX_ITER = 200  # Newton updates of the guarded fallback (:func:`_newton_guarded`); its step cap
# halves at most ~45 times before an update is round-off, so this bounds a cycling iterate, not a slow one
STEP_TIME_SHARE_FRAC = 0.1  # share of plain time in the step-placement clock
_SCALAR_SNAP_MAX_ROWS = 4
CLOCK_SUBSAMPLES = 32  # sub-samples per history segment when integrating the clock
EFFECTIVE_T_BISECTIONS = 48  # bisections for a step's effective temperature (≤ 1e-11 of the T range)
_TINY = np.finfo(float).tiny
_TINY_F = float(_TINY)
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(4)


# --------------------------------------------------------------------------------------------------
# grid
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepthGrid:
    """Finite-volume cells in depth (all lengths in m; z = 0 is the surface).

    ``faces`` (N+1,) from 0 to the back face; ``centres`` (N,), ``widths`` (N,) and ``centre_spacing``
    (N-1,) are derived.
    """

    faces: Array
    centres: Array = field(init=False, repr=False)
    widths: Array = field(init=False, repr=False)
    centre_spacing: Array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        faces = np.asarray(self.faces, dtype=float)
        if faces.ndim != 1 or faces.size < 3 or faces[0] != 0.0 or np.any(np.diff(faces) <= 0.0):
            raise FoiltwinInputError("grid.faces", f"array of shape {faces.shape}",
                                     "at least 3 strictly increasing faces starting at 0 m")
        faces.setflags(write=False)
        centres = 0.5 * (faces[1:] + faces[:-1])
        widths = np.diff(faces)
        spacing = np.diff(centres)
        for a in (centres, widths, spacing):
            a.setflags(write=False)
        object.__setattr__(self, "faces", faces)
        object.__setattr__(self, "centres", centres)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "centre_spacing", spacing)

    @property
    def n_cells(self) -> int:
        return self.widths.size

    # unit-suffixed aliases (house style for quantities)
    @property
    def faces_m(self) -> Array:
        return self.faces

    @property
    def centres_m(self) -> Array:
        return self.centres

    @property
    def widths_m(self) -> Array:
        return self.widths

    @property
    def depth_m(self) -> float:
        return float(self.faces[-1])


def make_depth_grid(
    depth_m: float, first_cell_m: float = 2e-9, growth: float = 0.03, max_cell_m: float | None = None
) -> DepthGrid:
    """Cells of ``first_cell_m`` at the surface growing by the fraction ``growth`` per cell (0.03 = 3 %),
    capped at ``max_cell_m``, down to ``depth_m``. ``growth = 0`` gives a uniform grid.

    A 10 µm foil with 2 nm and 3 % has ~170 cells. The last cell is shortened to end at ``depth_m`` (merged
    into its neighbour if it would be less than half the previous width).
    """
    if not (np.isfinite(depth_m) and depth_m > 0.0):
        raise FoiltwinInputError("depth_m", depth_m, "a depth > 0 m")
    if not (np.isfinite(first_cell_m) and 0.0 < first_cell_m <= depth_m / 2):
        raise FoiltwinInputError("first_cell_m", first_cell_m, f"in (0, {depth_m / 2:g}] m (half the depth)")
    if not (np.isfinite(growth) and 0.0 <= growth <= 1.0):
        raise FoiltwinInputError("growth", growth, "a fractional growth per cell in [0, 1]")
    cap = np.inf if max_cell_m is None else float(max_cell_m)
    if not cap >= first_cell_m:
        raise FoiltwinInputError("max_cell_m", max_cell_m, f">= first_cell_m = {first_cell_m:g} m")
    # widths w_k = first·(1+g)^k until the cap, then constant; enough cells to pass depth_m
    if growth > 0.0:
        n_grow = int(np.ceil(np.log(min(cap, depth_m) / first_cell_m) / np.log1p(growth))) + 1
        widths = np.minimum(first_cell_m * (1.0 + growth) ** np.arange(n_grow), cap)
    else:
        widths = np.array([first_cell_m])
    total = np.cumsum(widths)
    if total[-1] < depth_m:
        extra = int(np.ceil((depth_m - total[-1]) / widths[-1]))
        widths = np.concatenate([widths, np.full(extra, widths[-1])])
        total = np.cumsum(widths)
    n = int(np.searchsorted(total, depth_m * (1.0 - 1e-12))) + 1
    faces = np.concatenate([[0.0], total[:n]])
    faces[-1] = depth_m
    if n >= 3 and faces[-1] - faces[-2] < 0.5 * (faces[-2] - faces[-3]):
        faces = np.delete(faces, -2)
    return DepthGrid(faces)


def uniform_depth_grid(depth_m: float, n_cells: int) -> DepthGrid:
    """``n_cells`` equal cells over ``depth_m`` (tests)."""
    if not (int(n_cells) == n_cells and n_cells >= 2):
        raise FoiltwinInputError("n_cells", n_cells, "an integer >= 2")
    if not (np.isfinite(depth_m) and depth_m > 0.0):
        raise FoiltwinInputError("depth_m", depth_m, "a depth > 0 m")
    return DepthGrid(np.linspace(0.0, depth_m, int(n_cells) + 1))


def zn_inventory_mol_per_m2(x: ArrayLike, grid: DepthGrid, molar_density_mol_per_m3: float) -> Array:
    """Zn per unit area, c·Σ x·Δz (mol/m²), over the last axis of ``x``."""
    return molar_density_mol_per_m3 * row_dot(x, grid.widths)


def depth_where_below_m(x: ArrayLike, grid: DepthGrid, level_frac: float) -> Array:
    """Depth (m) where x first falls below ``level_frac`` going down from the surface.

    Linear interpolation between cell centres; 0 if the first cell is already below, the foil depth if no
    cell is. Shape: ``x.shape[:-1]``.
    """
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    below = xa < level_frac
    first = np.where(below.any(axis=-1), below.argmax(axis=-1), -1)
    z = grid.centres
    out = np.empty(xa.shape[0])
    rows = np.arange(xa.shape[0])
    none = first < 0
    out[none] = grid.depth_m
    at_top = first == 0
    out[at_top] = 0.0
    mid = ~(none | at_top)
    i = first[mid]
    r = rows[mid]
    xa_hi, xa_lo = xa[r, i - 1], xa[r, i]
    frac = (xa_hi - level_frac) / (xa_hi - xa_lo)
    out[mid] = z[i - 1] + frac * (z[i] - z[i - 1])
    return out.reshape(np.shape(x)[:-1])


# --------------------------------------------------------------------------------------------------
# boundary conditions and results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FluxBC:
    """Zn flux INTO the foil through the surface (mol/(m² s); positive = Zn enters, negative = loss).

    ``flux(x_s (B,), T (B,), t (B,)) -> (J (B,), dJ/dx_s (B,))`` with x_s the first cell's composition, T
    the step's effective temperature and t the step-end time. It always receives the whole batch in the
    caller's foil order (so per-foil parameters can be (B,) arrays); rows of foils that are not being solved
    at that moment carry their latest state and their results are ignored. It must act element-wise.
    """

    flux: FluxFn
    at: Callable[[Array, Array], Callable[[Array], tuple[Array, Array]]] | None = None
    """Optional: ``at(T (B,), t (B,)) -> f(x_s (B,)) -> (J, dJ/dx_s)``, the same flux with (T, t) fixed (its
    T-dependent factors computed once per step; the solver then iterates in x_s only)."""


@dataclass(frozen=True)
class DirichletBC:
    """Fixed surface composition ``x_surface`` (scalar or (B,)) at z = 0."""

    x_surface: ArrayLike


@dataclass(frozen=True)
class NewtonStats:
    """Newton iterations per foil: total, largest and mean per time step, and the number of step splits."""

    total: NDArray[np.int64]
    max_per_step: NDArray[np.int64]
    mean_per_step: Array
    step_splits: NDArray[np.int64]


@dataclass(frozen=True)
class DiffusionResult:
    """Outcome of :func:`solve_interdiffusion` (B foils, N cells, n steps).

    Amounts in mol/m². ``surface_zn_in_mol_per_m2`` = ``zn_in`` - ``zn_out`` is the net Zn that entered
    through the surface; ``zn_in``/``zn_out`` accumulate the positive/negative parts step by step (both ≥ 0).
    ``step_time_s``/``step_temperature_K`` (B, n+1) are the step ends and the history's T there;
    ``step_effective_temperature_K`` (B, n) is the temperature each step was solved at (its mean clock);
    ``recorded`` is (n, B, ...) or None.
    """

    x: Array
    grid: DepthGrid
    step_time_s: Array
    step_temperature_K: Array
    step_effective_temperature_K: Array
    initial_zn_inventory_mol_per_m2: Array
    zn_inventory_mol_per_m2: Array
    surface_zn_in_mol_per_m2: Array
    zn_in_mol_per_m2: Array
    zn_out_mol_per_m2: Array
    newton_iterations: NewtonStats
    n_clipped: NDArray[np.int64]
    recorded: Array | None


# --------------------------------------------------------------------------------------------------
# time steps
# --------------------------------------------------------------------------------------------------


def _interp_rows(tq: Array, time_s: Array, temp_K: Array) -> Array:
    """Row-wise linear interpolation of T(t): tq (b,) or (b, K) against histories (b, M)."""
    q = tq if tq.ndim == 2 else tq[:, None]
    seg = np.clip((time_s[:, None, :] <= q[:, :, None]).sum(axis=2) - 1, 0, time_s.shape[1] - 2)
    t0 = np.take_along_axis(time_s, seg, axis=1)
    t1 = np.take_along_axis(time_s, seg + 1, axis=1)
    T0 = np.take_along_axis(temp_K, seg, axis=1)
    T1 = np.take_along_axis(temp_K, seg + 1, axis=1)
    out = T0 + np.clip((q - t0) / (t1 - t0), 0.0, 1.0) * (T1 - T0)
    return out if tq.ndim == 2 else out[:, 0]


@dataclass(frozen=True)
class _ClockTable:
    """Histories resampled finely (B, F): times, temperatures and τ(t) = ∫ clock(T) dt (None: no clock)."""

    t: Array
    T: Array
    tau: Array | None

    @classmethod
    def build(cls, time_s: Array, temp_K: Array, clock: Callable[[Array], Array] | None) -> _ClockTable:
        B = time_s.shape[0]
        frac = np.linspace(0.0, 1.0, CLOCK_SUBSAMPLES + 1)[:-1]
        def resample(a: Array) -> Array:
            inner = (a[:, :-1, None] + frac * np.diff(a, axis=1)[..., None]).reshape(B, -1)
            return np.concatenate([inner, a[:, -1:]], axis=1)

        tf, Tf = resample(time_s), resample(temp_K)
        if clock is None:
            return cls(tf, Tf, None)
        rate = np.broadcast_to(np.asarray(clock(Tf), dtype=float), Tf.shape)
        if not np.all(np.isfinite(rate)) or np.any(rate < 0.0):
            raise FoiltwinInputError("clock", "non-finite or negative rates", "a clock(T) >= 0 (m2/s)")
        # exact for a rate exponential in t between samples (Arrhenius on a linear ramp), else trapezoid
        r0, r1 = rate[:, :-1], rate[:, 1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.log(r1 / r0)
            mean = np.where(np.isfinite(lr) & (np.abs(lr) > 1e-6), (r1 - r0) / lr, 0.5 * (r0 + r1))
        tau = np.concatenate([np.zeros((B, 1)), np.cumsum(mean * np.diff(tf, axis=1), axis=1)], axis=1)
        return cls(tf, Tf, tau)

    def tau_at(self, rows: Array, tq: Array) -> Array:
        """τ at times tq (b, K) of foils ``rows`` (row by row, exact per foil)."""
        assert self.tau is not None
        return np.stack([np.interp(tq[i], self.t[r], self.tau[r]) for i, r in enumerate(rows)])


def _place(table: _ClockTable, n_steps: int, grading: float, time_share: float) -> Array:
    span = table.t - table.t[:, :1]
    s = span / span[:, -1:]
    if table.tau is not None:
        tau_end = table.tau[:, -1:]
        ok = tau_end > 0.0
        s_tau = np.where(ok, table.tau / np.where(ok, tau_end, 1.0), s)
        s = (1.0 - time_share) * s_tau + time_share * s
    targets = (np.arange(n_steps + 1) / n_steps) ** grading
    tk = np.stack([np.interp(targets, s[b], table.t[b]) for b in range(s.shape[0])])  # exact per foil
    tk[:, 0], tk[:, -1] = table.t[:, 0], table.t[:, -1]
    _snap_to_history(tk, table.t[:, ::CLOCK_SUBSAMPLES])
    return tk


def _snap_to_history(tk: Array, samples: Array) -> None:
    """Move step ends onto the history's interior samples (kinks of T(t)) so that no step straddles one.

    The step (tk[j-1], tk[j]] containing a sample has its nearer free end moved onto it (never the first or
    last end, never an end already moved); order is kept because an end only moves inside its own step.
    With more kinks than steps some steps still straddle one. In place on tk (B, n+1).
    """
    B, n1 = tk.shape
    if B <= _SCALAR_SNAP_MAX_ROWS:  # few foils: the same rule on Python floats, ~20x cheaper than array calls
        for b in range(B):
            _snap_row(tk[b], samples[b])
        return
    rows = np.arange(B)
    fixed = np.zeros(tk.shape, dtype=bool)
    fixed[:, [0, -1]] = True
    for m in range(1, samples.shape[1] - 1):
        tm = samples[:, m]
        j = np.clip((tk < tm[:, None]).sum(axis=1), 1, n1 - 1)  # tk[j-1] < tm <= tk[j]
        on_end = tk[rows, j] == tm
        fixed[rows[on_end], j[on_end]] = True
        left_free = ~fixed[rows, j - 1]
        right_free = ~fixed[rows, j]
        nearer_left = (tm - tk[rows, j - 1]) <= (tk[rows, j] - tm)
        use_left = ~on_end & left_free & (nearer_left | ~right_free)
        use_right = ~on_end & ~use_left & right_free
        for use, col in ((use_left, j - 1), (use_right, j)):
            tk[rows[use], col[use]] = tm[use]
            fixed[rows[use], col[use]] = True


def _snap_row(tk: Array, samples: Array) -> None:
    """:func:`_snap_to_history` for one foil, on Python floats (identical rule)."""
    row = tk.tolist()
    n1 = len(row)
    fixed = [False] * n1
    fixed[0] = fixed[-1] = True
    for tm in samples[1:-1].tolist():
        j = min(max(bisect.bisect_left(row, tm), 1), n1 - 1)  # row[j-1] < tm <= row[j]
        if row[j] == tm:
            fixed[j] = True
            continue
        left_free, right_free = not fixed[j - 1], not fixed[j]
        nearer_left = (tm - row[j - 1]) <= (row[j] - tm)
        if left_free and (nearer_left or not right_free):
            row[j - 1] = tm
            fixed[j - 1] = True
        elif right_free:
            row[j] = tm
            fixed[j] = True
    tk[:] = row


def place_time_steps(
    time_s: ArrayLike,
    temperature_K: ArrayLike,
    n_steps: int,
    clock: Callable[[Array], Array] | None = None,
    *,
    grading: float = 2.0,
    time_share: float = 0.1,
) -> Array:
    """Step end times (B, n_steps+1) for histories (B, M): s_k = (k/n)^grading of the normalised clock
    s(t) = (1 - time_share)·τ/τ_end + time_share·t/t_end with τ = ∫ clock(T) dt (clock in m²/s; any
    positive rate works). Without a clock the steps are graded in time only. The nearest step ends are then
    moved onto the interior history samples, so that no step straddles a kink of T(t).
    """
    t = np.atleast_2d(np.asarray(time_s, dtype=float))
    T = np.atleast_2d(np.asarray(temperature_K, dtype=float))
    return _place(_ClockTable.build(t, T, clock), n_steps, grading, time_share)


def _step_temperatures(table: _ClockTable, clock: Callable[[Array], Array] | None, rows: Array, t0: Array,
                       t1: Array, T_end: Array) -> Array:
    """Temperature used for the steps (t0, t1] (each (b, K)): the one whose clock equals the step's mean
    clock Δτ/Δt, so ∫ clock dt is exact step by step (ramps are not smeared to their end value);
    without a clock, the temperature at the step end (plain backward Euler)."""
    if clock is None:
        return T_end
    mean = (table.tau_at(rows, t1) - table.tau_at(rows, t0)) / (t1 - t0)
    lo = np.broadcast_to(table.T[rows].min(axis=1)[:, None], mean.shape).copy()
    hi = np.broadcast_to(table.T[rows].max(axis=1)[:, None], mean.shape).copy()
    varying = lo < hi  # isothermal rows keep their temperature exactly
    if varying.any():
        for _ in range(EFFECTIVE_T_BISECTIONS):
            mid = 0.5 * (lo + hi)
            below = np.asarray(clock(mid)) < mean
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------------------------------
# solver
# --------------------------------------------------------------------------------------------------


@dataclass
class _OneFoilWork:
    """Arrays reused by every Newton iteration of a batch of one foil (overwritten in place)."""

    res: Array  # (1, N) residual, then -R, then the update δ
    diag: Array  # (1, N) diagonal of the symmetrised Jacobian
    q: Array  # (1, N-1) face fluxes
    offdiag: Array  # (N-1,) -c/Δz


@dataclass
class _Problem:
    grid: DepthGrid
    c: float
    diffusivity: DiffusivityFn
    kirchhoff: KirchhoffFn | None
    flux: FluxFn | None
    x_surface: Array | None  # (B,) for Dirichlet
    time_s: Array
    temp_K: Array
    table: _ClockTable
    clock: Callable[[Array], Array] | None
    flux_state: Array  # (3, B): latest x_s, T, t of every foil, passed whole to the flux callable
    g: Array  # c/centre spacing (N-1,), mol/m4
    gsum: Array  # g_left + g_right per cell (N,)
    g_surf: float  # c/(distance surface -> first centre)
    kirchhoff_at: Callable[[Array], Callable[[Array], tuple[Array, Array]]] | None = None
    flux_at: Callable[[Array, Array], Callable[[Array], tuple[Array, Array]]] | None = None
    newton_kernel: Callable[..., tuple[Array, ...]] | None = None  # a compiled Newton step (solve_interdiffusion)

    _offdiag: dict[int, Array] = field(default_factory=dict)
    _work_one: _OneFoilWork | None = None

    def one_foil_work(self) -> _OneFoilWork:
        """The preallocated arrays of the one-foil Newton iteration (made at the first use)."""
        if self._work_one is None:
            n = self.grid.n_cells
            self._work_one = _OneFoilWork(np.empty((1, n)), np.empty((1, n)), np.empty((1, n - 1)), self.offdiag(1))
        return self._work_one

    def offdiag(self, m: int) -> Array:
        """Off-diagonal (-c/Δz) of m stacked foils, zero between foils (cached per m)."""
        if m not in self._offdiag:
            e = np.zeros((m, self.grid.n_cells))
            e[:, :-1] = -self.g
            self._offdiag[m] = e.ravel()[:-1].copy()
        return self._offdiag[m]

    def face_integrals(self, xl: Array, xr: Array, T: Array) -> Array:
        """∫_{xl}^{xr} D̃ dx by Gauss-Legendre quadrature of ``diffusivity`` (no Kirchhoff callable)."""
        half = 0.5 * (xr - xl)
        mid = 0.5 * (xr + xl)
        pts = mid[..., None] + half[..., None] * _GAUSS_X
        b = xl.shape[0]
        d = self.diffusivity(pts.reshape(b, -1), T).reshape(pts.shape)
        return half * row_dot(d, _GAUSS_W)

    def psi_d(self, x: Array, T: Array) -> tuple[Array | None, Array]:
        if self.kirchhoff is not None:
            psi, d = self.kirchhoff(x, T)
        else:
            psi, d = None, self.diffusivity(x, T)
        if np.shape(d) != x.shape:
            d = np.broadcast_to(d, x.shape)
        return psi, d


def _solve_tridiagonal(a: Array, prob: _Problem, dj: Array, d: Array, res: Array) -> tuple[Array, bool]:
    """Newton update δ for all foils of the (sub)batch with ONE LAPACK call (``res`` is overwritten).

    The Jacobian is diag(a) - dJ·e0e0ᵀ + G·diag(D̃) with G the (symmetric) face-conductance Laplacian.
    With δ = y/D̃ the system becomes (diag(a/D̃) - dJ/D̃₀·e0e0ᵀ + G) y = -R, symmetric positive definite
    for dJ ≤ 0, solved by ``dptsv``; if that fails (dJ > 0 large, D̃ ≤ 0) ``dgtsv`` solves the original
    system with pivoting. Blocks of different foils are decoupled by zero off-diagonals.
    """
    m, n = res.shape
    _, dptsv = tridiagonal_solvers()
    np.negative(res, out=res)
    if d.min() > 0.0:
        diag = a / d
        diag += prob.gsum
        diag[:, 0] -= dj / d[:, 0]
        _, _, y, info = dptsv(diag.ravel(), prob.offdiag(m), res.ravel(), overwrite_d=1, overwrite_b=1)
        if info == 0:
            y = y.reshape(m, n)
            y /= d
            return y, True
    return _solve_general(a, prob, dj, d, res)


def _solve_general(a: Array, prob: _Problem, dj: Array | float, d: Array, res: Array) -> tuple[Array, bool]:
    """The fallback of :func:`_solve_tridiagonal`: ``dgtsv`` (partial pivoting) on the unsymmetric Jacobian rows;
    ``res`` already holds -R (it is overwritten)."""
    m, n = res.shape
    dgtsv, _ = tridiagonal_solvers()
    dd = d * prob.gsum
    dd += a
    dd[:, 0] -= dj
    low = np.zeros((m, n))
    low[:, 1:] = -prob.g * d[:, :-1]
    up = np.zeros((m, n))
    up[:, :-1] = -prob.g * d[:, 1:]
    _, _, _, delta, info = dgtsv(low.ravel()[1:], dd.ravel(), up.ravel()[:-1], res.ravel(),
                                 overwrite_dl=1, overwrite_d=1, overwrite_du=1, overwrite_b=1)
    return delta.reshape(m, n), info == 0


def _bind_psi_d(prob: _Problem, T: Array) -> Callable[[Array], tuple[Array | None, Array]]:
    """(Ψ, D̃) of x at the fixed temperatures T (b, 1): the T-dependent work done once per Newton step."""
    if prob.kirchhoff_at is not None:
        return prob.kirchhoff_at(T)
    return lambda x: prob.psi_d(x, T)


def _bind_flux(prob: _Problem, idx: Array, T: Array, t: Array) -> Callable[[Array], tuple[Array, Array]] | None:
    """The surface flux of the whole batch at the step's (T, t) of foils ``idx``: ``f(x_s (B,)) -> (J, dJ)``
    (B,) (the callable always sees the whole batch; the other foils carry their latest state)."""
    if prob.flux is None:
        return None
    state = prob.flux_state
    state[1, idx] = T
    state[2, idx] = t
    n_all = state.shape[1]
    if prob.flux_at is not None:
        f = prob.flux_at(state[1].copy(), state[2].copy())
    else:
        flux, T_all, t_all = prob.flux, state[1].copy(), state[2].copy()
        f = lambda xs: flux(xs, T_all.copy(), t_all.copy())  # noqa: E731

    def whole(xs: Array) -> tuple[Array, Array]:
        j, dj = f(xs)
        if not (type(j) is np.ndarray and j.shape == (n_all,) and j.dtype == float):
            j = np.broadcast_to(np.asarray(j, dtype=float), (n_all,))
        if not (type(dj) is np.ndarray and dj.shape == (n_all,) and dj.dtype == float):
            dj = np.broadcast_to(np.asarray(dj, dtype=float), (n_all,))
        return j, dj
    return whole


@dataclass
class _Active:
    """The foils of a Newton step still iterating, and their rows of the step's arrays."""

    active: Array  # positions in the step's foils
    whole: bool  # all foils of the step still active (no gathers needed)
    x: Array
    T: Array
    a: Array
    x_old: Array
    t: Array
    x_s: Array | None  # Dirichlet surface compositions
    psi_s: Array | None  # their Ψ
    psi_d: Callable[[Array], tuple[Array | None, Array]]


def _residual(prob: _Problem, st: _Active, rows: Array, surf: Callable | None, psi: Array | None, d: Array
              ) -> tuple[Array, Array, Array]:
    """Newton residual (accumulation - net inflow) of the active foils, the surface flux J and dJ/dx_s."""
    xa = st.x
    if psi is not None:
        q = psi[:, 1:] - psi[:, :-1]
        q *= prob.g
    else:
        q = prob.g * prob.face_integrals(xa[:, :-1], xa[:, 1:], st.T)
    if st.x_s is not None:  # Dirichlet: half-cell flux from the surface
        if psi is not None:
            j = prob.g_surf * (st.psi_s - psi[:, 0])
        else:
            j = prob.g_surf * prob.face_integrals(xa[:, :1], st.x_s[:, None], st.T)[:, 0]
        dj = -prob.g_surf * d[:, 0]
    elif surf is not None:
        xs_all = prob.flux_state[0]
        if xs_all.size == 1:  # a batch of one foil: no gathers
            xs_all[0] = xa[0, 0]
            j, dj = surf(xs_all.copy())
        else:
            xs_all[rows] = xa[:, 0]
            j_all, dj_all = surf(xs_all.copy())
            j, dj = j_all[rows], dj_all[rows]
    else:
        j = dj = np.zeros(xa.shape[0])
    # residual: accumulation - (inflow - outflow); q = c(Ψ_{i+1} - Ψ_i)/Δz is the upward face flux
    res = xa - st.x_old
    res *= st.a
    res[:, :-1] -= q
    res[:, 1:] += q
    res[:, 0] -= j
    return res, j, dj


def _limit(prob: _Problem, st: _Active, delta: Array, step: Array, d: Array, it: int
           ) -> tuple[Array, Array | None, Array | None]:
    """The next iterate: damped (no cell moves by more than NEWTON_MAX_UPDATE_FRAC), kept within a trust region
    of D̃ after TRUST_AFTER_ITER updates, and clipped to [0, 1]; returns it, the damped mask (None: none) and the
    cells clipped per foil (None: none)."""
    xa = st.x
    damped = None
    if step.max() > NEWTON_MAX_UPDATE_FRAC:  # damping
        scale = np.minimum(1.0, NEWTON_MAX_UPDATE_FRAC / np.maximum(step, NEWTON_MAX_UPDATE_FRAC))
        xn = xa + scale[:, None] * delta
        damped = scale < 1.0
    else:
        xn = xa + delta
    if it >= TRUST_AFTER_ITER:  # slow convergence: keep D̃ within a factor e^TRUST of its linearisation
        _, d_new = st.psi_d(np.clip(xn, 0.0, 1.0))
        if np.shape(d_new) != xn.shape:
            d_new = np.broadcast_to(d_new, xn.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = np.max(np.abs(np.log(np.maximum(d_new, _TINY) / np.maximum(d, _TINY))), axis=1)
        shrink = jump > LN_D_TRUST
        if shrink.any():
            s_tr = np.where(shrink, LN_D_TRUST / np.where(shrink, jump, 1.0), 1.0)
            xn = xa + (xn - xa) * s_tr[:, None]
            damped = shrink if damped is None else damped | shrink
    n_out = None
    if xn.min() < -CLIP_TOL_FRAC or xn.max() > 1.0 + CLIP_TOL_FRAC:
        out = (xn < -CLIP_TOL_FRAC) | (xn > 1.0 + CLIP_TOL_FRAC)
        n_out = out.sum(axis=1)
        xn = np.where(out, np.minimum(np.maximum(xn, 0.0), 1.0), xn)
    return xn, damped, n_out


def _converged(st: _Active, rate: Array, last: Array, step: Array, it: int) -> Array:
    """Converged foils: the update was small, or quadratic convergence predicts the next one to be small; updates
    ``rate`` (the convergence constant C = |δ|/|δ_prev|²) in place."""
    if step.size == 1:
        return np.array([_converged_one(0 if st.whole else int(st.active[0]), rate, last, float(step[0]), it)])
    ra = rate if st.whole else rate[st.active]
    if it == 0:  # first update: the previous step's rate constant (the next update confirms it)
        return (step <= NEWTON_TOL_FRAC) | (ra * step * step <= NEWTON_TOL_FRAC) & (ra > 0.0)
    la = last if st.whole else last[st.active]
    predicted = step * step * step / np.maximum(la * la, _TINY)  # C·|δ|² with C = |δ|/|δ_prev|²
    conv = (step <= NEWTON_TOL_FRAC) | ((step < la) & (predicted <= NEWTON_TOL_FRAC))
    ra = np.where(la > NEWTON_TOL_FRAC, step / np.maximum(la * la, _TINY), ra)
    if st.whole:
        rate[:] = ra
    else:
        rate[st.active] = ra
    return conv


def _converged_one(k: int, rate: Array, last: Array, s: float, it: int) -> bool:
    """:func:`_converged` for one foil (row ``k`` of ``rate`` and ``last``) on Python floats: the same IEEE
    operations in the same order, so the same result, without ~12 array calls per Newton iteration."""
    conv, ra = newton_converged(s, float(last[k]) if it else 0.0, float(rate[k]), it, NEWTON_TOL_FRAC, _TINY_F)
    rate[k] = ra
    return conv


def newton_converged(s: float, la: float, ra: float, it: int, tol: float, tiny: float) -> tuple[bool, float]:
    """The convergence rule of one foil on floats (also compiled into the kernel of
    :mod:`process_models.uht.newton_kernel_jit`): update ``it`` of size ``s`` after one of size ``la`` has converged
    when it is below ``tol`` or, by the quadratic rate constant C = |δ|/|δ_prev|² (``ra``, carried from the previous
    step at the first update), the next one is predicted below it. Returns (converged, C). The callers take a
    prediction only if the surface flux bears it out (:func:`newton_flux_holds`), and a first update accepted by the
    carried C only once the next update confirms it (below ``tol``)."""
    if it == 0:  # first update of this step: the rate constant of the previous step (the next update confirms it)
        return (s <= tol) or ((ra * s * s <= tol) and (ra > 0.0)), ra
    la2 = max(la * la, tiny)
    conv = (s <= tol) or ((s < la) and (s * s * s / la2 <= tol))
    if la > tol:
        ra = s / la2
    return conv, ra


def newton_flux_holds(j_new: float, dj_new: float, j_lin: float, a0: float, tol: float) -> bool:
    """Whether an update that :func:`newton_converged` accepts by its quadratic prediction (an update above ``tol``)
    kept the surface flux it assumed (also compiled into :mod:`process_models.uht.newton_kernel_jit`).

    The update solved the step with the flux linearised at the old iterate, ``j_lin`` = J + dJ/dx_s·δ_s [mol m⁻² s⁻¹];
    at the new surface composition the flux is ``j_new`` (slope ``dj_new``). The rate constant C cannot see a kink of
    J(x_s) (the stage-II α uptake of :class:`~process_models.uht.gamma_islands.IslandGrowth` is the whole supply up to
    the saturation width below α's Zn cap and none above it; a step on a flat branch is linear, C ≈ 1e-15, so the
    next step's first update was accepted even when it jumped past the cap). The mismatch alone makes the next
    Newton update's first-cell part at most |j_new − j_lin|/(a₀ − dJ/dx_s) (``a0`` = c·Δz₀/Δt, the first cell's
    accumulation coefficient [mol m⁻² s⁻¹]: the Jacobian's column sums are the accumulation coefficients and its
    inverse is non-negative), so the update holds when that is at most ``tol``. A smooth flux passes (its mismatch is
    O(δ²)); an update at most ``tol`` is accepted without this test."""
    return abs(j_new - j_lin) <= tol * (a0 + max(-dj_new, 0.0))


def _step_closures(prob: _Problem, Tc: Array, T: Array, t: Array, idx: Array) -> tuple:
    """A step's fixed surface fraction (or None), its Kirchhoff potential (or None), and the step's bound D̃/Ψ and
    surface-flux closures: the temperature work done once per backward-Euler step."""
    xs_fixed = None if prob.x_surface is None else prob.x_surface[idx]
    psi_d = _bind_psi_d(prob, Tc)
    psi_s = None
    if xs_fixed is not None and prob.kirchhoff is not None:
        psi_s = psi_d(xs_fixed[:, None])[0][:, 0]
    return xs_fixed, psi_s, psi_d, _bind_flux(prob, idx, T, t)


def _bind_flux_one(prob: _Problem, T: Array, t: Array) -> Callable[[Array], tuple[Array, Array]] | None:
    """:func:`_bind_flux` for a batch of one foil: the flux callable itself (its results are read as floats by
    :func:`_surface_one`, so the wrapper's per-call checks are not needed)."""
    if prob.flux is None:
        return None
    state = prob.flux_state
    state[1, 0] = T[0]
    state[2, 0] = t[0]
    if prob.flux_at is not None:
        return prob.flux_at(state[1].copy(), state[2].copy())
    flux, T_all, t_all = prob.flux, state[1].copy(), state[2].copy()
    return lambda xs: flux(xs, T_all.copy(), t_all.copy())


def _first(v: ArrayLike) -> float:
    """The value of a one-foil flux result (an array of shape (1,), or anything broadcasting to it) as a float."""
    if type(v) is np.ndarray and v.shape == (1,):
        return float(v[0])
    return float(np.broadcast_to(np.asarray(v, dtype=float), (1,))[0])


def _surface_one(prob: _Problem, x: Array, T: Array, surf: Callable | None, xs_fixed: Array | None,
                 psi_s: float, psi: Array | None, d: Array) -> tuple[float, float]:
    """The surface flux J into the one foil and dJ/dx_s as floats (the arithmetic of :func:`_residual`)."""
    if xs_fixed is not None:  # Dirichlet: half-cell flux from the surface
        if psi is not None:
            j = prob.g_surf * (psi_s - float(psi[0, 0]))
        else:
            j = float((prob.g_surf * prob.face_integrals(x[:, :1], xs_fixed[:, None], T)[:, 0])[0])
        return j, -prob.g_surf * float(d[0, 0])
    if surf is not None:
        xs_all = prob.flux_state[0]
        xs_all[0] = x[0, 0]
        j, dj = surf(xs_all.copy())
        return _first(j), _first(dj)
    return 0.0, 0.0


def _update_one(prob: _Problem, w: _OneFoilWork, a: Array, x: Array, x_old: Array, T: Array, psi: Array | None,
                d: Array, j: float, dj: float) -> tuple[Array, bool]:
    """The Newton update δ of one foil (in ``w.res``): the residual and the symmetrised solve of
    :func:`_residual` and :func:`_solve_tridiagonal` on the preallocated arrays (the same operations)."""
    if psi is not None:
        q = np.subtract(psi[:, 1:], psi[:, :-1], out=w.q)
        q *= prob.g
    else:
        q = prob.g * prob.face_integrals(x[:, :-1], x[:, 1:], T)
    res = np.subtract(x, x_old, out=w.res)
    res *= a
    res[:, :-1] -= q
    res[:, 1:] += q
    res[0, 0] -= j
    np.negative(res, out=res)
    if d.min() > 0.0:
        _, dptsv = tridiagonal_solvers()
        diag = np.divide(a, d, out=w.diag)
        diag += prob.gsum
        diag[0, 0] -= dj / float(d[0, 0])
        _, _, y, info = dptsv(diag.ravel(), w.offdiag, res.ravel(), overwrite_d=1, overwrite_b=1)
        if info == 0:
            y = y.reshape(res.shape)
            y /= d
            return y, True
    return _solve_general(a, prob, dj, d, res)


def _limit_one(x: Array, delta: Array, s: float, d: Array, it: int, psi_d: Callable) -> tuple[Array, bool, int]:
    """:func:`_limit` for one foil with its largest update ``s`` as a float: the next iterate, whether it was damped
    and how many cells were clipped."""
    damped = False
    if s > NEWTON_MAX_UPDATE_FRAC:  # damping
        scale = min(1.0, NEWTON_MAX_UPDATE_FRAC / max(s, NEWTON_MAX_UPDATE_FRAC))
        xn = x + scale * delta
        damped = scale < 1.0
    else:
        xn = x + delta
    if it >= TRUST_AFTER_ITER:  # slow convergence: keep D̃ within a factor e^TRUST of its linearisation
        _, d_new = psi_d(np.clip(xn, 0.0, 1.0))
        if np.shape(d_new) != xn.shape:
            d_new = np.broadcast_to(d_new, xn.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = float(np.max(np.abs(np.log(np.maximum(d_new, _TINY) / np.maximum(d, _TINY)))))
        if jump > LN_D_TRUST:
            xn = x + (xn - x) * (LN_D_TRUST / jump)
            damped = True
    n_out = 0
    if xn.min() < -CLIP_TOL_FRAC or xn.max() > 1.0 + CLIP_TOL_FRAC:
        out = (xn < -CLIP_TOL_FRAC) | (xn > 1.0 + CLIP_TOL_FRAC)
        n_out = int(out.sum())
        xn = np.where(out, np.minimum(np.maximum(xn, 0.0), 1.0), xn)
    return xn, damped, n_out


def _newton_one(prob: _Problem, x_old: Array, x_guess: Array, rate: Array, dt: Array, T: Array, t: Array,
                idx: Array) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """:func:`_newton` for a batch of one foil: the same iteration and arithmetic (so the same numbers) without
    the bookkeeping of an active set (gathers, masks, copies), on preallocated arrays, its scalars (the surface
    flux, update sizes, convergence rate) as Python floats."""
    a = (prob.c / dt)[:, None] * prob.grid.widths  # (1, N) accumulation coefficient, mol/(m² s)
    Tc = T[:, None]
    w = prob.one_foil_work()
    xs_fixed = None if prob.x_surface is None else prob.x_surface[idx]
    psi_d = _bind_psi_d(prob, Tc)
    psi_s = 0.0
    if xs_fixed is not None and prob.kirchhoff is not None:
        psi_s = float(psi_d(xs_fixed[:, None])[0][0, 0])
    surf = None if xs_fixed is not None else _bind_flux_one(prob, T, t)
    x = x_guess
    ra, la = float(rate[0]), 0.0  # convergence constant and the size of the previous update
    clipped = 0
    zn_first = None  # Zn of a first update the carried rate accepted, until the next update confirms it
    for it in range(NEWTON_MAX_ITER):
        psi, d = psi_d(x)
        j, dj = _surface_one(prob, x, Tc, surf, xs_fixed, psi_s, psi, d)
        delta, ok_solve = _update_one(prob, w, a, x, x_old, Tc, psi, d, j, dj)
        s = float(np.abs(delta).max())
        if not (ok_solve and math.isfinite(s)):  # a failed update: the step is split by the caller
            rate[0] = ra
            return x, np.zeros(1), np.array([it + 1]), np.zeros(1, dtype=bool), np.array([clipped])
        if zn_first is not None and s <= NEWTON_TOL_FRAC:  # confirmed: the first update's iterate stands
            rate[0] = ra
            return x, np.array([zn_first]), np.array([it + 1]), np.ones(1, dtype=bool), np.array([clipped])
        zn_first = None
        xn, damped, n_out = _limit_one(x, delta, s, d, it, psi_d)
        conv, ra = newton_converged(s, la, ra, it, NEWTON_TOL_FRAC, _TINY_F)
        clipped += n_out  # a clipped update never ends the iteration (it would break conservation)
        if conv and not damped and n_out == 0:
            j_lin = j + dj * float(delta[0, 0])
            if s <= NEWTON_TOL_FRAC or surf is None or _flux_holds_one(prob, surf, xn, j_lin, float(a[0, 0])):
                zn = j_lin * float(dt[0])
                if it > 0 or s <= NEWTON_TOL_FRAC:
                    rate[0] = ra
                    return xn, np.array([zn]), np.array([it + 1]), np.ones(1, dtype=bool), np.array([clipped])
                zn_first = zn  # accepted by the previous step's rate: the next update must confirm it
        la = s
        x = xn
    rate[0] = ra
    return x, np.zeros(1), np.array([NEWTON_MAX_ITER]), np.zeros(1, dtype=bool), np.array([clipped])


def _flux_holds_one(prob: _Problem, surf: Callable, xn: Array, j_lin: float, a0: float) -> bool:
    """:func:`newton_flux_holds` for the one foil's update to ``xn`` (the flux evaluated at its new surface
    composition; the flux state is left as it was)."""
    xs = prob.flux_state[0].copy()
    xs[0] = xn[0, 0]
    j_new, dj_new = surf(xs)
    return newton_flux_holds(_first(j_new), _first(dj_new), j_lin, a0, NEWTON_TOL_FRAC)


def _flux_holds(prob: _Problem, st: _Active, rows: Array, surf: Callable, xn: Array, j_lin: Array, step: Array
                ) -> Array:
    """:func:`newton_flux_holds` for the active foils' updates to ``xn`` (element-wise the same arithmetic); True
    where the update is at most NEWTON_TOL_FRAC (not tested)."""
    xs = prob.flux_state[0].copy()
    xs[rows] = xn[:, 0]
    j_all, dj_all = surf(xs)
    j_new, dj_new = j_all[rows], dj_all[rows]
    holds = np.abs(j_new - j_lin) <= NEWTON_TOL_FRAC * (st.a[:, 0] + np.maximum(-dj_new, 0.0))
    return holds | (step <= NEWTON_TOL_FRAC)


def _newton(prob: _Problem, x_old: Array, x_guess: Array, rate: Array, dt: Array, T: Array, t: Array,
            idx: Array) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """One backward-Euler step for foils ``idx``: the compiled step when the problem has one
    (:func:`_newton_compiled`), else the numpy iteration (:func:`_newton_numpy`)."""
    if prob.newton_kernel is not None:
        return _newton_compiled(prob, x_old, x_guess, rate, dt, T, t, idx)
    return _newton_numpy(prob, x_old, x_guess, rate, dt, T, t, idx)


def _newton_compiled(prob: _Problem, x_old: Array, x_guess: Array, rate: Array, dt: Array, T: Array, t: Array,
                     idx: Array) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """:func:`_newton_numpy`'s step by ``prob.newton_kernel`` (the same iteration, compiled: see
    :mod:`process_models.uht.newton_kernel`). Foils it hands back (a symmetrised system that is not positive
    definite, which the numpy path solves with pivoting) take the numpy step from the start, with their rate
    constants as they came in."""
    assert prob.newton_kernel is not None
    a = (prob.c / dt)[:, None] * prob.grid.widths
    state = prob.flux_state  # the flux sees the whole batch, these foils at the step's (T, t)
    state[1, idx] = T
    state[2, idx] = t
    rate_in = rate.copy()
    x, zn_in, iters, status, clipped = prob.newton_kernel(x_old, x_guess, a, prob.g, prob.gsum, rate, dt, T,
                                                          state[1].copy(), state[2].copy(), idx)
    back = np.flatnonzero(status == 2)
    if back.size:
        r = rate_in[back]
        xb, zb, ib, okb, cb = _newton_numpy(prob, x_old[back], x_guess[back], r, dt[back], T[back], t[back],
                                            idx[back])
        x[back], zn_in[back], iters[back], clipped[back], rate[back] = xb, zb, ib, cb, r
        status[back] = np.where(okb, 0, 1)
    return x, zn_in, iters, status == 0, clipped


def _newton_numpy(prob: _Problem, x_old: Array, x_guess: Array, rate: Array, dt: Array, T: Array, t: Array,
                  idx: Array) -> tuple[Array, Array, NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """One backward-Euler step for foils ``idx`` (rows of x_old), starting from ``x_guess``.

    ``rate`` (b,) is the quadratic-convergence constant C (|δ_{k+1}| ≈ C|δ_k|²) seen in the foil's previous
    step (0: unknown); a first update with C·|δ_1|² below the tolerance ends the step at its iterate if the next
    update confirms it (:class:`_FirstUpdates`), and ``rate`` is updated in place. Returns x_new, the Zn that
    entered (mol/m², from the linearised surface flux of the update that gave x_new, which matches its inventory
    change to round-off), iterations, converged mask and clip counts. Converged foils are frozen and dropped from
    the active set. The temperature-dependent work (D̃'s coefficients, the surface flux's factors) is done once per step.
    """
    b = x_old.shape[0]
    if b == 1 and prob.flux_state.shape[1] == 1:
        return _newton_one(prob, x_old, x_guess, rate, dt, T, t, idx)
    a = (prob.c / dt)[:, None] * prob.grid.widths  # (b, N) accumulation coefficient, mol/(m² s)
    Tc = T[:, None]
    x = x_guess
    zn_in = np.zeros(b)
    iters = np.zeros(b, dtype=np.int64)
    clipped = np.zeros(b, dtype=np.int64)
    done = np.zeros(b, dtype=bool)
    last = np.zeros(b)  # size of the previous update, for the convergence-rate estimate
    xs_fixed, psi_s, psi_d, surf = _step_closures(prob, Tc, T, t, idx)
    st = _Active(np.arange(b), True, x, Tc, a, x_old, t, xs_fixed, psi_s, psi_d)
    first = None  # first updates the carried rate accepted, waiting for the next update to confirm them
    for it in range(NEWTON_MAX_ITER):
        rows = idx if st.whole else idx[st.active]
        psi, d = st.psi_d(st.x)
        res, j, dj = _residual(prob, st, rows, surf, psi, d)
        delta, ok_solve = _solve_tridiagonal(st.a, prob, dj, d, res)
        if st.whole:
            iters += 1
        else:
            iters[st.active] += 1
        step = np.max(np.abs(delta), axis=1)
        bad = None
        if not (ok_solve and np.isfinite(step.max())):
            bad = ~np.isfinite(step) if ok_solve else np.ones(step.size, dtype=bool)
            delta = np.where(bad[:, None], 0.0, delta)
            step = np.where(bad, 0.0, step)
        confirmed = None if first is None else first.confirmed(st, step, bad)
        xn, damped, n_out = _limit(prob, st, delta, step, d, it)
        if confirmed is not None and n_out is not None:  # a confirming update is not taken
            n_out = np.where(confirmed, 0, n_out)
        conv = _converged(st, rate, last, step, it) & _plain_updates(st, damped, n_out, bad, clipped)
        j_lin = j + dj * delta[:, 0]
        if surf is not None and conv.any():  # an update accepted by its predicted rate must keep the flux it assumed
            conv &= _flux_holds(prob, st, rows, surf, xn, j_lin, step)
        zn_step = j_lin * (dt if st.whole else dt[st.active])
        if it == 0:
            first = _FirstUpdates.take(conv, step, zn_step, rate)
        elif confirmed is not None:
            first.stand(st, confirmed, xn, zn_step, rate)
            first = None
        if st.whole and conv.all():  # every foil converged at this update
            return xn, zn_step, iters, np.ones(b, dtype=bool), clipped
        if st.whole:
            x = xn.copy()
            last = step.copy()
        else:
            x[st.active] = xn
            last[st.active] = step
        if conv.any():
            ca = st.active[conv]
            zn_in[ca] = zn_step[conv]
            done[ca] = True
        keep = ~conv if bad is None else ~conv & ~bad
        if keep.all():
            st.x = xn
            continue
        st = _shrink(prob, st, st.active[keep], x, Tc, a, x_old, t, xs_fixed, psi_s)
        if st.active.size == 0:
            break
    return x, zn_in, iters, done, clipped


def _plain_updates(st: _Active, damped: NDArray[np.bool_] | None, n_out: NDArray[np.int64] | None,
                   bad: NDArray[np.bool_] | None, clipped: NDArray[np.int64]) -> NDArray[np.bool_] | bool:
    """Which active foils' updates may end the iteration: neither damped, nor clipped (a clipped update never ends it:
    it would break conservation), nor failed. Counts the clipped cells into ``clipped`` (in place)."""
    plain: NDArray[np.bool_] | bool = True
    if damped is not None:
        plain = ~damped
    if n_out is not None:
        clipped[st.active] += n_out
        plain = plain & ~(n_out > 0)
    if bad is not None:
        plain = plain & ~bad
    return plain


@dataclass
class _FirstUpdates:
    """The foils of a step whose first update the rate constant carried from their previous step accepted (an update
    above NEWTON_TOL_FRAC): that constant may be stale (a linear step leaves C ≈ 1e-15; a D̃ front or a kink of the
    surface flux then makes the first update far from the solution), so the next update must confirm it. ``mask``
    (b,) over the step's foils, their Zn (b,) [mol/m²] and rate constants (b,) at the first update."""

    mask: NDArray[np.bool_]
    zn: Array
    rate: Array

    @classmethod
    def take(cls, conv: NDArray[np.bool_], step: Array, zn: Array, rate: Array) -> _FirstUpdates | None:
        """After the first update (all foils active): the foils accepted by the carried rate, which ``conv`` no longer
        counts as converged (in place); None if there are none."""
        mask = conv & (step > NEWTON_TOL_FRAC)
        if not mask.any():
            return None
        conv &= ~mask
        return cls(mask, zn.copy(), rate.copy())

    def confirmed(self, st: _Active, step: Array, bad: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
        """At the second update: the active foils whose first update it confirms (it is at most NEWTON_TOL_FRAC)."""
        ok = self.mask[st.active] & (step <= NEWTON_TOL_FRAC)
        return ok if bad is None else ok & ~bad

    def stand(self, st: _Active, confirmed: NDArray[np.bool_], xn: Array, zn: Array, rate: Array) -> None:
        """The confirmed foils end at their first update's iterate (``st.x``), with its Zn and rate constant (into
        ``xn``, ``zn`` and ``rate`` in place)."""
        pos = st.active[confirmed]
        xn[confirmed] = st.x[confirmed]
        zn[confirmed] = self.zn[pos]
        rate[pos] = self.rate[pos]


def _shrink(prob: _Problem, st: _Active, active: Array, x: Array, Tc: Array, a: Array, x_old: Array, t: Array,
            xs_fixed: Array | None, psi_s: Array | None) -> _Active:
    """The active set after some foils converged or failed (their rows are frozen)."""
    Ta = Tc[active]
    return _Active(active, False, x[active], Ta, a[active], x_old[active], t[active],
                   None if xs_fixed is None else xs_fixed[active], None if psi_s is None else psi_s[active],
                   _bind_psi_d(prob, Ta) if active.size else st.psi_d)


def _advance(prob: _Problem, x_old: Array, x_guess: Array, rate: Array, t0: Array, t1: Array, T1: Array,
             idx: Array, depth: int, stats: dict[str, Array]) -> tuple[Array, Array]:
    """Advance foils ``idx`` from t0 to t1; failing foils are split into two half steps (recursively)."""
    x, zn_in, iters, ok, clipped = _newton(prob, x_old, x_guess, rate, t1 - t0, T1, t1, idx)
    stats["iters"][idx] += iters
    stats["clipped"][idx] += clipped
    if ok.all():
        return x, zn_in
    if depth >= MAX_SPLIT_DEPTH:  # the last resort: the guarded iteration, foil by foil
        x = x.copy()  # (the plain step may hand back its guess, which a caller may still hold)
        for i in np.flatnonzero(~ok).tolist():
            one = slice(i, i + 1)
            xi, zi, its, ok[i] = _newton_guarded(prob, x_old[one], (t1 - t0)[one], T1[one], t1[one], idx[one])
            stats["iters"][idx[i]] += its
            if ok[i]:
                x[i], zn_in[i], rate[i] = xi[0], zi, 0.0
        if not ok.all():
            failed = tuple(int(i) for i in idx[~ok])
            raise ModelConvergenceError(
                "interdiffusion", f"foils {list(failed)}", "histories its Newton iteration converges on",
                f"Newton iteration failed after {depth} step splits", rows=failed)
        return x, zn_in
    f = np.flatnonzero(~ok)
    sub = idx[f]
    stats["splits"][sub] += 1
    tm = 0.5 * (t0[f] + t1[f])
    Tm = _interp_rows(tm, prob.time_s[sub], prob.temp_K[sub])
    T_half = _step_temperatures(prob.table, prob.clock, sub, np.stack([t0[f], tm], axis=1),
                                np.stack([tm, t1[f]], axis=1), np.stack([Tm, T1[f]], axis=1))
    r = np.zeros(f.size)  # the failed step's rate estimate is not trusted
    xm, zin1 = _advance(prob, x_old[f], x_old[f], r, t0[f], tm, T_half[:, 0], sub, depth + 1, stats)
    xe, zin2 = _advance(prob, xm, xm, r, tm, t1[f], T_half[:, 1], sub, depth + 1, stats)
    x[f] = xe
    zn_in[f] = zin1 + zin2
    rate[f] = r
    return x, zn_in


def _newton_guarded(prob: _Problem, x_old: Array, dt: Array, T: Array, t: Array, idx: Array
                    ) -> tuple[Array, float, int, bool]:
    """One backward-Euler step of ONE foil (``idx`` (1,)) by Newton with an adaptive cap on the update: the fallback
    of a step whose plain iteration (:func:`_newton`) fails even after MAX_SPLIT_DEPTH halvings.

    A surface flux that is piecewise linear with a narrow steep part makes the plain iteration cycle: the stage-II α
    uptake (:meth:`~process_models.uht.gamma_islands.IslandGrowth.alpha_flux`) is the whole supply up to
    ``stage2_alpha_saturation_width_frac`` below α's Zn cap and none above the cap, flat on both sides
    (dJ/dx_s = 0). Under a supply far above what α takes in a step (a Zn source hotter than ≈1000 K over a foil
    still near ambient: ≈0.1 mol m⁻² s⁻¹ against ≈3e-4 mol/m² in the first cell) each flat branch's update
    overshoots the 0.01-wide steep band by about the damping's NEWTON_MAX_UPDATE_FRAC, and the iterate alternates
    between the branches (halving the step moves the cycle, it does not break it). Here the cap starts at
    NEWTON_MAX_UPDATE_FRAC and every update that reverses the previous one (δ·δ_prev < 0) halves it for good
    (letting it grow back made a 4-cycle), so the iterate comes to rest in the steep band, where Newton converges.
    It also has GUARDED_MAX_ITER updates where the plain one has NEWTON_MAX_ITER: a pure plated Zn layer pulsed
    without stage II puts a sharp Zn/Cu front in the first step, where D̃ spans decades from cell to cell and the
    damped updates move the front a cell or so each (halving the step does not sharpen the front).
    Converged: an update neither capped nor clipped and at most NEWTON_TOL_FRAC (the plain rule without its
    quadratic prediction). The system is monotone (D̃ > 0, dJ/dx_s ≤ 0), so the point it converges to is the step's
    one solution. Returns the profile (1, N), the Zn that came in (the plain rule's linearised flux of the last
    update), the updates taken and whether it converged. Only steps the plain iteration failed on come here, so no
    result the solver gave before changes."""
    a = (prob.c / dt)[:, None] * prob.grid.widths
    Tc = T[:, None]
    xs_fixed, psi_s, psi_d, surf = _step_closures(prob, Tc, T, t, idx)
    st = _Active(np.arange(1), True, x_old.copy(), Tc, a, x_old, t, xs_fixed, psi_s, psi_d)
    cap, prev = NEWTON_MAX_UPDATE_FRAC, None
    for it in range(GUARDED_MAX_ITER):
        psi, d = psi_d(st.x)
        res, j, dj = _residual(prob, st, idx, surf, psi, d)
        delta, ok_solve = _solve_tridiagonal(a, prob, dj, d, res)
        s = float(np.abs(delta).max())
        if not (ok_solve and math.isfinite(s)):
            break
        if prev is not None and float(np.sum(delta * prev)) < 0.0:
            cap *= 0.5
        scale = min(1.0, cap / s) if s > 0.0 else 1.0
        xn = st.x + scale * delta
        out = (xn < -CLIP_TOL_FRAC) | (xn > 1.0 + CLIP_TOL_FRAC)
        if scale == 1.0 and s <= NEWTON_TOL_FRAC and not out.any():
            return xn, (_first(j) + _first(dj) * float(delta[0, 0])) * float(dt[0]), it + 1, True
        st.x = np.where(out, np.minimum(np.maximum(xn, 0.0), 1.0), xn)
        prev = delta
    return st.x, 0.0, GUARDED_MAX_ITER, False


def _as_batch(name: str, value: ArrayLike, B: int, ndim: int) -> Array:
    a = np.asarray(value, dtype=float)
    if a.ndim == ndim - 1:
        a = a[None]
    if a.ndim != ndim or a.shape[0] not in (1, B):
        raise FoiltwinInputError(name, f"array of shape {np.shape(value)}", f"shape (B, ...) with B = {B}")
    return np.ascontiguousarray(np.broadcast_to(a, (B, *a.shape[1:])))


def _check_histories(x0: ArrayLike, grid: DepthGrid, time_s: ArrayLike, temperature_K: ArrayLike
                     ) -> tuple[Array, Array, Array]:
    """x0 (B, N), time_s and temperature_K (B, M), checked and broadcast to the batch."""
    x0a = np.asarray(x0, dtype=float)
    ta = np.asarray(time_s, dtype=float)
    Ta = np.asarray(temperature_K, dtype=float)
    B = max(x0a.shape[0] if x0a.ndim == 2 else 1, ta.shape[0] if ta.ndim == 2 else 1,
            Ta.shape[0] if Ta.ndim == 2 else 1)
    x = _as_batch("x0", x0a, B, 2)
    if x.shape[1] != grid.n_cells:
        raise FoiltwinInputError("x0", f"array of shape {x0a.shape}", f"{grid.n_cells} cells (the grid's)")
    x = check_fractions("x0", x)
    t_hist = _as_batch("time_s", ta, B, 2)
    T_hist = _as_batch("temperature_K", Ta, B, 2)
    if t_hist.shape != T_hist.shape or t_hist.shape[1] < 2:
        raise FoiltwinInputError("temperature_K", f"array of shape {Ta.shape}",
                                 f"same shape as time_s {ta.shape}, with at least 2 samples")
    if not np.all(np.isfinite(t_hist)) or np.any(np.diff(t_hist, axis=1) <= 0.0):
        raise FoiltwinInputError("time_s", "non-increasing samples", "strictly increasing finite times")
    if not np.all(np.isfinite(T_hist)) or np.any(T_hist <= 0.0):
        raise FoiltwinInputError("temperature_K", "non-positive or non-finite values", "temperatures > 0 K")
    return x, t_hist, T_hist


def _check_settings(grid: DepthGrid, molar_density_mol_per_m3: float, n_steps: int, step_grading: float) -> float:
    """The molar density c after checking the grid and the numerical settings."""
    if not isinstance(grid, DepthGrid):
        raise FoiltwinInputError("grid", type(grid).__name__, "a DepthGrid")
    c = float(molar_density_mol_per_m3)
    if not (np.isfinite(c) and c > 0.0):
        raise FoiltwinInputError("molar_density_mol_per_m3", molar_density_mol_per_m3, "a density > 0 mol/m3")
    if not (int(n_steps) == n_steps and n_steps >= 1):
        raise FoiltwinInputError("n_steps", n_steps, "an integer >= 1")
    if not (np.isfinite(step_grading) and 1.0 <= step_grading <= 4.0):
        raise FoiltwinInputError("step_grading", step_grading, "in [1, 4]")
    return c


def _conductances(grid: DepthGrid, c: float) -> tuple[Array, Array, float]:
    """The face conductances g = c/Δz (N-1,) [mol/m⁴] (molar flux = -g·ΔΨ), their sum per cell (N,), and the
    surface's half-cell conductance c/(first centre depth)."""
    g = c / grid.centre_spacing
    gsum = np.zeros(grid.n_cells)
    gsum[:-1] += g
    gsum[1:] += g
    return g, gsum, c / (grid.centres[0] - grid.faces[0])


def _surface(surface: FluxBC | DirichletBC | None, B: int) -> tuple[FluxFn | None, Callable | None, Array | None]:
    """(flux, flux_at, x_surface) of the boundary condition (unused ones None)."""
    if isinstance(surface, FluxBC):
        return surface.flux, surface.at, None
    if isinstance(surface, DirichletBC):
        return None, None, check_fractions(
            "surface.x_surface", np.broadcast_to(np.asarray(surface.x_surface, dtype=float), (B,))).copy()
    if surface is not None:
        raise FoiltwinInputError("surface", type(surface).__name__, "FluxBC, DirichletBC or None (no flux)")
    return None, None, None


@dataclass
class _March:
    """What the time loop accumulates per foil: Zn in and out [mol/m²], Newton statistics, the records."""

    zn_in: Array
    zn_out: Array
    stats: dict[str, Array]
    max_it: NDArray[np.int64]
    recorded: list[Array]

    @classmethod
    def empty(cls, B: int) -> _March:
        return cls(np.zeros(B), np.zeros(B), {"iters": np.zeros(B, dtype=np.int64),
                                              "clipped": np.zeros(B, dtype=np.int64),
                                              "splits": np.zeros(B, dtype=np.int64)},
                   np.zeros(B, dtype=np.int64), [])


def _march(prob: _Problem, x: Array, tk: Array, Tk: Array, T_step: Array, record: RecordFn | None,
           record_rows: bool = False) -> tuple[Array, _March]:
    """Take every foil through its steps (tk (B, n+1)); returns the final profiles and the accumulators (with
    ``record_rows``, ``recorded`` holds each step's profiles for :func:`_record_after`)."""
    B, n_steps = tk.shape[0], tk.shape[1] - 1
    kernel = prob.newton_kernel
    if kernel is not None and hasattr(kernel, "march") and kernel.can_march(T_step, tk[:, 1:]):
        if record is None or record_rows:
            return _march_compiled(prob, x, tk, T_step, record is not None)
        if hasattr(kernel, "books") and kernel.books(record):  # the kernel books each step as ``record`` would
            return _march_compiled(prob, x, tk, T_step, False, booked=True)
    if record is not None and record_rows:
        record = _keep_profiles
    if B == 1:
        return _march_one(prob, x, tk, Tk, T_step, record)
    acc = _March.empty(B)
    stats = acc.stats
    all_idx = np.arange(B)
    rate = np.zeros(B)
    smooth = np.zeros(B, dtype=bool)
    last_change = np.zeros(B)
    x_prev = x
    for k in range(n_steps):
        before = stats["iters"].copy()
        clips_before = stats["clipped"].copy()
        splits_before = stats["splits"].copy()
        guess = x
        if k > 0:  # smooth foils start Newton from a linear extrapolation of their last step
            r = (tk[:, k + 1] - tk[:, k]) / (tk[:, k] - tk[:, k - 1])
            use = smooth & (r * last_change <= PREDICTOR_MAX_CHANGE_FRAC)
            if use.any():
                guess = np.where(use[:, None],
                                 np.minimum(np.maximum(x + r[:, None] * (x - x_prev), 0.0), 1.0), x)
        x_prev = x
        x, dz = _advance(prob, x, guess, rate, tk[:, k], tk[:, k + 1], T_step[:, k], all_idx, 0, stats)
        last_change = np.max(np.abs(x - x_prev), axis=1)
        taken = stats["iters"] - before
        smooth = ((taken <= SMOOTH_STEP_MAX_ITER) & (stats["clipped"] == clips_before)
                  & (stats["splits"] == splits_before))
        np.maximum(acc.max_it, taken, out=acc.max_it)
        acc.zn_in += np.maximum(dz, 0.0)
        acc.zn_out += np.maximum(-dz, 0.0)
        if record is not None:
            acc.recorded.append(np.asarray(record(x, Tk[:, k + 1], tk[:, k + 1])))
    return x, acc


def _march_compiled(prob: _Problem, x: Array, tk: Array, T_step: Array, keep: bool, booked: bool = False
                    ) -> tuple[Array, _March]:
    """:func:`_march` with whole foils in the compiled step's march (``newton_kernel.march``): the same predictor,
    Newton steps and accounts. A step the kernel does not converge (it fails, or is handed back to numpy) is taken
    here as :func:`_march_one` takes it (:func:`_advance`: splits, the numpy path), then the march goes on. With
    ``keep``, ``recorded`` holds every step's profiles (for :func:`_record_after`); ``booked``: the kernel books
    each step as the solver's ``record`` hook would (a step taken here is booked by ``newton_kernel.book``), and
    ``recorded`` holds what it recorded (``newton_kernel.end_march``)."""
    assert prob.newton_kernel is not None
    B, n_steps = tk.shape[0], tk.shape[1] - 1
    acc = _March.empty(B)
    stats = acc.stats
    x = np.array(x, dtype=float)
    x_prev, smooth, last_change = x.copy(), np.zeros(B, dtype=np.int64), np.zeros(B)
    rate, k_next = np.zeros(B), np.zeros(B, dtype=np.int64)
    profiles = np.empty((n_steps, B, x.shape[1])) if keep else None
    accounts = (stats["iters"], stats["clipped"], acc.max_it, acc.zn_in, acc.zn_out)
    tk = np.ascontiguousarray(tk)
    while True:
        stop = prob.newton_kernel.march(x, x_prev, smooth, last_change, rate, tk, k_next, prob.c, prob.grid.widths,
                                        prob.g, prob.gsum, accounts, profiles)
        stopped = np.flatnonzero(stop >= 0)
        if stopped.size == 0:
            break
        for b in stopped.tolist():  # the step the kernel left: as _march_one takes it
            k = int(stop[b])
            xb = x[b:b + 1].copy()
            rb = rate[b:b + 1].copy()
            xn, dz, taken, smooth_now, last_change[b] = _one_step(prob, xb, x_prev[b:b + 1], tk[b:b + 1],
                                                                 T_step[b:b + 1], k, bool(smooth[b]), last_change[b],
                                                                 rb, np.array([b]), stats)
            rate[b], smooth[b] = rb[0], int(smooth_now)
            acc.max_it[b] = max(int(acc.max_it[b]), taken)
            acc.zn_in[b] += max(dz, 0.0)
            acc.zn_out[b] += max(-dz, 0.0)
            x_prev[b], x[b] = xb[0], xn[0]
            if profiles is not None:
                profiles[k, b] = xn[0]
            if booked:
                prob.newton_kernel.book(b, k, xn[0], float(tk[b, k + 1]))
            k_next[b] = k + 1
    records = prob.newton_kernel.end_march()
    if profiles is not None:
        acc.recorded = list(profiles)
    if booked:
        acc.recorded = records
    return x, acc


def _keep_profiles(x: Array, T: Array, t: Array) -> Array:
    """The ``record`` of a march whose records are made afterwards: a copy of the step's profiles."""
    return x.copy()


RECORD_BLOCK_ROWS = 16384  # rows per call of a row-wise record made after the march (bounds its memory)


def _record_after(record: RecordFn, profiles: list[Array], Tk: Array, tk: Array) -> Array:
    """The records (n, B, ...) of every step from the kept profiles (n of (B, N)), ``record`` called on blocks of
    whole steps stacked as rows (with the history's T and t at each step end): the same rows as step by step."""
    n = len(profiles)
    B = Tk.shape[0]
    per = max(1, RECORD_BLOCK_ROWS // max(B, 1))
    out = []
    for k0 in range(0, n, per):
        k1 = min(n, k0 + per)
        X = np.concatenate(profiles[k0:k1], axis=0)
        T = np.ascontiguousarray(Tk[:, k0 + 1:k1 + 1].T).reshape(-1)
        t = np.ascontiguousarray(tk[:, k0 + 1:k1 + 1].T).reshape(-1)
        rec = np.asarray(record(X, T, t))
        out.append(rec.reshape(k1 - k0, B, *rec.shape[1:]))
    return np.concatenate(out, axis=0)


def _one_step(prob: _Problem, x: Array, x_prev: Array, tk: Array, T_step: Array, k: int, smooth: bool,
              last_change: float, rate: Array, idx: Array, stats: dict[str, Array]
              ) -> tuple[Array, float, int, bool, float]:
    """Step ``k`` of one foil (``idx``; its profile ``x`` (1, N), the one before ``x_prev``; its times ``tk`` (1, n+1)
    and step temperatures ``T_step`` (1, n)): after a smooth step the Newton iteration starts from the linear
    extrapolation of the last two profiles (if that step changed them by at most PREDICTOR_MAX_CHANGE_FRAC per unit
    of step ratio), then :func:`_advance` (splits, the numpy path); ``rate`` is updated. Returns the new profile, the
    Zn that came in, the iterations the step took, whether it was smooth (few iterations, nothing clipped, no split)
    and its largest change. :func:`_march_one` and :func:`_march_compiled` take their steps with it."""
    b = int(idx[0])
    guess = x
    if k > 0 and smooth:
        t = tk[0]
        r = (float(t[k + 1]) - float(t[k])) / (float(t[k]) - float(t[k - 1]))
        if r * last_change <= PREDICTOR_MAX_CHANGE_FRAC:
            guess = np.minimum(np.maximum(x + r * (x - x_prev), 0.0), 1.0)
    before, clips_before, splits_before = (int(stats[key][b]) for key in ("iters", "clipped", "splits"))
    x_new, dz = _advance(prob, x, guess, rate, tk[:, k], tk[:, k + 1], T_step[:, k], idx, 0, stats)
    taken = int(stats["iters"][b]) - before
    smooth = taken <= SMOOTH_STEP_MAX_ITER and int(stats["clipped"][b]) == clips_before and \
        int(stats["splits"][b]) == splits_before
    return x_new, float(dz[0]), taken, smooth, float(np.abs(x_new - x).max())


def _march_one(prob: _Problem, x: Array, tk: Array, Tk: Array, T_step: Array, record: RecordFn | None) -> tuple[
        Array, _March]:
    """:func:`_march` for a batch of one foil: the same steps, predictor and accounts, its per-step bookkeeping on
    Python floats (the same IEEE operations in the same order, so the same numbers)."""
    n_steps = tk.shape[1] - 1
    acc = _March.empty(1)
    stats = acc.stats
    idx = np.arange(1)
    rate = np.zeros(1)
    smooth = False
    last_change = 0.0
    x_prev = x
    zn_in = zn_out = 0.0
    max_it = 0
    for k in range(n_steps):
        x_new, dzf, taken, smooth, last_change = _one_step(prob, x, x_prev, tk, T_step, k, smooth, last_change, rate,
                                                           idx, stats)
        x_prev, x = x, x_new
        max_it = max(max_it, taken)
        zn_in += max(dzf, 0.0)
        zn_out += max(-dzf, 0.0)
        if record is not None:
            acc.recorded.append(np.asarray(record(x, Tk[:, k + 1], tk[:, k + 1])))
    acc.zn_in[0], acc.zn_out[0], acc.max_it[0] = zn_in, zn_out, max_it
    return x, acc


def solve_interdiffusion(
    x0: ArrayLike,
    grid: DepthGrid,
    time_s: ArrayLike,
    temperature_K: ArrayLike,
    *,
    molar_density_mol_per_m3: float,
    diffusivity: DiffusivityFn,
    kirchhoff: KirchhoffFn | None = None,
    surface: FluxBC | DirichletBC | None = None,
    n_steps: int = 100,
    clock: Callable[[Array], Array] | None = None,
    step_grading: float = 2.0,
    record: RecordFn | None = None,
    record_rows: bool = False,
    kirchhoff_at: Callable[[Array], Callable[[Array], tuple[Array, Array]]] | None = None,
    plan: Callable[[Array, Array], None] | None = None,
    newton_kernel: Callable[..., tuple[Array, ...]] | None = None,
) -> DiffusionResult:
    """Solve c ∂x/∂t = ∂/∂z(D̃ ∂x/∂z) for B foils over their own piecewise-linear T(t) histories.

    x0: (B, N) or (N,) initial x_Zn; time_s, temperature_K: (B, M) or (M,) history samples (s, K), t strictly
    increasing (T uniform through the foil); molar_density_mol_per_m3: c;
    diffusivity(x (b, N), T (b, 1)) -> D̃ (m²/s), element-wise over the rows (called on sub-batches);
    kirchhoff(x, T) -> (Ψ, D̃) optional exact potential Ψ = ∫₀ˣ D̃ dx' (strongly recommended for the Cu-Zn
    D̃: without it face integrals use 4-point Gauss-Legendre quadrature of ``diffusivity`` with an
    approximate Jacobian, which is fine for smooth D̃ but needs many more iterations across sharp fronts);
    kirchhoff_at(T (b, 1)) -> f(x) -> (Ψ, D̃) optional: the same potential with T fixed (coefficients computed
    once per step; only with ``kirchhoff``); plan(T (B, n), t (B, n)) optional: called once with every step's
    effective temperature and end time before the time loop, so that callables can compute their T-dependent
    factors for all steps at once (vectorised) instead of step by step;
    surface: :class:`FluxBC`, :class:`DirichletBC` or None (no flux); n_steps: steps per foil;
    clock(T) -> D_ref (m²/s), monotone in T, for step placement and the step temperatures (None: steps graded
    in time, solved at their end temperature); step_grading: p in s_k = (k/n)^p;
    record(x (B, N), T (B,), t (B,)) -> (B, ...) evaluated after every step with the history's T at the step
    end (diffusivity and flux see the step's effective temperature); record_rows: ``record`` works row by row
    and keeps no state (each output row depends on its input row alone), so the solver may call it once after the
    march on every step's profiles stacked as rows, in blocks (the same numbers, without a call per step);
    newton_kernel optional: a compiled Newton step that stands for ``kirchhoff``/``surface`` (the caller vouches
    that it computes the same D̃ and flux, e.g. :class:`process_models.uht.newton_kernel.CuZnEvaporationStep`),
    called as ``newton_kernel(x_old, x_guess, a, g, gsum, rate, dt, T, T_all, t_all, idx)`` per step.
    Raises :class:`FoiltwinInputError` on malformed inputs, :class:`ModelConvergenceError` (a subclass, with the
    failing foils in ``rows``) if a step cannot be converged even after ``MAX_SPLIT_DEPTH`` halvings.
    """
    c = _check_settings(grid, molar_density_mol_per_m3, n_steps, step_grading)
    n_steps = int(n_steps)
    x, t_hist, T_hist = _check_histories(x0, grid, time_s, temperature_K)
    B = x.shape[0]
    flux, flux_at, x_surface = _surface(surface, B)
    if kirchhoff_at is not None and kirchhoff is None:
        raise FoiltwinInputError("kirchhoff_at", "given without kirchhoff", "both, or kirchhoff alone")
    table = _ClockTable.build(t_hist, T_hist, clock)
    prob = _Problem(grid, c, diffusivity, kirchhoff, flux, x_surface, t_hist, T_hist, table, clock,
                    np.stack([x[:, 0], T_hist[:, 0], t_hist[:, 0]]), *_conductances(grid, c), kirchhoff_at, flux_at,
                    newton_kernel)
    # ---- time steps
    tk = _place(table, n_steps, step_grading, STEP_TIME_SHARE_FRAC)
    Tk = _interp_rows(tk, t_hist, T_hist)
    T_step = _step_temperatures(table, clock, np.arange(B), tk[:, :-1], tk[:, 1:], Tk[:, 1:])

    if plan is not None:
        plan(T_step, tk[:, 1:])
    inv0 = zn_inventory_mol_per_m2(x, grid, c)
    x, acc = _march(prob, x, tk, Tk, T_step, record, record_rows)
    recorded = None
    if record is not None:
        recorded = _record_after(record, acc.recorded, Tk, tk) if record_rows else np.stack(acc.recorded)
    return _result(x, grid, c, n_steps, tk, Tk, T_step, inv0, acc, recorded)


def _result(x: Array, grid: DepthGrid, c: float, n_steps: int, tk: Array, Tk: Array, T_step: Array, inv0: Array,
            acc: _March, recorded: Array | None) -> DiffusionResult:
    """The :class:`DiffusionResult` of a march: final profiles, step times and temperatures, Zn accounts, Newton
    statistics and the records."""
    stats = acc.stats
    return DiffusionResult(
        x=x,
        grid=grid,
        step_time_s=tk,
        step_temperature_K=Tk,
        step_effective_temperature_K=T_step,
        initial_zn_inventory_mol_per_m2=inv0,
        zn_inventory_mol_per_m2=zn_inventory_mol_per_m2(x, grid, c),
        surface_zn_in_mol_per_m2=acc.zn_in - acc.zn_out,
        zn_in_mol_per_m2=acc.zn_in,
        zn_out_mol_per_m2=acc.zn_out,
        newton_iterations=NewtonStats(stats["iters"], acc.max_it, stats["iters"] / n_steps, stats["splits"]),
        n_clipped=stats["clipped"],
        recorded=recorded,
    )
