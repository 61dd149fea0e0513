"""A UHT recipe (stage II Zn film + stage III pulse) evaluated without line dynamics, in batches.

``evaluate_recipes`` runs B recipes together: thermal histories, the two diffusion stages and the
post-processing are vectorised over the batch (foils of different thickness are grouped, because they
need different depth grids). Identical recipes are computed once. A caller that evaluates many recipes
sharing stage-II settings (a line varying its stage-III pulse, the optimiser's tables, the twin) owns a
:class:`Stage2Cache` and passes it in: stage III does not feed back on stage II, so its outcome is reused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Literal

import numpy as np

from process_models.cache import EvaluationCache
from process_models.citations import register
from process_models.costing.flows import Flows
from process_models.errors import FRACTION_ROUNDOFF, FoiltwinInputError, ModelConvergenceError, check_range
from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
from process_models.parameters.registry import ParameterValues
from process_models.readonly import ReadOnlyDict, freeze, thaw
from process_models.texture.texture_model import equivalent_time_s
from process_models.uht.alloying import (
    ZnSupply,
    collinear_keep_masks,
    film_on_profile,
    stage2_zn_film,
    stage3_conversion,
)
from process_models.uht.enclosure_convection import GasEnclosure
from process_models.uht.energy import to_kwh_per_m2, zn_source_energy_J_per_m2
from process_models.uht.flows import uht_flows_per_m2, web_line_time_h_per_m2
from process_models.uht.interdiffusion import DepthGrid, make_depth_grid
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.quench import QuenchResult, merge_results, quench_phases, unquenched_phases
from process_models.uht.skin_metrics import skin_metrics
from process_models.uht.stage3_history import stage3_histories
from process_models.uht.thermal import TemperatureHistory, setpoint_history
from process_models.uht.zn_evaporation import EVAPORATION_WARN_FRAC
from process_models.uht.zn_supply import plated_loading_mol_per_m2

ZnRoute = Literal["vapour", "plated"]
Cooling = Literal["contact", "free"]
Stage3Mode = Literal["web", "batch"]

FOIL_THICKNESS_RANGE_M = (3e-6, 50e-6)  # lumped (uniform-T) foil model; battery foils are 4.5-20 µm
STAGE2_TEMPERATURE_RANGE_K = (500.0, 1100.0)  # phase table from 500 K; γ islands below the γ peritectic
SOURCE_TEMPERATURE_RANGE_K = (500.0, 1180.0)  # Zn vapour-pressure correlations' validity
STAGE2_TIME_RANGE_S = (0.0, 3600.0)
STAGE3_TIME_RANGE_S = (0.0, 10.0)
PLATED_ZN_RANGE_KG_PER_M2 = (0.0, 0.1)  # open at 0 (10 mg/cm2: ~14 µm of Zn, beyond any foil's γ capacity)
CU_MELTING_K = CU_MELTING_TEMPERATURE_K  # the registry's cu_melting_temperature_K
STANDARD_STAGE3_TIME_S = 0.030  # seed 002 §2.1: the standard recipe's 30 ms stage III
LINE_SPEED_RANGE_M_PER_S = (1e-4, 10.0)
HEATER_LENGTH_RANGE_M = (1e-6, 1.0)
# open at 0; 1e8 W per metre of width melts any foil of the range many times over (the melt check refuses far
# less), and beyond ≈1e18 the melt check's own heater solve overflows
STAGE3_POWER_MAX_W_PER_M = 1e8
BATCH_CHUNK_SIZE = 1000  # recipes solved together at most (bounds the memory of the per-step tables). Chunks of 250
# were expected to help (the slowest foil sets a batch's loop length) but measured ×0.86 on 1,000 recipes
# (benchmarks/bench_recipe.py, 2026-12-02): fewer, larger array calls win here


@dataclass(frozen=True)
class UHTRecipe:
    """One batch recipe of the UHT line. ``None`` means "use the registry default".

    Stage III runs in ``stage3_mode`` "web" (default): the web moves at ``line_speed_m_per_s`` through a heater
    ``stage3_heater_length_m`` long, so the pulse time is L/v; give any two of (``stage3_time_s``, speed, length)
    — with neither speed nor length the registry's ``stage3_default_line_speed_m_per_s`` is used, with no time
    the seed's 30 ms (or L/v when both are given), and all three given must agree. ``stage3_peak_K`` (default:
    the calibrated peak) or ``stage3_power_W_per_m`` (electrical, per metre of width) sets the heater. "batch"
    is the lumped ramp-hold pulse of a stationary sample (``stage3_heating_rate_K_per_s``, peak, time).
    """

    foil_thickness_m: float = 10e-6
    zn_route: ZnRoute = "vapour"
    stage2_temperature_K: float = 750.0
    stage2_time_s: float = 120.0
    zn_source_temperature_K: float | None = None
    plated_zn_loading_kg_per_m2: float = 0.0
    stage3_peak_K: float | None = None
    stage3_time_s: float | None = None
    stage3_heating_rate_K_per_s: float | None = None
    cooling: Cooling = "contact"
    stage3_mode: Stage3Mode = "web"
    line_speed_m_per_s: float | None = None
    stage3_heater_length_m: float | None = None
    stage3_power_W_per_m: float | None = None

    def validated(self, params: ParameterValues) -> UHTRecipe:
        """A copy with defaults filled in; raises :class:`FoiltwinInputError` on any bad field."""
        lo, hi = FOIL_THICKNESS_RANGE_M
        check_range("foil_thickness_m", self.foil_thickness_m, lo, hi, unit="m")
        if self.zn_route not in ("vapour", "plated"):
            raise FoiltwinInputError("zn_route", self.zn_route, "one of vapour, plated")
        if self.cooling not in ("contact", "free"):
            raise FoiltwinInputError("cooling", self.cooling, "one of contact, free")
        check_range("stage2_time_s", self.stage2_time_s, *STAGE2_TIME_RANGE_S, unit="s")
        if self.stage2_time_s > 0.0:
            check_range("stage2_temperature_K", self.stage2_temperature_K, *STAGE2_TEMPERATURE_RANGE_K, unit="K")
        if self.zn_source_temperature_K is not None:
            check_range("zn_source_temperature_K", self.zn_source_temperature_K, *SOURCE_TEMPERATURE_RANGE_K,
                        unit="K")
        if self.zn_route == "plated":
            check_range("plated_zn_loading_kg_per_m2", self.plated_zn_loading_kg_per_m2, *PLATED_ZN_RANGE_KG_PER_M2,
                        low_inclusive=False, unit="kg/m2")
        elif self.stage2_time_s <= 0.0:
            raise FoiltwinInputError("stage2_time_s", self.stage2_time_s,
                                     "must be > 0 s on the vapour route (stage II is where Zn arrives)")
        if self.stage3_time_s is not None:
            check_range("stage3_time_s", self.stage3_time_s, *STAGE3_TIME_RANGE_S, unit="s")
        if self.stage3_mode not in ("web", "batch"):
            raise FoiltwinInputError("stage3_mode", self.stage3_mode, "one of web, batch")
        stage3 = self._stage3_batch(params) if self.stage3_mode == "batch" else self._stage3_web(params)
        return UHTRecipe(
            foil_thickness_m=float(self.foil_thickness_m), zn_route=self.zn_route,
            stage2_temperature_K=float(self.stage2_temperature_K), stage2_time_s=float(self.stage2_time_s),
            zn_source_temperature_K=self.zn_source_temperature_K,
            plated_zn_loading_kg_per_m2=float(self.plated_zn_loading_kg_per_m2), cooling=self.cooling,
            stage3_mode=self.stage3_mode, **stage3,
        )

    def _stage3_peak(self, params: ParameterValues, t3: float) -> float:
        peak = params["stage3_default_peak_temperature_K"] if self.stage3_peak_K is None else self.stage3_peak_K
        if t3 > 0.0:  # the web form needs a solid foil at the peak
            check_range("stage3_peak_K", peak, params["ambient_temperature_K"], CU_MELTING_K,
                        low_inclusive=False, high_inclusive=self.stage3_mode == "batch", unit="K")
        return float(peak)

    def _stage3_batch(self, params: ParameterValues) -> dict:
        for name in ("line_speed_m_per_s", "stage3_heater_length_m", "stage3_power_W_per_m"):
            if getattr(self, name) is not None:
                raise FoiltwinInputError(name, getattr(self, name), "None with stage3_mode 'batch' (a web setting)")
        rate = (params["stage3_heating_rate_K_per_s"] if self.stage3_heating_rate_K_per_s is None
                else self.stage3_heating_rate_K_per_s)
        t3 = STANDARD_STAGE3_TIME_S if self.stage3_time_s is None else float(self.stage3_time_s)
        if t3 > 0.0:
            check_range("stage3_heating_rate_K_per_s", rate, 1e2, 1e6, unit="K/s")
        return {"stage3_peak_K": self._stage3_peak(params, t3), "stage3_time_s": t3,
                "stage3_heating_rate_K_per_s": float(rate)}

    def _stage3_web(self, params: ParameterValues) -> dict:
        """Speed, length and time of the web form (any two given, the third follows), and the heater's set point."""
        if self.stage3_heating_rate_K_per_s is not None:
            raise FoiltwinInputError("stage3_heating_rate_K_per_s", self.stage3_heating_rate_K_per_s,
                                     "None with stage3_mode 'web' (the zone's physics sets the ramp; use 'batch')")
        v, L = self.line_speed_m_per_s, self.stage3_heater_length_m
        if v is not None:
            check_range("line_speed_m_per_s", v, *LINE_SPEED_RANGE_M_PER_S, unit="m/s")
        if L is not None:
            check_range("stage3_heater_length_m", L, *HEATER_LENGTH_RANGE_M, unit="m")
        if self.stage3_time_s is not None:
            t3 = float(self.stage3_time_s)
        elif L is not None and v is not None:
            t3 = L / v
            _check_pulse_of_length_and_speed(L, v)
        else:
            t3 = STANDARD_STAGE3_TIME_S
        if v is None and L is None:  # in range: the registry bounds the default inside LINE_SPEED_RANGE_M_PER_S
            v = params["stage3_default_line_speed_m_per_s"]
        if t3 > 0.0:  # a given speed or length is checked above, an implied one by the pulse that implies it
            if L is None:
                L = v * t3
                lo, hi = HEATER_LENGTH_RANGE_M
                _check_implied_pulse(t3, (lo / v, hi / v), f"at {v * 60.0:.4g} m/min", "heater length", L,
                                     (lo, hi), "m", 1.0)
            elif v is None:
                v = L / t3
                lo, hi = LINE_SPEED_RANGE_M_PER_S
                if self.stage3_time_s is None:  # the default pulse: the length is what the caller gave
                    _check_length_at_default_pulse(L, t3)
                _check_implied_pulse(t3, (L / hi, L / lo), f"through {L * 1e3:.4g} mm", "line speed", v, (lo, hi),
                                     "m/min", 60.0)
            elif abs(L / v - t3) > 1e-9 * t3:
                raise FoiltwinInputError("stage3_time_s", t3, f"= stage3_heater_length_m / line_speed_m_per_s = "
                                         f"{L / v:.6g} s, or leave one of the three out")
        power = self.stage3_power_W_per_m
        if power is not None:
            if self.stage3_peak_K is not None:
                raise FoiltwinInputError("stage3_power_W_per_m", power,
                                         "None when stage3_peak_K is given (one set point)")
            check_range("stage3_power_W_per_m", power, 0.0, STAGE3_POWER_MAX_W_PER_M, low_inclusive=False,
                        unit="W/m")
        return {"stage3_peak_K": None if power is not None else self._stage3_peak(params, t3), "stage3_time_s": t3,
                "line_speed_m_per_s": None if v is None else float(v),
                "stage3_heater_length_m": None if L is None else float(L),
                "stage3_power_W_per_m": None if power is None else float(power)}


def _check_pulse_of_length_and_speed(length_m: float, speed_m_per_s: float) -> None:
    """Heater length and line speed both given: the pulse they imply, L/v, must lie in ``STAGE3_TIME_RANGE_S``
    (a 1 m heater at 0.006 m/min would be a 10⁴ s "pulse"); the refusal names the length, with the longest that
    fits at this speed."""
    t_hi = STAGE3_TIME_RANGE_S[1]
    if length_m / speed_m_per_s <= t_hi:
        return
    longest = min(t_hi * speed_m_per_s, HEATER_LENGTH_RANGE_M[1])
    raise FoiltwinInputError("stage3_heater_length_m", length_m,
                             f"at most {longest:.4g} m ({longest * 1e3:.4g} mm) at {speed_m_per_s * 60.0:.4g} m/min: "
                             f"the pulse L/v would be "
                             f"{length_m / speed_m_per_s:.4g} s, above the model's {t_hi:g} s (or a faster line "
                             "speed)")


def _check_length_at_default_pulse(length_m: float, t3_s: float) -> None:
    """Only the heater length given: the default pulse ``t3_s`` implies the line speed L/t3, which must lie in
    ``LINE_SPEED_RANGE_M_PER_S``; the refusal names the length (the pulse is a default nobody set), with the
    lengths that fit at that pulse."""
    lo, hi = LINE_SPEED_RANGE_M_PER_S
    if lo <= length_m / t3_s <= hi:
        return
    shortest, longest = max(lo * t3_s, HEATER_LENGTH_RANGE_M[0]), min(hi * t3_s, HEATER_LENGTH_RANGE_M[1])
    raise FoiltwinInputError("stage3_heater_length_m", length_m,
                             f"in [{shortest:.4g}, {longest:.4g}] m ([{shortest * 1e3:.4g}, {longest * 1e3:.4g}] mm) "
                             f"with the default {t3_s * 1e3:g} ms pulse: it "
                             f"implies a line speed of {length_m / t3_s * 60.0:.4g} m/min, outside "
                             f"[{lo * 60.0:g}, {hi * 60.0:g}] m/min (or give the pulse or the line speed)")


def _check_implied_pulse(t3_s: float, fitting_s: tuple[float, float], given: str, label: str, implied: float,
                         bounds: tuple[float, float], unit: str, to_unit: float) -> None:
    """The pulse time with one of speed and heater length given implies the other (``implied``, within ``bounds``
    when the pulse lies in ``fitting_s``); out of its range the refusal names the pulse, which the caller gave, with
    the pulse times that fit (not the implied quantity, which nobody set)."""
    lo, hi = bounds
    if lo <= implied <= hi:
        return
    t_lo, t_hi = max(fitting_s[0], STAGE3_TIME_RANGE_S[0]), min(fitting_s[1], STAGE3_TIME_RANGE_S[1])
    fits = f"in [{t_lo:.4g}, {t_hi:.4g}] s {given}" if t_lo <= t_hi else f"none {given}"
    raise FoiltwinInputError("stage3_time_s", t3_s, f"{fits}: it implies a {label} of {implied * to_unit:.4g} {unit}, "
                                                    f"outside [{lo * to_unit:g}, {hi * to_unit:g}] {unit}")


@dataclass(frozen=True)
class RecipeResult:
    """What a recipe makes. Keys of :meth:`to_dict` are a contract (issue 2): add, never rename. Frozen, its lists
    and dicts included (tuples and :class:`~process_models.readonly.ReadOnlyDict`): callers share results (the
    optimiser's recipe cache serves one object to every caller of the same recipe, the twin's physics memo to
    every segment), so no caller can change what the next one reads."""

    recipe: UHTRecipe
    skin_thickness_nm: float
    skin_phase: str
    skin_mean_zn_at_frac: float
    surface_zn_at_frac: float
    zn_loading_mg_per_cm2: float
    zn_deposited_mg_per_cm2: float
    zn_lost_fraction: float
    layers: tuple[Mapping, ...]
    phase_thickness_nm: Mapping[str, float]
    surface_phase_fractions: Mapping[str, float]
    stage2_gamma_film_nm: float
    stage2_alpha_uptake_fraction: float
    stage2_gamma_coverage_frac: float
    stage2_gamma_island_height_nm: float
    stage2_gamma_particle_size_nm: float
    stage2_gamma_island_density_per_um2: float
    stage2_beta_film_nm: float
    stage2_epsilon_film_nm: float
    stage2_gamma_zn_share_frac: float
    peak_temperature_K: float
    max_melt_depth_nm: float
    anneal_equivalent_time_s: float
    energy_kwh_per_m2: float
    energy_lower_bound_kwh_per_m2: float
    energy_by_stage_kwh_per_m2: Mapping[str, float]
    energy_efficiency_fraction: float
    profile_depth_nm: tuple[float, ...]
    profile_zn_at_frac: tuple[float, ...]
    warnings: tuple[str, ...] = ()
    phase_fractions_as_quenched: Mapping[str, float] = field(default_factory=ReadOnlyDict)
    phase_fractions_at_freeze: Mapping[str, float] = field(default_factory=ReadOnlyDict)
    quench_path: str = ""
    quench_path_shares: Mapping[str, float] = field(default_factory=ReadOnlyDict)
    skin_freeze_temperature_K: tuple[float, ...] = ()
    stage3_heater: Mapping = field(default_factory=ReadOnlyDict)
    """Web: line speed, heater length, power per metre of width and per heated m², current, Péclet, energy
    accounts; batch: ramp and largest power. Empty without stage III."""
    stage2_gas_convection_W_per_m2_K: float = 0.0
    """Mean gas convection coefficient per face at the stage-II set point (enclosure correlation, multiplier
    applied)."""
    solidus_margin_K: float = math.nan
    """Closest approach to melting [K]: with stage III, min over its solver steps and the depth of (solidus of the
    local composition − foil temperature), negative exactly when ``max_melt_depth_nm`` > 0; without, the final
    profile's lowest solidus − ``peak_temperature_K``. Smooth in the peak where the melt depth jumps, so a
    melting-edge search could aim at its zero. Always set by the recipe (the default is never used)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list | tuple | dict) and not isinstance(value, ReadOnlyDict):
                object.__setattr__(self, f.name, freeze(value))

    def flows_per_m2(self, params: ParameterValues, web_width_m: float | None = None) -> Flows:
        """What one processed m² takes from the UHT line (:func:`process_models.uht.flows.uht_flows_per_m2`):
        electricity, vapour Zn, Ar, and line time at the recipe's web speed over ``web_width_m`` (``None``, or a
        batch recipe: the registry line's throughput)."""
        v = self.recipe.line_speed_m_per_s
        time = None if web_width_m is None or v is None else web_line_time_h_per_m2(v, web_width_m)
        return uht_flows_per_m2(self.energy_kwh_per_m2, self.zn_deposited_mg_per_cm2 * 1e-2,
                                self.recipe.zn_route == "vapour", params, time)

    def to_dict(self, profile: bool = False) -> dict:
        """JSON-ready dict; the composition-depth profile is included when ``profile`` is true."""
        d = thaw(asdict(self))
        d["recipe"] = asdict(self.recipe)
        if not profile:
            d.pop("profile_depth_nm")
            d.pop("profile_zn_at_frac")
        return d


def evaluate_recipe(recipe: UHTRecipe, params: ParameterValues, stage2_cache: Stage2Cache | None = None
                    ) -> RecipeResult:
    """Evaluate one recipe (see :func:`evaluate_recipes`)."""
    return evaluate_recipes([recipe], params, stage2_cache)[0]


def evaluate_recipes(recipes: Sequence[UHTRecipe], params: ParameterValues, stage2_cache: Stage2Cache | None = None
                     ) -> list[RecipeResult]:
    """Evaluate recipes in bulk; identical recipes are computed once and results come back in order.

    ``stage2_cache``: the caller's :class:`Stage2Cache` (stage-II outcomes reused across calls); ``None``: stage
    II of this call only (identical stage-II settings within the call still share one solve).
    """
    register("Wang2025", "uht_recipe.evaluate_recipes")
    checked = [r.validated(params) for r in recipes]
    unique = list(dict.fromkeys(checked))
    results: dict[UHTRecipe, RecipeResult] = {}
    for thickness in sorted({r.foil_thickness_m for r in unique}):
        group = [r for r in unique if r.foil_thickness_m == thickness]
        for start in range(0, len(group), BATCH_CHUNK_SIZE):
            chunk = group[start:start + BATCH_CHUNK_SIZE]
            results.update(zip(chunk, _evaluate_group(chunk, params, stage2_cache), strict=True))
    return [results[r] for r in checked]


@dataclass(frozen=True)
class _Stage2Row:
    """Stage-II outcome of one foil (what the cache keeps)."""

    x_alpha: np.ndarray
    delivered_mol_per_m2: float
    alpha_mol_per_m2: float
    gamma_mol_per_m2: float
    beta_mol_per_m2: float
    beta_zn_frac: float
    epsilon_mol_per_m2: float
    epsilon_zn_frac: float
    coverage_frac: float
    island_height_m: float
    particle_size_m: float
    island_density_per_m2: float
    energy_J_per_m2: float
    energy_bound_J_per_m2: float
    anneal_equivalent_time_s: float
    warning: str | None
    time_s: np.ndarray  # the whole stage-II history (heating, hold, free cooling): the phases after a
    temperature_K: np.ndarray  # stage II without stage III are decided through its cooling

    def __post_init__(self) -> None:
        for a in (self.x_alpha, self.time_s, self.temperature_K):  # shared by the cache: read-only from here on
            a.flags.writeable = False

    def __setstate__(self, state: dict) -> None:
        """A row read back from a pickle (``optimize --cache-dir``) is read-only too: numpy's pickle drops the flag."""
        self.__dict__.update(state)
        self.__post_init__()


STAGE2_CACHE_SIZE = 4096  # distinct stage-II histories a default Stage2Cache keeps (≈ 1.6 kB each on a 10 µm grid)


class Stage2Cache(EvaluationCache[tuple, _Stage2Row]):
    """Stage-II outcomes keyed on the stage-II settings and the parameter values, owned by the caller that
    evaluates recipes repeatedly; bounded (least recently used evicted); the citations of a solve are registered
    again on every hit."""

    def __init__(self, max_size: int = STAGE2_CACHE_SIZE) -> None:
        super().__init__(max_size)


def _stage2_key(r: UHTRecipe, params_key: tuple) -> tuple:
    return (r.foil_thickness_m, r.zn_route, r.stage2_temperature_K, r.stage2_time_s, r.zn_source_temperature_K,
            r.plated_zn_loading_kg_per_m2, params_key)


def _stage2_rows(recipes: list[UHTRecipe], grid: DepthGrid, params: ParameterValues,
                 cache: Stage2Cache | None) -> list[_Stage2Row]:
    """Stage II of foils sharing a grid; identical stage-II settings (common on a line) are solved once (and
    kept in the caller's ``cache``), since stage III does not feed back on them."""
    params_key = tuple(params.values())
    keys = [_stage2_key(r, params_key) for r in recipes]
    first: dict[tuple, UHTRecipe] = {}  # the first recipe of each key
    for k, r in zip(keys, recipes, strict=True):
        first.setdefault(k, r)

    def solve(missing: list[tuple]) -> list[_Stage2Row]:
        return _solve_stage2([first[k] for k in missing], grid, params)

    if cache is None:
        unique = list(dict.fromkeys(keys))
        rows = dict(zip(unique, solve(unique), strict=True))
        return [rows[k] for k in keys]
    return cache.get_many(keys, solve)


def _solve_stage2(recipes: list[UHTRecipe], grid: DepthGrid, params: ParameterValues) -> list[_Stage2Row]:
    """Stage II of foils with stage2_time_s > 0, solved in groups of foils whose histories thin alike
    (:func:`~process_models.uht.alloying.collinear_keep_masks`), so that a foil's result depends on its own settings
    only, not on the batch it is solved in (the caches and the twin's bulk solves rely on it)."""
    h2 = _stage2_history(recipes, params)
    on = h2.segment("heating")
    masks = collinear_keep_masks(h2.time_s[:, on], h2.temperature_K[:, on],
                                 int(params["stage2_diffusion_steps_count"]) // 5)
    groups: dict[bytes, list[int]] = {}
    for b in range(len(recipes)):
        groups.setdefault(masks[b].tobytes(), []).append(b)
    if len(groups) == 1:
        return _solve_stage2_group(recipes, grid, params, h2)
    rows: list[_Stage2Row | None] = [None] * len(recipes)
    for members in groups.values():
        for b, row in zip(members, _solve_stage2_group([recipes[b] for b in members], grid, params,
                                                       h2.rows(members)), strict=True):
            rows[b] = row
    return rows  # type: ignore[return-value]


def _stage2_history(recipes: list[UHTRecipe], params: ParameterValues):
    """The stage-II thermal histories (set-point ramp, hold, free cooling) of the foils."""
    arr = lambda name: np.array([getattr(r, name) for r in recipes], dtype=float)  # noqa: E731
    return setpoint_history(
        start_temperature_K=params["ambient_temperature_K"], setpoint_K=arr("stage2_temperature_K"),
        heating_rate_K_per_s=params["stage2_heating_rate_K_per_s"], heater_on_s=arr("stage2_time_s"),
        thickness_m=recipes[0].foil_thickness_m, params=params, cooling="free",
    )


def _solve_stage2_group(recipes: list[UHTRecipe], grid: DepthGrid, params: ParameterValues,
                        h2: TemperatureHistory) -> list[_Stage2Row]:
    """Zn supply and α uptake of stage II for foils with stage2_time_s > 0, under their thermal histories ``h2``
    (:func:`_stage2_history`)."""
    arr = lambda name: np.array([getattr(r, name) for r in recipes], dtype=float)  # noqa: E731
    plated = np.array([r.zn_route == "plated" for r in recipes])
    t2, T2 = arr("stage2_time_s"), arr("stage2_temperature_K")
    source_T = np.array([np.nan if r.zn_source_temperature_K is None else r.zn_source_temperature_K
                         for r in recipes])
    plated_mol = np.where(plated, plated_loading_mol_per_m2(arr("plated_zn_loading_kg_per_m2"), params), 0.0)
    supply = ZnSupply(route_plated=plated, source_temperature_K=source_T, plated_mol_per_m2=plated_mol,
                      heater_on_s=t2)
    # Stage II is solved over the heater-on window, where the supply flows; the seconds of cooling
    # after the zone (≥ 250 K/s from 750 K) add < 0.5 % to the α uptake and are not followed.
    on = h2.segment("heating")
    try:
        s2 = stage2_zn_film(grid, h2.time_s[:, on], h2.temperature_K[:, on], supply, params)
    except ModelConvergenceError as err:
        raise _not_converged("stage2", recipes, err) from None
    src = np.where(np.isnan(source_T), T2, source_T)
    vapour_zn = np.where(plated, 0.0, s2.zn_delivered_mol_per_m2)
    zn_actual, zn_bound = zn_source_energy_J_per_m2(vapour_zn, src, params)
    anneal = equivalent_time_s(h2.time_s, h2.temperature_K, params)
    rows = []
    for b in range(len(recipes)):
        warning = (None if h2.reached_setpoint[b]
                   else f"stage II did not reach its set point {T2[b]:.0f} K in {t2[b]:g} s")
        rows.append(_Stage2Row(
            x_alpha=s2.x_alpha[b], delivered_mol_per_m2=float(s2.zn_delivered_mol_per_m2[b]),
            alpha_mol_per_m2=float(s2.zn_in_alpha_mol_per_m2[b]), gamma_mol_per_m2=float(s2.zn_in_gamma_mol_per_m2[b]),
            beta_mol_per_m2=float(s2.zn_in_beta_mol_per_m2[b]), beta_zn_frac=float(s2.beta_zn_frac[b]),
            epsilon_mol_per_m2=float(s2.zn_in_epsilon_mol_per_m2[b]), epsilon_zn_frac=float(s2.epsilon_zn_frac[b]),
            coverage_frac=float(s2.gamma_coverage_frac[b]), island_height_m=float(s2.gamma_island_height_m[b]),
            particle_size_m=float(s2.gamma_particle_size_m[b]),
            island_density_per_m2=float(s2.gamma_island_density_per_m2[b]),
            energy_J_per_m2=float(h2.heater_energy_J_per_m2[b] + zn_actual[b]),
            energy_bound_J_per_m2=float(h2.sensible_heat_J_per_m2[b] + zn_bound[b]),
            anneal_equivalent_time_s=float(anneal[b]), warning=warning,
            time_s=h2.time_s[b], temperature_K=h2.temperature_K[b],
        ))
    return rows


def settings_text(r: UHTRecipe, stage: str) -> str:
    """A recipe's settings of one stage in the user's units (for messages)."""
    foil = f"{r.foil_thickness_m * 1e6:g} µm foil"
    if stage == "stage2":
        zn = (f"{r.plated_zn_loading_kg_per_m2 * 100:.4g} mg/cm² plated Zn" if r.zn_route == "plated"
              else "Zn vapour")
        return f"{r.stage2_temperature_K:g} K for {r.stage2_time_s:.4g} s, {zn}, {foil}"
    peak = "calibrated peak" if r.stage3_peak_K is None else f"peak {r.stage3_peak_K:g} K"
    return f"{peak} for {r.stage3_time_s * 1e3:.4g} ms, {r.cooling} cooling, {foil}"


def _not_converged(stage: str, recipes: Sequence[UHTRecipe], err: ModelConvergenceError,
                   model: str = "Cu–Zn diffusion model") -> ModelConvergenceError:
    """The solver's failure, named by the settings (user's units) of the first failing one of ``recipes`` (the
    solver's batch, whose rows ``err.rows`` counts) and by the ``model`` that failed."""
    first = err.rows[0] if err.rows and err.rows[0] < len(recipes) else 0
    return ModelConvergenceError(
        stage, settings_text(recipes[first], stage),
        f"settings the {model} can solve: move the {stage} settings toward the seed's recipe",
        err.reason, rows=err.rows)


def _check_film_fits(x: np.ndarray, recipes: list[UHTRecipe], delivered_mol: np.ndarray, thickness_m: float,
                     c: float, params: ParameterValues, warnings: list[list[str]]) -> None:
    """The Zn taken up must fit in the foil as γ brass: a film thicker than the foil (its Zn piles up in the
    last cell, x > 1) means the whole foil is converted — no skin model applies. A recipe with a stage III is
    refused; one that stops after stage II (the Zn delivered is still meaningful) gets a warning."""
    over = np.max(x, axis=1) > 1.0 + FRACTION_ROUNDOFF
    stop = over & np.array([r.stage3_time_s > 0.0 for r in recipes])
    for b in np.nonzero(over & ~stop)[0]:
        warnings[b].append("the Zn taken up does not fit in the foil as γ brass: the whole foil converts")
    if not stop.any():
        return
    b = int(np.nonzero(stop)[0][0])
    r = recipes[b]
    cap = gamma_brass_capacity_kg_per_m2(thickness_m, params, c)
    got = delivered_mol[b] * params["zn_molar_mass_kg_per_mol"]
    foil = f"the {thickness_m * 1e6:g} µm foil"
    if r.zn_route == "plated":  # the field's own unit, kg/m²
        raise FoiltwinInputError("plated_zn_loading_kg_per_m2", r.plated_zn_loading_kg_per_m2,
                                 f"a Zn loading that fits in {foil} as γ brass (≈{cap:.3g} kg/m2; this one takes "
                                 f"{got:.3g} kg/m2): lower the plated Zn")
    raise FoiltwinInputError("stage2_time_s", r.stage2_time_s,
                             f"a Zn uptake that fits in {foil} as γ brass (≈{cap * 1e2:.3g} mg/cm²; "
                             f"{r.stage2_time_s:g} s at {r.stage2_temperature_K:g} K takes {got * 1e2:.3g} mg/cm²): a "
                             "shorter stage II or a lower stage-II temperature")


def longest_stage2_time_s(r: UHTRecipe, params: ParameterValues) -> float:
    """The longest stage-II time [s] at the recipe's temperature whose films still fit in the foil, by the
    criterion of :func:`_check_film_fits` (no cell above x = 1 after stage II), found by bisection on the recipe
    without its stage III (then it is not refused, only warned), 12 halvings of [0, stage2_time_s]: the uptake
    grows with the time. ≈0.2 s, so not in the refusal itself (the twin and the optimiser meet it in bulk): the CLI
    adds it to the message a user reads."""
    lo, hi = 0.0, r.stage2_time_s
    for _ in range(12):
        mid = 0.5 * (lo + hi)
        res = evaluate_recipes([replace(r, stage2_time_s=mid, stage3_time_s=0.0, stage3_peak_K=None,
                                        stage3_power_W_per_m=None, stage3_heating_rate_K_per_s=None,
                                        line_speed_m_per_s=None, stage3_heater_length_m=None)], params)[0]
        if max(res.profile_zn_at_frac) > 1.0 + FRACTION_ROUNDOFF:
            hi = mid
        else:
            lo = mid
    return lo


def gamma_brass_capacity_kg_per_m2(thickness_m: float, params: ParameterValues, c: float | None = None) -> float:
    """The Zn [kg/m²] of a foil ``thickness_m`` thick converted to γ brass (Cu5Zn8, ``gamma_cu5zn8_zn_frac``)
    through its whole thickness at the alloy's molar density ``c`` [mol/m³] (default the registry's): the capacity
    the refusal of a Zn uptake too large for the foil states. The refusal itself reads the profile (a Zn layer
    that piles up in the last cell), so near this value it is approximate (part of the Zn may sit in α)."""
    c = params["cuzn_alloy_molar_density_mol_per_m3"] if c is None else c
    return c * params["gamma_cu5zn8_zn_frac"] * thickness_m * params["zn_molar_mass_kg_per_mol"]


def _add_films(grid: DepthGrid, x: np.ndarray, zn_mol: np.ndarray, zn_frac: np.ndarray, c: float) -> np.ndarray:
    """``x`` with a film of ``zn_mol`` [mol/m²] Zn at composition ``zn_frac`` on top of each foil that has one."""
    x = x.copy()
    has = zn_mol > 0.0
    for frac in np.unique(zn_frac[has]):
        sel = has & (zn_frac == frac)
        x[sel] = film_on_profile(grid, x[sel], zn_mol[sel], float(frac), c)
    return x


def _quench_without_stage3(x: np.ndarray, has3: np.ndarray, history2: dict[int, tuple[np.ndarray, np.ndarray]],
                           quenched: list[tuple[np.ndarray, QuenchResult]], params: ParameterValues) -> QuenchResult:
    """Phases as quenched for the whole group: stage-III foils bring theirs; foils that stop after stage II are
    decided through the stage-II history (hold, then free cooling); foils with no heat treatment at all
    (plated Zn, nothing else) fall back to the diagram at ``phase_freeze_temperature_K``."""
    parts = list(quenched)
    only2 = np.array([b for b in range(x.shape[0]) if not has3[b] and b in history2], dtype=np.intp)
    if only2.size:
        t = np.stack([history2[b][0] for b in only2])
        T = np.stack([history2[b][1] for b in only2])
        parts.append((only2, quench_phases(x[only2], t, T, params)))
    bare = np.array([b for b in range(x.shape[0]) if not has3[b] and b not in history2], dtype=np.intp)
    if bare.size:
        parts.append((bare, unquenched_phases(x[bare], params)))
    return merge_results(x.shape[0], parts)


@dataclass
class _Group:
    """Per-foil accounts of a group of recipes sharing a depth grid, filled stage by stage (amounts in mol/m²,
    energies in J/m², lengths in m)."""

    x: np.ndarray
    delivered: np.ndarray
    gamma_mol: np.ndarray
    alpha_uptake: np.ndarray
    beta_mol: np.ndarray
    beta_frac: np.ndarray
    eps_mol: np.ndarray
    eps_frac: np.ndarray
    islands: np.ndarray  # coverage, height [m], particle size [m], density [1/m²]
    e2: np.ndarray
    e2_bound: np.ndarray
    anneal: np.ndarray  # recrystallisation-equivalent time (texture) [s]
    peak: np.ndarray
    lost: np.ndarray
    melt: np.ndarray
    margin: np.ndarray  # closest approach to the solidus [K] (RecipeResult.solidus_margin_K)
    e3: np.ndarray
    e3_bound: np.ndarray
    warnings: list[list[str]] = field(default_factory=list)
    heater: list[dict] = field(default_factory=list)
    history2: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    quenched: list[tuple[np.ndarray, QuenchResult]] = field(default_factory=list)

    @classmethod
    def start(cls, B: int, n_cells: int, plated_mol: np.ndarray) -> _Group:
        z = lambda: np.zeros(B)  # noqa: E731
        return cls(x=np.zeros((B, n_cells)), delivered=plated_mol.copy(), gamma_mol=plated_mol.copy(),
                   alpha_uptake=z(), beta_mol=z(), beta_frac=np.full(B, 0.46), eps_mol=z(), eps_frac=np.full(B, 0.81),
                   islands=np.zeros((B, 4)), e2=z(), e2_bound=z(), anneal=z(), peak=np.full(B, np.nan), lost=z(),
                   melt=z(), margin=np.full(B, np.nan), e3=z(), e3_bound=z(), warnings=[[] for _ in range(B)],
                   heater=[{} for _ in range(B)])


def _stage2_into(g: _Group, recipes: list[UHTRecipe], has2: np.ndarray, grid: DepthGrid, params: ParameterValues,
                 stage2_cache: Stage2Cache | None) -> None:
    """Stage II of the foils that have one (cached rows or solves) into the group's accounts."""
    idx = np.nonzero(has2)[0]
    for b, row in zip(idx, _stage2_rows([recipes[b] for b in idx], grid, params, stage2_cache), strict=True):
        g.history2[int(b)] = (row.time_s, row.temperature_K)
        g.x[b] = row.x_alpha
        g.delivered[b], g.alpha_uptake[b], g.gamma_mol[b] = (row.delivered_mol_per_m2, row.alpha_mol_per_m2,
                                                             row.gamma_mol_per_m2)
        g.beta_mol[b], g.beta_frac[b] = row.beta_mol_per_m2, row.beta_zn_frac
        g.eps_mol[b], g.eps_frac[b] = row.epsilon_mol_per_m2, row.epsilon_zn_frac
        g.islands[b] = (row.coverage_frac, row.island_height_m, row.particle_size_m, row.island_density_per_m2)
        g.e2[b], g.e2_bound[b] = row.energy_J_per_m2, row.energy_bound_J_per_m2
        g.anneal[b] = row.anneal_equivalent_time_s
        if row.warning:
            g.warnings[b].append(row.warning)


def _stage3_into(g: _Group, recipes: list[UHTRecipe], has3: np.ndarray, grid: DepthGrid, thickness: float,
                 params: ParameterValues) -> None:
    """Stage III of the foils that have one, grouped by mode and cooling, into the group's accounts."""
    idx = np.nonzero(has3)[0]
    groups = np.array([f"{recipes[b].stage3_mode}/{recipes[b].cooling}" for b in idx])
    for group in np.unique(groups):
        sub = idx[groups == group]
        try:
            h3 = stage3_histories([recipes[b] for b in sub], thickness, group.split("/")[1], params)
        except ModelConvergenceError as err:
            raise _not_converged("stage3", [recipes[b] for b in sub], err, "stage-III web heater") from None
        try:
            s3 = stage3_conversion(grid, g.x[sub], h3.time_s, h3.temperature_K, params)
        except ModelConvergenceError as err:
            raise _not_converged("stage3", [recipes[b] for b in sub], err) from None
        g.quenched.append((sub, s3.quench))
        g.x[sub] = s3.x
        g.lost[sub] = s3.zn_lost_mol_per_m2
        g.melt[sub] = s3.max_melt_depth_m
        g.margin[sub] = s3.solidus_margin_K
        g.peak[sub] = h3.peak_K
        latent = g.lost[sub] * params["zn_vaporisation_enthalpy_J_per_mol"]
        g.e3[sub] = h3.energy_J_per_m2
        g.anneal[sub] += equivalent_time_s(h3.time_s, h3.temperature_K, params)
        g.e3_bound[sub] = h3.sensible_J_per_m2 + latent
        for j, b in enumerate(sub):
            g.warnings[b].extend(h3.warnings[j])
            g.heater[b] = h3.heater[j]


def _evaluate_group(recipes: list[UHTRecipe], params: ParameterValues, stage2_cache: Stage2Cache | None
                    ) -> list[RecipeResult]:
    """Evaluate recipes that share a foil thickness (and so a depth grid)."""
    B = len(recipes)
    thickness = recipes[0].foil_thickness_m
    grid = make_depth_grid(thickness, first_cell_m=params["diffusion_first_cell_m"],
                           growth=params["diffusion_cell_growth_frac"])
    c = params["cuzn_alloy_molar_density_mol_per_m3"]
    arr = lambda name: np.array([getattr(r, name) for r in recipes], dtype=float)  # noqa: E731
    plated = np.array([r.zn_route == "plated" for r in recipes])
    t2, t3 = arr("stage2_time_s"), arr("stage3_time_s")
    plated_mol = np.where(plated, plated_loading_mol_per_m2(arr("plated_zn_loading_kg_per_m2"), params), 0.0)
    g = _Group.start(B, grid.n_cells, plated_mol)
    has2, has3 = t2 > 0.0, t3 > 0.0
    if has2.any():
        _stage2_into(g, recipes, has2, grid, params, stage2_cache)
    # β film, then the γ islands as a laterally averaged film (Cu5Zn8), then any ε on top of the α profile;
    # plated foils without stage II start from a pure Zn layer.
    g.x = _add_films(grid, g.x, g.beta_mol, g.beta_frac, c)
    film_frac = np.where(has2 | ~plated, params["gamma_cu5zn8_zn_frac"], 1.0)
    g.x = _add_films(grid, g.x, g.gamma_mol, film_frac, c)
    g.x = _add_films(grid, g.x, g.eps_mol, g.eps_frac, c)
    _check_film_fits(g.x, recipes, g.delivered, thickness, c, params, g.warnings)
    if has3.any():
        _stage3_into(g, recipes, has3, grid, thickness, params)
    T2 = arr("stage2_temperature_K")
    if not has3.all():  # no pulse: the final profile's lowest solidus against the highest temperature it saw
        held = np.where(has2, T2, params["ambient_temperature_K"])
        no3 = ~has3
        g.margin[no3] = cuzn_phase_diagram().solidus_lookup_K(g.x[no3]).min(axis=1) - held[no3]
    quench = _quench_without_stage3(g.x, has3, g.history2, g.quenched, params)
    metrics = skin_metrics(g.x, grid.centres_m, grid.widths_m, params, quench=quench)
    h_gas = GasEnclosure.from_values(params).coefficient_W_per_m2_K(T2)
    retained_all = c * np.sum(g.x * grid.widths_m[None, :], axis=1)  # the profile's own Zn inventory
    return [_result(b, r, g, metrics[b], retained_all[b], float(h_gas[b]) if has2[b] else 0.0, has2[b], has3[b],
                    grid, params) for b, r in enumerate(recipes)]


def _result(b: int, r: UHTRecipe, g: _Group, m, retained: float, h_gas: float, has2: bool, has3: bool,
            grid: DepthGrid, params: ParameterValues) -> RecipeResult:
    """The :class:`RecipeResult` of foil ``b`` of the group, with its warnings."""
    c = params["cuzn_alloy_molar_density_mol_per_m3"]
    M_zn = params["zn_molar_mass_kg_per_mol"]
    kg_m2_to_mg_cm2 = 1e6 / 1e4
    gamma_density_mol = params["gamma_cu5zn8_density_kg_per_m3"] / (
        params["gamma_cu5zn8_zn_frac"] * M_zn + (1 - params["gamma_cu5zn8_zn_frac"])
        * params["cu_molar_mass_kg_per_mol"])
    w = g.warnings[b]
    _skin_warnings(w, g.melt[b], m.skin_phase, has3, params)
    delivered, gamma_mol, beta_mol, eps_mol = g.delivered[b], g.gamma_mol[b], g.beta_mol[b], g.eps_mol[b]
    if m.skin_thickness_m >= grid.depth_m * (1.0 - 1e-9):  # the skin metric ends at the last cell's face
        w.append(f"whole foil alloyed: the skin reaches through the {grid.depth_m * 1e6:g} µm foil (no Cu core left; "
                 "not a current collector with a skin)")
    if has3 and delivered > 0 and g.lost[b] > EVAPORATION_WARN_FRAC * delivered:
        w.append(f"Zn evaporation: {g.lost[b] / delivered:.0%} of the Zn delivered evaporates in stage III (peak "
                 f"{g.peak[b]:.0f} K, gas {params['process_gas_pressure_Pa']:.4g} Pa)")
    total = g.e2[b] + g.e3[b]
    bound = g.e2_bound[b] + g.e3_bound[b]
    return RecipeResult(
        recipe=r,
        skin_thickness_nm=m.skin_thickness_m * 1e9, skin_phase=m.skin_phase,
        skin_mean_zn_at_frac=m.skin_mean_zn_frac, surface_zn_at_frac=m.surface_zn_frac,
        zn_loading_mg_per_cm2=retained * M_zn * kg_m2_to_mg_cm2,
        zn_deposited_mg_per_cm2=delivered * M_zn * kg_m2_to_mg_cm2,
        zn_lost_fraction=float(g.lost[b] / delivered) if delivered > 0 else 0.0,
        layers=[{"phase": layer.phase, "thickness_nm": layer.thickness_m * 1e9, "path": layer.path,
                 "path_text": layer.path_text, "freeze_temperature_K": list(layer.freeze_temperature_K)}
                for layer in m.layers],
        phase_thickness_nm={k: v * 1e9 for k, v in m.phase_thickness_m.items()},
        surface_phase_fractions=m.surface_phase_fractions,
        stage2_gamma_film_nm=float(gamma_mol / (params["gamma_cu5zn8_zn_frac"] * gamma_density_mol) * 1e9)
        if has2 else 0.0,
        stage2_alpha_uptake_fraction=float(g.alpha_uptake[b] / delivered) if delivered > 0 else 0.0,
        stage2_gamma_coverage_frac=float(g.islands[b, 0]),
        stage2_gamma_island_height_nm=float(g.islands[b, 1] * 1e9),
        stage2_gamma_particle_size_nm=float(g.islands[b, 2] * 1e9),
        stage2_gamma_island_density_per_um2=float(g.islands[b, 3] * 1e-12),
        stage2_beta_film_nm=float(beta_mol / (g.beta_frac[b] * c) * 1e9),
        stage2_epsilon_film_nm=float(eps_mol / (g.eps_frac[b] * c) * 1e9),
        stage2_gamma_zn_share_frac=float(gamma_mol / (gamma_mol + beta_mol + eps_mol))
        if has2 and gamma_mol + beta_mol + eps_mol > 0 else 0.0,
        peak_temperature_K=float(g.peak[b]) if has3 else float(r.stage2_temperature_K) if has2
        else params["ambient_temperature_K"],
        max_melt_depth_nm=float(g.melt[b] * 1e9), solidus_margin_K=float(g.margin[b]),
        anneal_equivalent_time_s=float(g.anneal[b]),
        energy_kwh_per_m2=float(to_kwh_per_m2(total)),
        energy_lower_bound_kwh_per_m2=float(to_kwh_per_m2(bound)),
        energy_by_stage_kwh_per_m2={"stage2": float(to_kwh_per_m2(g.e2[b])),
                                    "stage3": float(to_kwh_per_m2(g.e3[b]))},
        energy_efficiency_fraction=float(bound / total) if total > 0 else 0.0,
        profile_depth_nm=(grid.centres_m * 1e9).tolist(), profile_zn_at_frac=g.x[b].tolist(),
        warnings=w,
        phase_fractions_as_quenched=m.phase_fractions_as_quenched,
        phase_fractions_at_freeze=m.phase_fractions_at_freeze, quench_path=m.quench_path,
        quench_path_shares=m.quench_path_shares, skin_freeze_temperature_K=list(m.skin_freeze_temperature_K),
        stage3_heater=g.heater[b],
        stage2_gas_convection_W_per_m2_K=h_gas,
    )


def _skin_warnings(w: list[str], melt_m: float, skin_phase: str, has3: bool, params: ParameterValues) -> None:
    """Warnings on melting, foil damage and an incomplete or retained-β′ conversion (appended to ``w``)."""
    if melt_m > 0.0:
        w.append(f"melting: liquid formed during stage III (deepest {melt_m * 1e9:.0f} nm)")
    if melt_m >= params["foil_damage_melt_depth_m"]:
        w.append("foil damage: melt deeper than "
                 f"{params['foil_damage_melt_depth_m'] * 1e9:.0f} nm dissolves the substrate (seed Fig. S7)")
    if has3 and any(p in skin_phase for p in ("gamma", "epsilon", "delta")):
        w.append(f"incomplete conversion: skin still holds {skin_phase} after stage III")
    elif has3 and "beta" in skin_phase:
        w.append(f"retained β′: the skin is {skin_phase} as quenched (its β froze too Zn-rich to turn "
                 "massive to α; see quench_path)")
