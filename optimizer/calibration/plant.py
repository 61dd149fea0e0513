"""Calibrate registry parameters to plant data: ``foiltwin calibrate`` (docs/calibration.md).

The data (:mod:`twin.plant_data`) give settings and readings; :class:`twin.plant_model.PlantModel` predicts every
reading from the registry in one bulk recipe evaluation; :func:`optimizer.calibration.wls.fit_wls` fits the chosen
parameters by weighted least squares (weights 1/σ²) in a transformed space; :func:`~optimizer.calibration.wls.
analyse` gives standard errors, correlations, identifiability and leave-one-row-out errors; the result writes a
versioned parameter set (:mod:`twin.parameter_set`).

Any registry parameter can be fitted (not kind "constant"); by default the registry's "fitted" parameters that the
data depend on (a screen at the start drops the others and names them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.calibration.wls import (
    FitOptions,
    FreeParameter,
    Statistics,
    WLSFit,
    analyse,
    choose_transform,
    fit_wls,
)
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from twin.parameter_set import ParameterSet, code_fingerprint, make_parameter_set
from twin.plant_data import OUTCOMES, PlantData
from twin.plant_model import Observations, PlantModel, observations, phase_agreement
from twin.results_db import foiltwin_version

METHOD = "weighted least squares (scipy.optimize.least_squares, trust-region reflective, weights 1/σ²)"


def free_parameters(names: Sequence[str], base: ParameterValues) -> list[FreeParameter]:
    """The registry records of ``names`` as parameters to fit (start: their current value)."""
    if len(set(names)) != len(names):
        raise FoiltwinInputError("params", ",".join(names), "each parameter once")
    out = []
    for name in names:
        rec = base.record(name)
        lo, hi = rec.bounds
        if rec.kind == "constant" or not lo < hi:
            raise FoiltwinInputError("params", name, "a parameter that may vary (not a constant of nature)")
        out.append(FreeParameter(name, rec.value, rec.bounds, choose_transform(rec.value, rec.bounds), rec.unit))
    return out


class _Problem:
    """Data, observations and model of one calibration; residuals for any values of the free parameters."""

    def __init__(self, data: PlantData, base: ParameterValues, outcomes: Sequence[str] | None) -> None:
        self.data = data
        self.base = base
        self.obs: Observations = observations(data, base, outcomes)
        self.model = PlantModel(data, self.obs)

    def values(self, names: Sequence[str], x: np.ndarray) -> ParameterValues:
        return self.base.with_overrides(dict(zip(names, map(float, x), strict=True)), kind="fitted")

    def residuals(self, names: Sequence[str]):
        def fn(x: np.ndarray) -> np.ndarray:
            return (self.model.predict(self.values(names, x)) - self.obs.measured) / self.obs.sigma
        return fn


def screen(problem: _Problem, candidates: Sequence[str], options: FitOptions) -> tuple[list[str], list[str]]:
    """Split ``candidates`` into those the readings depend on and those they do not (a relative change of
    ``diff_step`` moves no σ-scaled residual by more than ``rank_tolerance`` × the largest sensitivity)."""
    free = free_parameters(candidates, problem.base)
    r0 = problem.residuals([])(np.zeros(0))
    norms = []
    for p in free:
        z0, (_, z_hi) = p.to_z(p.start), p.z_bounds()
        z = z0 + options.diff_step if z0 + options.diff_step <= z_hi else z0 - options.diff_step
        r = problem.residuals([p.name])(np.array([p.to_x(z)]))
        norms.append(float(np.linalg.norm(r - r0)) / options.diff_step)
    top = max(norms, default=0.0)
    keep = [p.name for p, n in zip(free, norms, strict=True) if top > 0 and n > options.rank_tolerance * top]
    return keep, [name for name in candidates if name not in keep]


@dataclass
class CalibrationResult:
    """A calibration: the fit, its statistics and the predictions at the optimum."""

    data: PlantData
    obs: Observations
    fit: WLSFit
    stats: Statistics
    options: FitOptions
    fitted: ParameterValues
    predicted: np.ndarray
    phase: dict[str, Any]
    screened_out: list[str]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.fit.free]

    @property
    def writable(self) -> bool:
        """A set is written only from a converged fit whose every direction the data pin down."""
        return self.fit.converged and self.stats.identifiable

    def outcome_summary(self) -> dict[str, dict[str, Any]]:
        """Per outcome: count, bias and RMS of the residuals (column unit), RMS of the standardised residuals and
        the leave-one-row-out RMS prediction error (column unit)."""
        out = {}
        resid = self.predicted - self.obs.measured
        for name in self.obs.outcomes:
            m = self.obs.of(name)
            loo = self.stats.loo_residuals[m] * self.obs.sigma[m]
            finite = np.isfinite(loo)
            out[name] = {
                "unit": OUTCOMES[name].unit, "n": int(m.sum()), "bias": float(np.mean(resid[m])),
                "rms": float(np.sqrt(np.mean(resid[m] ** 2))),
                "rms_standardised": float(np.sqrt(np.mean(self.fit.residuals[m] ** 2))),
                "loo_rms": float(np.sqrt(np.mean(loo[finite] ** 2))) if finite.any() else None,
                "loo_undefined": int((~finite).sum()),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        s, f = self.stats, self.fit
        times = self.data.times_h()
        return _finite({
            "data": {"file": self.data.source, "sha256": self.data.sha256, "rows": len(self.data),
                     "observations": {n: int(self.obs.of(n).sum()) for n in self.obs.outcomes}},
            "parameters": [
                {"name": p.name, "unit": p.unit, "start": p.start, "value": float(x), "standard_error": se,
                 "interval_95": None if ci is None else list(ci), "transform": p.transform, "at_bound": b}
                for p, x, se, ci, b in zip(f.free, f.x, s.standard_errors, s.intervals, f.at_bound, strict=True)],
            "correlation": {"names": self.names, "matrix": s.correlation.tolist()},
            "covariance": s.cov_x.tolist(),
            "identifiability": {
                "identifiable": s.identifiable, "singular_values": s.singular_values.tolist(),
                "condition_number": s.condition_number,
                "unidentifiable": [{"text": d.text, "kind": d.kind, "coefficients": d.coefficients,
                                    "singular_value": d.singular_value,
                                    "relative_singular_value": d.relative_singular_value,
                                    "standard_error": d.standard_error} for d in s.unidentifiable],
                "screened_out": self.screened_out,
                "rank_tolerance": self.options.rank_tolerance, "max_direction_se": self.options.max_direction_se},
            "fit": {"n_observations": s.n, "chi2": s.chi2, "dof": s.dof, "reduced_chi2": s.reduced_chi2,
                    "chi2_p_value": s.chi2_p_value, "covariance_mode": self.options.covariance,
                    "covariance_scale": s.covariance_scale, "converged": f.converged, "status": f.status,
                    "message": f.message, "nfev": f.nfev, "seconds": f.seconds},
            "outcomes": self.outcome_summary(),
            "phase": self.phase,
            "observations": [
                {"row": int(i) + 1, "time_h": times[int(i)], "outcome": str(o), "measured": float(m),
                 "sigma": float(sd), "predicted": float(p), "standardised": float(z), "loo": float(e) * float(sd)}
                for i, o, m, sd, p, z, e in zip(self.obs.row, self.obs.outcome, self.obs.measured, self.obs.sigma,
                                                self.predicted, f.residuals, s.loo_residuals, strict=True)],
        })

    def parameter_set(self, name: str, created: dt.datetime | None = None) -> ParameterSet:
        """The versioned parameter set of this calibration (refused when the fit is not :attr:`writable`)."""
        if not self.writable:
            why = ("the fit did not converge" if not self.fit.converged else
                   "; ".join(d.text for d in self.stats.unidentifiable))
            raise FoiltwinInputError("--out", name, f"a converged fit of identifiable parameters ({why})")
        s, f = self.stats, self.fit
        created = created or dt.datetime.now(dt.UTC)
        transforms = ", ".join(f"{p.name}: {p.transform}" for p in f.free)
        method = (f"{METHOD}; fitted in transformed space ({transforms}); covariance {self.options.covariance}: "
                  f"c·(JᵀWJ)⁻¹ with c = {s.covariance_scale:.4g}; outcomes {', '.join(self.obs.outcomes)}")
        return make_parameter_set({
            "name": name, "created": created.isoformat(timespec="seconds"), "method": method,
            "foiltwin_version": foiltwin_version(), "code_fingerprint": code_fingerprint(),
            "data": {"file": self.data.source, "sha256": self.data.sha256, "rows": len(self.data),
                     "observations": {n: int(self.obs.of(n).sum()) for n in self.obs.outcomes}},
            "parameters": [{"name": p.name, "value": float(x), "unit": p.unit, "standard_error": se,
                            "transform": p.transform, "interval_95": None if ci is None else [float(v) for v in ci]}
                           for p, x, se, ci in zip(f.free, f.x, s.standard_errors, s.intervals, strict=True)],
            "covariance": s.cov_x.tolist(),
            "fit": {"n_observations": s.n, "chi2": s.chi2, "dof": s.dof, "reduced_chi2": s.reduced_chi2,
                    "covariance_mode": self.options.covariance, "covariance_scale": s.covariance_scale,
                    "condition_number": s.condition_number},
        })


def _finite(x: Any) -> Any:
    """NaN and ±inf → None, recursively (JSON has neither): an interval end beyond the float range is null."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def interval_text(ci: Sequence[float | None] | None, spec: str = ".4g") -> str:
    """A report's ``interval_95`` (natural units) as "[lo, hi]"; a null end (beyond the float range: the data leave
    that side unbounded) shows as -inf / inf, a missing interval (rank-deficient) as "n/a"."""
    if ci is None:
        return "n/a"
    lo, hi = ci
    return f"[{'-inf' if lo is None else format(lo, spec)}, {'inf' if hi is None else format(hi, spec)}]"


def calibrate(data: PlantData, names: Sequence[str] | None = None, base: ParameterValues | None = None,
              outcomes: Sequence[str] | None = None, options: FitOptions | None = None) -> CalibrationResult:
    """Fit ``names`` (default: the registry's fitted parameters the data depend on) to ``data``'s ``outcomes``
    (default: every numeric outcome measured), starting from ``base`` (default: the registry)."""
    from process_models.parameters import default_parameters

    base = default_parameters() if base is None else base
    options = FitOptions() if options is None else options
    problem = _Problem(data, base, outcomes)
    screened_out: list[str] = []
    if names is None:
        names, screened_out = screen(problem, [r.name for r in base.records() if r.kind == "fitted"], options)
        if not names:
            raise FoiltwinInputError("params", "(default)", "name the parameters to fit: the data depend on none "
                                     f"of the registry's fitted ones ({', '.join(screened_out)})")
    free = free_parameters(list(names), base)
    fit = fit_wls(problem.residuals(list(names)), free, options)
    stats = analyse(fit, options, groups=problem.obs.row)
    fitted = problem.values(list(names), fit.x)
    return CalibrationResult(data, problem.obs, fit, stats, options, fitted, problem.model.predict(fitted),
                             phase_agreement(data, fitted), screened_out)
