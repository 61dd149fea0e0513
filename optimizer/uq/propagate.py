"""Parameter uncertainty → prediction intervals (issue 10 item 4; docs/calibration.md §6).

The uncertainty of the registry parameters is a multivariate normal: the covariance of a fitted parameter set
(``foiltwin calibrate``; correlations included) and, for every other parameter whose registry record carries a
``standard_error``, an independent variance. Each parameter is drawn in the space its fit used — z = ln x for a
positive parameter whose bounds span ≥ 100× (the calibration's :func:`~optimizer.calibration.wls.choose_transform`),
z = x otherwise — with cov_z from the natural-units covariance by the delta method (cov_z = D⁻¹ Σ D⁻¹, D = diag(x)
for ln): a draw of a positive rate stays positive, and the fit's own asymmetric intervals are reproduced. A draw
outside a parameter's registry bounds is drawn again (truncation; the count is reported).

Two propagations of an output vector y = f(θ):

- **Monte Carlo** (:func:`monte_carlo`): n draws with a fixed seed (plain or Latin-hypercube), f at each; the
  interval is the empirical quantiles, and P(y in a window) is counted. Exact for any f, costs n model runs.
- **Linearised** (:func:`linearised`): y ≈ f(θ₀) + J (θ − θ₀), J by central differences (steps of half a
  standard deviation) in natural units, var y = J Σ Jᵀ, the interval ŷ ± q·sd with q the normal quantile.
  2d + 1 model runs; agrees with Monte Carlo where f is nearly linear over ±2 sd (checked in the tests, and
  reported side by side by ``foiltwin recipe --uncertainty both``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from process_models.errors import FoiltwinInputError
from twin.parameter_uncertainty import (  # noqa: F401  (re-exported: the class lives in the twin layer for batches)
    MAX_REDRAWS,
    ParameterUncertainty,
    _factor,
    standard_normal_design,
    uncertainty_of,
)

Model = Callable[[np.ndarray], np.ndarray]  # (k, d) parameter vectors → (k, m) outputs (NaN where refused)


@dataclass
class Propagation:
    """Intervals of the outputs ``outputs`` at ``confidence``: per output, nominal (f at the mean), mean, sd,
    interval; ``method`` monte_carlo | linearised; Monte Carlo also keeps the draws' outputs (``samples``)."""

    method: str
    outputs: tuple[str, ...]
    confidence: float
    nominal: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    runs: int
    failed: int = 0
    redrawn: int = 0
    samples: np.ndarray | None = field(default=None, repr=False)
    jacobian: np.ndarray | None = field(default=None, repr=False)

    def probability(self, output: str, lo: float = -math.inf, hi: float = math.inf) -> float:
        """P(lo ≤ y ≤ hi): counted over the draws (Monte Carlo) or from the normal (linearised)."""
        k = self.outputs.index(output)
        if self.samples is not None:
            y = self.samples[:, k]
            y = y[np.isfinite(y)]
            return float(np.mean((y >= lo) & (y <= hi))) if y.size else math.nan
        nd = NormalDist(float(self.nominal[k]), max(float(self.sd[k]), 1e-300))
        return nd.cdf(hi) - nd.cdf(lo)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "confidence": self.confidence, "runs": self.runs, "failed": self.failed,
                "redrawn": self.redrawn, "outputs": {
                    name: {"nominal": _num(self.nominal[k]), "mean": _num(self.mean[k]), "sd": _num(self.sd[k]),
                           "interval": [_num(self.lower[k]), _num(self.upper[k])]}
                    for k, name in enumerate(self.outputs)}}


def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _check_confidence(confidence: float) -> None:
    if not (isinstance(confidence, int | float) and 0.5 <= confidence < 1.0):
        raise FoiltwinInputError("--confidence", confidence, "a probability in [0.5, 1)")


def monte_carlo(f: Model, unc: ParameterUncertainty, outputs: Sequence[str], n: int = 200, seed: int = 0,
                confidence: float = 0.95, design: str = "mc") -> Propagation:
    """Monte Carlo propagation: ``n`` draws (fixed ``seed``), equal-tailed empirical interval. Draws the model
    refuses (NaN) are counted in ``failed`` and left out of the statistics."""
    _check_confidence(confidence)
    x, redrawn = unc.sample(n, seed, design)
    y = np.asarray(f(x), dtype=float).reshape(n, len(outputs))
    y0 = np.asarray(f(unc.mean[None, :]), dtype=float).reshape(len(outputs))
    ok = np.all(np.isfinite(y), axis=1)
    good = y[ok]
    a = (1.0 - confidence) / 2.0
    if good.shape[0] < 2:
        raise FoiltwinInputError("parameter uncertainty", f"{int(ok.sum())} of {n} draws evaluated",
                                 "draws the models accept (the uncertainty is too wide for the models)")
    return Propagation("monte_carlo", tuple(outputs), confidence, y0, good.mean(axis=0), good.std(axis=0, ddof=1),
                       np.quantile(good, a, axis=0), np.quantile(good, 1.0 - a, axis=0), n + 1,
                       int((~ok).sum()), redrawn, samples=y)


def jacobian(f: Model, unc: ParameterUncertainty, m: int, step_sd: float = 0.5,
             rel_step: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """f(θ₀) and ∂f/∂θ (m, d) in natural units by central differences (one bulk call of 2d + 1 vectors). The step
    is ``step_sd`` standard deviations (``rel_step``·|θ| for a parameter without one), one-sided where a bound
    is reached: the slope over the scale the uncertainty spans, not a tangent that the implicit solvers'
    numerical noise (≈0.01 nm of skin) could dominate at a 1e-4 step. Exact for a linear f."""
    d = len(unc.names)
    x0 = unc.mean
    h = np.where(unc.sd > 0.0, step_sd * unc.sd, rel_step * np.where(x0 != 0.0, np.abs(x0), 1.0))
    up = np.minimum(x0 + h, unc.bounds[:, 1])
    dn = np.maximum(x0 - h, unc.bounds[:, 0])
    X = np.repeat(x0[None, :], 2 * d + 1, axis=0)
    for j in range(d):
        X[1 + 2 * j, j], X[2 + 2 * j, j] = up[j], dn[j]
    Y = np.asarray(f(X), dtype=float).reshape(2 * d + 1, m)
    J = np.empty((m, d))
    for j in range(d):
        J[:, j] = (Y[1 + 2 * j] - Y[2 + 2 * j]) / (up[j] - dn[j])
    return Y[0], J


def linearised(f: Model, unc: ParameterUncertainty, outputs: Sequence[str], confidence: float = 0.95,
               step_sd: float = 0.5) -> Propagation:
    """First-order propagation: var y = J Σ Jᵀ, interval ŷ ± q·sd (q: normal quantile)."""
    _check_confidence(confidence)
    y0, J = jacobian(f, unc, len(outputs), step_sd)
    sd = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, unc.cov, J), 0.0, None))
    q = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    return Propagation("linearised", tuple(outputs), confidence, y0, y0.copy(), sd, y0 - q * sd, y0 + q * sd,
                       2 * len(unc.names) + 1, int((~np.isfinite(y0)).sum()), jacobian=J)
