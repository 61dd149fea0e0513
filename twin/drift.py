"""Has the plant drifted from its twin? Residual monitors on new plant data against a calibrated parameter set.

Each reading is compared with the twin's prediction under the set (:class:`twin.plant_model.PlantModel`) and
standardised, z = (measured − predicted) / √(c·σ² + σ²_pred): σ the reading's standard deviation, c the set's
covariance scale (the noise the calibration itself saw, ≥ 1 in its "auto" mode) and σ²_pred = g Σ gᵀ the
prediction variance from the set's covariance Σ (g: the prediction's gradient in the set's parameters, by forward
differences). Without drift z is about N(0, 1); each outcome's series, in time order, feeds

- a two-sided tabular CUSUM (Page 1954; Montgomery, Introduction to Statistical Quality Control, §9.1):
  C⁺ₜ = max(0, C⁺ₜ₋₁ + zₜ − k), C⁻ₜ = max(0, C⁻ₜ₋₁ − zₜ − k), alarm when either exceeds h. Defaults k = 0.5,
  h = 5: in-control average run length ≈ 465 readings (two-sided), a 1σ shift is found after ≈ 10 and a 2σ
  shift after ≈ 4 (Siegmund's approximation, :func:`cusum_arl`). The drift is estimated to have started just
  after the last time the alarming sum was zero, and its size is δ̂ = k + Cₜ/N (N readings since then);
- an EWMA, wₜ = λzₜ + (1 − λ)wₜ₋₁, with limits ±L·√(λ/(2 − λ)·(1 − (1 − λ)^{2t})); defaults λ = 0.2, L = 3.

With m outcomes monitored at once, false alarms come m times as often (≈ 465/m readings per outcome series).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from twin.parameter_set import ParameterSet, apply_parameter_set
from twin.plant_data import PlantData
from twin.plant_model import PlantModel, observations

_SIEGMUND_OFFSET = 1.166  # b = h + 1.166 (Siegmund 1985)


@dataclass(frozen=True)
class MonitorSettings:
    """CUSUM reference value ``k`` and decision interval ``h`` (in σ), EWMA weight ``lam`` and limit width ``L``."""

    k: float = 0.5
    h: float = 5.0
    lam: float = 0.2
    L: float = 3.0

    def __post_init__(self) -> None:
        for name, lo, hi in (("k", 0.0, 10.0), ("h", 0.0, 100.0), ("lam", 0.0, 1.0), ("L", 0.0, 10.0)):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and lo < v <= hi):
                raise FoiltwinInputError(f"--{'lambda' if name == 'lam' else name}", v, f"in ({lo:g}, {hi:g}]")


def cusum_arl(delta: float, k: float = 0.5, h: float = 5.0, two_sided: bool = True) -> float:
    """Average run length of the tabular CUSUM for a mean shift ``delta`` (σ units), Siegmund's approximation
    ARL = (e^{−2Δb} + 2Δb − 1)/(2Δ²), Δ = δ − k, b = h + 1.166 (one side; two sides combine as 1/ARL = Σ 1/ARLᵢ)."""
    def one(d: float) -> float:
        b = h + _SIEGMUND_OFFSET
        D = d - k
        return b * b if abs(D) < 1e-9 else (math.exp(-2 * D * b) + 2 * D * b - 1) / (2 * D * D)

    if not two_sided:
        return one(delta)
    return 1.0 / (1.0 / one(delta) + 1.0 / one(-delta))


@dataclass
class SeriesMonitor:
    """The monitors over one series z (time order): sums, EWMA and its limits, and what they found (indices into
    the series; ``None``: no alarm)."""

    z: np.ndarray
    cusum_upper: np.ndarray
    cusum_lower: np.ndarray
    ewma: np.ndarray
    ewma_limit: np.ndarray
    alarm: int | None
    direction: str | None
    start: int | None
    shift_sigma: float | None
    ewma_alarm: int | None


def monitor_series(z: Sequence[float] | np.ndarray, settings: MonitorSettings = MonitorSettings()) -> SeriesMonitor:
    """CUSUM and EWMA over standardised residuals ``z`` in time order (pure: what the dashboard plots)."""
    z = np.asarray(z, dtype=float)
    n = z.size
    up, lo = np.zeros(n), np.zeros(n)
    cu = cl = 0.0
    for t in range(n):
        cu = max(0.0, cu + z[t] - settings.k)
        cl = max(0.0, cl - z[t] - settings.k)
        up[t], lo[t] = cu, cl
    over = np.nonzero((up > settings.h) | (lo > settings.h))[0]
    alarm = int(over[0]) if over.size else None
    direction = start = shift = None
    if alarm is not None:
        side = up if up[alarm] > settings.h else lo
        direction = "up" if side is up else "down"
        zeros = np.nonzero(side[:alarm] == 0.0)[0]
        last_zero = int(zeros[-1]) if zeros.size else -1
        start = last_zero + 1
        shift = (settings.k + side[alarm] / (alarm - last_zero)) * (1.0 if direction == "up" else -1.0)
    lam = settings.lam
    w = np.zeros(n)
    prev = 0.0
    for t in range(n):
        prev = lam * z[t] + (1.0 - lam) * prev
        w[t] = prev
    limit = settings.L * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * np.arange(1, n + 1))))
    e_over = np.nonzero(np.abs(w) > limit)[0]
    return SeriesMonitor(z, up, lo, w, limit, alarm, direction, start, shift,
                         int(e_over[0]) if e_over.size else None)


def _prediction_variance(model: PlantModel, params: ParameterValues, pset: ParameterSet,
                         base_prediction: np.ndarray) -> np.ndarray:
    """g Σ gᵀ for every observation (g by forward differences of 1e-4 relative in each of the set's values)."""
    names = [p.name for p in pset.parameters]
    cov = np.array(pset.covariance, dtype=float)
    G = np.zeros((base_prediction.size, len(names)))
    for j, name in enumerate(names):
        rec = params.record(name)
        x = rec.value
        h = 1e-4 * abs(x) if x != 0.0 else 1e-8
        if x + h > rec.bounds[1]:
            h = -h
        G[:, j] = (model.predict(params.with_overrides({name: x + h}, kind="fitted")) - base_prediction) / h
    return np.einsum("ij,jk,ik->i", G, cov, G)


def drift_report(data: PlantData, pset: ParameterSet, outcomes: Sequence[str] | None = None,
                 settings: MonitorSettings = MonitorSettings(), base: ParameterValues | None = None) -> dict[str, Any]:
    """Monitor ``data`` against the twin under ``pset``: per outcome, the series and what CUSUM and EWMA found; a
    JSON-ready dict (rows are the data's 1-based row numbers, times hours from the first row)."""
    params = apply_parameter_set(default_parameters() if base is None else base, pset)
    obs = observations(data, params, outcomes)
    model = PlantModel(data, obs)
    pred = model.predict(params)
    var = pset.fit.covariance_scale * obs.sigma ** 2 + _prediction_variance(model, params, pset, pred)
    z_all = (obs.measured - pred) / np.sqrt(var)
    order = {row: k for k, row in enumerate(data.time_order())}
    times = data.times_h()
    stamps = [r.time.isoformat() if r.time is not None else None for r in data.records]
    out: dict[str, Any] = {}
    for name in obs.outcomes:
        idx = np.nonzero(obs.of(name))[0]
        idx = idx[np.argsort([order[int(obs.row[i])] for i in idx], kind="stable")]
        m = monitor_series(z_all[idx], settings)
        rows = [int(obs.row[i]) + 1 for i in idx]

        def at(k: int | None, rows: list[int] = rows) -> dict[str, Any] | None:
            return None if k is None else {"index": k, "row": rows[k], "time_h": times[rows[k] - 1],
                                           "time": stamps[rows[k] - 1]}

        out[name] = {
            "n": int(idx.size), "alarm": m.alarm is not None, "cusum_alarm": at(m.alarm), "direction": m.direction,
            "start": at(m.start), "shift_sigma": m.shift_sigma, "ewma_alarm": at(m.ewma_alarm),
            "series": {"row": rows, "time_h": [times[r - 1] for r in rows], "z": m.z.tolist(),
                       "predicted": pred[idx].tolist(), "measured": obs.measured[idx].tolist(),
                       "cusum_upper": m.cusum_upper.tolist(), "cusum_lower": m.cusum_lower.tolist(),
                       "ewma": m.ewma.tolist(), "ewma_limit": m.ewma_limit.tolist()},
        }
    alarms = [(v["cusum_alarm"]["time_h"], k) for k, v in out.items() if v["alarm"]]
    first = min(alarms)[1] if alarms else None
    return {
        "file": data.source, "sha256": data.sha256, "parameter_set": pset.summary(),
        "settings": {"k": settings.k, "h": settings.h, "lambda": settings.lam, "L": settings.L,
                     "in_control_arl": cusum_arl(0.0, settings.k, settings.h),
                     "arl_1_sigma": cusum_arl(1.0, settings.k, settings.h)},
        "drift": first is not None, "first": None if first is None else {
            "outcome": first, "alarm": out[first]["cusum_alarm"], "start": out[first]["start"],
            "direction": out[first]["direction"], "shift_sigma": out[first]["shift_sigma"]},
        "outcomes": out,
    }
