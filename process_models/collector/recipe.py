"""A whole current-collector recipe: substrate → (coil anneal) → (Zn plating) → UHT alloying → (Ag immersion) →
indicators, cost.

The steps and their models:
- substrate: commercial foil (bought; (111)-rich texture, seed 000 §1) or Cu electroformed on the plating line
  (acid-sulfate bath, optional FSI⁻-type additive; the texture map of :mod:`process_models.texture.texture_model`);
- Zn plating (plated route): bath, current density and time → Zn loading through the kinetics (ε < 1) of
  :mod:`process_models.plating.electrodeposition`; it replaces the vapour supply of stage II;
- coil anneal (batch furnace, toward the (100) cube texture): :mod:`process_models.texture.coil_anneal`; or,
  the other texture route, a continuous moving hot zone on the unwound web: :mod:`process_models.texture.hot_zone`;
- UHT alloying: :mod:`process_models.uht.recipe`; its thermal histories also anneal the texture (JMAK, on the
  sum of the furnace's and the UHT's equivalent times);
- Ag by immersion in AgF (seed 004): :mod:`process_models.plating.ag_immersion`;
- indicators: Li nucleation overpotential (seed 002 ether protocol) from the surface phases, Ag coverage and
  texture — indicators fitted to the seeds, not a cell model;
- cost per good m²: flows priced by :mod:`process_models.costing.pricing`, fixed costs of every line used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from process_models.costing.flows import Flows, bought_foil_flows, price_flows
from process_models.costing.pricing import MAX_THROUGHPUT_M2_PER_H
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues
from process_models.plating.ag_immersion import AGF_MASS_FRAC_RANGE, MAX_TIME_S, ag_immersion
from process_models.plating.baths import BATH_NAMES, get_bath
from process_models.plating.electrodeposition import (
    cell_voltage,
    cross_web_profile,
    metal_flows_per_m2,
    net_deposition_onset_A_per_m2,
    operating_flags,
    partial_currents,
    plated_mass_kg_per_m2,
    plating_energy_kWh_per_m2,
)
from process_models.plating.flows import PlatingStepResult
from process_models.quality.indicators import nucleation_overpotential_V
from process_models.texture.coil_anneal import FurnaceLoad, anneal_cycle
from process_models.texture.hot_zone import HotZoneWeb, hot_zone_anneal
from process_models.texture.texture_model import anneal_texture_equivalent, electroformed_texture_array
from process_models.uht.recipe import (
    PLATED_ZN_RANGE_KG_PER_M2,
    RecipeResult,
    Stage2Cache,
    UHTRecipe,
    evaluate_recipes,
    gamma_brass_capacity_kg_per_m2,
)

Substrate = Literal["commercial", "electroformed"]
MAX_PLATING_TIME_S = 3600.0 * 24  # one plating step
ELECTROFORM_BATHS = ("cu_acid_sulfate", "cu_acid_sulfate_fsi")
ZN_BATHS = ("zn_acid_sulfate", "zn_acid_chloride", "zn_alkaline_zincate")


@dataclass(frozen=True)
class PlatingStep:
    """One plating step: bath, applied current density [A/m²], plating time [s], bath temperature [K] and
    metal-ion concentration [mol/m³] (``None``: the bath's make-up values)."""

    bath: str
    current_density_A_per_m2: float
    time_s: float
    temperature_K: float | None = None
    concentration_mol_per_m3: float | None = None


@dataclass(frozen=True)
class CoilAnnealStep:
    """A batch coil anneal before the UHT line (:mod:`process_models.texture.coil_anneal`): soak temperature [K]
    and time [s], the batch it anneals (energy and gas per m² depend on it; defaults: the default plant's coils) and the
    ramp rates [K/s] (``None``: registry defaults)."""

    soak_temperature_K: float
    soak_time_s: float
    coils_per_batch: int = 4
    coil_length_m: float = 2000.0
    coil_width_m: float = 0.5
    heating_rate_K_per_s: float | None = None
    cooling_rate_K_per_s: float | None = None


@dataclass(frozen=True)
class HotZoneStep:
    """A continuous moving hot-zone anneal of the unwound web before the UHT line
    (:mod:`process_models.texture.hot_zone`): hot-zone temperature [K], pull speed [m/s] and the web width [m]
    (default: the default plant's coils)."""

    temperature_K: float
    pull_speed_m_per_s: float
    web_width_m: float = 0.5


@dataclass(frozen=True)
class CollectorRecipe:
    """Everything that happens to one m² of collector, line dynamics aside."""

    uht: UHTRecipe | None = field(default_factory=UHTRecipe)
    substrate: Substrate = "commercial"
    electroform_bath: str = "cu_acid_sulfate"
    electroform_current_density_A_per_m2: float = 300.0
    electroform_temperature_K: float | None = None
    zn_plating: PlatingStep | None = None
    coil_anneal: CoilAnnealStep | None = None
    hot_zone: HotZoneStep | None = None
    ag_immersion_time_s: float = 0.0
    agf_mass_frac: float = 0.01
    currency: str = "USD"
    web_width_m: float | None = None
    """Width of the UHT line's web [m]: its time per m² then follows the recipe's web speed (``None``: the registry
    line's ``uht_line_throughput_m2_per_h``)."""
    availability_frac: float | None = None
    """Running / scheduled hours of the lines used (``None``: ``line_availability_frac``)."""
    yield_frac: float | None = None
    """Good / processed area (``None``: ``line_yield_frac`` when a line is used, 1 without one)."""


@dataclass
class CollectorResult:
    """What a collector recipe makes. Keys of :meth:`to_dict` are a contract (issues 2 and 3)."""

    uht: RecipeResult | None
    texture_fractions: dict[str, float]
    nucleation_overpotential_mV: float
    ag: dict[str, float | bool] | None
    plating: dict[str, dict[str, float]]
    cost_per_m2: float
    cost_breakdown: dict[str, float]
    currency: str
    energy_kwh_per_m2: float
    warnings: list[str]
    coil_anneal: dict[str, float | bool] | None = None
    hot_zone_anneal: dict[str, float] | None = None
    flows_by_step: dict[str, Flows] = field(default_factory=dict)
    """What one processed m² took, by step ("uht", "electroform", "zn", "coil_anneal", "hot_zone", "substrate",
    "ag_immersion"); :attr:`flows` is their sum, the m² that ``cost_per_m2`` prices."""

    @property
    def flows(self) -> Flows:
        return sum(self.flows_by_step.values(), Flows())

    def to_dict(self, profile: bool = False) -> dict:
        d: dict = self.uht.to_dict(profile) if self.uht is not None else {}
        d["warnings"] = list(self.warnings)
        d.update({
            "texture_fraction_111": self.texture_fractions["111"],
            "texture_fraction_100": self.texture_fractions["100"],
            "texture_fraction_110": self.texture_fractions["110"],
            "texture_fraction_random": self.texture_fractions["random"],
            "nucleation_overpotential_mV": self.nucleation_overpotential_mV,
            "coil_anneal": self.coil_anneal,
            "hot_zone_anneal": self.hot_zone_anneal,
            "texture_route": ("furnace" if self.coil_anneal is not None
                              else "hot_zone" if self.hot_zone_anneal is not None else "none"),
            "cost_per_m2": self.cost_per_m2,
            "cost_breakdown": self.cost_breakdown,
            "currency": self.currency,
            "plating": self.plating,
            "ag_immersion": self.ag,
            "energy_total_kwh_per_m2": self.energy_kwh_per_m2,
        })
        return d


def _check_bath(field_name: str, bath: str, allowed: Sequence[str]) -> None:
    if bath not in allowed:
        known = f" (known baths: {', '.join(BATH_NAMES)})" if bath not in BATH_NAMES else ""
        raise FoiltwinInputError(field_name, bath, f"one of {', '.join(allowed)}{known}")


def _check_net_deposition(step: PlatingStep, bath, efficiency_frac: float, c: float | None, T: float,
                          params: ParameterValues) -> None:
    """Refuse a current density at which the step lays down no metal: below the H2 current at the metal's Nernst
    potential the H2 evolution carries all of it and the metal dissolves (current efficiency ≤ 0)."""
    if efficiency_frac > 0.0:
        return
    onset = float(net_deposition_onset_A_per_m2(bath, concentration_mol_per_m3=c, temperature_K=T, params=params))
    raise FoiltwinInputError(
        f"{step.bath}.current_density_A_per_m2", step.current_density_A_per_m2,
        f"above {onset:.4g} A/m2 (bath window {bath.current_density_window_A_per_m2[0]:g}-"
        f"{bath.current_density_window_A_per_m2[1]:g} A/m2): below it H2 evolution carries the whole current "
        f"and the {bath.metal.symbol} dissolves (current efficiency {efficiency_frac:.3g})")


def _check_zn_loading_fits(step: PlatingStep, loading_kg_per_m2: float, uht: UHTRecipe,
                           params: ParameterValues) -> None:
    """Refuse a Zn plating step that lays down more Zn than the UHT line takes (``plated_zn_loading_kg_per_m2``),
    naming the step's time and the longest one at its current density (the loading grows in proportion to it).
    With a stage III, the foil's γ-brass capacity may bind first (the UHT model then refuses the loading, see
    :func:`_as_plating_time`): the time suggested is the one that fits both, so following it is not refused again."""
    top = PLATED_ZN_RANGE_KG_PER_M2[1]
    if loading_kg_per_m2 <= top:
        return
    limit, why = top, f"the UHT line takes at most {top:g} kg/m2 (plated_zn_loading_kg_per_m2)"
    cap = gamma_brass_capacity_kg_per_m2(uht.foil_thickness_m, params)
    if (uht.stage3_time_s is None or uht.stage3_time_s > 0.0) and cap < top:
        limit, why = cap, (f"{why}, and the {uht.foil_thickness_m * 1e6:g} µm foil holds ≈{cap:.3g} kg/m2 as "
                           "γ brass")
    raise FoiltwinInputError(
        f"{step.bath}.time_s", step.time_s,
        f"at most {'≈' if limit < top else ''}{step.time_s * limit / loading_kg_per_m2:.4g} s at "
        f"{step.current_density_A_per_m2:g} A/m2: it plates {loading_kg_per_m2:.4g} kg/m2 of Zn per face and {why}")


def _as_plating_time(err: FoiltwinInputError, recipes: list[CollectorRecipe], params: ParameterValues
                     ) -> FoiltwinInputError:
    """The UHT model's refusal of a plated Zn loading too large for the foil as γ brass, re-said for a recipe whose
    loading its Zn plating step sets (the recipe never set ``plated_zn_loading_kg_per_m2``): the step's time and
    the longest that fits at its current density (the loading grows in proportion to the time). Any other
    refusal unchanged."""
    if err.field != "plated_zn_loading_kg_per_m2":
        return err
    for r in recipes:
        step = r.zn_plating
        if step is None or r.uht is None or r.uht.plated_zn_loading_kg_per_m2 != err.value:
            continue
        cap = gamma_brass_capacity_kg_per_m2(r.uht.foil_thickness_m, params)
        return FoiltwinInputError(
            f"{step.bath}.time_s", step.time_s,
            f"at most ≈{step.time_s * cap / err.value:.4g} s at {step.current_density_A_per_m2:g} A/m2: it plates "
            f"{err.value:.4g} kg/m2 of Zn per face, more than the {r.uht.foil_thickness_m * 1e6:g} µm foil holds as "
            f"γ brass (≈{cap:.3g} kg/m2)")
    return err


@contextmanager
def _named_for(field_name: str) -> Iterator[None]:
    """A plating model's refusal of ``current_density_A_per_m2`` (its kinetics' range, the web edges' current)
    re-said as the recipe's own field ``field_name`` (the step's current density), value and range unchanged."""
    try:
        yield
    except FoiltwinInputError as err:
        if err.field != "current_density_A_per_m2":
            raise
        raise FoiltwinInputError(field_name, err.value, err.allowed, err.reason) from None


def _electroform_step(r: CollectorRecipe, thickness_m: float, params: ParameterValues) -> PlatingStep:
    """The plating step that electroforms the foil at the recipe's current density; a current density too low to
    grow the foil within one plating step (:data:`MAX_PLATING_TIME_S`) is refused naming it."""
    _check_bath("electroform_bath", r.electroform_bath, ELECTROFORM_BATHS)
    bath = get_bath(r.electroform_bath, params)
    j = check_range("electroform_current_density_A_per_m2", r.electroform_current_density_A_per_m2, 0.0,
                    None, low_inclusive=False, unit="A/m2")
    with _named_for("electroform_current_density_A_per_m2"):
        eff = float(partial_currents(bath, j, temperature_K=r.electroform_temperature_K, params=params)
                    .current_efficiency_frac)
    rate = float(plated_mass_kg_per_m2("Cu", j, 1.0, eff, params)) / bath.metal.density_kg_per_m3
    time_s = thickness_m / rate
    if time_s > MAX_PLATING_TIME_S:
        raise FoiltwinInputError(
            "electroform_current_density_A_per_m2", j,
            f"at least ≈{j * time_s / MAX_PLATING_TIME_S:.3g} A/m2: at {j:g} A/m2 the {thickness_m * 1e6:g} µm foil "
            f"takes {time_s / 3600.0:.4g} h to electroform, more than one plating step's "
            f"{MAX_PLATING_TIME_S / 3600.0:g} h")
    return PlatingStep(r.electroform_bath, j, time_s, r.electroform_temperature_K)


def _plate(step: PlatingStep, faces: float, params: ParameterValues, j_field: str | None = None
           ) -> tuple[dict[str, float], PlatingStepResult]:
    """Operating point, loading and energy of one plating step (per m² of web), and what it uses; a refusal of its
    current density names ``j_field`` (default the step's field, ``{bath}.current_density_A_per_m2``)."""
    with _named_for(j_field or f"{step.bath}.current_density_A_per_m2"):
        return _plate_step(step, faces, params)


def _plate_step(step: PlatingStep, faces: float, params: ParameterValues
                ) -> tuple[dict[str, float], PlatingStepResult]:
    bath = get_bath(step.bath, params)
    T = bath.temperature_K if step.temperature_K is None else step.temperature_K
    j = step.current_density_A_per_m2
    check_range(f"{step.bath}.current_density_A_per_m2", j, 0.0, None, low_inclusive=False, unit="A/m2")
    check_range(f"{step.bath}.time_s", step.time_s, 0.0, MAX_PLATING_TIME_S, low_inclusive=False, unit="s")
    c = step.concentration_mol_per_m3
    if c is not None:
        check_range(f"{step.bath}.concentration_mol_per_m3", c, *bath.metal_concentration_window_mol_per_m3,
                    unit="mol/m3")
    point = partial_currents(bath, j, concentration_mol_per_m3=c, temperature_K=T, params=params)
    eff = float(point.current_efficiency_frac)
    _check_net_deposition(step, bath, eff, c, T, params)
    cell = cell_voltage(bath, j, concentration_mol_per_m3=c, temperature_K=T, params=params)
    energy = float(plating_energy_kWh_per_m2(cell.total_V, j, step.time_s, faces_count=faces, params=params))
    flows = metal_flows_per_m2(bath, j, step.time_s, eff, concentration_mol_per_m3=c, faces_count=faces,
                               params=params)
    per_face = float(plated_mass_kg_per_m2(bath.metal.symbol, j, step.time_s, eff, params))
    profile = cross_web_profile(bath, j, step.time_s, 0.5, concentration_mol_per_m3=c, temperature_K=T,
                                params=params)
    return {
        "current_density_A_per_m2": j, "time_s": step.time_s, "temperature_K": T, "current_efficiency": eff,
        "cell_voltage_V": float(cell.total_V), "energy_kwh_per_m2": energy,
        "loading_kg_per_m2_per_face": per_face, "thickness_nm": per_face / bath.metal.density_kg_per_m3 * 1e9,
        "metal_kg_per_m2": float(flows.plated_kg_per_m2),
        "dragout_mol_per_m2": float(flows.dragout_mol_per_m2),
        "limiting_current_density_A_per_m2": float(point.limiting_current_density_A_per_m2),
        "cross_web_cov": profile.cov_frac,
        "cross_web_min_over_mean": profile.min_thickness_m / profile.mean_thickness_m,
        "cross_web_max_over_mean": profile.max_thickness_m / profile.mean_thickness_m,
    }, PlatingStepResult(step.bath, energy, float(flows.plated_kg_per_m2))


def _operating_warnings(label: str, step: PlatingStep, params: ParameterValues) -> list[str]:
    """Where the step's operating point leaves its bath's windows (current density, metal ion, temperature) or
    comes near the limiting current (:func:`process_models.plating.electrodeposition.operating_flags`, Winand
    1994): the kinetics still give a deposit there, but a real bath burns or roughens it."""
    bath = get_bath(step.bath, params)
    flags = operating_flags(bath, step.current_density_A_per_m2, concentration_mol_per_m3=step.concentration_mol_per_m3,
                            temperature_K=step.temperature_K, params=params)
    return [f"{label} ({step.bath} at {step.current_density_A_per_m2:g} A/m2): {m}" for m in flags.messages]


def evaluate_collectors(recipes: Sequence[CollectorRecipe], params: ParameterValues,
                        stage2_cache: Stage2Cache | None = None) -> list[CollectorResult]:
    """Evaluate collector recipes; the UHT step runs as one batch over all recipes that have it (with the caller's
    ``stage2_cache``, see :func:`process_models.uht.recipe.evaluate_recipes`)."""
    prepared: list[tuple[CollectorRecipe, dict[str, dict[str, float]], dict[str, PlatingStepResult], list[str]]] = []
    uht_recipes: list[UHTRecipe] = []
    for r in recipes:
        plating: dict[str, dict[str, float]] = {}
        steps: dict[str, PlatingStepResult] = {}
        warnings: list[str] = []
        if r.substrate not in ("commercial", "electroformed"):
            raise FoiltwinInputError("substrate", r.substrate, "one of commercial, electroformed")
        # 0 s is "no Ag step"; a negative time or strength is refused, never read as "off"
        check_range("ag_immersion_time_s", r.ag_immersion_time_s, 0.0, MAX_TIME_S, unit="s")
        check_range("agf_mass_frac", r.agf_mass_frac, 0.0, AGF_MASS_FRAC_RANGE[1], unit="1 (mass fraction)")
        uht = r.uht
        if r.substrate == "electroformed":
            step = _electroform_step(r, uht.foil_thickness_m if uht is not None else 10e-6, params)
            plating["electroform"], steps["electroform"] = _plate(step, 1.0, params,
                                                                  "electroform_current_density_A_per_m2")
            warnings += _operating_warnings("electroforming", step, params)
        if r.zn_plating is not None:
            _check_bath("zn_bath", r.zn_plating.bath, ZN_BATHS)
            plating["zn"], steps["zn"] = _plate(r.zn_plating, params["plating_web_faces_count"], params)
            warnings += _operating_warnings("Zn plating", r.zn_plating, params)
            if uht is None:
                raise FoiltwinInputError("zn_plating", r.zn_plating.bath, "a UHT step to alloy the plated Zn")
            _check_zn_loading_fits(r.zn_plating, plating["zn"]["loading_kg_per_m2_per_face"], uht, params)
            uht = replace(uht, zn_route="plated",
                          plated_zn_loading_kg_per_m2=plating["zn"]["loading_kg_per_m2_per_face"])
        if uht is not None:
            uht_recipes.append(uht)
        prepared.append((replace(r, uht=uht), plating, steps, warnings))
    try:
        uht_results = iter(evaluate_recipes(uht_recipes, params, stage2_cache)) if uht_recipes else iter(())
    except FoiltwinInputError as err:
        raise _as_plating_time(err, [r for r, *_ in prepared], params) from None
    out = []
    for r, plating, steps, warnings in prepared:
        res = next(uht_results) if r.uht is not None else None
        out.append(_finish(r, res, plating, steps, warnings, params))
    return out


def evaluate_collector(recipe: CollectorRecipe, params: ParameterValues, stage2_cache: Stage2Cache | None = None
                       ) -> CollectorResult:
    """Evaluate one collector recipe (see :func:`evaluate_collectors`)."""
    return evaluate_collectors([recipe], params, stage2_cache)[0]


def _finish(r: CollectorRecipe, res: RecipeResult | None, plating: dict[str, dict[str, float]],
            steps: dict[str, PlatingStepResult], warnings: list[str], params: ParameterValues) -> CollectorResult:
    """Texture, Ag, indicators and cost of one recipe whose UHT step (if any) has been evaluated."""
    ef = plating.get("electroform")
    texture = substrate_texture(r, params, None if ef is None else ef["temperature_K"])
    anneal_run, hot_run = _coil_anneal(r, params), _hot_zone(r, params)
    anneal = anneal_run[0] if anneal_run else None
    hot = hot_run[0] if hot_run else None
    theta = ((res.anneal_equivalent_time_s if res is not None else 0.0)
             + (anneal["equivalent_time_s"] if anneal else 0.0) + (hot["equivalent_time_s"] if hot else 0.0))
    if theta > 0.0:  # the furnace and the UHT histories anneal the Cu: JMAK on the sum of their equivalent times
        texture = anneal_texture_equivalent(texture, theta, params).texture[0]
    if res is not None:
        warnings = [*res.warnings, *warnings]
    ag = imm = None
    ag_cover = 0.0
    if r.ag_immersion_time_s > 0.0:
        imm = ag_immersion(r.ag_immersion_time_s, r.agf_mass_frac, params=params)
        ag_cover = float(np.squeeze(imm.ag_coverage_frac))
        ag = {"ag_kg_per_m2": float(np.squeeze(imm.ag_kg_per_m2)),
              "ag_thickness_nm": float(np.squeeze(imm.ag_thickness_m)) * 1e9,
              "cu_dissolved_kg_per_m2": float(np.squeeze(imm.cu_dissolved_kg_per_m2)), "ag_coverage": ag_cover,
              "cu_thinning_nm": float(np.squeeze(imm.cu_thinning_m)) * 1e9,
              "diffusion_layer_um": float(np.squeeze(imm.diffusion_layer_m)) * 1e6,
              "incomplete_plumes": bool(np.squeeze(imm.incomplete_plumes)),
              "plumes_damaged": bool(np.squeeze(imm.plumes_damaged))}
        if ag["incomplete_plumes"]:
            warnings.append("Ag immersion: plumes incomplete (too short or too dilute vs 1 wt %/2 min, seed 004)")
        if ag["plumes_damaged"]:
            warnings.append("Ag immersion: plume structure damaged (too long or too concentrated, seed 004)")
    # Surface for the nucleation indicator: Ag covers a share; the rest is the UHT surface. fcc "alpha" spans
    # pure Cu to Cu0.64Zn0.36, so it counts as brass in proportion x_s/0.36 (linear mixing, assumed) and as Cu
    # otherwise; β is grouped with γ (both intermetallic, no seed value for β).
    surface = res.surface_phase_fractions if res is not None else {}
    bare = 1.0 - ag_cover
    brass = min(max(res.surface_zn_at_frac / params["skin_reference_zn_frac"], 0.0), 1.0) if res is not None else 0.0
    eta = float(np.squeeze(nucleation_overpotential_V(
        texture, gamma_frac=bare * (surface.get("gamma", 0.0) + surface.get("beta", 0.0)),
        alpha_frac=bare * surface.get("alpha", 0.0) * brass, ag_frac=ag_cover, params=params)))
    # flows per m² of web, station by station, priced once; only the lines used carry fixed costs
    flows: dict[str, Flows] = {}
    if res is not None:
        flows["uht"] = res.flows_per_m2(params, r.web_width_m)
    for name, step in steps.items():
        flows[name] = step.flows_per_m2(params)
    if anneal_run is not None:
        flows["coil_anneal"] = anneal_run[1]
    if hot_run is not None:
        flows["hot_zone"] = hot_run[1]
    _texture_route_warning(anneal, warnings, params)
    if r.substrate == "commercial":
        thickness = r.uht.foil_thickness_m if r.uht is not None else 10e-6
        flows["substrate"] = bought_foil_flows(thickness, params)
    if imm is not None:
        flows["ag_immersion"] = imm.flows_per_m2()
    total_flows = sum(flows.values(), Flows())
    cost = price_flows(total_flows, params, r.currency, availability_frac=r.availability_frac,
                       yield_frac=r.yield_frac)
    total, breakdown = cost.total_per_good_m2, dict(cost.by_category)
    return CollectorResult(
        uht=res, texture_fractions=dict(zip(("111", "100", "110", "random"), map(float, texture), strict=True)),
        nucleation_overpotential_mV=eta * 1e3, ag=ag, plating=plating, cost_per_m2=total,
        cost_breakdown=breakdown, currency=r.currency, energy_kwh_per_m2=total_flows.get("electricity_kWh_per_m2"),
        warnings=warnings, coil_anneal=anneal, hot_zone_anneal=hot, flows_by_step=flows,
    )


def _texture_route_warning(anneal: dict | None, warnings: list[str], params: ParameterValues) -> None:
    """Warn when the coil anneal's wound wraps stick."""
    if anneal is not None and anneal["wraps_stick"]:
        warnings.append(f"coil anneal: the wraps of the wound coils stick (sticking indicator "
                        f"{anneal['sticking_frac']:.2f} > coil_anneal_max_sticking_frac "
                        f"{params['coil_anneal_max_sticking_frac']:g}): shorten the soak or lower its temperature")


def substrate_texture(r: CollectorRecipe, params: ParameterValues, bath_temperature_K: float | None = None
                      ) -> np.ndarray:
    """Texture (111, 100, 110, random) of the recipe's foil before any heat: the commercial reference, or the
    electroforming map at its bath, current density and bath temperature (``None``: the bath's own)."""
    if r.substrate == "electroformed":
        T = bath_temperature_K
        if T is None:
            T = r.electroform_temperature_K or get_bath(r.electroform_bath, params).temperature_K
        return electroformed_texture_array(r.electroform_current_density_A_per_m2, T,
                                           "fsi" if r.electroform_bath.endswith("fsi") else "none", params)[0]
    t111, t100, t110 = (params[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110"))
    return np.array([t111, t100, t110, 1.0 - t111 - t100 - t110])


def _hot_zone(r: CollectorRecipe, params: ParameterValues) -> tuple[dict[str, float], Flows] | None:
    """The recipe's hot-zone pass per m² of web and its flows (None without one); a recipe has one texture route
    at most."""
    h = r.hot_zone
    if h is None:
        return None
    if r.coil_anneal is not None:
        raise FoiltwinInputError("texture_route", "furnace and hot_zone", "one texture route: a coil anneal or a "
                                 "hot-zone pass, not both")
    thickness = r.uht.foil_thickness_m if r.uht is not None else 10e-6
    c = hot_zone_anneal(h.temperature_K, h.pull_speed_m_per_s, HotZoneWeb(h.web_width_m, thickness), params)
    keys = ("temperature_K", "pull_speed_m_per_s", "residence_time_s", "transit_time_s", "equivalent_time_s",
            "recrystallised_frac", "energy_kwh_per_m2", "protective_gas_Nm3_per_m2", "throughput_m2_per_h")
    out = {k: float(getattr(c, k)[0]) for k in keys}
    out["pull_speed_mm_per_min"] = out["pull_speed_m_per_s"] * 6e4
    return out, c.flows_per_m2()


def _coil_anneal(r: CollectorRecipe, params: ParameterValues) -> tuple[dict[str, float | bool], Flows] | None:
    """The furnace programme of the recipe's coil anneal, per m² of product, with the sticking indicator of the
    wound coils, and its flows (None without one)."""
    a = r.coil_anneal
    if a is None:
        return None
    thickness = r.uht.foil_thickness_m if r.uht is not None else 10e-6
    load = FurnaceLoad(coils_count=a.coils_per_batch, coil_length_m=a.coil_length_m, coil_width_m=a.coil_width_m,
                       foil_thickness_m=thickness)
    c = anneal_cycle(a.soak_temperature_K, a.soak_time_s, load, params, heating_rate_K_per_s=a.heating_rate_K_per_s,
                     cooling_rate_K_per_s=a.cooling_rate_K_per_s)
    keys = ("soak_temperature_K", "soak_time_s", "cycle_time_s", "equivalent_time_s", "recrystallised_frac",
            "energy_kwh_per_m2", "protective_gas_Nm3_per_m2", "throughput_m2_per_h", "sticking_frac")
    out: dict[str, float | bool] = {k: float(getattr(c, k)[0]) for k in keys}
    rate = float(c.throughput_m2_per_h[0])
    if rate > MAX_THROUGHPUT_M2_PER_H:  # the batch area grows with the coil length, the cycle does not
        raise FoiltwinInputError(
            "coil_anneal.coil_length_m", a.coil_length_m,
            f"at most {a.coil_length_m * MAX_THROUGHPUT_M2_PER_H / rate:.4g} m for {a.coils_per_batch} coils "
            f"{a.coil_width_m:g} m wide: the batch of {load.area_m2:.4g} m2 per "
            f"{float(c.cycle_time_s[0]) / 3600:.3g} h cycle is {rate:.4g} m2/h and the costing takes lines up to "
            f"{MAX_THROUGHPUT_M2_PER_H:g} m2/h")
    out["wraps_stick"] = bool(c.wraps_stick[0])
    return out, c.flows_per_m2()
