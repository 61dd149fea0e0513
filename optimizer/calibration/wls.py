"""Weighted least squares in a transformed parameter space, for any black-box model (docs/calibration.md).

The model is a function of the natural parameter vector x returning σ-scaled residuals r = (model − data)/σ.
It is fitted in z, where z = ln x for positive parameters spanning decades (rates, diffusivities, efficiencies,
prefactors: :func:`choose_transform`) and z = x / s (s = |start|) otherwise, with the registry bounds as box
constraints in z (``scipy.optimize.least_squares``, trust-region reflective). One unit of z is a relative change
of the parameter for both transforms, so one finite-difference step (``diff_step``) and one identifiability
threshold fit all parameters.

After the fit, J = ∂r/∂z by central differences at the optimum gives (:func:`analyse`)
- the covariance: cov_z = c · (JᵀJ)⁻¹, the σ-scaled form (c = 1: the stated σ are the truth) or the
  residual-variance form (c = s² = χ²/ν); "auto" takes c = max(1, s²), so a fit worse than the stated noise
  widens the intervals and one better than it never narrows them below what the instruments allow;
- natural-unit standard errors by the delta method (x·SE_z for log), and 95 % intervals in z mapped back
  (:func:`interval_x`: an end beyond the float range is ±inf, the data leaving that side unbounded);
- the correlation matrix;
- identifiability from the singular values of J: a direction v with singular value s_i has standard error
  √c / s_i in z; it is not identifiable when s_i / s_max < ``rank_tolerance`` (the data do not change along it)
  or √c / s_i > ``max_direction_se`` (they leave it uncertain by more than that relative amount);
- leave-one-row-out prediction errors from the leverages: e_I = (I − H_II)⁻¹ r_I with H = J (JᵀJ)⁻¹ Jᵀ, exact for a
  linear model and first-order otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats
from scipy.optimize import least_squares

from process_models.errors import FoiltwinInputError
from twin.parameter_uncertainty import (  # noqa: F401  (the one rule)
    LOG_SPAN_MIN,
    MAX_LN_STANDARD_ERROR,
    Transform,
    choose_transform,
)

CovarianceMode = Literal["sigma", "residual", "auto"]
COVARIANCE_MODES: tuple[str, ...] = ("sigma", "residual", "auto")
FAILED_RESIDUAL = 1e6  # σ-scaled residual returned where the model refuses a trial point (trust region shrinks)


@dataclass(frozen=True)
class FreeParameter:
    """A parameter to fit: name, start value, bounds (natural units) and transform."""

    name: str
    start: float
    bounds: tuple[float, float]
    transform: Transform
    unit: str = ""

    @property
    def scale(self) -> float:
        lo, hi = self.bounds
        if self.start != 0.0:
            return abs(self.start)
        return hi - lo if math.isfinite(hi - lo) and hi > lo else 1.0

    def to_z(self, x: float) -> float:
        return math.log(x) if self.transform == "log" else x / self.scale

    def to_x(self, z: float) -> float:
        return math.exp(z) if self.transform == "log" else z * self.scale

    def dx_dz(self, z: float) -> float:
        return math.exp(z) if self.transform == "log" else self.scale

    def interval_x(self, z: float, half_width_z: float) -> tuple[float, float]:
        """z ± ``half_width_z`` (z units: ln units for "log", multiples of :attr:`scale` for "linear") mapped back to
        the natural unit. An end beyond the float range (|x| > 1.8e308) is ±inf: for "log", exp(z + h) with
        z + h > 709.78 — the data do not bound the parameter from above (a lower end below the smallest float is
        0.0). The exact ends rounded to the nearest float, never clamped to the registry bounds."""
        lo_z, hi_z = float(z) - float(half_width_z), float(z) + float(half_width_z)
        if self.transform == "log":
            return _exp_or_inf(lo_z), _exp_or_inf(hi_z)
        return lo_z * self.scale, hi_z * self.scale  # Python floats: an overflow is ±inf, not an error

    def z_bounds(self) -> tuple[float, float]:
        lo, hi = self.bounds
        if self.transform == "log":
            return (math.log(lo) if lo > 0.0 else -math.inf), (math.log(hi) if math.isfinite(hi) else math.inf)
        return lo / self.scale, hi / self.scale

    def label(self) -> str:
        return f"ln({self.name})" if self.transform == "log" else f"{self.name}/{self.scale:g}"


def _exp_or_inf(z: float) -> float:
    """exp(z), +inf where it exceeds the float range (z > 709.78) instead of an OverflowError."""
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


@dataclass(frozen=True)
class FitOptions:
    """Settings of a fit and its statistics (all visible and overridable: ``foiltwin calibrate`` options).
    ``max_direction_se`` (ln units / relative) is below :data:`MAX_LN_STANDARD_ERROR`: an identifiable fit then has
    every ln-space standard error below the limit a parameter set is loaded with."""

    covariance: CovarianceMode = "auto"
    rank_tolerance: float = 1e-6
    max_direction_se: float = 1.0
    diff_step: float = 1e-4
    max_nfev: int = 200
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.covariance not in COVARIANCE_MODES:
            raise FoiltwinInputError("covariance", self.covariance, f"one of {', '.join(COVARIANCE_MODES)}")
        for name, lo, hi in (("rank_tolerance", 0.0, 1.0), ("max_direction_se", 0.0, MAX_LN_STANDARD_ERROR),
                             ("diff_step", 1e-10, 0.1), ("confidence", 0.5, 0.9999)):
            v = getattr(self, name)
            if not lo < v < hi:
                raise FoiltwinInputError(name, v, f"in ({lo:g}, {hi:g})")
        if self.max_nfev < 1:
            raise FoiltwinInputError("max_nfev", self.max_nfev, "an integer ≥ 1")


class _Residuals:
    """The residual function in z, with the last evaluations remembered (the Jacobian reuses f(z))."""

    def __init__(self, fn: Callable[[np.ndarray], np.ndarray], free: Sequence[FreeParameter]) -> None:
        self.fn = fn
        self.free = free
        self.cache: dict[bytes, np.ndarray] = {}
        self.nfev = 0
        self.size: int | None = None

    def x(self, z: np.ndarray) -> np.ndarray:
        return np.array([p.to_x(float(v)) for p, v in zip(self.free, z, strict=True)])

    def __call__(self, z: np.ndarray) -> np.ndarray:
        key = np.asarray(z, dtype=float).tobytes()
        if key in self.cache:
            return self.cache[key]
        self.nfev += 1
        try:
            r = np.asarray(self.fn(self.x(z)), dtype=float)
        except FoiltwinInputError:
            if self.size is None:  # the start point itself: the user's problem, said as it is
                raise
            r = np.full(self.size, FAILED_RESIDUAL)
        if self.size is None:
            self.size = r.size
        r = np.where(np.isfinite(r), r, FAILED_RESIDUAL)
        if len(self.cache) > 64:
            self.cache.clear()
        self.cache[key] = r
        return r


def _jacobian(res: _Residuals, z: np.ndarray, step: float, lb: np.ndarray, ub: np.ndarray,
              central: bool) -> np.ndarray:
    """∂r/∂z by finite differences of size ``step`` (one unit of z is a relative change), kept inside the bounds."""
    f0 = res(z)
    J = np.empty((f0.size, z.size))
    for j in range(z.size):
        h = step
        up, down = z.copy(), z.copy()
        up[j] += h
        down[j] -= h
        if central and up[j] <= ub[j] and down[j] >= lb[j]:
            J[:, j] = (res(up) - res(down)) / (2.0 * h)
        elif up[j] <= ub[j]:
            J[:, j] = (res(up) - f0) / h
        else:
            J[:, j] = (f0 - res(down)) / h
    return J


@dataclass
class WLSFit:
    """The optimum (natural and z), σ-scaled residuals and Jacobian ∂r/∂z there, and how the solver did."""

    free: list[FreeParameter]
    x: np.ndarray
    z: np.ndarray
    residuals: np.ndarray
    jacobian: np.ndarray
    at_bound: list[bool]
    nfev: int
    status: int
    message: str
    seconds: float

    @property
    def converged(self) -> bool:
        return self.status > 0


def fit_wls(residuals: Callable[[np.ndarray], np.ndarray], free: Sequence[FreeParameter],
            options: FitOptions = FitOptions()) -> WLSFit:
    """Minimise Σ r(x)² over the free parameters (see the module docstring)."""
    t0 = time.perf_counter()
    free = list(free)
    res = _Residuals(residuals, free)
    z0 = np.array([p.to_z(p.start) for p in free])
    lb = np.array([p.z_bounds()[0] for p in free])
    ub = np.array([p.z_bounds()[1] for p in free])
    r0 = res(z0)  # evaluates the start (a refused start raises, naming the row)
    if r0.size < len(free):
        raise FoiltwinInputError("params", ", ".join(p.name for p in free),
                                 f"at most as many parameters as observations ({r0.size})")
    out = least_squares(res, z0, jac=lambda z: _jacobian(res, z, options.diff_step, lb, ub, central=False),
                        bounds=(lb, ub), method="trf", x_scale=1.0, max_nfev=options.max_nfev,
                        xtol=1e-8, ftol=1e-8, gtol=1e-8)
    z = np.asarray(out.x, dtype=float)
    J = _jacobian(res, z, options.diff_step, lb, ub, central=True)
    at_bound = [any(np.isfinite(b) and abs(z_ - b) <= 1e-6 * max(1.0, abs(b)) for b in (lo, hi))
                for z_, lo, hi in zip(z, lb, ub, strict=True)]
    return WLSFit(free, res.x(z), z, res(z), J, at_bound, res.nfev, int(out.status), str(out.message),
                  time.perf_counter() - t0)


@dataclass(frozen=True)
class Direction:
    """A combination of parameters the data do not pin down: z-space direction, singular value, its SE."""

    coefficients: dict[str, float]
    singular_value: float
    relative_singular_value: float
    standard_error: float | None
    kind: Literal["rank-deficient", "uncertain"]
    text: str


@dataclass
class Statistics:
    """What the data say about the fitted parameters."""

    n: int
    p: int
    chi2: float
    dof: int
    reduced_chi2: float | None
    chi2_p_value: float | None
    covariance_scale: float
    cov_z: np.ndarray
    cov_x: np.ndarray
    standard_errors: list[float | None]
    intervals: list[tuple[float, float] | None]  # natural units; an end beyond the float range is ±inf
    correlation: np.ndarray
    singular_values: np.ndarray
    condition_number: float | None
    unidentifiable: list[Direction]
    loo_residuals: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def identifiable(self) -> bool:
        return not self.unidentifiable


def _direction_text(v: np.ndarray, free: Sequence[FreeParameter]) -> tuple[dict[str, float], str]:
    """The direction's parameters (|component| ≥ 0.1 of the largest) and a sentence saying what is undetermined."""
    v = v / v[np.argmax(np.abs(v))]
    keep = [j for j in range(len(v)) if abs(v[j]) >= 0.1]
    coef = {free[j].name: float(v[j]) for j in keep}
    combo = " ".join(f"{'+' if v[j] >= 0 else '−'} {abs(v[j]):.2f}·{free[j].label()}" for j in keep).lstrip("+ ")
    if len(keep) == 1:
        return coef, f"{free[keep[0]].name} is not determined by the data (they barely depend on it)"
    if len(keep) == 2 and all(free[j].transform == "log" for j in keep) and math.isclose(
            abs(v[keep[0]]), abs(v[keep[1]]), rel_tol=0.1):
        a, b = (free[j].name for j in keep)
        what = "product" if v[keep[0]] * v[keep[1]] < 0 else "ratio"
        sym = "·" if what == "product" else "/"
        return coef, f"only the {what} {a}{sym}{b} is determined: the data cannot separate them (moving along " \
                     f"{combo} changes nothing they see)"
    return coef, f"the combination {combo} is not determined by the data"


def analyse(fit: WLSFit, options: FitOptions = FitOptions(), groups: np.ndarray | None = None) -> Statistics:
    """Covariance, intervals, correlation, identifiability and leave-one-group-out residuals of a fit
    (``groups``: the data row of each residual; default: each residual its own group)."""
    r, J, free = fit.residuals, fit.jacobian, fit.free
    n, p = J.shape
    chi2 = float(r @ r)
    dof = n - p
    s2 = chi2 / dof if dof > 0 else None
    scale = {"sigma": 1.0, "residual": s2 if s2 is not None else 1.0,
             "auto": max(1.0, s2) if s2 is not None else 1.0}[options.covariance]
    U, S, Vt = np.linalg.svd(J, full_matrices=False)
    s_max = float(S[0]) if S.size and S[0] > 0 else 0.0
    rel = S / s_max if s_max > 0 else np.zeros_like(S)
    keep = rel >= options.rank_tolerance
    inv = np.where(keep, 1.0 / np.where(keep, S, 1.0) ** 2, 0.0)
    cov_z = scale * (Vt.T * inv) @ Vt
    weak = []
    for i in range(S.size):
        se_dir = math.sqrt(scale) / S[i] if keep[i] else None
        if keep[i] and se_dir is not None and se_dir <= options.max_direction_se:
            continue
        coef, text = _direction_text(Vt[i], free)
        weak.append(Direction(coef, float(S[i]), float(rel[i]), se_dir, "uncertain" if keep[i] else "rank-deficient",
                              text))
    loads_null = np.any(np.abs(Vt[~keep]) > 1e-3, axis=0) if (~keep).any() else np.zeros(p, dtype=bool)
    G = np.array([fp.dx_dz(float(z)) for fp, z in zip(free, fit.z, strict=True)])
    cov_x = cov_z * np.outer(G, G)
    use_t = options.covariance == "residual" or (options.covariance == "auto" and s2 is not None and s2 > 1.0)
    q = (stats.t.ppf(0.5 + options.confidence / 2, dof) if use_t and dof > 0
         else stats.norm.ppf(0.5 + options.confidence / 2))
    ses: list[float | None] = []
    intervals: list[tuple[float, float] | None] = []
    for j, fp in enumerate(free):
        if loads_null[j]:
            ses.append(None)
            intervals.append(None)
            continue
        se_z = math.sqrt(max(cov_z[j, j], 0.0))
        ses.append(math.sqrt(max(cov_x[j, j], 0.0)))
        intervals.append(fp.interval_x(fit.z[j], q * se_z))
    d = np.sqrt(np.maximum(np.diag(cov_z), 1e-300))
    corr = cov_z / np.outer(d, d)
    corr[loads_null, :] = np.nan
    corr[:, loads_null] = np.nan
    return Statistics(
        n=n, p=p, chi2=chi2, dof=dof, reduced_chi2=s2,
        chi2_p_value=float(stats.chi2.sf(chi2, dof)) if dof > 0 else None, covariance_scale=scale,
        cov_z=cov_z, cov_x=cov_x, standard_errors=ses, intervals=intervals, correlation=corr, singular_values=S,
        condition_number=float(S[0] / S[-1]) if S.size and S[-1] > 0 else None, unidentifiable=weak,
        loo_residuals=_loo(r, U[:, keep], groups if groups is not None else np.arange(n)),
    )


def _loo(r: np.ndarray, U: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Leave-one-group-out residuals e_I = (I − H_II)⁻¹ r_I with H = U Uᵀ (σ-scaled; NaN where a group alone
    determines a direction, H_II having an eigenvalue ≈ 1)."""
    out = np.full(r.shape, np.nan)
    for g in np.unique(groups):
        idx = np.nonzero(groups == g)[0]
        A = np.eye(idx.size) - U[idx] @ U[idx].T
        if np.linalg.cond(A) < 1e8:
            out[idx] = np.linalg.solve(A, r[idx])
    return out
