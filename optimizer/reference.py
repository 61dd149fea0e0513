"""Brute-force reference for the optimiser: cost per good m² and feasibility of UHT settings, straight from the
process models, in batches (the grid search and differential evolution of ``benchmarks/bench_optimizer.py`` and the
convergence tests use it, so both sides of a comparison evaluate recipes with the same code, ``safe_evaluate``).

Feasible as the optimiser means it: skin inside the window, single-phase α, surface Zn inside the spec window, no
melting at the set point nor at the set point + kσ of the line's stage-III scatter (the guard the optimiser's tables
keep, :data:`optimizer.space.STAGE3_GUARD_SIGMA`), the stage-II heat-up within its share of the zone time and the
stage-III ramp reaching its peak within the pulse. Cost per good m² as :func:`optimizer.verify.check_with_models`
prices a point on commercial foil: fixed costs by scheduled time, electricity, Zn, Ar, bought foil, gauge yield.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.blocks.uht_line import RAMP2_MAX_FRAC
from optimizer.economics import Economics, economics
from optimizer.space import STAGE3_GUARD_SIGMA, DecisionSpace
from optimizer.surrogates import safe_evaluate, stage3_power_reach
from optimizer.targets import Targets, gauge_yield
from optimizer.verify import plant_cost_per_processed_m2
from process_models.costing.flows import bought_foil_flows
from process_models.parameters.registry import ParameterValues
from process_models.uht.recipe import UHTRecipe


class Pricer:
    """(cost per good m² [currency/m²], feasible) of batches of UHT settings on commercial foil; counts the recipes
    it evaluates (``evaluations``; the guard's hot copies included)."""

    def __init__(self, space: DecisionSpace, params: ParameterValues, targets: Targets,
                 econ: Economics | None = None, guard: bool = True) -> None:
        self.space, self.params, self.targets = space, params, targets
        self.econ = econ or economics(params, space.foil_thickness_m, targets.currency)
        self.guard_K = STAGE3_GUARD_SIGMA * space.stage3_scatter_K if guard else 0.0
        self.evaluations = 0
        self.throughput_m2_per_h = np.zeros(0)  # of the last call's settings (0 where the model refuses the recipe)

    def __call__(self, speed_m_per_min: np.ndarray, modules: np.ndarray, T2_K: np.ndarray, T3_K: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Cost and feasibility of each setting; infeasible ones get their cost too (for penalties), inf when the
        model refuses the recipe. Their throughput [good m²/h] (scheduled time per m² and gauge yield, as
        :func:`optimizer.verify.check_with_models` has it) is kept in ``throughput_m2_per_h``."""
        sp, p = self.space, self.params
        pace = 60.0 / np.asarray(speed_m_per_min, float)
        L2 = np.array(sp.zone_lengths_m)[np.asarray(modules).astype(int) - 1]
        t2, t3 = L2 * pace, sp.stage3_heater_length_m * pace
        recipes = [UHTRecipe(foil_thickness_m=sp.foil_thickness_m, stage2_temperature_K=float(a),
                             stage2_time_s=float(b), stage3_peak_K=float(c), stage3_time_s=float(d),
                             cooling=sp.cooling, stage3_heater_length_m=sp.stage3_heater_length_m)  # type: ignore[arg-type]
                   for a, b, c, d in zip(T2_K, t2, T3_K, t3, strict=True)]
        res = safe_evaluate(recipes, p)
        self.evaluations += len(recipes)
        cost = np.full(pace.size, np.inf)
        self.throughput_m2_per_h = np.zeros(pace.size)
        ok = np.zeros(pace.size, dtype=bool)
        lo, hi = self.targets.skin_window_nm
        zlo, zhi = self.targets.surface_zn_at_frac or (0.0, 1.0)
        ramp2 = (np.asarray(T2_K) - p["ambient_temperature_K"]) / (p["stage2_heating_rate_K_per_s"] * t2)
        reach3 = stage3_power_reach(sp, p, np.asarray(T3_K, float), t3)
        for i, r in enumerate(res):
            if r is None:
                continue
            H = sp.uht_time.scheduled_s_per_m(pace[i]) / sp.width_m
            flows = r.flows_per_m2(p) + bought_foil_flows(sp.foil_thickness_m, p)
            y = gauge_yield(self.targets.spec_window_nm, r.skin_thickness_nm, sp.gauge_noise_nm)
            cost[i] = plant_cost_per_processed_m2(flows, H, p, self.econ.currency) / max(y, 1e-9)
            self.throughput_m2_per_h[i] = 3600.0 * y / H
            ok[i] = (lo <= r.skin_thickness_nm <= hi and r.skin_phase == "alpha"
                     and zlo <= r.surface_zn_at_frac <= zhi and r.max_melt_depth_nm <= 0.0
                     and ramp2[i] <= RAMP2_MAX_FRAC and reach3[i] <= 1.0)
        idx = np.nonzero(ok)[0]
        if self.guard_K > 0.0 and idx.size:  # melting at the set point + kσ: the hot copies of the feasible ones
            top = p["cu_melting_temperature_K"] - 1.0
            hot = safe_evaluate([replace(recipes[i], stage3_peak_K=min(recipes[i].stage3_peak_K + self.guard_K, top))
                                 for i in idx], p)
            self.evaluations += len(hot)
            ok[idx] = [h is not None and h.max_melt_depth_nm <= 0.0 for h in hot]
        return cost, ok


def grid_best(pricer: Pricer, speeds: np.ndarray, modules: np.ndarray, T2_K: np.ndarray, T3_K: np.ndarray,
              chunk: int = 1000) -> tuple[float, dict[str, float]]:
    """Least feasible cost over the full grid speeds × modules × T2 × T3, and its point (empty if none)."""
    G = np.array(np.meshgrid(speeds, modules, T2_K, T3_K, indexing="ij")).reshape(4, -1)
    best, arg = np.inf, None
    for s in range(0, G.shape[1], chunk):
        c, ok = pricer(*G[:, s:s + chunk])
        c = np.where(ok, c, np.inf)
        i = int(np.argmin(c))
        if c[i] < best:
            best, arg = float(c[i]), G[:, s + i]
    point = {} if arg is None else dict(zip(("speed_m_per_min", "modules", "T2_K", "T3_K"), map(float, arg),
                                            strict=True))
    return best, point
