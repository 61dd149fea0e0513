"""Checking a recommended point: in the process models (``evaluate_collectors``) and in the twin (``run_single``).

The process-model check evaluates the exact recipe the settings make (dwell times from lengths and speeds,
the plated loading from the plating kinetics at the twin's mass transport) and prices it like the MILP. The
twin check runs the optimised lines (the UHT line and, when the mode uses it, the plating line) for a short
horizon with a fixed seed, the spec set to the targets, and reads KPIs both raw and steady-state (time per m²
from production hours, leaving out the start-up starvation of a short run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from optimizer.economics import Economics
from optimizer.metal_surrogates import MetalSpec, liquid_warning, melt_guard, metal_spec, skin_recipe
from optimizer.solution import Point
from optimizer.space import STAGE3_GUARD_SIGMA, DecisionSpace
from optimizer.surrogates import check_collectors, plating_points, safe_evaluate, twin_physics_memo
from optimizer.targets import Targets, gauge_yield
from optimizer.web_tension import web_check, web_misses
from process_models.collector.recipe import CoilAnnealStep, CollectorRecipe, substrate_texture
from process_models.costing.flows import Flows, bought_foil_flows, price_flows
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.plating.electrodeposition import plated_mass_kg_per_m2
from process_models.plating.flows import plating_flows_per_m2
from process_models.skins.skin import evaluate_skin
from process_models.texture.coil_anneal import furnace_flow_amounts, soak_time_for_texture_100
from process_models.texture.texture_model import anneal_texture_equivalent
from process_models.uht.flows import uht_flows_per_m2
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.recipe import UHTRecipe
from twin.plant_settings import rebuilt
from twin.scenario import Scenario
from twin.simulate import run_single

ALPHA_METRE_SHARE_MIN = 0.95  # "single-phase α" in the twin: at least this share of the metres made are α


@dataclass
class Check:
    """KPIs of one check, and the targets they miss (empty: all met)."""

    kpis: dict[str, Any]
    misses: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.misses


def plated_loading_kg_per_m2(space: DecisionSpace, params: ParameterValues, p: Point) -> float:
    """Zn per face the plating line lays down at the point's settings (the twin's kinetics)."""
    assert p.ed_bath is not None and p.ed_current_density_A_per_m2 is not None
    t = p.plating_time_s(space)
    assert t is not None
    pace = 60.0 / float(p.ed_web_speed_m_per_min)  # type: ignore[arg-type]
    out = plating_points(space, params, p.ed_bath, np.array([math.log(p.ed_current_density_A_per_m2)]),
                         np.array([math.log(pace)]))
    eff = math.exp(float(out["ln_eff"][0]))
    return float(plated_mass_kg_per_m2("Zn", p.ed_current_density_A_per_m2, t, eff, params))


def uht_recipe(space: DecisionSpace, params: ParameterValues, p: Point) -> UHTRecipe:
    """The UHT recipe the settings make."""
    kw: dict[str, Any] = {}
    if p.route == "plated":
        kw = {"zn_route": "plated", "plated_zn_loading_kg_per_m2": plated_loading_kg_per_m2(space, params, p)}
    return UHTRecipe(foil_thickness_m=space.foil_thickness_m, stage2_temperature_K=p.stage2_temperature_K,
                     stage2_time_s=p.stage2_time_s(space), stage3_peak_K=p.stage3_peak_K,
                     stage3_time_s=p.stage3_time_s(space), cooling=space.cooling,  # type: ignore[arg-type]
                     stage3_heater_length_m=space.stage3_heater_length_m, **kw)


def substrate_fields(space: DecisionSpace, p: Point) -> dict[str, Any]:
    """The :class:`CollectorRecipe` fields of the point's foil (electroforming settings; none for bought foil)."""
    if p.substrate != "electroformed":
        return {}
    return {"substrate": "electroformed", "electroform_bath": p.ed_bath,
            "electroform_current_density_A_per_m2": p.ed_current_density_A_per_m2,
            "electroform_temperature_K": space.ed.bath_temperature_K if space.ed else None}


TEXTURE_MARGIN = 1e-6  # the least soak aims this far above the (100) target (round-off of the check)


def least_soak(space: DecisionSpace, params: ParameterValues, targets: Targets, p: Point) -> Point:
    """The point with its coil-anneal soak cut to the least that reaches the (100) target at its soak temperature,
    ramps included (closed form, :func:`process_models.texture.coil_anneal.soak_time_for_texture_100`): the MILP credits
    the soak alone, so its soak is on the long side. Unchanged without an anneal or a target."""
    if not p.annealed or targets.min_texture_100 is None or space.anneal is None:
        return p
    kw = substrate_fields(space, p)
    f0 = float(substrate_texture(CollectorRecipe(uht=None, **kw), params)[1])
    try:
        t = float(soak_time_for_texture_100(targets.min_texture_100 + TEXTURE_MARGIN, f0, p.anneal_soak_temperature_K,
                                            params, space.anneal.heating_rate_K_per_s,
                                            space.anneal.cooling_rate_K_per_s)[0])
    except FoiltwinInputError:  # not reachable at this temperature: keep the MILP's soak, the check will tell
        return p
    return replace(p, anneal_soak_h=min(float(p.anneal_soak_h or 0.0), t / 3600.0))


def scheduled_s_per_m2(space: DecisionSpace, p: Point, time_factor: float = 1.0,
                       anneal_cycle_s: float | None = None) -> float:
    """Expected scheduled plant seconds per processed m² (the slowest line or furnace set sets it)."""
    h = space.uht_time.scheduled_s_per_m(p.pace_s_per_m()) / space.width_m
    if p.ed_bath is not None and space.ed is not None and p.ed_web_speed_m_per_min:
        h = max(h, space.ed.time.scheduled_s_per_m(60.0 / p.ed_web_speed_m_per_min) / space.width_m)
    if p.annealed and space.anneal is not None and anneal_cycle_s is not None:
        a = space.anneal
        h = max(h, (1.0 + a.downtime_per_hot_h) * anneal_cycle_s / (space.batch_area_m2() * a.furnaces_count))
    return time_factor * h


def plant_cost_per_processed_m2(flows: Flows, scheduled_s_per_m2: float, params: ParameterValues,
                                currency: str) -> float:
    """Cost per processed m² of a coupled plant: every line the flows use is held for the plant's scheduled time
    per m² (the slowest line or furnace set paces them all; downtime is in that time, so availability 1), priced by
    :func:`process_models.costing.flows.price_flows` at yield 1 (the caller divides by its yield)."""
    h = scheduled_s_per_m2 / 3600.0
    plant = flows.with_line_time({line: h for line in flows.lines})
    return price_flows(plant, params, currency, availability_frac=1.0, yield_frac=1.0).total_per_good_m2


def plating_line_flows(space: DecisionSpace, params: ParameterValues, p: Point, kg_per_m2: float
                       ) -> tuple[float, Flows]:
    """The plating line's energy [kWh/m²] and flows for plating ``kg_per_m2`` [kg/m²] at the point's bath, current
    density and web speed (the bath's current efficiency and cell voltage from :func:`plating_points`)."""
    assert p.ed_bath is not None
    out = plating_points(space, params, p.ed_bath, np.array([math.log(p.ed_current_density_A_per_m2 or 1.0)]),
                         np.array([math.log(60.0 / (p.ed_web_speed_m_per_min or 1.0))]))
    energy = float(out["kwh_per_kg"][0]) * kg_per_m2
    return energy, plating_flows_per_m2(p.ed_bath, energy, kg_per_m2, params)


def check_with_models(space: DecisionSpace, params: ParameterValues, econ: Economics, targets: Targets,
                      p: Point, yield_factor: float = 1.0, time_factor: float = 1.0,
                      ln_skin_offset: float = 0.0) -> Check:
    """Evaluate the point with process_models and price it as the MILP does. ``ln_skin_offset`` is what the
    twin has been seen to add to the models' skin (0 before any twin run): targets are judged on the skin
    expected in the twin. A skin of another metal than Zn: :func:`check_metal_with_models`."""
    if p.skin_metal != "Zn":
        return check_metal_with_models(space, params, econ, targets, p, yield_factor, time_factor)
    recipe = uht_recipe(space, params, p)
    kw = substrate_fields(space, p)
    if p.annealed and space.anneal is not None:
        kw["coil_anneal"] = CoilAnnealStep(
            soak_temperature_K=float(p.anneal_soak_temperature_K), soak_time_s=float(p.anneal_soak_h) * 3600.0,
            coils_per_batch=space.anneal.coils_per_batch, coil_length_m=space.coil_length_m,
            coil_width_m=space.width_m, heating_rate_K_per_s=space.anneal.heating_rate_K_per_s,
            cooling_rate_K_per_s=space.anneal.cooling_rate_K_per_s)
    res = check_collectors(CollectorRecipe(uht=recipe, currency=econ.currency, **kw), params)
    u = res.uht
    assert u is not None
    solvus = float(cuzn_phase_diagram().alpha_max_zn_frac(params["phase_freeze_temperature_K"]))
    an = res.coil_anneal
    H = scheduled_s_per_m2(space, p, time_factor, an["cycle_time_s"] if an else None)
    expected = u.skin_thickness_nm * math.exp(ln_skin_offset)
    y = gauge_yield(targets.spec_window_nm, expected, space.gauge_noise_nm) * yield_factor
    flows = {"uht": u.flows_per_m2(params)}
    ed_energy = 0.0
    if p.ed_bath is not None and space.ed is not None:
        if p.substrate == "electroformed":
            kg = space.foil_thickness_m * params["cu_density_kg_per_m3"]
        else:
            kg = recipe.plated_zn_loading_kg_per_m2 * params["plating_web_faces_count"]
        ed_energy, flows["plating"] = plating_line_flows(space, params, p, kg)
    for step in ("substrate", "coil_anneal"):
        if step in res.flows_by_step:
            flows[step] = res.flows_by_step[step]
    cost_processed = plant_cost_per_processed_m2(sum(flows.values(), Flows()), H, params, econ.currency)
    melting = any(w.startswith("melting") for w in res.warnings)
    kpis = {
        "skin_thickness_nm": u.skin_thickness_nm, "skin_thickness_expected_nm": expected,
        "skin_phase": u.skin_phase,
        "surface_zn_at_frac": u.surface_zn_at_frac, "skin_mean_zn_at_frac": u.skin_mean_zn_at_frac,
        "phase_margin_zn_frac": float(max(u.profile_zn_at_frac)) - solvus,
        "zn_loading_mg_per_cm2": u.zn_loading_mg_per_cm2, "zn_deposited_mg_per_cm2": u.zn_deposited_mg_per_cm2,
        "melting": melting, "max_melt_depth_nm": u.max_melt_depth_nm,
        "energy_uht_kwh_per_m2": u.energy_kwh_per_m2, "energy_plating_kwh_per_m2": ed_energy,
        "texture_fraction_100": res.texture_fractions["100"],
        "coil_anneal": an,
        "nucleation_overpotential_mV": res.nucleation_overpotential_mV,
        "cost_per_processed_m2": cost_processed, "yield_fraction": y,
        "cost_per_m2": cost_processed / max(y, 1e-9), "throughput_m2_per_h": 3600.0 * y / H,
        "warnings": list(res.warnings),
        **web_check(params, space.foil_thickness_m, p.web_tensions(), p.stage2_temperature_K, u.peak_temperature_K),
    }
    if recipe.zn_route == "plated":
        kpis["plated_zn_mg_per_cm2"] = recipe.plated_zn_loading_kg_per_m2 * 1e2
    return Check(kpis, _misses(kpis, targets, twin=False))


def check_metal_with_models(space: DecisionSpace, params: ParameterValues, econ: Economics, targets: Targets,
                            p: Point, yield_factor: float = 1.0, time_factor: float = 1.0) -> Check:
    """The point with a skin of ``p.skin_metal`` (not Zn): that metal's skin model
    (:func:`process_models.skins.skin.evaluate_skin`, the twin's) at the point's settings and the line's source for
    the metal, judged against the metal's limits (``spec.skin_metals``) and the targets' plant bounds, priced like
    the MILP (the skin's flows, the substrate's, the plant's time)."""
    spec = metal_spec(space, p.skin_metal)
    try:
        r = evaluate_skin(skin_recipe(space, spec, p.stage2_temperature_K, p.stage2_time_s(space), p.stage3_peak_K,
                                      p.stage3_time_s(space)), params)
    except FoiltwinInputError as err:  # e.g. a deposit the foil cannot hold: the point fails, the run goes on
        return refused_metal_check(p.skin_metal, err)
    skin_nm = r.skin_thickness_m * 1e9
    H = scheduled_s_per_m2(space, p, time_factor)
    y = gauge_yield(spec.window_nm, skin_nm, space.gauge_noise_nm) * yield_factor
    flows = r.flows_per_m2(params).with_line_time({"uht": 1.0})
    if p.substrate == "commercial":
        flows += bought_foil_flows(space.foil_thickness_m, params)
    elif p.ed_bath is not None and space.ed is not None:
        flows += plating_line_flows(space, params, p, space.foil_thickness_m * params["cu_density_kg_per_m3"])[1]
    cost_processed = plant_cost_per_processed_m2(flows, H, params, econ.currency)
    phase = "+".join(r.skin_phases)
    # texture: the substrate's, annealed by the UHT line's heat (the θ of the skin's stage-II history)
    f0 = np.asarray(substrate_texture(CollectorRecipe(uht=None, **substrate_fields(space, p)), params), float)
    tex = anneal_texture_equivalent(f0[None, :], np.array([r.anneal_equivalent_time_s]), params).texture[0]
    kpis = {
        "skin_metal": p.skin_metal, "texture_fraction_100": float(tex[1]), "skin_thickness_nm": skin_nm,
        "skin_thickness_expected_nm": skin_nm,
        "skin_phase": phase, "surface_skin_metal_at_frac": r.surface_frac,
        "metal_deposited_kg_per_m2": r.deposited_kg_per_m2, "melting": liquid_warning(r), **melt_guard(space, r),
        "energy_uht_kwh_per_m2": r.energy_kWh_per_m2, "cost_per_processed_m2": cost_processed, "yield_fraction": y,
        "cost_per_m2": cost_processed / max(y, 1e-9), "throughput_m2_per_h": 3600.0 * y / H,
        "warnings": list(r.warnings),
        **web_check(params, space.foil_thickness_m, p.web_tensions(), p.stage2_temperature_K, r.stage3_peak_K),
    }
    return Check(kpis, metal_misses(kpis, spec, targets, twin=False))


def refused_metal_check(metal: str, err: FoiltwinInputError) -> Check:
    """A point whose skin the model refuses (:class:`FoiltwinInputError`): no skin, no yield, infinite cost, and
    the refusal as its miss."""
    nan = math.nan
    kpis = {"skin_metal": metal, "skin_thickness_nm": nan, "skin_thickness_expected_nm": nan, "skin_phase": "",
            "surface_skin_metal_at_frac": nan, "metal_deposited_kg_per_m2": nan, "melting": False,
            "energy_uht_kwh_per_m2": nan, "cost_per_processed_m2": math.inf, "yield_fraction": 0.0,
            "cost_per_m2": math.inf, "throughput_m2_per_h": 0.0, "warnings": [], "failed": str(err)}
    return Check(kpis, [f"the {metal} skin model refuses the point: {err}"])


def metal_misses(k: dict[str, Any], spec: MetalSpec, t: Targets, twin: bool) -> list[str]:
    """What a point with a skin of another metal misses: the metal's window, surface fraction, phases and (models)
    melting; the plant bounds of the targets (throughput, cost); the web."""
    out = []
    lo, hi = spec.window_nm
    skin = k.get("skin_thickness_expected_nm", k.get("skin_thickness_nm"))
    if skin is None or not (lo <= skin <= hi):
        out.append(f"skin_thickness: {skin if skin is None else round(skin, 1)} nm outside [{lo:g}, {hi:g}] "
                   f"({spec.metal})")
    if not twin:
        a, b = spec.surface_frac
        if not (a <= k["surface_skin_metal_at_frac"] <= b):
            out.append(f"surface_{spec.metal}: {k['surface_skin_metal_at_frac']:.3f} outside [{a:g}, {b:g}]")
        if not spec.phase_ok(k["skin_phase"]):
            out.append(f"skin_phase: {k['skin_phase']} not in {spec.allowed_phases}")
        if t.no_melting and k.get("melting"):
            out.append(f"no_melting: the stage-III peak reaches the liquid of the {spec.metal} profile")
        elif t.no_melting and k.get("melt_guard_margin_K", 0.0) < 0.0:
            out.append(f"no_melting: liquid forms at the peak + {STAGE3_GUARD_SIGMA:g}σ "
                       f"({k['stage3_guard_peak_K']:.1f} K, the line's scatter) from {k['liquid_onset_K']:.1f} K, "
                       f"the lowest solidus of the {spec.metal} profile")
    elif k.get("in_spec_metre_share", 1.0) < ALPHA_METRE_SHARE_MIN:
        out.append(f"in_spec: {k['in_spec_metre_share']:.1%} of the {spec.metal} metres are in spec "
                   f"(< {ALPHA_METRE_SHARE_MIN:.0%})")
    for bound, limit in t.bounds():
        if bound.kpi.name in ("throughput_m2_per_h", "cost_per_m2"):
            miss = bound.miss(k, limit, t.currency or "USD")
            if miss is not None:
                out.append(miss)
    return out + web_misses(k)


MELT_EDGE_SEARCH_K = 8.0  # the point's melting edge is searched this far either side of a guess first
MELT_EDGE_POINT_TOL_K = 0.3
GUARD_MISS = "no_melting: liquid forms at the peak"  # how a miss of the melting guard begins


def melt_edge_K(space: DecisionSpace, params: ParameterValues, p: Point, guess_K: float, d_K: float) -> float:
    """The highest stage-III set point [K] at which the point's recipe (its stage II, loading and pulse) does not
    melt at the set point + ``d_K``, to :data:`MELT_EDGE_POINT_TOL_K`: 7 peaks per batch in a bracket around
    ``guess_K`` (moved out by its width while the edge lies outside it). A refused recipe counts as melting."""
    base = uht_recipe(space, params, p)
    top = params["cu_melting_temperature_K"] - 1.0

    def melts(T: np.ndarray) -> np.ndarray:
        res = safe_evaluate([replace(base, stage3_peak_K=float(min(t + d_K, top))) for t in T], params)
        return np.array([r is None or r.max_melt_depth_nm > 0.0 for r in res])

    lo, hi = guess_K - MELT_EDGE_SEARCH_K / 2, guess_K + MELT_EDGE_SEARCH_K / 2
    for _ in range(8):
        pts = np.linspace(lo, hi, 8)
        m = melts(pts)
        if m.all():
            lo, hi = lo - (hi - lo), lo
            continue
        if not m.any():
            if hi + d_K >= top:
                return hi
            lo, hi = hi, hi + (hi - lo)
            continue
        j = int(m.argmax())
        lo, hi = (pts[j - 1], pts[j]) if j > 0 else (lo, pts[0])
        break
    while hi - lo > MELT_EDGE_POINT_TOL_K:
        pts = np.linspace(lo, hi, 9)[1:-1]
        m = melts(pts)
        j = int(m.argmax()) if m.any() else len(pts)
        lo, hi = (pts[j - 1] if j > 0 else lo), (pts[j] if j < len(pts) else hi)
    return float(lo)


def check_melting_guard(space: DecisionSpace, params: ParameterValues, targets: Targets, p: Point,
                        chk: Check, guess_K: float, judge: bool = True) -> Check:
    """The melting guard of the tables a recommendation is read from, checked in the process models: the line's
    peak scatters by σ = ``space.stage3_scatter_K`` around its set point, so the foil must not melt at the set point
    + kσ (k = :data:`~optimizer.space.STAGE3_GUARD_SIGMA`) either. The point's own edge is found
    (:func:`melt_edge_K`, searched from ``guess_K``, the surrogate's) and added as ``stage3_melt_edge_K`` with the
    ``melt_guard_margin_K`` (edge − set point, ≥ 0 when the guard holds); a negative margin is a ``no_melting``
    miss (``judge`` off: the edge is reported, not judged — points of the coarse tables, which do not keep the
    guard). Unchanged when melting is allowed or the line has no scatter."""
    d_K = STAGE3_GUARD_SIGMA * space.stage3_scatter_K
    if not targets.no_melting or d_K <= 0.0:
        return chk
    edge = melt_edge_K(space, params, p, guess_K, d_K)
    chk = Check({**chk.kpis, "stage3_melt_edge_K": edge, "melt_guard_margin_K": edge - p.stage3_peak_K},
                list(chk.misses))
    return judge_melting_guard(space, p, chk) if judge else chk


def judge_melting_guard(space: DecisionSpace, p: Point, chk: Check) -> Check:
    """``chk`` with the melting guard judged from its ``stage3_melt_edge_K`` (found by :func:`check_melting_guard`):
    a ``no_melting`` miss when the set point lies above the edge and the foil does not melt at the set point itself
    (that is already a miss). Unchanged without an edge, or when the guard is already judged."""
    edge = chk.kpis.get("stage3_melt_edge_K")
    if (edge is None or not edge < p.stage3_peak_K or chk.kpis.get("melting")
            or any(m.startswith(GUARD_MISS) for m in chk.misses)):
        return chk
    d_K = STAGE3_GUARD_SIGMA * space.stage3_scatter_K
    return Check(chk.kpis, [*chk.misses, f"{GUARD_MISS} + {STAGE3_GUARD_SIGMA:g}σ "
                                         f"({p.stage3_peak_K + d_K:.1f} K), the line's scatter"])


def _misses(k: dict[str, Any], t: Targets, twin: bool) -> list[str]:
    out = []
    lo, hi = t.skin_window_nm
    skin = k.get("skin_thickness_expected_nm", k.get("skin_thickness_nm"))
    if skin is None or not (lo <= skin <= hi):
        out.append(f"skin_thickness: {skin if skin is None else round(skin, 1)} nm outside [{lo:g}, {hi:g}]")
    if t.single_phase_alpha:
        if twin:
            share = k.get("alpha_metre_share", 0.0)
            if share < ALPHA_METRE_SHARE_MIN:
                out.append(f"single_phase_alpha: {share:.1%} of metres are single-phase α "
                           f"(< {ALPHA_METRE_SHARE_MIN:.0%})")
        elif k.get("skin_phase") != "alpha":
            out.append(f"single_phase_alpha: skin is {k.get('skin_phase')}")
        elif t.phase_backoff_zn_frac and k.get("phase_margin_zn_frac", 0.0) > -t.phase_backoff_zn_frac:
            out.append(f"single_phase_alpha: phase margin {k['phase_margin_zn_frac']:.4f} above the robust back-off "
                       f"−{t.phase_backoff_zn_frac:.4f}")
    if not twin and t.surface_zn_at_frac is not None:
        a, b = t.surface_zn_at_frac
        x = k["surface_zn_at_frac"]
        if not (a <= x <= b):
            out.append(f"surface_zn: {x:.3f} outside [{a:g}, {b:g}]")
    if not twin and t.no_melting and k.get("melting"):
        out.append("no_melting: liquid forms in stage III")
    an = k.get("coil_anneal")
    if an and an.get("wraps_stick"):
        out.append(f"coil_sticking: the wound coils' wraps stick (indicator {an['sticking_frac']:.2f})")
    for bound, limit in t.bounds():  # the catalogued KPI bounds (texture, overpotential, throughput, cost)
        miss = bound.miss(k, limit, t.currency or "USD")
        if miss is not None:
            out.append(miss)
    return out + web_misses(k)


# ---------------------------------------------------------------------------------------------------- twin
def twin_scenario(space: DecisionSpace, targets: Targets, p: Point, hours: float, seed: int) -> Scenario:
    """The verification scenario: the optimised lines with the point's settings held for the whole run (no
    changeovers; other lines left out), the spec set to the targets."""
    sc = p.plant_settings(space).apply_to(space.scenario, keep_changeovers=False)
    plant = sc.plant
    if p.ed_bath is not None and space.ed is not None:
        # the first coil has to pass the plating line before the UHT line sees it
        plant = rebuilt(plant, "plant", coil_store=rebuilt(plant.coil_store, "plant.coil_store", initial_coils=0))
        hours = hours + space.coil_length_m / float(p.ed_web_speed_m_per_min) / 60.0  # type: ignore[arg-type]
    if p.skin_metal != "Zn":  # the scenario's limits of that metal (spec.skin_metals), melting as the targets say
        return rebuilt(sc, plant=plant, spec=rebuilt(sc.spec, "spec", reject_melting=bool(targets.no_melting)),
                       hours=hours, seed=seed, currency=targets.currency or sc.currency)
    lo, hi = targets.spec_window_nm  # the twin's gauge judges the spec (a robust back-off is the optimiser's)
    spec: dict[str, Any] = {"skin_thickness_nm_min": lo, "skin_thickness_nm_max": hi,
                            "reject_melting": bool(targets.no_melting)}
    if targets.surface_zn_at_frac is not None:
        spec.update(surface_zn_at_frac_min=targets.surface_zn_at_frac[0],
                    surface_zn_at_frac_max=targets.surface_zn_at_frac[1])
    if targets.single_phase_alpha:
        spec["allowed_skin_phases"] = ("alpha",)
    # the twin prices in the targets' currency (the scenario's unless the targets name another)
    return rebuilt(sc, plant=plant, spec=rebuilt(sc.spec, "spec", **spec), hours=hours, seed=seed,
                   currency=targets.currency or sc.currency)


ANNEAL_CYCLES_IN_TWIN = 1.1  # the twin's horizon covers this many furnace cycles of the point's programme


def _line_time_s_per_m2(k: dict[str, Any]) -> float | None:
    """Scheduled seconds per processed m² of a line in the run, starved and blocked hours left out."""
    area = k.get("area_produced_m2") or 0.0
    if area <= 0.0:
        return None
    st = k.get("state_hours", {})
    hours = k.get("hours_simulated", 0.0) - st.get("starved", 0.0) - st.get("blocked", 0.0)
    return 3600.0 * max(hours, 0.0) / area


def twin_line_flows(k: dict[str, Any], params: ParameterValues) -> Flows:
    """What one processed m² took from a line of a twin report (measured energy, metal, gas), by the process
    models' flow definitions; line time 1 h/m² as a marker (the plant's pace replaces it). A UHT line buys the Zn its
    stage-II vapour laid down (``zn_vapour_deposited_kg_per_processed_m2``); plated Zn is the plating line's."""
    kind = k.get("type", "uht")
    energy = k.get("energy_kwh_per_processed_m2") or 0.0
    if kind == "coil_anneal":
        return Flows(furnace_flow_amounts(energy, k.get("forming_gas_Nm3_per_processed_m2") or 0.0),
                     {"coil_anneal": 1.0})
    if kind == "uht":
        vapour_kg = k.get("zn_vapour_deposited_kg_per_processed_m2") or 0.0
        other = k.get("skin_metal_deposited_kg_per_processed_m2") or None  # skins of other metals (issue 14)
        return uht_flows_per_m2(energy, vapour_kg, vapour_kg > 0.0, params, 1.0, other)
    return plating_flows_per_m2(k["bath"], energy, k.get("metal_kg_per_processed_m2") or 0.0, params,
                                line_time_h_per_m2=1.0)


def check_in_twin(space: DecisionSpace, params: ParameterValues, econ: Economics, targets: Targets, p: Point,
                  model_check: Check, hours: float = 24.0, seed: int = 1) -> Check:
    """Run the twin at the point and judge its KPIs against the targets. With a coil anneal the horizon covers at
    least one furnace cycle (× ``ANNEAL_CYCLES_IN_TWIN``): a run that ends before the first batch leaves the furnace
    uncharged."""
    an = model_check.kpis.get("coil_anneal")
    if p.annealed and an:
        hours = max(hours, ANNEAL_CYCLES_IN_TWIN * float(an["cycle_time_s"]) / 3600.0)
    sc = twin_scenario(space, targets, p, hours, seed)
    report = run_single(sc, physics_memo=twin_physics_memo())
    lines = report.get("lines", {})
    u = lines.get(space.uht_line, {})
    skin = (u.get("skin_thickness_nm") or {})
    metres = u.get("skin_phase_metres", {}) or {}
    total_m = sum(metres.values())
    y = u.get("yield_fraction") or 0.0
    times = [t for t in (_line_time_s_per_m2(k) for k in lines.values() if k.get("type") != "coil_anneal")
             if t is not None]
    # furnaces in parallel: their rates add (a batch still in the furnace at the end is left out)
    rates = [1.0 / k["furnace_s_per_processed_m2"] for k in lines.values()
             if k.get("type") == "coil_anneal" and k.get("furnace_s_per_processed_m2")]
    if rates:
        times.append(1.0 / sum(rates))
    H = max(times) if times else math.inf
    flows = Flows()
    for k in lines.values():
        if (k.get("area_produced_m2") or 0.0) > 0.0:
            flows += twin_line_flows(k, params)
    if p.substrate == "commercial":
        flows += bought_foil_flows(space.foil_thickness_m, params)
    cost = (plant_cost_per_processed_m2(flows, H, params, econ.currency) / max(y, 1e-9) if math.isfinite(H)
            else math.inf)
    mk = model_check.kpis
    kpis = {
        "skin_thickness_nm": skin.get("mean"), "skin_thickness_p05_nm": skin.get("p05"),
        "skin_thickness_p95_nm": skin.get("p95"), "skin_phase": report.get("skin_phase"),
        "alpha_metre_share": (metres.get("alpha", 0.0) / total_m) if total_m > 0 else 0.0,
        "yield_fraction": y, "throughput_m2_per_h": 3600.0 * y / H if math.isfinite(H) and H > 0 else 0.0,
        "cost_per_m2": cost, "energy_kwh_per_processed_m2": u.get("energy_kwh_per_processed_m2"),
        "availability": u.get("availability"), "scheduled_s_per_m2": H,
        "texture_fraction_100": report.get("texture_fraction_100", mk.get("texture_fraction_100")),
        "nucleation_overpotential_mV": u.get("nucleation_overpotential_mV", mk.get("nucleation_overpotential_mV")),
        "twin_throughput_m2_per_h": report.get("throughput_m2_per_h"),
        "twin_cost_per_m2": report.get("cost_per_m2"),
        "hours_simulated": report.get("hours_simulated"), "seed": seed,
        "metres_produced": report.get("metres_produced"),
    }
    if kpis["texture_fraction_100"] is None:
        kpis["texture_fraction_100"] = mk.get("texture_fraction_100")
    if kpis["nucleation_overpotential_mV"] is None:
        kpis["nucleation_overpotential_mV"] = mk.get("nucleation_overpotential_mV")
    if p.skin_metal != "Zn":
        kpis["skin_metal"] = p.skin_metal
        kpis["in_spec_metre_share"] = (u.get("metres_in_spec") or 0.0) / max(u.get("metres_produced") or 0.0, 1e-9)
        misses = (metal_misses(kpis, metal_spec(space, p.skin_metal), targets, twin=True) if total_m > 0
                  else ["twin produced no finished metres"])
        return Check(kpis, misses)
    misses = _misses(kpis, targets, twin=True) if total_m > 0 else ["twin produced no finished metres"]
    return Check(kpis, misses)
