"""A UHT recipe (stage II Zn film + stage III pulse) evaluated without line dynamics, in batches.

``evaluate_recipes`` runs B recipes together: thermal histories, the two diffusion stages and the
post-processing are vectorised over the batch (foils of different thickness are grouped, because they
need different depth grids). Identical recipes are computed once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

from process_models.citations import register
from process_models.errors import FRACTION_ROUNDOFF, FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues
from process_models.texture.texture_model import equivalent_time_s
from process_models.uht.alloying import ZnSupply, film_on_profile, stage2_zn_film, stage3_conversion
from process_models.uht.energy import to_kwh_per_m2, zn_source_energy_J_per_m2
from process_models.uht.interdiffusion import DepthGrid, make_depth_grid
from process_models.uht.skin_metrics import skin_metrics
from process_models.uht.thermal import setpoint_history
from process_models.uht.zn_supply import plated_loading_mol_per_m2

ZnRoute = Literal["vapour", "plated"]
Cooling = Literal["contact", "free"]

FOIL_THICKNESS_RANGE_M = (3e-6, 50e-6)  # lumped (uniform-T) foil model; battery foils are 4.5-20 µm
STAGE2_TEMPERATURE_RANGE_K = (500.0, 1100.0)  # phase table from 500 K; γ islands below the γ peritectic
SOURCE_TEMPERATURE_RANGE_K = (500.0, 1180.0)  # Zn vapour-pressure correlations' validity
CU_MELTING_K = 1357.77


@dataclass(frozen=True)
class UHTRecipe:
    """One batch recipe of the UHT line. ``None`` means "use the registry default"."""

    foil_thickness_m: float = 10e-6
    zn_route: ZnRoute = "vapour"
    stage2_temperature_K: float = 750.0
    stage2_time_s: float = 120.0
    zn_source_temperature_K: float | None = None
    plated_zn_loading_kg_per_m2: float = 0.0
    stage3_peak_K: float | None = None
    stage3_time_s: float = 0.030
    stage3_heating_rate_K_per_s: float | None = None
    cooling: Cooling = "contact"

    def validated(self, params: ParameterValues) -> UHTRecipe:
        """A copy with defaults filled in; raises :class:`FoiltwinInputError` on any bad field."""
        lo, hi = FOIL_THICKNESS_RANGE_M
        check_range("foil_thickness_m", self.foil_thickness_m, lo, hi, unit="m")
        if self.zn_route not in ("vapour", "plated"):
            raise FoiltwinInputError("zn_route", self.zn_route, "one of vapour, plated")
        if self.cooling not in ("contact", "free"):
            raise FoiltwinInputError("cooling", self.cooling, "one of contact, free")
        check_range("stage2_time_s", self.stage2_time_s, 0.0, 3600.0, unit="s")
        if self.stage2_time_s > 0.0:
            check_range("stage2_temperature_K", self.stage2_temperature_K, *STAGE2_TEMPERATURE_RANGE_K, unit="K")
        if self.zn_source_temperature_K is not None:
            check_range("zn_source_temperature_K", self.zn_source_temperature_K, *SOURCE_TEMPERATURE_RANGE_K,
                        unit="K")
        if self.zn_route == "plated":
            check_range("plated_zn_loading_kg_per_m2", self.plated_zn_loading_kg_per_m2, 0.0, 0.1,
                        low_inclusive=False, unit="kg/m2")
        elif self.stage2_time_s <= 0.0:
            raise FoiltwinInputError("stage2_time_s", self.stage2_time_s,
                                     "must be > 0 s on the vapour route (stage II is where Zn arrives)")
        peak = params["stage3_default_peak_temperature_K"] if self.stage3_peak_K is None else self.stage3_peak_K
        rate = (params["stage3_heating_rate_K_per_s"] if self.stage3_heating_rate_K_per_s is None
                else self.stage3_heating_rate_K_per_s)
        check_range("stage3_time_s", self.stage3_time_s, 0.0, 10.0, unit="s")
        if self.stage3_time_s > 0.0:
            check_range("stage3_peak_K", peak, params["ambient_temperature_K"], CU_MELTING_K,
                        low_inclusive=False, unit="K")
            check_range("stage3_heating_rate_K_per_s", rate, 1e2, 1e6, unit="K/s")
        return UHTRecipe(
            foil_thickness_m=float(self.foil_thickness_m), zn_route=self.zn_route,
            stage2_temperature_K=float(self.stage2_temperature_K), stage2_time_s=float(self.stage2_time_s),
            zn_source_temperature_K=self.zn_source_temperature_K,
            plated_zn_loading_kg_per_m2=float(self.plated_zn_loading_kg_per_m2),
            stage3_peak_K=float(peak), stage3_time_s=float(self.stage3_time_s),
            stage3_heating_rate_K_per_s=float(rate), cooling=self.cooling,
        )


@dataclass
class RecipeResult:
    """What a recipe makes. Keys of :meth:`to_dict` are a contract (issue 2): add, never rename."""

    recipe: UHTRecipe
    skin_thickness_nm: float
    skin_phase: str
    skin_mean_zn_at_frac: float
    surface_zn_at_frac: float
    zn_loading_mg_per_cm2: float
    zn_deposited_mg_per_cm2: float
    zn_lost_fraction: float
    layers: list[dict]
    phase_thickness_nm: dict[str, float]
    surface_phase_fractions: dict[str, float]
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
    energy_by_stage_kwh_per_m2: dict[str, float]
    energy_efficiency_fraction: float
    profile_depth_nm: list[float]
    profile_zn_at_frac: list[float]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, profile: bool = False) -> dict:
        """JSON-ready dict; the composition-depth profile is included when ``profile`` is true."""
        d = asdict(self)
        d["recipe"] = asdict(self.recipe)
        if not profile:
            d.pop("profile_depth_nm")
            d.pop("profile_zn_at_frac")
        return d


def evaluate_recipe(recipe: UHTRecipe, params: ParameterValues) -> RecipeResult:
    """Evaluate one recipe (see :func:`evaluate_recipes`)."""
    return evaluate_recipes([recipe], params)[0]


def evaluate_recipes(recipes: Sequence[UHTRecipe], params: ParameterValues) -> list[RecipeResult]:
    """Evaluate recipes in bulk; identical recipes are computed once and results come back in order."""
    register("Wang2025", "uht_recipe.evaluate_recipes")
    checked = [r.validated(params) for r in recipes]
    unique = list(dict.fromkeys(checked))
    results: dict[UHTRecipe, RecipeResult] = {}
    for thickness in sorted({r.foil_thickness_m for r in unique}):
        group = [r for r in unique if r.foil_thickness_m == thickness]
        results.update(zip(group, _evaluate_group(group, params), strict=True))
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


_STAGE2_CACHE: OrderedDict[tuple, _Stage2Row] = OrderedDict()
_STAGE2_CACHE_SIZE = 4096


def _stage2_key(r: UHTRecipe, params_key: tuple) -> tuple:
    return (r.foil_thickness_m, r.zn_route, r.stage2_temperature_K, r.stage2_time_s, r.zn_source_temperature_K,
            r.plated_zn_loading_kg_per_m2, params_key)


def _stage2_rows(recipes: list[UHTRecipe], grid: DepthGrid, params: ParameterValues) -> list[_Stage2Row]:
    """Stage II of foils sharing a grid; identical stage-II settings (common on a line) are solved once
    and kept in a bounded cache, since stage III does not feed back on them."""
    params_key = tuple(params.values())
    keys = [_stage2_key(r, params_key) for r in recipes]
    todo = list(dict.fromkeys(k for k in keys if k not in _STAGE2_CACHE))
    if todo:
        first = {k: r for k, r in zip(keys, recipes, strict=True)}
        for k, row in zip(todo, _solve_stage2([first[k] for k in todo], grid, params), strict=True):
            _STAGE2_CACHE[k] = row
            if len(_STAGE2_CACHE) > _STAGE2_CACHE_SIZE:
                _STAGE2_CACHE.popitem(last=False)
    for k in keys:
        _STAGE2_CACHE.move_to_end(k)
    return [_STAGE2_CACHE[k] for k in keys]


def _solve_stage2(recipes: list[UHTRecipe], grid: DepthGrid, params: ParameterValues) -> list[_Stage2Row]:
    """Thermal history, Zn supply and α uptake of stage II for foils with stage2_time_s > 0."""
    arr = lambda name: np.array([getattr(r, name) for r in recipes], dtype=float)  # noqa: E731
    plated = np.array([r.zn_route == "plated" for r in recipes])
    t2, T2 = arr("stage2_time_s"), arr("stage2_temperature_K")
    source_T = np.array([np.nan if r.zn_source_temperature_K is None else r.zn_source_temperature_K
                         for r in recipes])
    plated_mol = np.where(plated, plated_loading_mol_per_m2(arr("plated_zn_loading_kg_per_m2"), params), 0.0)
    h2 = setpoint_history(
        start_temperature_K=params["ambient_temperature_K"], setpoint_K=T2,
        heating_rate_K_per_s=params["stage2_heating_rate_K_per_s"], heater_on_s=t2,
        thickness_m=recipes[0].foil_thickness_m, params=params, cooling="free",
    )
    supply = ZnSupply(route_plated=plated, source_temperature_K=source_T, plated_mol_per_m2=plated_mol,
                      heater_on_s=t2)
    # Stage II is solved over the heater-on window, where the supply flows; the seconds of cooling
    # after the zone (≥ 250 K/s from 750 K) add < 0.5 % to the α uptake and are not followed.
    on = h2.segment("heating")
    s2 = stage2_zn_film(grid, h2.time_s[:, on], h2.temperature_K[:, on], supply, params)
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
        ))
    return rows


def _check_heater_power(history, rate: np.ndarray, thickness_m: float, params: ParameterValues) -> None:
    """Refuse a stage-III ramp the heater cannot drive, naming the recipe field and the largest feasible rate."""
    bad = ~history.power_feasible
    if bad.any():
        b = int(np.argmax(bad))
        limit = params["heater_max_areal_power_W_per_m2"]
        feasible = rate[b] * limit / history.max_heater_power_W_per_m2[b]
        raise FoiltwinInputError(
            "stage3_heating_rate_K_per_s", float(rate[b]),
            f"at most ≈{feasible:.3g} K/s for a {thickness_m * 1e6:g} µm foil: the ramp needs "
            f"{history.max_heater_power_W_per_m2[b]:.3g} W/m2 and the heater gives {limit:.3g} W/m2 "
            "(heater_max_areal_power_W_per_m2)")


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
    cap = c * params["gamma_cu5zn8_zn_frac"] * thickness_m * params["zn_molar_mass_kg_per_mol"] * 1e2  # mg/cm²
    got = delivered_mol[b] * params["zn_molar_mass_kg_per_mol"] * 1e2
    if r.zn_route == "plated":
        field, value = "plated_zn_loading_kg_per_m2", r.plated_zn_loading_kg_per_m2
    else:
        field, value = "stage2", f"{r.stage2_temperature_K:g} K for {r.stage2_time_s:g} s"
    raise FoiltwinInputError(field, value, f"a Zn uptake that fits in the {thickness_m * 1e6:g} µm foil as γ brass "
                             f"(≤ {cap:.3g} mg/cm²; this one takes {got:.3g} mg/cm²): lower the stage-II "
                             "temperature or time, or the plated Zn")


def _add_films(grid: DepthGrid, x: np.ndarray, zn_mol: np.ndarray, zn_frac: np.ndarray, c: float) -> np.ndarray:
    """``x`` with a film of ``zn_mol`` [mol/m²] Zn at composition ``zn_frac`` on top of each foil that has one."""
    x = x.copy()
    has = zn_mol > 0.0
    for frac in np.unique(zn_frac[has]):
        sel = has & (zn_frac == frac)
        x[sel] = film_on_profile(grid, x[sel], zn_mol[sel], float(frac), c)
    return x


def _evaluate_group(recipes: list[UHTRecipe], params: ParameterValues) -> list[RecipeResult]:
    """Evaluate recipes that share a foil thickness (and so a depth grid)."""
    B = len(recipes)
    thickness = recipes[0].foil_thickness_m
    grid = make_depth_grid(thickness, first_cell_m=params["diffusion_first_cell_m"],
                           growth=params["diffusion_cell_growth_frac"])
    c = params["cuzn_alloy_molar_density_mol_per_m3"]
    ambient = params["ambient_temperature_K"]
    arr = lambda name: np.array([getattr(r, name) for r in recipes], dtype=float)  # noqa: E731
    plated = np.array([r.zn_route == "plated" for r in recipes])
    t2, T2, t3 = arr("stage2_time_s"), arr("stage2_temperature_K"), arr("stage3_time_s")
    plated_mol = np.where(plated, plated_loading_mol_per_m2(arr("plated_zn_loading_kg_per_m2"), params), 0.0)

    x = np.zeros((B, grid.n_cells))
    delivered = plated_mol.copy()
    alpha_uptake = np.zeros(B)
    gamma_mol = plated_mol.copy()
    beta_mol = np.zeros(B)
    beta_frac = np.full(B, 0.46)
    eps_mol = np.zeros(B)
    eps_frac = np.full(B, 0.81)
    islands = np.zeros((B, 4))  # coverage, height [m], particle size [m], density [1/m²]
    e2 = np.zeros(B)
    e2_bound = np.zeros(B)
    anneal = np.zeros(B)  # recrystallisation-equivalent time of the thermal histories (texture)
    warnings: list[list[str]] = [[] for _ in range(B)]
    has2 = t2 > 0.0
    if has2.any():
        idx = np.nonzero(has2)[0]
        for b, row in zip(idx, _stage2_rows([recipes[b] for b in idx], grid, params), strict=True):
            x[b] = row.x_alpha
            delivered[b], alpha_uptake[b], gamma_mol[b] = (row.delivered_mol_per_m2, row.alpha_mol_per_m2,
                                                           row.gamma_mol_per_m2)
            beta_mol[b], beta_frac[b] = row.beta_mol_per_m2, row.beta_zn_frac
            eps_mol[b], eps_frac[b] = row.epsilon_mol_per_m2, row.epsilon_zn_frac
            islands[b] = (row.coverage_frac, row.island_height_m, row.particle_size_m, row.island_density_per_m2)
            e2[b], e2_bound[b] = row.energy_J_per_m2, row.energy_bound_J_per_m2
            anneal[b] = row.anneal_equivalent_time_s
            if row.warning:
                warnings[b].append(row.warning)

    # β film, then the γ islands as a laterally averaged film (Cu5Zn8), then any ε on top of the α profile;
    # plated foils without stage II start from a pure Zn layer.
    x = _add_films(grid, x, beta_mol, beta_frac, c)
    film_frac = np.where(has2 | ~plated, params["gamma_cu5zn8_zn_frac"], 1.0)
    x = _add_films(grid, x, gamma_mol, film_frac, c)
    x = _add_films(grid, x, eps_mol, eps_frac, c)
    _check_film_fits(x, recipes, delivered, thickness, c, params, warnings)

    peak = np.full(B, np.nan)
    lost = np.zeros(B)
    melt = np.zeros(B)
    e3 = np.zeros(B)
    e3_bound = np.zeros(B)
    has3 = t3 > 0.0
    if has3.any():
        idx = np.nonzero(has3)[0]
        cooling = np.array([recipes[b].cooling for b in idx])
        for mode in np.unique(cooling):
            sub = idx[cooling == mode]
            rate = arr("stage3_heating_rate_K_per_s")[sub]
            h3 = setpoint_history(
                start_temperature_K=ambient, setpoint_K=arr("stage3_peak_K")[sub], heating_rate_K_per_s=rate,
                heater_on_s=t3[sub], thickness_m=thickness, params=params, cooling=str(mode), on_power_limit="flag",
            )
            _check_heater_power(h3, rate, thickness, params)
            s3 = stage3_conversion(grid, x[sub], h3.time_s, h3.temperature_K, params)
            x[sub] = s3.x
            lost[sub] = s3.zn_lost_mol_per_m2
            melt[sub] = s3.max_melt_depth_m
            peak[sub] = h3.peak_temperature_K
            latent = lost[sub] * params["zn_vaporisation_enthalpy_J_per_mol"]
            e3[sub] = h3.heater_energy_J_per_m2
            anneal[sub] += equivalent_time_s(h3.time_s, h3.temperature_K, params)
            e3_bound[sub] = h3.sensible_heat_J_per_m2 + latent
            for j, b in enumerate(sub):
                if not h3.reached_setpoint[j]:
                    warnings[b].append(
                        f"stage III ramp ({recipes[b].stage3_heating_rate_K_per_s:g} K/s) cannot reach "
                        f"{recipes[b].stage3_peak_K:.0f} K in {t3[b] * 1e3:g} ms; peak {peak[b]:.0f} K")
    metrics = skin_metrics(x, grid.centres_m, grid.widths_m, params)
    retained_all = c * np.sum(x * grid.widths_m[None, :], axis=1)  # the profile's own Zn inventory
    M_zn = params["zn_molar_mass_kg_per_mol"]
    kg_m2_to_mg_cm2 = 1e6 / 1e4
    gamma_density_mol = params["gamma_cu5zn8_density_kg_per_m3"] / (
        params["gamma_cu5zn8_zn_frac"] * M_zn + (1 - params["gamma_cu5zn8_zn_frac"])
        * params["cu_molar_mass_kg_per_mol"])
    out = []
    for b, r in enumerate(recipes):
        m = metrics[b]
        retained = retained_all[b]
        w = warnings[b]
        if melt[b] > 0.0:
            w.append(f"melting: liquid formed during stage III (deepest {melt[b] * 1e9:.0f} nm)")
        if melt[b] >= params["foil_damage_melt_depth_m"]:
            w.append("foil damage: melt deeper than "
                     f"{params['foil_damage_melt_depth_m'] * 1e9:.0f} nm dissolves the substrate (seed Fig. S7)")
        if has3[b] and any(p in m.skin_phase for p in ("gamma", "beta", "epsilon", "delta")):
            w.append(f"incomplete conversion: skin still holds {m.skin_phase} after stage III")
        total = e2[b] + e3[b]
        bound = e2_bound[b] + e3_bound[b]
        out.append(RecipeResult(
            recipe=r,
            skin_thickness_nm=m.skin_thickness_m * 1e9, skin_phase=m.skin_phase,
            skin_mean_zn_at_frac=m.skin_mean_zn_frac, surface_zn_at_frac=m.surface_zn_frac,
            zn_loading_mg_per_cm2=retained * M_zn * kg_m2_to_mg_cm2,
            zn_deposited_mg_per_cm2=delivered[b] * M_zn * kg_m2_to_mg_cm2,
            zn_lost_fraction=float(lost[b] / delivered[b]) if delivered[b] > 0 else 0.0,
            layers=[{"phase": layer.phase, "thickness_nm": layer.thickness_m * 1e9} for layer in m.layers],
            phase_thickness_nm={k: v * 1e9 for k, v in m.phase_thickness_m.items()},
            surface_phase_fractions=m.surface_phase_fractions,
            stage2_gamma_film_nm=float(gamma_mol[b] / (params["gamma_cu5zn8_zn_frac"] * gamma_density_mol) * 1e9)
            if has2[b] else 0.0,
            stage2_alpha_uptake_fraction=float(alpha_uptake[b] / delivered[b]) if delivered[b] > 0 else 0.0,
            stage2_gamma_coverage_frac=float(islands[b, 0]),
            stage2_gamma_island_height_nm=float(islands[b, 1] * 1e9),
            stage2_gamma_particle_size_nm=float(islands[b, 2] * 1e9),
            stage2_gamma_island_density_per_um2=float(islands[b, 3] * 1e-12),
            stage2_beta_film_nm=float(beta_mol[b] / (beta_frac[b] * c) * 1e9),
            stage2_epsilon_film_nm=float(eps_mol[b] / (eps_frac[b] * c) * 1e9),
            stage2_gamma_zn_share_frac=float(gamma_mol[b] / (gamma_mol[b] + beta_mol[b] + eps_mol[b]))
            if has2[b] and gamma_mol[b] + beta_mol[b] + eps_mol[b] > 0 else 0.0,
            peak_temperature_K=float(peak[b]) if has3[b] else float(T2[b]) if has2[b] else ambient,
            max_melt_depth_nm=float(melt[b] * 1e9), anneal_equivalent_time_s=float(anneal[b]),
            energy_kwh_per_m2=float(to_kwh_per_m2(total)),
            energy_lower_bound_kwh_per_m2=float(to_kwh_per_m2(bound)),
            energy_by_stage_kwh_per_m2={"stage2": float(to_kwh_per_m2(e2[b])),
                                        "stage3": float(to_kwh_per_m2(e3[b]))},
            energy_efficiency_fraction=float(bound / total) if total > 0 else 0.0,
            profile_depth_nm=(grid.centres_m * 1e9).tolist(), profile_zn_at_frac=x[b].tolist(),
            warnings=w,
        ))
    return out
