"""Surrogates sampled from process_models: piecewise-linear tables in coordinates that make them near-linear.

- **Stage II** (vapour supply, energy, texture annealing) on (1/T2, ln t2): the supply is the
  Hertz–Knudsen flux of the Zn vapour pressure, ln p = A − B/T, times the time, so ln(loading) is linear
  in 1/T2 and ln t2 (:func:`vapour_law`, fitted on the model and reported); the heat-up ramp, during
  which the source is still cooler, bends it a little near short times and the table carries that.
- **Skin** on (ln loading, stage-III peak, ln pulse time): thickness (as ln), surface Zn, the phase
  margin (highest Zn fraction in the profile minus the α solvus at the freeze temperature — single-phase α
  when ≤ 0), melt depth, stage-III energy, the stage-III power reach (:func:`stage3_power_reach`: the power
  the moving-web heater needs for the peak at speed = heater length / pulse, over the heater's limit) and the
  nucleation-overpotential terms. The stage-II
  settings enter only through the loading (checked: < 2 % on the skin between 700 and 900 K).
- **Coil anneal** on (1/T_soak, ln t_soak): furnace energy, forming gas and cycle time per m² of product (full
  batches). The texture it gives needs no table: ln θ_soak = ln t − (Q/R)/T + Q/(R T_cal) is exact (Arrhenius
  additivity), and the least θ for a (100) target is a closed-form inverse of JMAK.
- **Plating** per bath on (ln j, ln pace of the plating web): current efficiency (ln), energy per kg, and the
  electroformed texture; loading and foil thickness then follow Faraday exactly (linear in ln j, ln ε,
  ln time).

Each table is checked on held-out samples drawn at random in its box (the stage-II settings of the skin
samples drawn at random too); the errors are kept in :class:`Surrogates` and reported.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.pwl import GridTable
from optimizer.space import STAGE3_GUARD_SIGMA, DecisionSpace, SearchRanges, decision_space
from process_models.cache import EvaluationCache
from process_models.collector.recipe import CollectorRecipe, CollectorResult, evaluate_collectors
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.plating.baths import Bath, get_bath
from process_models.plating.electrodeposition import (
    cell_voltage,
    diffusion_layer_m,
    partial_currents,
    plated_mass_kg_per_m2,
    plating_energy_kWh_per_m2,
)
from process_models.quality.indicators import cu_surface_factor, nucleation_overpotential_V
from process_models.texture.coil_anneal import FurnaceLoad, anneal_cycle
from process_models.texture.texture_model import electroformed_texture_array, recrystallised_fraction
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.recipe import RecipeResult, Stage2Cache, UHTRecipe, evaluate_recipes
from process_models.uht.web_heater import solve_web_heater
from process_models.uht.zn_supply import vapour_supply_flux_mol_per_m2_s
from twin.physics_memo import PhysicsMemo

STAGE2_RAMP_USABLE_FRAC = 0.5  # = optimizer.blocks.uht_line.RAMP2_MAX_FRAC: where the MILP may place stage II
SKIN_FLOOR_NM = 1.0  # ln of the skin thickness is taken of max(skin, 1 nm): "no skin" stays finite
SKIN_OUTPUTS = ("ln_skin", "surface_zn", "margin", "melt_nm", "melt_margin_K", "energy3", "reach3", "deposited",
                "eta_a", "eta_b")
STAGE2_OUTPUTS = ("ln_loading", "energy2_vapour", "energy2_plated", "recryst", "ramp2", "T2", "failed_vapour",
                  "failed_plated")
PLATING_OUTPUTS = ("ln_eff", "kwh_per_kg", "f100", "s_cu")


@dataclass
class Surrogates:
    """The tables of one decision space, with their held-out errors."""

    stage2: GridTable
    skin: dict[str, GridTable]
    plating: dict[str, GridTable]
    law: dict[str, float]
    errors: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    samples: int = 0
    seconds: float = 0.0
    solvus_zn_frac: float = 0.0
    nominal_loading_kg_per_m2: float = 0.0
    faraday_ln_kg_per_A_s: dict[str, float] = field(default_factory=dict)
    metal_density_kg_per_m3: dict[str, float] = field(default_factory=dict)
    anneal: GridTable | None = None
    # issue 14: the asked skin metals and the tables and limits of those other than Zn (optimizer.metal_surrogates)
    skin_metals: tuple[str, ...] = ("Zn",)
    metals: dict[str, GridTable] = field(default_factory=dict)
    metal_specs: dict[str, Any] = field(default_factory=dict)


COARSE_CACHE_SIZE = 8  # coarse table sets an OptimiserCache keeps (plant × parameters × skin window)
RECIPE_CACHE_SIZE = 4096  # whole-recipe outcomes an OptimiserCache keeps (≈ 10 kB each: a depth profile, accounts)
CHECK_CACHE_SIZE = 256  # process-model checks of MILP points an OptimiserCache keeps (a run checks ≈ 10–30)
REACH_CACHE_SIZE = 256  # stage-III power-reach batches an OptimiserCache keeps (one per skin table built)
SPACE_CACHE_SIZE = 64  # decision spaces an OptimiserCache keeps (scenario × parameters × ranges × modes)
ANNEAL_CACHE_SIZE = 64  # furnace point batches an OptimiserCache keeps (a table's vertices, a held-out draw)


@dataclass
class OptimiserCache:
    """The optimiser's caches, owned by its caller (``optimize(..., cache=)``; one per call unless shared, as
    ``pareto`` shares one across its optimisations): stage-II outcomes (the tables, refinements, held-out checks
    and model checks revisit the same stage-II settings with many stage-III pulses), the coarse tables of a plant,
    whole-recipe outcomes (:func:`safe_evaluate`), the twin checks' solved segment histories
    (:func:`twin_physics_memo`), the process-model checks of the MILP's points (:func:`check_collectors`) and the
    stage-III power reach of each skin table's samples (:func:`stage3_power_reach`), the decision spaces
    (:func:`decision_space_of`) and the furnace's outputs (:func:`anneal_points`). All are bounded
    :class:`~process_models.cache.EvaluationCache` s that register the citations of a value again on every hit.
    Not shared between threads (give each its own)."""

    stage2: Stage2Cache = field(default_factory=Stage2Cache)
    coarse: EvaluationCache[tuple, Surrogates] = field(
        default_factory=lambda: EvaluationCache(COARSE_CACHE_SIZE))
    recipes: EvaluationCache[tuple, RecipeResult | None] = field(
        default_factory=lambda: EvaluationCache(RECIPE_CACHE_SIZE))
    params_ids: dict[tuple, int] = field(default_factory=dict)  # parameter values → a short id in recipe keys
    twin_physics: PhysicsMemo = field(default_factory=PhysicsMemo)  # the twin checks' solved segment histories
    checks: EvaluationCache[tuple, CollectorResult] = field(
        default_factory=lambda: EvaluationCache(CHECK_CACHE_SIZE))
    reach: EvaluationCache[tuple, np.ndarray] = field(default_factory=lambda: EvaluationCache(REACH_CACHE_SIZE))
    spaces: EvaluationCache[tuple, DecisionSpace] = field(
        default_factory=lambda: EvaluationCache(SPACE_CACHE_SIZE))
    anneal: EvaluationCache[tuple, dict[str, np.ndarray]] = field(
        default_factory=lambda: EvaluationCache(ANNEAL_CACHE_SIZE))

    def clear(self) -> None:
        self.stage2.clear()
        self.coarse.clear()
        self.recipes.clear()
        self.params_ids.clear()
        self.twin_physics.clear()
        self.checks.clear()
        self.reach.clear()
        self.spaces.clear()
        self.anneal.clear()

    def computed(self) -> int:
        """How many values were ever computed into this cache (each part's misses, and the parameter ids): equal
        before and after a run when the run found everything in it (nothing new worth writing back)."""
        return (self.stage2.misses + self.coarse.misses + self.recipes.misses + self.twin_physics.misses
                + self.checks.misses + self.reach.misses + self.spaces.misses + self.anneal.misses
                + len(self.params_ids))

    def params_id(self, params: ParameterValues) -> int:
        """A short id of the parameter values ``params`` in this cache's keys (the same values, the same id)."""
        return self.params_ids.setdefault(tuple(params.items()), len(self.params_ids))

    @contextmanager
    def active(self) -> Iterator[OptimiserCache]:
        """Within the block, this cache's stage-II part serves :func:`safe_evaluate` and the model checks
        (:func:`stage2_cache`); outside any block, stage II is computed afresh."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


_ACTIVE: ContextVar[OptimiserCache | None] = ContextVar("optimiser_cache", default=None)


def stage2_cache() -> Stage2Cache | None:
    """The stage-II cache of the :class:`OptimiserCache` active in this context (``None``: none, no caching)."""
    c = _ACTIVE.get()
    return None if c is None else c.stage2


def decision_space_of(scenario: Any, params: ParameterValues, ranges: SearchRanges | None = None,
                      modes: tuple[str, ...] | None = None) -> DecisionSpace:
    """:func:`optimizer.space.decision_space`; inside an active :class:`OptimiserCache` served from its ``spaces``
    when the scenario (its JSON), the parameter values, the ranges and the modes are those of an earlier call. The
    space's furnace edge (the hottest soak that does not stick the wraps) needs scipy's exponential integral, and
    importing ``scipy.special`` alone cost a warm ``optimize --cache-dir`` ≈ 0.08 s (issue 15)."""
    active = _ACTIVE.get()
    if active is None:
        return decision_space(scenario, params, ranges, modes)
    key = (scenario.model_dump_json(), repr(ranges), None if modes is None else tuple(modes),
           active.params_id(params))
    return active.spaces.get_many([key], lambda missing: [decision_space(scenario, params, ranges, modes)])[0]


def twin_physics_memo() -> PhysicsMemo | None:
    """The twin's segment-history memo of the :class:`OptimiserCache` active in this context (``None``: none): a
    twin check run again (a repeated optimisation, the same point checked twice) solves only histories new to it;
    its report is that of a fresh run, bit for bit (:mod:`twin.physics_memo`)."""
    c = _ACTIVE.get()
    return None if c is None else c.twin_physics


def safe_evaluate(recipes: list[UHTRecipe], params: ParameterValues) -> list[RecipeResult | None]:
    """``evaluate_recipes`` in one batch; if the batch fails, halves are retried so that only the recipes the
    model refuses (out of range, or settings it cannot solve) come back as ``None`` (recorded, the sweep goes on).

    Inside an active :class:`OptimiserCache`, a recipe already evaluated with the same parameter values is served
    from its ``recipes`` cache (its citations registered again) and only the others are solved, in one batch: the
    refinement's restarts, the melting-edge searches and a repeated optimisation (the twin check after a
    models-only run, the dashboard asking again) revisit the same recipes. A served outcome may differ from a
    fresh solve in the last bits, as outcomes of one recipe solved in different batches do."""
    if not recipes:
        return []
    active = _ACTIVE.get()
    if active is None:
        return _evaluate_batch(recipes, params)
    # the parameter values enter each key as an id (hashing ~300 values per key would cost more than a hit saves)
    pid = active.params_id(params)
    return active.recipes.get_many([(r, pid) for r in recipes],
                                   lambda missing: _evaluate_batch([k[0] for k in missing], params))


def check_collectors(recipe: CollectorRecipe, params: ParameterValues) -> CollectorResult:
    """``evaluate_collectors`` of the one collector recipe of a point's process-model check, with the active
    :class:`OptimiserCache`'s stage II.

    Inside an active cache, a recipe already checked with the same parameter values is served from its ``checks``
    (its citations registered again): a repeated optimisation (``foiltwin optimize --cache-dir`` run again, the
    dashboard asking again) checks the same points, ≈ 50 ms each. The outcome served was computed by this very
    call on the same recipe (one recipe, never a batch), so it is the fresh outcome bit for bit; it is a deep
    copy, so a caller that edits its dicts cannot change the cache."""
    active = _ACTIVE.get()
    if active is None:
        return evaluate_collectors([recipe], params)[0]
    pid = active.params_id(params)
    got = active.checks.get_many([(recipe, pid)],
                                 lambda missing: evaluate_collectors([k[0] for k in missing], params, active.stage2))
    return copy.deepcopy(got[0])


def _evaluate_batch(recipes: list[UHTRecipe], params: ParameterValues) -> list[RecipeResult | None]:
    """:func:`safe_evaluate` without the recipe cache: one batch, halves retried on a refusal."""
    if not recipes:
        return []
    try:
        return list(evaluate_recipes(recipes, params, stage2_cache()))
    except (FoiltwinInputError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        if len(recipes) == 1:
            return [None]
        half = len(recipes) // 2
        return _evaluate_batch(recipes[:half], params) + _evaluate_batch(recipes[half:], params)


def _recipe(space: DecisionSpace, **kw: float | str) -> UHTRecipe:
    """A recipe on the scenario's line: its foil, quench and stage-III heater length (speed = length / pulse)."""
    return UHTRecipe(foil_thickness_m=space.foil_thickness_m, cooling=space.cooling,  # type: ignore[arg-type]
                     stage3_heater_length_m=space.stage3_heater_length_m, **kw)


def stage3_power_reach(space: DecisionSpace, params: ParameterValues, T3: np.ndarray, t3: np.ndarray) -> np.ndarray:
    """Power per metre of width the moving-web heater needs for peak ``T3`` at speed L3/``t3``
    (:func:`process_models.uht.web_heater.solve_web_heater`, the line's foil and quench), over what the heater can
    give, ``heater_max_areal_power_W_per_m2`` × L3: ≤ 1 where the zone reaches the peak. One batched solve over
    the distinct (T3, t3).

    Inside an active :class:`OptimiserCache`, a batch solved before (the same distinct points, bit for bit, on the
    same line and parameter values) is served from its ``reach`` cache: a repeated optimisation rebuilds the same
    local skin tables (≈ 20 ms of Newton solves each). The whole batch is the key, so a served reach is the one
    this batch solved, bit for bit (a point solved in another batch may differ in the last bits)."""
    pts, inverse = np.unique(np.column_stack([np.asarray(T3, float), np.asarray(t3, float)]), axis=0,
                             return_inverse=True)
    active = _ACTIVE.get()
    if active is None:
        reach = _power_reach(space, params, pts)
    else:
        pid = active.params_id(params)
        key = (space.stage3_heater_length_m, space.foil_thickness_m, space.cooling, pts.shape, pts.tobytes(), pid)
        reach = active.reach.get_many([key], lambda missing: [_power_reach(space, params, pts)])[0]
    return reach[np.ravel(inverse)]


def _power_reach(space: DecisionSpace, params: ParameterValues, pts: np.ndarray) -> np.ndarray:
    """:func:`stage3_power_reach` at the distinct points ``pts`` (rows T3 [K], t3 [s]), solved (no cache)."""
    L = space.stage3_heater_length_m
    peak = np.minimum(pts[:, 0], params["cu_melting_temperature_K"] - 1.0)
    res = solve_web_heater(L / pts[:, 1], L, space.foil_thickness_m, peak_K=peak, cooling=space.cooling,
                           params=params)
    return res.power_W_per_m / (params["heater_max_areal_power_W_per_m2"] * L)


def vapour_law(space: DecisionSpace, params: ParameterValues, n: int = 24) -> dict[str, float]:
    """Fit ln J = a + b/T of the vapour supply flux over the stage-II range (exact transform, fit error kept).

    J from :func:`process_models.uht.zn_supply.vapour_supply_flux_mol_per_m2_s` (the registry's vapour pressure
    and transfer efficiency); ``b`` is −ΔH_vap/R of the liquid-Zn correlation plus the √T of Hertz–Knudsen.
    """
    T = np.linspace(*space.stage2_temperature_K, n)
    lnJ = np.log(vapour_supply_flux_mol_per_m2_s(T, params))
    X = np.column_stack([np.ones_like(T), 1.0 / T])
    coef, *_ = np.linalg.lstsq(X, lnJ, rcond=None)
    resid = lnJ - X @ coef
    return {"a_ln_mol_per_m2_s": float(coef[0]), "b_K": float(coef[1]), "max_abs_ln_error": float(np.abs(resid).max())}


# ------------------------------------------------------------------------------------------------ stage II
def stage2_axes(space: DecisionSpace, n_z: int = 9, n_t: int = 11) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = space.stage2_temperature_K
    t_lo, t_hi = space.stage2_time_bounds_s()
    return np.linspace(1.0 / hi, 1.0 / lo, n_z), np.linspace(math.log(t_lo), math.log(t_hi), n_t)


def _vapour_stage2(space: DecisionSpace, params: ParameterValues, T2: np.ndarray, t2: np.ndarray
                   ) -> list[RecipeResult | None]:
    """Stage II alone on the vapour route (``None`` where the model cannot solve the settings)."""
    return safe_evaluate([_recipe(space, stage2_temperature_K=float(a), stage2_time_s=float(b), stage3_time_s=0.0)
                          for a, b in zip(T2, t2, strict=True)], params)


def _column(results: list[RecipeResult | None], get, fill: str = "max") -> np.ndarray:
    """One output over samples; a failed sample gets the worst good value (``fill``: max or min), 0 if none:
    finite, and never used, since the failure columns give failed vertices no weight on their route."""
    vals = np.array([np.nan if r is None else get(r) for r in results], dtype=float)
    good = vals[np.isfinite(vals)]
    worst = (good.max() if fill == "max" else good.min()) if good.size else 0.0
    return np.where(np.isfinite(vals), vals, worst)


def stage2_outputs(space: DecisionSpace, params: ParameterValues, z: np.ndarray, v: np.ndarray,
                   nominal_loading_kg_per_m2: float) -> dict[str, np.ndarray]:
    """Stage-II outputs at points (1/T2, ln t2): vapour and plated recipes without stage III.

    Samples the model cannot solve (a Newton failure, a film that does not fit) are marked in ``failed_vapour``
    / ``failed_plated`` (1.0; the plated column also when the vapour sample, which carries the texture, failed):
    the MILP gives such a vertex no weight on that route (``optimizer.model``), so the point is infeasible there.
    """
    T2, t2 = 1.0 / z, np.exp(v)
    vap = _vapour_stage2(space, params, T2, t2)
    if any(k.startswith("plated") for k in space.modes):
        pla = safe_evaluate([_recipe(space, zn_route="plated", plated_zn_loading_kg_per_m2=nominal_loading_kg_per_m2,
                                     stage2_temperature_K=float(a), stage2_time_s=float(b), stage3_time_s=0.0)
                             for a, b in zip(T2, t2, strict=True)], params)
    else:  # no plated route in this space: the column is never used
        pla = vap
    failed_v = np.array([r is None for r in vap])
    failed_p = np.array([r is None for r in pla]) | failed_v
    theta = _column(vap, lambda r: r.anneal_equivalent_time_s, "min")
    return {
        "ln_loading": np.log(_column(vap, lambda r: r.zn_deposited_mg_per_cm2, "min") * 1e-2),
        "energy2_vapour": _column(vap, lambda r: r.energy_kwh_per_m2),
        "energy2_plated": _column(pla, lambda r: r.energy_kwh_per_m2),
        "recryst": recrystallised_fraction(theta, params),
        "ramp2": (T2 - params["ambient_temperature_K"]) / (params["stage2_heating_rate_K_per_s"] * t2),
        "T2": T2,
        "failed_vapour": failed_v.astype(float),
        "failed_plated": failed_p.astype(float),
    }


def build_stage2(space: DecisionSpace, params: ParameterValues, nominal_loading_kg_per_m2: float,
                 n_z: int = 9, n_t: int = 11) -> GridTable:
    az, at = stage2_axes(space, n_z, n_t)
    table = GridTable("stage2", ("inv_T2", "ln_t2"), (az, at))
    V = table.vertices()
    out = stage2_outputs(space, params, V[:, 0], V[:, 1], nominal_loading_kg_per_m2)
    return table.with_values({k: v.reshape(table.shape) for k, v in out.items()})


# ------------------------------------------------------------------------------------------------ skin
def loading_range(targets_window_nm: tuple[float, float], params: ParameterValues,
                  spread: tuple[float, float] = (0.6, 1.7)) -> tuple[float, float]:
    """ln(loading [kg/m²]) range that can give skins in the window: the seed's nm per kg/m² (registry
    ``skin_reference_thickness_m`` / ``skin_reference_zn_loading_kg_per_m2``) widened by ``spread``."""
    nm_per_kg = params["skin_reference_thickness_m"] * 1e9 / params["skin_reference_zn_loading_kg_per_m2"]
    lo, hi = targets_window_nm
    return math.log(lo / (nm_per_kg * spread[1])), math.log(hi / (nm_per_kg * spread[0]))


def skin_box(space: DecisionSpace, l_range: tuple[float, float]) -> list[tuple[float, float]]:
    t_lo, t_hi = space.stage3_time_bounds_s()
    return [l_range, space.stage3_peak_K, (math.log(t_lo), math.log(t_hi))]


def _stage2_for_loading(space: DecisionSpace, params: ParameterValues, ln_loading: np.ndarray, b_K: float,
                        ln_t2: np.ndarray | None = None, T2: np.ndarray | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Stage-II (T2, t2) that deposit exp(ln_loading) kg/m²: at given times, Newton on 1/T2 with the slope b of
    the vapour law; at given temperatures, Newton on ln t2 (slope ≈ 1). Clipped to the model's ranges."""
    n = ln_loading.shape[0]
    if T2 is None:
        z = np.full(n, 1.0 / np.mean(space.stage2_temperature_K))
        v = np.asarray(ln_t2, dtype=float).copy()
    else:
        z = 1.0 / np.asarray(T2, dtype=float)
        v = np.full(n, math.log(np.sqrt(np.prod(space.stage2_time_bounds_s()))))
    z_lo, z_hi = 1.0 / 1100.0, 1.0 / 520.0  # inside the stage-II model range (500-1100 K)
    v_lo, v_hi = math.log(1.0), math.log(3000.0)
    for _ in range(6):
        res = _vapour_stage2(space, params, 1.0 / z, np.exp(v))
        got = np.array([np.nan if r is None else r.zn_deposited_mg_per_cm2 for r in res])
        # a sample the model cannot solve stays where it is (its skin sample fails and is marked so)
        err = np.where(np.isfinite(got), ln_loading - np.log(np.where(np.isfinite(got), got, 1.0) * 1e-2), 0.0)
        if np.all(np.abs(err) < 2e-4):
            break
        if T2 is None:
            z = np.clip(z + err / b_K, z_lo, z_hi)
        else:
            v = np.clip(v + err, v_lo, v_hi)
    return 1.0 / z, np.exp(v)


# values given to samples the model refused (never seen in practice inside the search ranges): they make the
# vertex unusable for the MILP (not single-phase, melting) instead of guessing
_FAILED = {"ln_skin": math.log(SKIN_FLOOR_NM), "surface_zn": 0.0, "margin": 1.0, "melt_nm": 1e4, "energy3": 0.0,
           "deposited": 0.0, "eta_a": 1e3, "eta_b": 0.0, "alpha": 0.0, "skin_nm": 0.0}


def _skin_outputs(results: list[RecipeResult | None], T3: np.ndarray, t3: np.ndarray, params: ParameterValues,
                  solvus: float) -> dict[str, np.ndarray]:
    ok = np.array([r is not None for r in results])
    good = [r for r in results if r is not None]
    n = len(results)
    out = {k: np.full(n, v, dtype=float) for k, v in _FAILED.items()}
    out["failed"] = (~ok).astype(float)
    if not good:
        return out
    ref = np.array([params[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
    tex_ref = np.append(ref, 1.0 - ref.sum())
    tex_cube = np.array([params[f"texture_cube_end_{f}_frac"] for f in ("111", "100", "110")])
    tex_cube = np.append(tex_cube, 1.0 - tex_cube.sum())
    s_ref, s_cube = (float(cu_surface_factor(t, params)[0]) for t in (tex_ref, tex_cube))
    # surface for the indicator as process_models.collector.recipe builds it: β grouped with γ, α counted as brass
    # in proportion to x_s / skin_reference_zn_frac
    gam = np.array([r.surface_phase_fractions.get("gamma", 0.0) + r.surface_phase_fractions.get("beta", 0.0)
                    for r in good])
    brass = np.array([min(max(r.surface_zn_at_frac / params["skin_reference_zn_frac"], 0.0), 1.0)
                      * r.surface_phase_fractions.get("alpha", 0.0) for r in good])
    gam = np.clip(gam, 0.0, 1.0)
    brass = np.clip(np.minimum(brass, 1.0 - gam), 0.0, 1.0)
    m = len(good)
    eta_ref = 1e3 * nucleation_overpotential_V(np.tile(tex_ref, (m, 1)), gam, brass, 0.0, params=params)
    eta_cube = 1e3 * nucleation_overpotential_V(np.tile(tex_cube, (m, 1)), gam, brass, 0.0, params=params)
    eta_b = (eta_ref - eta_cube) / (s_ref - s_cube)  # η = η_a + η_b · S_Cu(texture): linear in S_Cu
    values = {
        "ln_skin": np.log(np.maximum([r.skin_thickness_nm for r in good], SKIN_FLOOR_NM)),
        "surface_zn": np.array([r.surface_zn_at_frac for r in good]),
        "margin": np.array([max(r.profile_zn_at_frac) for r in good]) - solvus,
        "melt_nm": np.array([r.max_melt_depth_nm for r in good]),
        "energy3": np.array([r.energy_by_stage_kwh_per_m2["stage3"] for r in good]),
        "deposited": np.array([r.zn_deposited_mg_per_cm2 * 1e-2 for r in good]),
        "eta_a": eta_ref - eta_b * s_ref,
        "eta_b": eta_b,
        "alpha": np.array([1.0 if r.skin_phase == "alpha" else 0.0 for r in good]),
        "skin_nm": np.array([r.skin_thickness_nm for r in good]),
    }
    for k, v in values.items():
        out[k][ok] = v
    return out


def _guard_stage3(out: dict[str, np.ndarray], recipes_at, T3: np.ndarray, t3: np.ndarray, space: DecisionSpace,
                  params: ParameterValues, solvus: float) -> None:
    """The line's peak scatters around its set point (σ = ``space.stage3_scatter_K``), and the single-phase-α
    window is 10-25 K wide: melting is judged at T3 + kσ (k = :data:`~optimizer.space.STAGE3_GUARD_SIGMA`), so a
    recommendation keeps kσ from the melting edge, where the cost optimum lies (the fastest pulse that converts).
    Skin, surface Zn, phase and energy stay at the set point (the α edge is not guarded: see docs/optimizer.md)."""
    d = STAGE3_GUARD_SIGMA * space.stage3_scatter_K
    if d <= 0.0:
        return
    T_melt = params["cu_melting_temperature_K"] - 1.0
    hot = _skin_outputs(safe_evaluate(recipes_at(np.minimum(T3 + d, T_melt)), params), T3, t3, params, solvus)
    out["melt_nm"] = np.maximum(out["melt_nm"], hot["melt_nm"])
    out["failed"] = np.maximum(out["failed"], hot["failed"])


def _skin_recipes(space: DecisionSpace, params: ParameterValues, route: str, points: np.ndarray,
                  ln_t2: np.ndarray, b_K: float, stage2_T_K: np.ndarray | None = None
                  ) -> Callable[[np.ndarray], list[UHTRecipe]]:
    """The recipes of points (ln loading, T3, ln t3) as a function of their stage-III peaks [K] (of the points
    ``idx`` only, when given). Vapour: stage II chosen to deposit the loading at the given ln t2; plated: the loading
    is plated, stage II at (stage2_T_K, exp(ln_t2))."""
    lnL, v3 = points[:, 0], points[:, 2]
    t3 = np.exp(v3)
    if route == "vapour":
        T2, t2 = _stage2_for_loading(space, params, lnL, b_K, ln_t2=ln_t2, T2=stage2_T_K)

        def recipes_at(peaks: np.ndarray, idx: np.ndarray | None = None) -> list[UHTRecipe]:
            i = slice(None) if idx is None else idx
            return [_recipe(space, stage2_temperature_K=float(a), stage2_time_s=float(b), stage3_peak_K=float(c),
                            stage3_time_s=float(d)) for a, b, c, d in zip(T2[i], t2[i], peaks, t3[i], strict=True)]
        return recipes_at
    T2 = stage2_T_K if stage2_T_K is not None else np.full(lnL.shape, np.mean(space.stage2_temperature_K))

    def plated_at(peaks: np.ndarray, idx: np.ndarray | None = None) -> list[UHTRecipe]:
        i = slice(None) if idx is None else idx
        return [_recipe(space, zn_route="plated", plated_zn_loading_kg_per_m2=float(math.exp(a)),
                        stage2_temperature_K=float(b), stage2_time_s=float(math.exp(c)), stage3_peak_K=float(d),
                        stage3_time_s=float(e))
                for a, b, c, d, e in zip(lnL[i], T2[i], ln_t2[i], peaks, t3[i], strict=True)]
    return plated_at


def evaluate_skin_points(space: DecisionSpace, params: ParameterValues, route: str, points: np.ndarray,
                         ln_t2: np.ndarray, b_K: float, solvus: float,
                         stage2_T_K: np.ndarray | None = None, guard: bool = False,
                         recipes_at: Callable[[np.ndarray], list[UHTRecipe]] | None = None
                         ) -> dict[str, np.ndarray]:
    """True outputs at points (ln loading, T3, ln t3) (recipes as :func:`_skin_recipes` makes them)."""
    T3, t3 = points[:, 1], np.exp(points[:, 2])
    recipes_at = recipes_at or _skin_recipes(space, params, route, points, ln_t2, b_K, stage2_T_K)
    recipes = recipes_at(T3)
    out = _skin_outputs(safe_evaluate(recipes, params), T3, t3, params, solvus)
    if guard:
        _guard_stage3(out, recipes_at, T3, t3, space, params, solvus)
    out["reach3"] = stage3_power_reach(space, params, T3, t3)
    t2 = np.array([r.stage2_time_s for r in recipes])
    out["T2"] = np.array([r.stage2_temperature_K for r in recipes], float)
    out["ramp2"] = (out["T2"] - params["ambient_temperature_K"]) / (params["stage2_heating_rate_K_per_s"] * t2)
    # did the sample get the loading its coordinate asks for? (stage II may be clipped at the model's range)
    lnL = points[:, 0]
    out["loading_error"] = np.log(np.maximum(out["deposited"], 1e-30)) - lnL if route == "vapour" else 0.0 * lnL
    return out


MELT_EDGE_TOL_K = 1.5  # the melting edge of a skin table's column is found to this [K]; the refinement corrects it
# at each checked point by the point's own edge (optimizer.verify.melt_edge_K, to 0.3 K)
MELT_EDGE_POINTS = 4  # peaks tried per column and round (the bracket shrinks ×5 per round)


def _melt_edge_margin(melt_nm: np.ndarray, recipes_at: Callable[[np.ndarray], list[UHTRecipe]],
                      T3_axis: np.ndarray, shape: tuple[int, int, int], d_K: float,
                      params: ParameterValues, tol_K: float = MELT_EDGE_TOL_K) -> np.ndarray:
    """Melting margin [K] at the vertices of a skin table (axes ln loading, T3, ln t3; C order): how far the peak
    set point can rise before the foil melts at the set point + ``d_K`` (the guard), ``edge(loading, t3) − T3``.

    Melt depth jumps (default plant, 4.1 m/min: 0 nm at 1105 K, 36 nm at 1107 K; 3 m/min: 0 → 174 nm), so
    interpolating it between T3 knots 35 K apart puts the edge at the last knot below it, far from the cost optimum
    (the fastest pulse that converts sits at the edge: 4.85 instead of 3.04 USD/m² on the default plant). The edge
    itself varies smoothly with the loading and the pulse: it is searched per (loading, pulse) column to ``tol_K``
    (the bracket from the knots' melt depths, found by the table's own sampling;
    beyond the last knot at most one spacing, never past the Cu melting point), and the margin is linear in T3, so
    the table interpolates it exactly along T3. A recipe the model refuses counts as melting (conservative)."""
    n0, n1, n2 = shape
    melt = melt_nm.reshape(shape)
    spacing = float(T3_axis[-1] - T3_axis[0]) / max(n1 - 1, 1)
    cap = params["cu_melting_temperature_K"] - 1.0
    lo, hi = np.empty((n0, n2)), np.empty((n0, n2))
    for i0 in range(n0):
        for i2 in range(n2):
            hot = np.nonzero(melt[i0, :, i2] > 0.0)[0]
            if hot.size == 0:
                lo[i0, i2], hi[i0, i2] = T3_axis[-1], max(min(T3_axis[-1] + spacing, cap), T3_axis[-1])
            else:
                j = int(hot[0])
                lo[i0, i2] = T3_axis[j - 1] if j > 0 else T3_axis[0] - spacing
                hi[i0, i2] = T3_axis[j]
    rep = np.array([[np.ravel_multi_index((i0, 0, i2), shape) for i2 in range(n2)] for i0 in range(n0)]).ravel()
    lo, hi = lo.ravel() - d_K, hi.ravel() - d_K  # the knots' melt is at the set point: the guarded edge is d_K lower
    # k-section: each round evaluates k points inside every column's bracket in one batch (a batch's fixed cost,
    # ~65 ms, is ~15 recipes' worth: fewer, wider rounds beat bisection)
    k = MELT_EDGE_POINTS
    frac = np.arange(1, k + 1) / (k + 1)
    while np.max(hi - lo) > tol_K:
        pts = lo[:, None] + (hi - lo)[:, None] * frac[None, :]  # (columns, k)
        peaks = np.minimum(pts.ravel() + d_K, params["cu_melting_temperature_K"] - 1.0)
        res = safe_evaluate(recipes_at(peaks, np.repeat(rep, k)), params)
        melts = np.array([r is None or r.max_melt_depth_nm > 0.0 for r in res]).reshape(pts.shape)
        first = np.where(melts.any(axis=1), melts.argmax(axis=1), k)  # first melting point (k: none melts)
        cols = np.arange(len(rep))
        new_lo = np.where(first > 0, pts[cols, np.maximum(first - 1, 0)], lo)
        hi = np.where(first < k, pts[cols, np.minimum(first, k - 1)], hi)
        lo = new_lo
    edge = lo.reshape(n0, 1, n2)
    return (edge - T3_axis.reshape(1, n1, 1)).ravel()


def build_skin(space: DecisionSpace, params: ParameterValues, route: str, box: list[tuple[float, float]],
               shape: tuple[int, int, int], b_K: float, solvus: float, ln_t2_nominal: float,
               T2_nominal: float, guard: bool = False) -> GridTable:
    """Skin outputs on the vertices of ``box``, and the melting margin (:func:`_melt_edge_margin`). ``guard``:
    melting judged kσ of the line's stage-III scatter above the set point (:func:`_guard_stage3`; the local tables
    a recommendation is read from); the coarse tables, which only pick the mode and the region to refine, stay at
    the set point."""
    axes = tuple(np.linspace(lo, hi, n) for (lo, hi), n in zip(box, shape, strict=True))
    table = GridTable(f"skin_{route}", ("ln_loading", "T3", "ln_t3"), axes)
    V = table.vertices()
    ln_t2 = np.full(len(V), ln_t2_nominal)  # vapour: stage II at the nominal time, its temperature per loading
    T2 = None if route == "vapour" else np.full(len(V), T2_nominal)
    recipes_at = _skin_recipes(space, params, route, V, ln_t2, b_K, T2)
    out = evaluate_skin_points(space, params, route, V, ln_t2, b_K, solvus, T2, recipes_at=recipes_at)
    d_K = STAGE3_GUARD_SIGMA * space.stage3_scatter_K if guard else 0.0
    out["melt_margin_K"] = _melt_edge_margin(out["melt_nm"], recipes_at, axes[1], shape, d_K, params)
    return table.with_values({k: out[k].reshape(table.shape) for k in SKIN_OUTPUTS})


# ------------------------------------------------------------------------------------------------ plating
_BATH_CACHE: dict[tuple[str, int], tuple[ParameterValues, Bath]] = {}


def bath_of(name: str, params: ParameterValues) -> Bath:
    """``get_bath`` memoised per parameter set (building a bath probes the registry and takes ~0.2 s)."""
    key = (name, id(params))
    hit = _BATH_CACHE.get(key)
    if hit is None or hit[0] is not params:
        hit = (params, get_bath(name, params))
        _BATH_CACHE[key] = hit
        if len(_BATH_CACHE) > 64:
            _BATH_CACHE.pop(next(iter(_BATH_CACHE)))
    return hit[1]


def plating_points(space: DecisionSpace, params: ParameterValues, bath_name: str, lj: np.ndarray,
                   ue: np.ndarray) -> dict[str, np.ndarray]:
    """Plating outputs at (ln j, ln pace [s/m]) of the plating web, as the twin's line computes them."""
    ed = space.ed
    assert ed is not None
    bath = bath_of(bath_name, params)
    T = bath.temperature_K if ed.bath_temperature_K is None else ed.bath_temperature_K
    j = np.exp(lj)
    speed = 1.0 / np.exp(ue)
    delta = diffusion_layer_m(bath, speed, ed.tank_length_m, T, params=params)
    point = partial_currents(bath, j, temperature_K=T, diffusion_layer_m=delta, params=params)
    eff = np.clip(np.asarray(point.current_efficiency_frac, dtype=float), 1e-3, None)
    volts = cell_voltage(bath, j, temperature_K=T, diffusion_layer_m=delta, anode=ed.anode, params=params).total_V
    metal = bath.metal.symbol
    faces = 1.0 if metal == "Cu" else params["plating_web_faces_count"]
    kwh = plating_energy_kWh_per_m2(volts, j, np.ones_like(j), faces_count=faces, params=params)
    kg = plated_mass_kg_per_m2(metal, j, np.ones_like(j), eff, params) * faces
    if metal == "Cu":
        tex = electroformed_texture_array(j, np.full(j.shape, T), "fsi" if bath_name.endswith("fsi") else "none",
                                          params)
        f100, s_cu = tex[:, 1], cu_surface_factor(tex, params)
    else:
        f100, s_cu = np.zeros_like(j), np.ones_like(j)
    return {"ln_eff": np.log(eff), "kwh_per_kg": np.asarray(kwh / kg, dtype=float), "f100": np.asarray(f100),
            "s_cu": np.asarray(s_cu, dtype=float)}


def plating_box(space: DecisionSpace) -> list[tuple[float, float]]:
    ed = space.ed
    assert ed is not None
    j_lo, j_hi = ed.current_density_A_per_m2
    return [(math.log(j_lo), math.log(j_hi))]


def nominal_ed_pace(space: DecisionSpace) -> float:
    """ln of the plating web's pace at the geometric middle of its speed range [s/m]."""
    ed = space.ed
    assert ed is not None
    return math.log(60.0 / math.sqrt(ed.speed_m_per_min[0] * ed.speed_m_per_min[1]))


def build_plating(space: DecisionSpace, params: ParameterValues, bath_name: str, n: int = 9) -> GridTable:
    """Plating outputs on ln j, at the middle of the plating speed range (the web speed only enters ε through
    the mass-transfer layer, < 0.5 % over the range: measured on the held-out samples, at random speeds)."""
    (lo, hi), = plating_box(space)
    axis = np.linspace(lo, hi, n)
    table = GridTable(f"plating_{bath_name}", ("ln_j",), (axis,))
    out = plating_points(space, params, bath_name, axis, np.full(n, nominal_ed_pace(space)))
    return table.with_values({k: out[k] for k in PLATING_OUTPUTS})


# ------------------------------------------------------------------------------------------------ coil anneal
ANNEAL_OUTPUTS = ("energy_kwh_per_m2", "gas_Nm3_per_m2", "cycle_s_per_m2")


def anneal_points(space: DecisionSpace, params: ParameterValues, inv_T: np.ndarray, ln_t: np.ndarray
                  ) -> dict[str, np.ndarray]:
    """Furnace outputs per m² of product at (1/T_soak, ln soak time [s]), full batches
    (:func:`process_models.texture.coil_anneal.anneal_cycle`).

    Inside an active :class:`OptimiserCache`, the same points (bit for bit) on the same furnace space and parameter
    values are served from its ``anneal`` cache: the final tables' held-out check draws them again on every run
    with the same seed, and the cycle's ramps need scipy's exponential integral (importing ``scipy.special`` cost a
    warm run ≈ 0.08 s; issue 15)."""
    active = _ACTIVE.get()
    if active is None:
        return _anneal_points(space, params, inv_T, ln_t)
    inv_T, ln_t = np.asarray(inv_T, float), np.asarray(ln_t, float)
    key = (space.anneal, space.coil_length_m, space.width_m, space.foil_thickness_m, inv_T.shape, inv_T.tobytes(),
           ln_t.shape, ln_t.tobytes(), active.params_id(params))
    got = active.anneal.get_many([key], lambda missing: [_anneal_points(space, params, inv_T, ln_t)])[0]
    return {k: v.copy() for k, v in got.items()}  # the caller may write into its arrays


def _anneal_points(space: DecisionSpace, params: ParameterValues, inv_T: np.ndarray, ln_t: np.ndarray
                   ) -> dict[str, np.ndarray]:
    """:func:`anneal_points` computed (no cache)."""
    a = space.anneal
    assert a is not None
    load = FurnaceLoad(coils_count=a.coils_per_batch, coil_length_m=space.coil_length_m, coil_width_m=space.width_m,
                       foil_thickness_m=space.foil_thickness_m)
    T = np.clip(1.0 / inv_T, *a.soak_temperature_K)  # round-off of 1/(1/T) must not step past the wound limit
    cyc = anneal_cycle(T, np.exp(ln_t), load, params, heating_rate_K_per_s=a.heating_rate_K_per_s,
                       cooling_rate_K_per_s=a.cooling_rate_K_per_s)
    return {"energy_kwh_per_m2": np.asarray(cyc.energy_kwh_per_m2, float),
            "gas_Nm3_per_m2": np.asarray(cyc.protective_gas_Nm3_per_m2, float),
            "cycle_s_per_m2": np.asarray(cyc.cycle_time_s, float) / load.area_m2}


def anneal_box(space: DecisionSpace) -> list[tuple[float, float]]:
    a = space.anneal
    assert a is not None
    lo, hi = a.soak_temperature_K
    return [(1.0 / hi, 1.0 / lo), (math.log(a.soak_h[0] * 3600.0), math.log(a.soak_h[1] * 3600.0))]


def build_anneal(space: DecisionSpace, params: ParameterValues, shape: tuple[int, int] = (5, 7)) -> GridTable:
    """Furnace energy, gas and cycle time per m² on (1/T_soak, ln t_soak): smooth (heat ∝ T, losses ∝ (T − T_a)·t,
    cycle ∝ t + ramps), so a coarse table carries them; its held-out error is reported."""
    axes = tuple(np.linspace(lo, hi, n) for (lo, hi), n in zip(anneal_box(space), shape, strict=True))
    table = GridTable("anneal", ("inv_T_soak", "ln_t_soak"), axes)
    V = table.vertices()
    out = anneal_points(space, params, V[:, 0], V[:, 1])
    return table.with_values({k: out[k].reshape(table.shape) for k in ANNEAL_OUTPUTS})


# ------------------------------------------------------------------------------------------------ errors
def _stats(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    e = np.abs(pred - true)
    if e.size == 0:  # every sample failed
        return {"n": 0}
    return {"max_abs": float(e.max()), "p95_abs": float(np.quantile(e, 0.95)), "mean_abs": float(e.mean()),
            "n": int(e.size)}


def held_out_errors(space: DecisionSpace, params: ParameterValues, s: Surrogates, rng: np.random.Generator,
                    window_nm: tuple[float, float], n_stage2: int = 24, n_skin: int = 24, n_plating: int = 40,
                    routes: tuple[str, ...] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """Errors of every table on samples drawn at random in its box (never at its vertices)."""
    errors: dict[str, dict[str, dict[str, float]]] = {}
    box = s.stage2.bounds()
    P = np.column_stack([rng.uniform(lo, hi, n_stage2) for lo, hi in box])
    true = stage2_outputs(space, params, P[:, 0], P[:, 1], s.nominal_loading_kg_per_m2)
    keep = true["failed_vapour"] < 0.5  # samples the model could not solve carry no error
    P, true = P[keep], {k: v[keep] for k, v in true.items()}
    pred = s.stage2.interpolate(P)
    errors["stage2"] = {k: _stats(pred[k], true[k]) for k in ("ln_loading", "energy2_vapour", "recryst")}
    errors["stage2"]["failed_samples"] = {"n": int((~keep).sum())}
    use = true["ramp2"] <= STAGE2_RAMP_USABLE_FRAC
    if use.any():
        errors["stage2"]["ln_loading_usable"] = _stats(pred["ln_loading"][use], true["ln_loading"][use])
    for route, table in s.skin.items():
        if routes is not None and route not in routes:
            continue
        box = table.bounds()
        P = np.column_stack([rng.uniform(lo, hi, n_skin) for lo, hi in box])
        t_lo, t_hi = space.stage2_time_bounds_s()
        # stage-II times where the heat-up can stay within its allowed share at the hottest set point
        t_min = (space.stage2_temperature_K[1] - params["ambient_temperature_K"]) / (
            params["stage2_heating_rate_K_per_s"] * STAGE2_RAMP_USABLE_FRAC)
        ln_t2 = rng.uniform(math.log(max(t_lo, min(t_min, t_hi))), math.log(t_hi), n_skin)
        T2 = rng.uniform(*space.stage2_temperature_K, n_skin)
        true = evaluate_skin_points(space, params, route, P, ln_t2, s.law["b_K"], s.solvus_zn_frac,
                                    None if route == "vapour" else T2)
        keep = true["failed"] < 0.5
        P = P[keep]
        true = {k: v[keep] for k, v in true.items()}
        pred = table.interpolate(P)
        e = {k: _stats(pred[k], true[k]) for k in ("ln_skin", "surface_zn", "margin", "melt_nm", "energy3")}
        S_pred, S_true = np.exp(pred["ln_skin"]), true["skin_nm"]
        e["skin_nm"] = _stats(S_pred, S_true)
        # the usable region, where the MILP can put a recommendation: skins within half / one and a half of
        # the window, single-phase α (margin ≤ 0), peak reached, no melt, heat-up within its share, and the
        # sample really got the loading of its coordinate
        T2_lo, T2_hi = space.stage2_temperature_K
        use = ((S_true >= 0.5 * window_nm[0]) & (S_true <= 1.5 * window_nm[1]) & (true["reach3"] <= 1.0)
               & (true["melt_nm"] <= 0.0) & (true["ramp2"] <= STAGE2_RAMP_USABLE_FRAC)
               & (np.abs(true["loading_error"]) <= 2e-3) & (true["T2"] >= T2_lo) & (true["T2"] <= T2_hi)
               & (true["margin"] <= 0.0))
        e["usable_samples"] = {"n": int(use.sum())}
        if use.any():
            e["skin_nm_usable"] = _stats(S_pred[use], S_true[use])
            e["skin_rel_usable"] = _stats(S_pred[use] / S_true[use], np.ones(int(use.sum())))
            e["surface_zn_usable"] = _stats(pred["surface_zn"][use], true["surface_zn"][use])
        predicted_alpha = pred["margin"] <= 0.0
        agree = predicted_alpha == (true["alpha"] > 0.5)
        e["single_phase_alpha_classification"] = {"accuracy": float(agree.mean()), "n": int(agree.size),
                                                  "false_alpha": int(np.sum(predicted_alpha & (true["alpha"] < 0.5)))}
        e["failed_samples"] = {"n": int((~keep).sum())}
        errors[f"skin_{route}"] = e
    if s.anneal is not None:
        box = s.anneal.bounds()
        P = np.column_stack([rng.uniform(lo, hi, n_skin) for lo, hi in box])
        true = anneal_points(space, params, P[:, 0], P[:, 1])
        pred = s.anneal.interpolate(P)
        errors["anneal"] = {k: _stats(pred[k] / true[k], np.ones(n_skin)) for k in ANNEAL_OUTPUTS}  # relative
    for bath, table in s.plating.items():
        if n_plating <= 0:
            break
        (lo, hi), = table.bounds()
        lj = rng.uniform(lo, hi, n_plating)
        v_lo, v_hi = space.ed.speed_m_per_min if space.ed else (1.0, 1.0)
        ue = np.log(60.0 / rng.uniform(v_lo, v_hi, n_plating))
        true = plating_points(space, params, bath, lj, ue)
        pred = table.interpolate(lj[:, None])
        errors[f"plating_{bath}"] = {k: _stats(pred[k], true[k]) for k in ("ln_eff", "kwh_per_kg", "f100")}
    return errors


# ------------------------------------------------------------------------------------------------ build
@dataclass(frozen=True)
class SkinGrid:
    """Knots per axis of the skin tables (ln loading, stage-III peak, ln pulse time)."""

    shape: tuple[int, int, int] = (4, 7, 6)


def build_surrogates(space: DecisionSpace, params: ParameterValues, window_nm: tuple[float, float],
                     skin_boxes: dict[str, list[tuple[float, float]]] | None = None,
                     skin_shape: tuple[int, int, int] = (4, 7, 6), held_out: bool = True, seed: int = 0,
                     stage2: GridTable | None = None, plating: dict[str, GridTable] | None = None,
                     law: dict[str, float] | None = None, skin_metals: tuple[str, ...] = ("Zn",)) -> Surrogates:
    """Sample the tables the modes of ``space`` need; ``skin_boxes`` narrows the skin tables (refinement);
    ``skin_metals``: the metals the line may use (the others than Zn get a table each,
    :mod:`optimizer.metal_surrogates`)."""
    t0 = time.perf_counter()
    routes = sorted({m.split("_")[0] for m in space.modes})
    l_range = loading_range(window_nm, params)
    law = law or vapour_law(space, params)
    solvus = float(cuzn_phase_diagram().alpha_max_zn_frac(params["phase_freeze_temperature_K"]))
    nominal = float(math.exp(np.mean(l_range)))
    samples = 0
    if stage2 is None:
        stage2 = build_stage2(space, params, nominal)
        samples += (1 + any(k.startswith("plated") for k in space.modes)) * stage2.n_vertices
    ln_t2_mid = float(np.mean(stage2.axes[1]))
    T2_mid = float(np.mean(space.stage2_temperature_K))
    skin = {}
    for route in routes:
        box = (skin_boxes or {}).get(route) or skin_box(space, l_range)
        skin[route] = build_skin(space, params, route, box, skin_shape, law["b_K"], solvus, ln_t2_mid, T2_mid)
        samples += skin[route].n_vertices
    if plating is None:
        plating = {}
        if space.ed is not None:
            roles = {"vapour_electroformed": "cu", "plated_commercial": "zn"}
            for mode, role in roles.items():
                if mode in space.modes:
                    for bath in space.ed.baths[role]:
                        plating[bath] = build_plating(space, params, bath)
    anneal = build_anneal(space, params) if space.anneal is not None else None
    s = Surrogates(stage2=stage2, skin=skin, plating=plating, law=law, solvus_zn_frac=solvus, samples=samples,
                   nominal_loading_kg_per_m2=nominal, anneal=anneal)
    for metal in ("Cu", "Zn"):
        s.faraday_ln_kg_per_A_s[metal] = float(np.log(plated_mass_kg_per_m2(metal, 1.0, 1.0, 1.0, params)))
    if space.ed is not None:
        for role in ("cu", "zn"):
            b = bath_of(space.ed.baths[role][0], params)
            s.metal_density_kg_per_m3[b.metal.symbol] = float(b.metal.density_kg_per_m3)
    if skin_metals != ("Zn",):
        from optimizer.metal_surrogates import build_metal_skin, metal_spec

        s.skin_metals = skin_metals
        s.metal_specs = {x: metal_spec(space, x) for x in skin_metals if x != "Zn"}
        s.metals = {x: build_metal_skin(space, params, sp) for x, sp in s.metal_specs.items()}
        s.samples += sum(t.n_vertices for t in s.metals.values())
    if held_out:
        s.errors = table_errors(space, params, s, window_nm, seed)
    s.seconds = time.perf_counter() - t0
    return s


def table_errors(space: DecisionSpace, params: ParameterValues, s: Surrogates, window_nm: tuple[float, float],
                 seed: int) -> dict[str, dict[str, dict[str, float]]]:
    """The held-out errors of ``s`` (:func:`held_out_errors`, and each skin metal's other than Zn,
    :func:`optimizer.metal_surrogates.metal_held_out_errors`) from samples drawn with ``seed``."""
    errors = held_out_errors(space, params, s, np.random.default_rng(seed), window_nm)
    if s.metals:
        from optimizer.metal_surrogates import metal_held_out_errors

        rng = np.random.default_rng(seed + 7)
        for x, t in s.metals.items():
            errors[f"skin_{x}"] = metal_held_out_errors(space, params, s.metal_specs[x], t, rng)
    return errors
