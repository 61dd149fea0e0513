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

import pytest

from optimizer.economics import economics
from optimizer.solution import Point
from optimizer.space import decision_space
from optimizer.targets import Targets
from optimizer.verify import check_with_models, uht_recipe
from process_models.collector.recipe import CollectorRecipe, evaluate_collector
from process_models.costing.flows import price_flows
from twin.scenario import (
    CoilSpec,
    CoilStore,
    HeaterAgeing,
    HeaterControl,
    Plant,
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
