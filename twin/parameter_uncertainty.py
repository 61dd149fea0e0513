"""The uncertainty of the registry parameters as a multivariate normal (issue 10; docs/calibration.md §6).

A fitted parameter set's covariance (``foiltwin calibrate``; correlations included) and, for every other parameter
whose registry record carries a ``standard_error``, its variance SE² (the SE is in the parameter's unit),
independent but for registry values fitted together, whose records give their correlation
(``Parameter.correlations``). Each parameter is drawn in the space its fit used — z = ln x for a positive parameter
whose bounds span ≥ 100× (:func:`choose_transform`, the calibration's rule), z = x otherwise — with cov_z from the
natural-units covariance by the delta method (cov_z = D⁻¹ Σ D⁻¹, D = diag(x) for ln): a draw of a positive rate
stays positive. A draw outside a parameter's registry bounds, or its bracket (:func:`draw_bounds`), is drawn again
(truncation; the count is reported). A ln-space standard error (SE/x) above :data:`MAX_LN_STANDARD_ERROR` is
refused: such a distribution says nothing about the value, and its draws exp(z₀ + u·SE_z) would leave the float
range.

It lives in the twin layer so that batch designs (``twin.batch``: ``design.kind = "parameter_mc"``) can draw from
it; the propagation, sensitivity and robust optimum (``optimizer.uq``) use the same class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import Parameter, ParameterValues

Transform = Literal["log", "linear"]
LOG_SPAN_MIN = 100.0  # a positive parameter whose bounds span at least this ratio is fitted (and drawn) in ln x
MAX_REDRAWS = 50
# the largest standard error of ln x [ln units; SE/x by the delta method] a parameter set, and any distribution drawn
# in ln space, may carry: a factor e¹⁰ ≈ 2.2·10⁴ either way at one SE already pins nothing down, and with it even
# the extreme Latin-hypercube stratum (u ≈ 7) moves ln x by at most 70: exp stays finite for any value below 10²⁷⁷
MAX_LN_STANDARD_ERROR = 10.0


def choose_transform(value: float, bounds: tuple[float, float]) -> Transform:
    """"log" for a positive parameter whose bounds span ≥ :data:`LOG_SPAN_MIN` (or are open above), else
    "linear"."""
    lo, hi = bounds
    if value > 0.0 and lo >= 0.0 and (lo == 0.0 or not math.isfinite(hi) or hi / lo >= LOG_SPAN_MIN):
        return "log"
    return "linear"


@dataclass(frozen=True)
class ParameterUncertainty:
    """A multivariate normal over ``names`` (natural units): ``mean``, covariance ``cov``, and per parameter
    whether it is drawn in ln space (``log``) and its registry ``bounds``. ``sources`` says where each variance
    came from (the set's name, or "registry")."""

    names: tuple[str, ...]
    mean: np.ndarray
    cov: np.ndarray
    log: np.ndarray
    bounds: np.ndarray
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        d = len(self.names)
        if self.mean.shape != (d,) or self.cov.shape != (d, d) or self.log.shape != (d,):
            raise ValueError("mean, cov and log must match the names")
        if d and np.linalg.eigvalsh(0.5 * (self.cov + self.cov.T)).min() < -1e-12 * max(np.abs(self.cov).max(), 1e-300):
            raise FoiltwinInputError("covariance", "[...]", "a symmetric positive semi-definite matrix")
        if np.any(self.log & (self.mean <= 0.0)):
            raise ValueError("a parameter drawn in ln space needs a positive value")
        for name, m, s, lg in zip(self.names, self.mean, self.sd, self.log, strict=True):
            if lg and not s <= MAX_LN_STANDARD_ERROR * m:
                raise FoiltwinInputError(f"standard error of {name}", float(s), f"at most {MAX_LN_STANDARD_ERROR:g}× "
                                         f"its value {m:g} (ln-space SE ≤ {MAX_LN_STANDARD_ERROR:g})")

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def correlation(self) -> np.ndarray:
        s = np.where(self.sd > 0.0, self.sd, 1.0)
        return self.cov / np.outer(s, s)

    def _z_cov(self) -> tuple[np.ndarray, np.ndarray]:
        scale = np.where(self.log, self.mean, 1.0)
        z0 = np.where(self.log, np.log(np.where(self.log, self.mean, 1.0)), self.mean)
        return z0, self.cov / np.outer(scale, scale)

    def from_normal(self, u: np.ndarray) -> np.ndarray:
        """Parameter vectors from standard-normal rows ``u`` (k, d): z = z₀ + L u (L Lᵀ = cov_z), x = exp z for
        the ln parameters. Rows outside the bounds are returned as they are (see :meth:`sample`)."""
        z0, cz = self._z_cov()
        L = _factor(cz)
        z = z0 + u @ L.T
        x = np.where(self.log, np.exp(np.where(self.log, z, 0.0)), z)
        return np.where(np.diag(cz) > 0.0, x, self.mean)  # a certain parameter keeps its value exactly (no ln trip)

    def inside(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.bounds[:, 0]) & (x <= self.bounds[:, 1]), axis=1)

    def sample(self, n: int, seed: int = 0, design: str = "mc") -> tuple[np.ndarray, int]:
        """``n`` draws (rows) and how many were redrawn because they left the registry bounds. ``design``: "mc"
        (independent normal draws) or "lhs" (Latin hypercube in the standard normals: space filling)."""
        rng = np.random.default_rng(seed)
        u = standard_normal_design(n, len(self.names), design, rng)
        x = self.from_normal(u)
        redrawn = 0
        for _ in range(MAX_REDRAWS):
            bad = ~self.inside(x)
            if not bad.any():
                return x, redrawn
            redrawn += int(bad.sum())
            x[bad] = self.from_normal(rng.standard_normal((int(bad.sum()), len(self.names))))
        raise FoiltwinInputError("parameter uncertainty", ", ".join(self.names),
                                 "a distribution mostly inside the registry bounds (draws keep leaving them)")

    def summary(self) -> list[dict[str, Any]]:
        return [{"name": n, "value": float(m), "standard_error": float(s), "drawn_in": "ln" if lg else "linear",
                 "source": src} for n, m, s, lg, src in zip(self.names, self.mean, self.sd, self.log,
                                                             self.sources or ("",) * len(self.names), strict=True)]


def _factor(cov: np.ndarray) -> np.ndarray:
    """A square root L of a PSD matrix (L Lᵀ = cov), by eigen-decomposition (works for singular covariances)."""
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    return v * np.sqrt(np.clip(w, 0.0, None))


def standard_normal_design(n: int, d: int, design: str, rng: np.random.Generator) -> np.ndarray:
    """(n, d) standard normals: "mc" independent, "lhs" a Latin hypercube mapped through Φ⁻¹ (one point per 1/n
    stratum of every marginal)."""
    if n < 2:
        raise FoiltwinInputError("samples", n, "an integer ≥ 2")
    if design == "mc":
        return rng.standard_normal((n, d))
    if design == "lhs":
        from scipy.stats import norm, qmc

        u = qmc.LatinHypercube(d=d, seed=rng).random(n)
        return norm.ppf(np.clip(u, 1e-12, 1.0 - 1e-12))
    raise FoiltwinInputError("design", design, "mc | lhs")


def joint_correlation(a: Parameter, b: Parameter) -> float:
    """The correlation of two registry values' fit errors: the ρ both records give each other (fitted together, one
    covariance: ``Parameter.correlations``), else 0 (separate fits, or one of them overridden since)."""
    rho_ab, rho_ba = dict(a.correlations).get(b.name), dict(b.correlations).get(a.name)
    return rho_ab if rho_ab is not None and rho_ab == rho_ba else 0.0


def uncertainty_of(values: ParameterValues, pset: Any = None, names: Sequence[str] | None = None
                   ) -> ParameterUncertainty:
    """The uncertainty of ``values``: the set's covariance for its parameters (correlations kept), and the
    registry's standard errors for every other parameter that has one, independent but for values the registry
    says were fitted together (:func:`joint_correlation`: the stage-III peak and the Zn transfer efficiency, one
    two-target solve). ``names`` restricts it (each must then have a standard error). Raises FoiltwinInputError
    when nothing is uncertain."""
    set_names = [p.name for p in pset.parameters] if pset is not None else []
    chosen: list[str] = []
    sources: list[str] = []
    for rec in values.records():
        if rec.name in set_names:
            chosen.append(rec.name)
            sources.append(f"parameter set {pset.name!r}")
        elif rec.standard_error is not None and rec.standard_error > 0.0:
            chosen.append(rec.name)
            sources.append("registry")
    if names is not None:
        for n in names:
            values.record(n)  # unknown names: the registry's message
            if n not in chosen:
                raise FoiltwinInputError("--uncertain", n, "a parameter with a standard error (a parameter set's, "
                                         "or the registry's: `foiltwin params` shows them)")
        keep = [chosen.index(n) for n in names]
        chosen, sources = [chosen[k] for k in keep], [sources[k] for k in keep]
    if not chosen:
        raise FoiltwinInputError("parameter uncertainty", "none", "at least one parameter with a standard error "
                                 "(give a fitted set with --params)")
    d = len(chosen)
    cov = np.zeros((d, d))
    if pset is not None:
        pcov = np.array(pset.covariance, dtype=float)
        idx = {n: k for k, n in enumerate(set_names)}
    for i, a in enumerate(chosen):
        for j, b in enumerate(chosen):
            if a in set_names and b in set_names:
                cov[i, j] = pcov[idx[a], idx[b]]
            elif i == j:  # the SE is in the parameter's unit: its variance
                cov[i, i] = values.record(a).standard_error ** 2
            elif a not in set_names and b not in set_names:  # two registry values fitted together: their covariance
                ra, rb = values.record(a), values.record(b)
                cov[i, j] = joint_correlation(ra, rb) * ra.standard_error * rb.standard_error
    mean = np.array([values[n] for n in chosen])
    set_log = {p.name: p.transform == "log" for p in pset.parameters} if pset is not None else {}
    log = np.array([set_log[n] if n in set_log else choose_transform(values[n], values.record(n).bounds) == "log"
                    for n in chosen])  # drawn as the fit transformed it
    bounds = np.array([draw_bounds(values.record(n)) for n in chosen], dtype=float)
    return ParameterUncertainty(tuple(chosen), mean, cov, log, bounds, tuple(sources))


def draw_bounds(rec: Parameter) -> tuple[float, float]:
    """Where draws of ``rec`` may fall: its registry bounds, narrowed to its ``bracket`` when the observations
    only bracket it (ΔG* of the massive β→α: 54-250 J/mol; a lognormal around 100 J/mol with the bracket's SE put
    14 % of draws below 54, a value one observation rules out). Draws outside are redrawn (truncation)."""
    lo, hi = rec.bounds
    if rec.bracket is not None:
        lo, hi = max(lo, rec.bracket[0]), min(hi, rec.bracket[1])
    return lo, hi
