"""A skin of Zn, Mg, Ag, Sn or Al on Cu foil from the two UHT stages: phase, thickness, surface composition,
energy and cost (issue 14 item 1; seed 002 §4).

Stage II lays down the metal (vapour route near its melting point, :mod:`process_models.skins.supply`, or a
contact/wetting loading given as a setting). The deposit enters as a pure film on top of the foil at the
start of stage II. The film and the foil then interdiffuse through the stage-II and stage-III thermal
histories (:func:`process_models.uht.thermal.setpoint_history`, the lumped ramp-hold form of the Zn recipe's
batch stage III). The stage-III ramp is the programmed one (``stage3_heating_rate_K_per_s``, default the registry's
1e5 K/s, an assumption: the seed gives no ramp, seed note 002 §0 item 2 — its T–t curve is ESI Fig. S1, not in the
seed — and §5a cites 1e3-1e4 K/s for carbon-heater UHT) unless the heater cannot drive it on this foil: then the
fastest ramp the heater's areal power limit drives on it (:func:`process_models.uht.heater_ramp.max_ramp_K_per_s`,
∝ 1/thickness), as the Zn web form lets the heater decide what the foil gets. A peak even that ramp does not reach
within the stage-III time is refused; one only the programmed ramp misses gives the lower peak, warned. The solver
is the UHT one (:func:`process_models.uht.interdiffusion.solve_interdiffusion`), with no flux at the surface.

Interdiffusion uses the metal's **impurity** diffusivity in Cu, D0·exp(−Q/RT)
(``skin_diffusion_literature``), for every composition. This is a stated simplification:
- intermetallics, grain boundaries and any transient liquid diffuse faster, so the skins here are lower bounds
  on intermixing;
- for Zn the dilute law is known to be too slow for the seed's 470 nm (seed note 002 §5b). The Zn line
  therefore keeps its own model (:mod:`process_models.uht.recipe`), and this module is for comparing metals.

Placing the whole deposit at the start of stage II over-states stage-II intermixing by at most the ratio of
the deposition time to the stage-II time. Evaporation from the skin in stage III (metals other than Zn, whose
loss needs its CALPHAD activity and is modelled by the Zn line model): Hertz–Knudsen in series with gas diffusion
(:mod:`process_models.skins.evaporation`) with the surface at its activity after stage II, taken off the top of
the profile after stage III (:func:`remove_from_surface`).

Phase of the skin: the phase(s) at the surface composition, from the CALPHAD table at its lowest temperature
(Cu–Zn, Cu–Mg, Cu–Al). For Cu–Ag and Cu–Sn it comes from the assessed compositions of the terminal solution
and the compounds. If the stage-III peak reaches the lowest solidus over the composition profile entering
stage III (:func:`profile_liquid_onset_K`: a film of X on Cu holds every composition down to the foil's, so it
melts at the lowest eutectic it spans), the result warns of a transient liquid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from process_models.citations import register
from process_models.costing.flows import Flows, price_flows
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters import parameters_or_default
from process_models.physical_constants import R
from process_models.skins import supply
from process_models.skins.evaporation import evaporated_mol_per_m2
from process_models.skins.phase_data import phase_fields, skin_system
from process_models.texture.texture_model import equivalent_time_s
from process_models.uht.alloying import film_on_profile
from process_models.uht.energy import to_kwh_per_m2
from process_models.uht.flows import uht_flow_amounts
from process_models.uht.heater_ramp import max_ramp_K_per_s, reachable_peak_K, thickest_foil_m
from process_models.uht.interdiffusion import (
    DepthGrid,
    depth_where_below_m,
    make_depth_grid,
    solve_interdiffusion,
    zn_inventory_mol_per_m2,
)
from process_models.uht.thermal import setpoint_history
from process_models.uht.zn_evaporation import EVAPORATION_WARN_FRAC

Route = str  # "vapour" or "contact"
_DIFFUSION_STEPS = 60
FOIL_RANGE_M = (3e-6, 50e-6)
STAGE3_TIME_RANGE_S = (0.0, 10.0)  # (low exclusive]
CONTACT_LOADING_RANGE_KG_PER_M2 = (0.0, 0.1)  # (low exclusive]
STAGE3_RAMP_RANGE_K_PER_S = (1e2, 1e6)  # the Zn recipe's batch-form range (process_models.uht.recipe)


def impurity_diffusivity_m2_per_s(metal: str, T_K, params=None) -> np.ndarray:
    """D0·exp(−Q/RT) of ``metal`` in Cu [m² s⁻¹] (Zn: Kuper 1956 tracer values; others: Smithells 2004)."""
    p = parameters_or_default(params)
    k = metal.lower()
    skin_system(metal)
    if k == "zn":
        register("Kuper1956", "skins.skin.impurity_diffusivity_m2_per_s")
        d0, q = p["zn_tracer_in_cu_prefactor_m2_per_s"], p["zn_tracer_in_cu_activation_J_per_mol"]
    else:
        register("Smithells2004", "skins.skin.impurity_diffusivity_m2_per_s")
        d0, q = p[f"{k}_in_cu_diffusion_prefactor_m2_per_s"], p[f"{k}_in_cu_diffusion_activation_J_per_mol"]
    return d0 * np.exp(-q / (R * np.asarray(T_K, dtype=float)))


@dataclass(frozen=True)
class SkinRecipe:
    """Settings of a skin of ``metal``. ``None``: the default (source: melting point + superheat; stage III: the
    registry's default peak and the seed's 30 ms, the registry's programmed ramp ``stage3_heating_rate_K_per_s``,
    which the heater's limit may slow on a thick foil). ``route`` "vapour" uses the source; "contact" lays down
    ``contact_loading_kg_per_m2`` (a setting, no kinetics)."""

    metal: str = "Zn"
    foil_thickness_m: float = 10e-6
    route: Route = "vapour"
    source_temperature_K: float | None = None
    contact_loading_kg_per_m2: float = 0.0
    stage2_temperature_K: float = 750.0
    stage2_time_s: float = 120.0
    stage3_peak_K: float | None = None
    stage3_time_s: float = 0.030
    stage3_heating_rate_K_per_s: float | None = None

    def validated(self, params) -> SkinRecipe:
        skin_system(self.metal)
        check_range("foil_thickness_m", self.foil_thickness_m, *FOIL_RANGE_M, unit="m")
        if self.route not in ("vapour", "contact"):
            raise FoiltwinInputError("route", self.route, "one of vapour, contact")
        check_range("stage2_temperature_K", self.stage2_temperature_K, 300.0, 1300.0, unit="K")
        check_range("stage2_time_s", self.stage2_time_s, 0.0, 3600.0, low_inclusive=False, unit="s")
        check_range("stage3_time_s", self.stage3_time_s, *STAGE3_TIME_RANGE_S, low_inclusive=False, unit="s")
        peak = params["stage3_default_peak_temperature_K"] if self.stage3_peak_K is None else self.stage3_peak_K
        check_range("stage3_peak_K", peak, 300.0, params["cu_melting_temperature_K"], low_inclusive=False,
                    high_inclusive=False, unit="K")
        src = (supply.melting_temperature_K(self.metal, params) + params["skin_source_superheat_K"]
               if self.source_temperature_K is None else self.source_temperature_K)
        check_range("source_temperature_K", src, supply.VAPOUR_T_MIN_K, supply.VAPOUR_T_MAX_K, unit="K")
        if self.route == "contact":
            check_range("contact_loading_kg_per_m2", self.contact_loading_kg_per_m2, *CONTACT_LOADING_RANGE_KG_PER_M2,
                        low_inclusive=False, unit="kg/m2")
        rate = (params["stage3_heating_rate_K_per_s"] if self.stage3_heating_rate_K_per_s is None
                else self.stage3_heating_rate_K_per_s)
        check_range("stage3_heating_rate_K_per_s", rate, *STAGE3_RAMP_RANGE_K_PER_S, unit="K/s")
        return SkinRecipe(self.metal, self.foil_thickness_m, self.route, float(src), self.contact_loading_kg_per_m2,
                          self.stage2_temperature_K, self.stage2_time_s, float(peak), self.stage3_time_s, float(rate))


@dataclass(frozen=True)
class SkinResult:
    """Outcome of one :class:`SkinRecipe` (amounts per m² of foil)."""

    recipe: SkinRecipe
    deposited_mol_per_m2: float
    surface_frac: float  # mole fraction of the skin metal in the first 2 nm
    skin_thickness_m: float  # depth where x falls to half its surface value
    alloyed_depth_m: float  # depth where x falls below skin_alloyed_min_frac
    skin_phases: tuple[str, ...]
    stage3_peak_K: float
    energy_kWh_per_m2: float
    cost_USD_per_m2: float
    warnings: tuple[str, ...]
    profile_x: np.ndarray
    depth_m: np.ndarray
    deposited_kg_per_m2: float = 0.0  # metal laid down on the foil
    evaporated_mol_per_m2: float = 0.0  # lost from the surface in stage III (skins.evaporation)
    anneal_equivalent_time_s: float = 0.0  # θ of the stage-II history for the texture model [s at T_cal]
    liquid_onset_K: float = math.inf  # lowest solidus over the profile entering stage III [K]
    stage3_ramp_K_per_s: float = math.nan  # the ramp stage III got: programmed or the heater's fastest [K/s]

    def flows_per_m2(self, params=None) -> Flows:
        """What one m² takes (:func:`process_models.uht.flows.uht_flow_amounts`): electricity, Ar and the metal's
        source (deposited / source utilisation; Zn as the Zn flow). No line time: the recipe has no line."""
        p = parameters_or_default(params)
        metal = self.recipe.metal
        zn = self.deposited_kg_per_m2 if metal == "Zn" else 0.0
        other = {} if metal == "Zn" else {metal: self.deposited_kg_per_m2}
        return Flows(uht_flow_amounts(self.energy_kWh_per_m2, zn, metal == "Zn", p, other))


def _phase_of(metal: str, x: float) -> tuple[str, ...]:
    """Phase(s) at composition ``x`` at the low-temperature end of the phase data."""
    system = skin_system(metal)
    if system.fields_csv is not None:
        pf = phase_fields(metal)
        return pf.phases_at(min(max(x, 0.0), 1.0), pf.temperature_range_K[0])
    # assessed points: terminal (Cu) solubility, then the compounds in order of x, then the metal
    if metal == "Ag":
        e = system.invariant("eutectic")
        return ("alpha",) if x <= e.x_frac[1] else ("alpha", "ag") if x < e.x_frac[2] else ("ag",)
    ladder = [("alpha", system.invariant("solubility").x_frac[0]),
              ("epsilon_Cu3Sn", system.invariant("peritectic", "L + gamma").x_frac[2]),
              ("eta_Cu6Sn5", system.invariant("peritectic", "L + epsilon").x_frac[2]), ("sn", 1.0)]
    prev = None
    for name, x_max in ladder:
        if x <= x_max + 1e-9:
            return (name,) if prev is None or math.isclose(x, x_max, abs_tol=0.01) else (prev, name)
        prev = name
    return ("sn",)


def _fastest_ramp_K_per_s(r: SkinRecipe, params) -> float:
    """The fastest stage-III ramp the heater drives on the recipe's foil up to its peak [K/s]
    (:func:`process_models.uht.heater_ramp.max_ramp_K_per_s`; ≤ 0 when the losses alone take the whole heater)."""
    return float(max_ramp_K_per_s(params["ambient_temperature_K"], r.stage3_peak_K, r.foil_thickness_m, params)[0])


def _histories(r: SkinRecipe, params, peak_given: bool = True):
    """Stage-II and stage-III histories and the stage-III ramp [K/s]: the programmed one, or the heater's fastest
    on this foil when slower. A peak that even the fastest ramp does not reach within the stage-III time is refused;
    one only the programmed ramp misses gives the lower peak it reaches (``reached_setpoint`` False), as the Zn
    recipe's batch form does."""
    common = {"thickness_m": r.foil_thickness_m, "params": params, "cooling": "free"}
    h2 = setpoint_history(start_temperature_K=params["ambient_temperature_K"], setpoint_K=r.stage2_temperature_K,
                          heating_rate_K_per_s=params["stage2_heating_rate_K_per_s"],
                          heater_on_s=r.stage2_time_s, **common)
    fastest = _fastest_ramp_K_per_s(r, params)
    if fastest <= 0.0 or (r.stage3_peak_K - params["ambient_temperature_K"]) / fastest > r.stage3_time_s:
        _refuse_stage3_peak(r, params, peak_given)
    rate = min(r.stage3_heating_rate_K_per_s, fastest)
    h3 = setpoint_history(start_temperature_K=params["ambient_temperature_K"], setpoint_K=r.stage3_peak_K,
                          heating_rate_K_per_s=rate, heater_on_s=r.stage3_time_s, on_power_limit="flag", **common)
    limit = params["heater_max_areal_power_W_per_m2"]
    if float(h3.max_heater_power_W_per_m2[0]) > limit * (1.0 + 1e-9):  # pragma: no cover - the ramp is within it
        raise AssertionError(f"stage-III ramp {rate:g} K/s needs {float(h3.max_heater_power_W_per_m2[0]):.6g} W/m2")
    return h2, h3, rate


def _refuse_stage3_peak(r: SkinRecipe, params, peak_given: bool) -> None:
    """Refuse a stage-III peak that the heater's fastest ramp on this foil does not reach within the stage-III time:
    name the peak (when the caller gave it) with the highest one reachable on this foil, else the foil thickness
    with the thickest foil that reaches the default peak (the fastest ramp falls as 1/thickness)."""
    T0, t3, d_um = params["ambient_temperature_K"], r.stage3_time_s, r.foil_thickness_m * 1e6
    top_K = reachable_peak_K(T0, r.foil_thickness_m, t3, params["cu_melting_temperature_K"], params)
    top_um = thickest_foil_m(T0, r.stage3_peak_K, r.foil_thickness_m, t3, params) * 1e6
    why = (f"the fastest ramp the heater drives on a {d_um:g} µm foil (heater_max_areal_power_W_per_m2 = "
           f"{params['heater_max_areal_power_W_per_m2']:.3g} W/m2) reaches {top_K:.0f} K in the "
           f"{t3 * 1e3:g} ms stage III")
    thick = (f"a foil of at most ≈{top_um:.3g} µm reaches {r.stage3_peak_K:.0f} K" if top_um >= FOIL_RANGE_M[0] * 1e6
             else f"no foil in the model's range reaches {r.stage3_peak_K:.0f} K")
    if peak_given:
        raise FoiltwinInputError("stage3_peak_K", r.stage3_peak_K,
                                 f"in ({T0:g}, {top_K:.0f}] K for a {d_um:g} µm foil: {why}; {thick}, or a longer "
                                 "stage III reaches more")
    allowed = (f"in [{FOIL_RANGE_M[0] * 1e6:g}, {top_um:.3g}] µm for the default stage-III peak of "
               f"{r.stage3_peak_K:.0f} K" if top_um >= FOIL_RANGE_M[0] * 1e6 else
               f"none in the model's range for the default stage-III peak of {r.stage3_peak_K:.0f} K")
    raise FoiltwinInputError("foil_thickness_m", r.foil_thickness_m, f"{allowed}: {why}; a lower peak or a longer "
                                                                     "stage III reaches more")


def _deposit_mol_per_m2(r: SkinRecipe, params) -> float:
    if r.route == "contact":
        return supply.contact_loading_mol_per_m2(r.metal, r.contact_loading_kg_per_m2, params)
    return float(supply.deposition_flux_mol_per_m2_s(r.metal, r.source_temperature_K, params)) * r.stage2_time_s


def deposit_capacity_mol_per_m2(r: SkinRecipe, params) -> float:
    """The most metal the foil's depth grid can hold [mol m⁻²]: every cell pure metal (x = 1) at the Cu molar
    density the solver uses, c·L over the foil thickness L. A thicker deposit cannot be laid on the foil."""
    c = params["cu_density_kg_per_m3"] / params["cu_molar_mass_kg_per_mol"]
    return float(c * make_depth_grid(r.foil_thickness_m).faces_m[-1])


def deposit_limit(r: SkinRecipe, params) -> tuple[str, float, str]:
    """The setting that sets the deposit of a validated recipe and its largest value the foil can hold:
    (field, maximum [SI], unit) — vapour route: ``stage2_time_s`` [s] at the source's flux; contact route:
    ``contact_loading_kg_per_m2`` [kg m⁻²]."""
    cap = deposit_capacity_mol_per_m2(r, params)
    if r.route == "contact":
        return "contact_loading_kg_per_m2", cap * supply.molar_mass_kg_per_mol(r.metal, params), "kg/m2"
    flux = float(supply.deposition_flux_mol_per_m2_s(r.metal, r.source_temperature_K, params))
    return "stage2_time_s", (cap / flux if flux > 0.0 else math.inf), "s"


def check_deposit_fits(r: SkinRecipe, params) -> None:
    """Refuse (exit 2) a validated recipe whose deposit is more than the foil can hold
    (:func:`deposit_capacity_mol_per_m2`), naming the setting and its allowed range."""
    field, top, unit = deposit_limit(r, params)
    value = r.contact_loading_kg_per_m2 if field == "contact_loading_kg_per_m2" else r.stage2_time_s
    if value > top:
        where = "" if r.route == "contact" else f" at the source temperature {r.source_temperature_K:.1f} K"
        raise FoiltwinInputError(field, value, f"must lie in (0, {top:.4g}] {unit}: a longer deposit is more "
                                               f"{r.metal} than the {r.foil_thickness_m * 1e6:g} µm foil can hold"
                                               f"{where}")


def _source_energy_J_per_m2(r: SkinRecipe, n_mol: float, params) -> float:
    """Heat to warm, melt and evaporate the metal that left the source (vapour route; contact: warm and melt)."""
    k = r.metal.lower()
    fusion = params[f"{k}_fusion_enthalpy_J_per_mol"]
    dT = max(r.source_temperature_K - params["ambient_temperature_K"], 0.0)
    per_mol = params["skin_source_molar_heat_capacity_J_per_mol_K"] * dT + fusion
    if r.route == "vapour":
        per_mol += supply.vapourisation_enthalpy_J_per_mol(r.metal, r.source_temperature_K, params)
    return n_mol * per_mol / params["zn_source_utilisation_frac"]


def _interdiffuse(r: SkinRecipe, grid: DepthGrid, n_mol: float, histories, params) -> list[np.ndarray]:
    """Profiles (1, N) after the film is laid down and after each history."""
    c = params["cu_density_kg_per_m3"] / params["cu_molar_mass_kg_per_mol"]
    x = film_on_profile(grid, np.zeros((1, grid.n_cells)), np.array([n_mol]), 1.0, c)
    out = [np.clip(x, 0.0, 1.0)]
    for h in histories:
        res = solve_interdiffusion(
            out[-1], grid, h.time_s[0], h.temperature_K[0], molar_density_mol_per_m3=c,
            diffusivity=lambda xx, T: np.broadcast_to(impurity_diffusivity_m2_per_s(r.metal, T, params), xx.shape),
            n_steps=_DIFFUSION_STEPS, clock=lambda T: impurity_diffusivity_m2_per_s(r.metal, T, params))
        out.append(res.x)
    return out


def stage3_evaporation_mol_per_m2(r: SkinRecipe, surface_frac: float, h3, params) -> float:
    """Metal lost from the surface over the stage-III history [mol m⁻²] (:mod:`process_models.skins.evaporation`):
    the surface held at the activity it had after stage II (ideal solution; a film thicker than the loss keeps
    it, otherwise this is an upper bound)."""
    return evaporated_mol_per_m2(r.metal, h3.time_s[0], h3.temperature_K[0], surface_frac, params)


def remove_from_surface(x: np.ndarray, grid: DepthGrid, loss_mol_per_m2: float, c_mol_per_m3: float) -> np.ndarray:
    """The profile after ``loss`` of metal left through the surface: the surface recedes by the depth d that held
    it, ∫₀^d c·x dz = loss (x(z) → x(z + d), the back padded with the last cell), so the loss comes off the top."""
    if loss_mol_per_m2 <= 0.0:
        return x
    cum = np.concatenate([[0.0], np.cumsum(c_mol_per_m3 * x * grid.widths)])
    d = float(np.interp(loss_mol_per_m2, cum, grid.faces))
    return np.interp(grid.centres + d, grid.centres, x)


def liquid_onset_K(metal: str, x_frac: float) -> float:
    """Lowest temperature at which a Cu-``metal`` alloy of composition ``x_frac`` holds liquid [K]: the CALPHAD
    solidus where a table exists; for Cu-Ag and Cu-Sn the eutectic once x exceeds the (Cu) solubility (inf below
    it: the Cu-rich solidus is not tabulated, and lies far above any stage-III peak for a few at%)."""
    system = skin_system(metal)
    if system.fields_csv is not None:
        return phase_fields(metal).liquid_appears_K(min(max(x_frac, 0.0), 1.0))
    limit = system.invariant("eutectic").x_frac[1] if metal == "Ag" else system.invariant("solubility").x_frac[0]
    return system.lowest_liquid_temperature_K() if x_frac > limit else math.inf


def profile_liquid_onset_K(metal: str, x_profile: np.ndarray) -> float:
    """Lowest temperature at which some part of a Cu-``metal`` composition profile holds liquid [K]: the lowest
    solidus over every composition from the profile's least to its greatest x (the profile is continuous, so a
    film of X on Cu holds each composition in between: a Mg film on Cu melts at the Cu-Mg eutectic, not at Mg's
    melting point). CALPHAD table where one exists; Cu-Ag and Cu-Sn as :func:`liquid_onset_K` at the greatest x."""
    x = np.clip(np.asarray(x_profile, dtype=float), 0.0, 1.0)
    lo, hi = float(x.min()), float(x.max())
    if skin_system(metal).fields_csv is not None:
        return phase_fields(metal).lowest_solidus_K(lo, hi)
    return liquid_onset_K(metal, hi)


def evaluate_skin(recipe: SkinRecipe, params=None) -> SkinResult:
    """Skin of ``recipe.metal``: deposit, interdiffusion through stages II and III, phase, energy and cost."""
    p = parameters_or_default(params)
    r = recipe.validated(p)
    check_deposit_fits(r, p)
    n_mol = _deposit_mol_per_m2(r, p)
    warnings: list[str] = []
    if r.route == "vapour":  # can the vapour route lay down a skin like the seed's Zn skin (in moles)?
        target = p["skin_reference_zn_loading_kg_per_m2"] / p["zn_molar_mass_kg_per_mol"]
        a = supply.assess_supply(r.metal, target, p)
        if a.route != "vapour":
            warnings += a.warnings
    h2, h3, ramp = _histories(r, p, peak_given=recipe.stage3_peak_K is not None)
    grid = make_depth_grid(r.foil_thickness_m)
    _, x_after2, x = (a[0] for a in _interdiffuse(r, grid, n_mol, (h2, h3), p))
    c = p["cu_density_kg_per_m3"] / p["cu_molar_mass_kg_per_mol"]
    kept = float(zn_inventory_mol_per_m2(x, grid, c))
    if not math.isclose(kept, n_mol, rel_tol=1e-6, abs_tol=1e-12):
        raise AssertionError(f"metal not conserved: {kept} vs {n_mol} mol/m2")  # pragma: no cover
    # Zn's stage-III loss needs its CALPHAD activity (far below x in brass): the Zn line model has it
    # (process_models.uht.zn_evaporation); the ideal activity here would over-state it several-fold
    lost = 0.0 if r.metal == "Zn" else min(stage3_evaporation_mol_per_m2(r, float(x_after2[0]), h3, p), n_mol)
    x = remove_from_surface(x, grid, lost, c)
    surface = float(x[0])
    skin = float(depth_where_below_m(x, grid, 0.5 * surface)) if surface > 0.0 else 0.0
    alloyed = float(depth_where_below_m(x, grid, p["skin_alloyed_min_frac"]))
    liquid_K = profile_liquid_onset_K(r.metal, x_after2)  # the lowest solidus over the profile stage III heats
    if float(h3.peak_temperature_K[0]) >= liquid_K:
        warnings.append(f"{r.metal}: the stage-III peak {float(h3.peak_temperature_K[0]):.0f} K reaches the liquid "
                        f"of the profile after stage II (x from {float(x_after2.min()):.2f} to "
                        f"{float(x_after2.max()):.2f}, liquid from {liquid_K:.1f} K): a transient liquid, not modelled "
                        "(it would speed intermixing)")
    if lost > EVAPORATION_WARN_FRAC * n_mol:
        warnings.append(f"{r.metal}: {lost / n_mol:.0%} of the deposit evaporates in stage III "
                        f"(peak {float(h3.peak_temperature_K[0]):.0f} K)")
    if ramp < r.stage3_heating_rate_K_per_s:
        warnings.append(f"stage III ramps at {ramp:.3g} K/s, the fastest the heater drives on a "
                        f"{r.foil_thickness_m * 1e6:g} µm foil (programmed {r.stage3_heating_rate_K_per_s:.3g} K/s)")
    if not h3.reached_setpoint[0]:
        warnings.append(f"stage III ramp ({ramp:g} K/s) cannot reach {r.stage3_peak_K:.0f} K in "
                        f"{r.stage3_time_s * 1e3:g} ms; peak {float(h3.peak_temperature_K[0]):.0f} K (the heater "
                        "could: a faster stage3_heating_rate_K_per_s reaches it)")
    heater_J = float(h2.heater_energy_J_per_m2[0] + h3.heater_energy_J_per_m2[0])
    energy_kWh = float(to_kwh_per_m2(heater_J + _source_energy_J_per_m2(r, n_mol, p)))
    out = SkinResult(
        recipe=r, deposited_mol_per_m2=n_mol, surface_frac=surface, skin_thickness_m=skin,
        alloyed_depth_m=alloyed, skin_phases=_phase_of(r.metal, surface),
        stage3_peak_K=float(h3.peak_temperature_K[0]), energy_kWh_per_m2=energy_kWh,
        cost_USD_per_m2=math.nan, warnings=tuple(warnings), profile_x=x, depth_m=grid.centres_m,
        deposited_kg_per_m2=n_mol * supply.molar_mass_kg_per_mol(r.metal, p), evaporated_mol_per_m2=lost,
        anneal_equivalent_time_s=float(equivalent_time_s(h2.time_s, h2.temperature_K, p)[0]),
        liquid_onset_K=liquid_K, stage3_ramp_K_per_s=ramp)
    # the one costing function prices the flows (metal source, electricity, Ar)
    return replace(out, cost_USD_per_m2=price_flows(out.flows_per_m2(p), p).total_per_good_m2)
