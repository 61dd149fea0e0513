"""Intervals on the twin's plant KPIs and yield at risk (issue 10 item 4; docs/calibration.md §6b).

The plant is run ``draws`` times, each with one draw of the uncertain registry parameters (the parameter set's
covariance, correlations kept, and the registry's standard errors: :func:`~optimizer.uq.propagate.uncertainty_of`)
written into the scenario's ``parameters``. **Every draw runs with the scenario's own seed** (common random
numbers: the same breakdowns, coil lengths and gauge noise wherever the plant draws them from the same keyed
stream, ``twin.rng``), so the spread of the KPIs over the draws is the spread the parameter uncertainty causes, not
the plant's own run-to-run randomness (for that, replicate seeds: ``foiltwin batch``, the dashboard's
replications). Where a draw changes what the plant does (a coil rejected, a web break) the streams stay aligned
per source, so the pairing holds but is not perfect.

Per KPI (skin thickness mean [nm], yield [fraction], cost per good m² [currency/m²]): the nominal run (the
scenario as given), the mean and standard deviation over the draws, the equal-tailed central interval at
``confidence`` (empirical quantiles), and for the yield the **yield at risk**: the yield exceeded with probability
``at_risk`` under the parameter uncertainty, i.e. its (1 − ``at_risk``) quantile over the draws. A draw the models
refuse is counted (``failed``), not hidden. Draws are Latin-hypercube in the standard normals with a fixed seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.uq.propagate import ParameterUncertainty, uncertainty_of
from process_models.errors import FoiltwinInputError
from twin.progress import Progress, ProgressCallback, eta_s
from twin.scenario import Scenario

TWIN_KPIS: tuple[str, ...] = ("skin_thickness_nm", "yield_fraction", "cost_per_m2")
MAX_DRAWS = 10_000
Run = Callable[[Scenario], dict[str, Any]]


def kpis_of(report: dict[str, Any], kpis: Sequence[str] = TWIN_KPIS) -> list[float]:
    """The plant-level ``kpis`` of a simulation report (a distribution's mean for the skin; NaN where absent)."""
    out = []
    for k in kpis:
        v = report.get(k)
        if isinstance(v, dict):
            v = v.get("mean")
        out.append(float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan)
    return out


def twin_uncertainty(scenario: Scenario, names: Sequence[str] | None = None) -> ParameterUncertainty:
    """The parameter uncertainty of ``scenario``: its parameter set's covariance and the registry's standard
    errors, around the values the scenario runs with."""
    from twin.simulate import build_parameters

    return uncertainty_of(build_parameters(scenario), scenario.parameter_set, names)


def with_draw(scenario: Scenario, names: Sequence[str], x: np.ndarray) -> Scenario:
    """``scenario`` with the parameter values ``x`` (over its own ``parameters``; the seed unchanged)."""
    return scenario.model_copy(update={"parameters": {**scenario.parameters,
                                                      **dict(zip(names, map(float, x), strict=True))}})


@dataclass
class TwinIntervals:
    """The KPIs' nominal value, mean, sd and central interval over the draws, and the yield at risk."""

    kpis: tuple[str, ...]
    draws: int
    seed: int
    confidence: float
    at_risk: float
    nominal: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    yield_at_risk: float | None
    failed: int
    redrawn: int
    uncertainty: list[dict[str, Any]]
    samples: np.ndarray = field(repr=False)
    plant_seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        def n(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {"method": "monte_carlo", "design": "lhs", "draws": self.draws, "seed": self.seed,
                "plant_seed": self.plant_seed, "common_random_numbers": True, "confidence": self.confidence,
                "interval_quantiles": [(1.0 - self.confidence) / 2.0, (1.0 + self.confidence) / 2.0],
                "failed": self.failed, "redrawn": self.redrawn, "uncertainty": self.uncertainty,
                "kpis": {k: {"nominal": n(self.nominal[i]), "mean": n(self.mean[i]), "sd": n(self.sd[i]),
                             "interval": [n(self.lower[i]), n(self.upper[i])]} for i, k in enumerate(self.kpis)},
                "yield_at_risk": {"probability": self.at_risk, "yield_fraction": self.yield_at_risk}}


def _check(draws: int, confidence: float, at_risk: float) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or not 2 <= draws <= MAX_DRAWS:
        raise FoiltwinInputError("--draws", draws, f"an integer in [2, {MAX_DRAWS}]")
    if not (isinstance(confidence, int | float) and 0.5 <= confidence < 1.0):
        raise FoiltwinInputError("--confidence", confidence, "a probability in [0.5, 1)")
    if not (isinstance(at_risk, int | float) and 0.5 <= at_risk < 1.0):
        raise FoiltwinInputError("--at-risk", at_risk, "a probability in [0.5, 1)")


def _run_or_none(run: Run, scenario: Scenario, kpis: Sequence[str]) -> list[float] | None:
    """The KPIs of one run, or None when the models refuse the draw."""
    try:
        return kpis_of(run(scenario), kpis)
    except (FoiltwinInputError, ArithmeticError, ValueError):
        return None


def twin_kpi_intervals(scenario: Scenario, unc: ParameterUncertainty | None = None, draws: int = 32, seed: int = 0,
                       confidence: float = 0.90, at_risk: float = 0.95, progress: ProgressCallback | None = None,
                       run: Run | None = None, kpis: Sequence[str] = TWIN_KPIS) -> TwinIntervals:
    """Monte Carlo over the parameters of ``scenario`` (see the module docstring): ``draws`` plant runs plus the
    nominal one, serially, ``progress`` after each (job "uncertainty", unit "runs"). ``run`` is
    ``twin.simulate.run_single`` unless given; ``unc`` is :func:`twin_uncertainty` unless given."""
    _check(draws, confidence, at_risk)
    if unc is None:
        unc = twin_uncertainty(scenario)
    if run is None:
        from twin.simulate import run_single as run
    x, redrawn = unc.sample(draws, seed, "lhs")
    total, t0 = draws + 1, time.monotonic()

    def step(done: int, stage: str) -> None:
        if progress is not None:
            elapsed = time.monotonic() - t0
            progress(Progress("uncertainty", stage, done, total, "runs", elapsed, eta_s=eta_s(done, total, elapsed)))

    nominal = np.array(kpis_of(run(scenario), kpis))  # the scenario as given: its refusal is the user's error
    step(1, "nominal run")
    Y = np.full((draws, len(kpis)), np.nan)
    failed = 0
    for i in range(draws):
        row = _run_or_none(run, with_draw(scenario, unc.names, x[i]), kpis)
        if row is None:
            failed += 1
        else:
            Y[i] = row
        step(i + 2, f"parameter draw {i + 1}/{draws} (seed {scenario.seed})")
    return summarise(Y, nominal, kpis, unc, seed, confidence, at_risk, redrawn, scenario.seed, failed)


def summarise(Y: np.ndarray, nominal: np.ndarray, kpis: Sequence[str], unc: ParameterUncertainty, seed: int,
              confidence: float, at_risk: float, redrawn: int = 0, plant_seed: int = 0, failed: int = 0
              ) -> TwinIntervals:
    """Statistics of the draws' KPIs ``Y`` (draws × KPIs; NaN: refused draws, or a KPI the run does not have)."""
    m = len(kpis)
    mean, sd, lo, hi = (np.full(m, np.nan) for _ in range(4))
    a = (1.0 - confidence) / 2.0
    for k in range(m):
        y = Y[:, k][np.isfinite(Y[:, k])]
        if y.size:
            mean[k], lo[k], hi[k] = y.mean(), np.quantile(y, a), np.quantile(y, 1.0 - a)
            sd[k] = y.std(ddof=1) if y.size > 1 else 0.0
    yar = None
    if "yield_fraction" in kpis:
        y = Y[:, list(kpis).index("yield_fraction")]
        y = y[np.isfinite(y)]
        yar = float(np.quantile(y, 1.0 - at_risk)) if y.size else None
    return TwinIntervals(tuple(kpis), Y.shape[0], seed, confidence, at_risk, nominal, mean, sd, lo, hi, yar, failed,
                         redrawn, unc.summary(), Y, plant_seed)
