"""One cost seam: the recipe, the twin and the optimiser's checks price the same flows with the same function.

The pin: a steady UHT line (no failures, no maintenance, no coil-change or restart losses, no heater ageing or
control, noiseless sensors, a spec nothing fails) gives the same cost per m² to 1e-9 in the collector recipe, in
the twin and in the optimiser's process-model check. Its settings lie on the twin's history grid (integer kelvin,
times exp(k·1e-3) s; ``twin.segment_physics``), so the twin's quantised histories are the settings themselves.
The twin counts whole segments, so its horizon runs a whole number of metres. The twin costs conversion (no bought
foil): it is compared with the recipe's flows less the foil.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from optimizer.economics import economics
from optimizer.solution import Point
from optimizer.space import decision_space
from optimizer.targets import Targets
from optimizer.verify import check_with_models, uht_recipe
from process_models.collector.recipe import CollectorRecipe, PlatingStep, evaluate_collector
from process_models.costing.flows import price_flows
from process_models.plating.flows import PlatingStepResult, dragout_makeup_L_per_m2, plating_flows_per_m2
from process_models.uht.flows import web_line_time_h_per_m2
from twin.scenario import (
    CoilSpec,
    CoilStore,
    HeaterAgeing,
    HeaterControl,
    Plant,
    PlatingLine,
    PlatingSettings,
    Scenario,
    SpecLimits,
    TemperatureSensor,
    ThicknessGauge,
    UHTLine,
    UHTSettings,
)
from twin.simulate import build_parameters, run_single

HEATER_L_M = 0.5e-3
T3_STEPS, T2_STEPS = -3507, 4787  # stage III exp(-3.507) s ≈ 30 ms, stage II exp(4.787) s ≈ 120 s: grid points
SPEED_M_PER_MIN = 60.0 * HEATER_L_M / math.exp(T3_STEPS * 1e-3)  # ≈ 1 m/min
ZONE_L_M = HEATER_L_M * math.exp((T2_STEPS - T3_STEPS) * 1e-3)  # ≈ 2 m
# the twin counts whole 1 m segments: the horizon runs 60 m and a nanometre, so all that ran was produced
HOURS = (60.0 + 1e-9) / (SPEED_M_PER_MIN * 60.0)


def steady_plant() -> Scenario:
    line = UHTLine(
        equipment=(), maintenance=None, coil_change_min=0.0, restart_ramp_s=0.0, changeover_min=0.0,
        heater_ageing=HeaterAgeing(resistance_drift_frac_per_h=0.0), control=HeaterControl(enabled=False),
        pyrometer=TemperatureSensor(noise_K=0.0), gauge=ThicknessGauge(noise_nm=0.0),
        settings=UHTSettings(web_speed_m_per_min=SPEED_M_PER_MIN, stage2_zone_length_m=ZONE_L_M,
                             stage2_temperature_K=750.0, stage3_heater_length_mm=HEATER_L_M * 1e3,
                             stage3_peak_K=1150.0))
    return Scenario(plant=Plant(lines=(line,), furnaces=(), incoming_coils=CoilSpec(length_m=200.0),
                                coil_store=CoilStore(initial_coils=20)),
                    spec=SpecLimits(skin_thickness_nm_min=0.0, skin_thickness_nm_max=1e4, surface_zn_at_frac_min=0.0,
                                    surface_zn_at_frac_max=1.0, reject_melting=False),
                    hours=HOURS, seed=3)


@pytest.mark.integration
def test_recipe_twin_and_optimiser_check_give_the_same_cost_per_m2():
    sc = steady_plant()
    params = build_parameters(sc)
    space = decision_space(sc, params, modes=("vapour_commercial",))
    p = Point("vapour_commercial", SPEED_M_PER_MIN, space.zone_modules, 750.0, 1150.0)
    econ = economics(params, space.foil_thickness_m)
    recipe = uht_recipe(space, params, p)
    res = evaluate_collector(CollectorRecipe(uht=recipe, web_width_m=space.width_m, availability_frac=1.0,
                                             yield_frac=1.0), params)
    skin = res.uht.skin_thickness_nm
    targets = Targets(skin, 0.5 * skin).with_defaults(sc)
    chk = check_with_models(space, params, econ, targets, p)
    assert chk.kpis["yield_fraction"] == 1.0
    assert chk.kpis["cost_per_m2"] == pytest.approx(res.cost_per_m2, rel=1e-9)

    line = run_single(sc)["lines"]["uht-1"]
    assert line["availability"] == pytest.approx(1.0, abs=1e-12) and line["yield_fraction"] == 1.0
    conversion = price_flows(res.flows.without("cu_foil_kg_per_m2"), params, availability_frac=1.0, yield_frac=1.0)
    assert line["cost_per_m2"] == pytest.approx(conversion.total_per_good_m2, rel=1e-9)


# ------------------------------------------------------------------------------------------------ plated route
ZN_BATH = "zn_acid_sulfate"
ZN_CURRENT_A_PER_M2 = 300.0
ZN_TANK_M = 0.25  # one tank: 15 s in the bath at ≈ 1 m/min
PLATED_COIL_M = 200.0


def steady_plated_plant() -> Scenario:
    """The steady UHT line of :func:`steady_plant` behind a steady Zn plating line at the same speed (no failures,
    stops or gauge noise); the coil store starts empty, so the UHT line takes plated coils only. The UHT line waits
    for the first plated coil (starved, not stopped), then runs 60 m and a nanometre."""
    base = steady_plant()
    ed = PlatingLine(name="zn-1", equipment=(), maintenance=None, coil_change_min=0.0, restart_ramp_s=0.0,
                     changeover_min=0.0, gauge=ThicknessGauge(noise_nm=0.0),
                     settings=PlatingSettings(web_speed_m_per_min=SPEED_M_PER_MIN, tank_count=1,
                                              tank_length_m=ZN_TANK_M, bath=ZN_BATH,
                                              current_density_A_per_m2=ZN_CURRENT_A_PER_M2))
    plant = Plant(lines=(ed, base.plant.lines[0]), furnaces=(), incoming_coils=CoilSpec(length_m=PLATED_COIL_M),
                  coil_store=CoilStore(initial_coils=0))
    sc = base.model_copy(update={"plant": plant})
    # the first coil reaches the UHT line when the plating line has finished it (its web path threaded at the start)
    starved_h = run_single(sc.model_copy(update={"hours": 4.0}))["lines"]["uht-1"]["state_hours"]["starved"]
    return sc.model_copy(update={"hours": starved_h + HOURS})


@pytest.fixture(scope="module")
def plated_run():
    """The steady plated plant, its parameters, decision space and plated point, and its twin report."""
    sc = steady_plated_plant()
    params = build_parameters(sc)
    space = decision_space(sc, params, modes=("plated_commercial",))
    p = Point("plated_commercial", SPEED_M_PER_MIN, space.zone_modules, 750.0, 1150.0, ed_bath=ZN_BATH,
              ed_current_density_A_per_m2=ZN_CURRENT_A_PER_M2, ed_tanks_on=1, ed_web_speed_m_per_min=SPEED_M_PER_MIN)
    return sc, params, space, p, run_single(sc)


@pytest.mark.integration
def test_plated_route_buys_its_zn_once_in_the_recipe_the_optimiser_check_and_the_twin(plated_run):
    """Plated coils: the Zn is bought by the plating line (anode Zn) and not again as vapour Zn by the UHT line —
    the same settings give the same cost per m² in the recipe, the optimiser's check and the twin's UHT line."""
    sc, params, space, p, report = plated_run
    econ = economics(params, space.foil_thickness_m)
    uht_time_h_per_m2 = web_line_time_h_per_m2(SPEED_M_PER_MIN / 60.0, space.width_m)

    # the optimiser's check against the recipe: the same UHT recipe, the same plating flows at the same pace
    rec = uht_recipe(space, params, p)
    assert rec.zn_route == "plated"
    res = evaluate_collector(CollectorRecipe(uht=rec, web_width_m=space.width_m, availability_frac=1.0,
                                             yield_frac=1.0), params)
    assert "zn_kg_per_m2" not in res.flows_by_step["uht"].amounts  # the recipe's UHT step buys no vapour Zn
    skin = res.uht.skin_thickness_nm
    chk = check_with_models(space, params, econ, Targets(skin, 0.5 * skin).with_defaults(sc), p)
    zn_kg = rec.plated_zn_loading_kg_per_m2 * params["plating_web_faces_count"]
    plating = PlatingStepResult(ZN_BATH, chk.kpis["energy_plating_kwh_per_m2"], zn_kg).flows_per_m2(
        params, uht_time_h_per_m2)
    recipe = price_flows(res.flows + plating, params, availability_frac=1.0, yield_frac=1.0)
    assert recipe.flows_per_processed_m2["zn_kg_per_m2"] == pytest.approx(zn_kg, rel=1e-12)  # bought once
    assert chk.kpis["yield_fraction"] == 1.0
    assert chk.kpis["cost_per_m2"] == pytest.approx(recipe.total_per_good_m2, rel=1e-9)

    # the twin's UHT line: its cost per m² is the recipe's UHT step at the loading the plating line laid down
    ed, uht = report["lines"]["zn-1"], report["lines"]["uht-1"]
    assert uht["yield_fraction"] == 1.0 and uht["physics_solves"] == 1 and uht["state_hours"]["breakdown"] == 0.0
    loading = uht["zn_deposited_kg_per_processed_m2"]  # plated loading per face, quantised as the twin's histories
    assert loading == pytest.approx(ed["metal_kg_per_processed_m2"] / params["plating_web_faces_count"], rel=1e-3)
    assert uht["zn_vapour_deposited_kg_per_processed_m2"] == 0.0
    twin_rec = evaluate_collector(CollectorRecipe(uht=replace(rec, plated_zn_loading_kg_per_m2=loading),
                                                  web_width_m=space.width_m), params)
    # the UHT line waits (starved) for the first plated coil: its fixed costs are spread on its running share
    uht_cost = price_flows(twin_rec.flows_by_step["uht"], params, availability_frac=uht["availability"],
                           yield_frac=1.0)
    assert uht["cost_breakdown"]["metals"] == 0.0  # no vapour Zn on plated coils
    assert uht["cost_per_m2"] == pytest.approx(uht_cost.total_per_good_m2, rel=1e-9)
    # the twin's plating kinetics (its bath's mass transport and dosing) lay down what the check expects
    assert ed["metal_kg_per_processed_m2"] == pytest.approx(zn_kg, rel=2e-2)
    assert ed["cost_breakdown"]["metals"] > 0.0  # the plated Zn is bought here, as anode Zn


@pytest.mark.integration
def test_twin_plating_line_pays_the_recipes_bath_make_up(plated_run):
    """The twin's plating line reports its bath make-up (the drag-out film replaced) through the one costing
    function: its bath chemicals per m² are the recipe's plating step's, to 1e-9 (they were 0 before)."""
    _sc, params, space, p, report = plated_run
    ed = report["lines"]["zn-1"]
    assert ed["availability"] == 1.0 and ed["yield_fraction"] == 1.0
    step = PlatingStep(ZN_BATH, ZN_CURRENT_A_PER_M2, p.plating_time_s(space))
    res = evaluate_collector(CollectorRecipe(uht=uht_recipe(space, params, p), zn_plating=step,
                                             web_width_m=space.width_m, availability_frac=1.0, yield_frac=1.0), params)
    recipe_bath = res.cost_breakdown["bath_chemicals"]
    assert recipe_bath > 0.0
    assert ed["cost_breakdown"]["bath_chemicals"] == pytest.approx(recipe_bath, rel=1e-9)
    # the whole line: its measured energy and metal, the make-up, at its running pace, priced once
    flows = plating_flows_per_m2(ZN_BATH, ed["energy_kwh_per_processed_m2"], ed["metal_kg_per_processed_m2"], params,
                                 line_time_h_per_m2=1.0 / ed["processed_m2_per_running_h"])
    assert flows.get("zn_acid_sulfate_bath_L_per_m2") == pytest.approx(dragout_makeup_L_per_m2(params), rel=1e-12)
    cost = price_flows(flows, params, availability_frac=1.0, yield_frac=1.0)
    assert ed["cost_per_m2"] == pytest.approx(cost.total_per_good_m2, rel=1e-9)


@pytest.mark.unit
@pytest.mark.parametrize("recovery_frac", [0.0, 0.9])
def test_make_up_is_the_net_drag_out_the_bath_balance_loses(recovery_frac):
    """The make-up bought per m² is the bath volume the tank balance loses per m²: the film (both faces already
    counted in its record) less what a recovery rinse returns. It was film × faces and ignored the rinse (×2 at
    the defaults, ×20 with a 90 % rinse)."""
    from process_models.parameters import default_parameters
    from process_models.plating.baths import plating_constants
    from process_models.plating.electrodeposition import _net_dragout_m

    params = default_parameters().with_overrides({"plating_dragout_recovery_frac": recovery_frac})
    lost_m3_per_m2 = _net_dragout_m(plating_constants(params), None)
    assert dragout_makeup_L_per_m2(params) == pytest.approx(lost_m3_per_m2 * 1e3, rel=1e-12)
    assert dragout_makeup_L_per_m2(params) == pytest.approx(0.05 * (1.0 - recovery_frac), rel=1e-12)
