"""Batch coil anneal: energy by hand, cycle time, θ limits and monotonicity, the texture inverse, bad inputs."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.constants import R
from scipy.integrate import quad

from process_models import citations
from process_models.costing.pricing import LineEconomics, cost_per_m2
from process_models.errors import FoiltwinInputError
from process_models.materials.properties import cu_heat_capacity_J_per_kg_K
from process_models.parameters import default_parameters
from process_models.parameters.coil_anneal_assumptions import REFERENCE_SOAK_TEMPERATURE_K, REFERENCE_SOAK_TIME_S
from process_models.texture.coil_anneal import (
    FurnaceLoad,
    anneal_cycle,
    anneal_cycle_texture,
    equivalent_time_for_texture_100,
    seed000_cost_comparison,
    soak_equivalent_time_s,
    soak_time_for_texture_100,
    thermal_history,
)
from process_models.texture.texture_model import anneal_texture_equivalent, equivalent_time_s

PARAMS = default_parameters()
# the thermal physics is tested on an open load, which may go up to the furnace maximum (wound coils stop at 850 °C)
LOAD = FurnaceLoad(coils_count=4, coil_length_m=2000.0, coil_width_m=0.5, foil_thickness_m=10e-6, wound=False)
OPEN_DEFAULT = replace(FurnaceLoad.default(PARAMS), wound=False)
T_CAL = PARAMS["recrystallisation_calibration_temperature_K"]
T_CAL_S = PARAMS["recrystallisation_calibration_time_s"]
COMMERCIAL = np.array([0.60, 0.08, 0.12, 0.20])  # (111)-rich commercial foil


def _soak_only(T: float, t: float) -> float:
    a = PARAMS["recrystallisation_activation_J_per_mol"] / R
    return t * math.exp(-a * (1.0 / T - 1.0 / T_CAL))


@pytest.mark.unit
def test_energy_matches_a_hand_calculation():
    T, t, up, down = 1248.15, 7200.0, 0.05, 0.02
    c = anneal_cycle(T, t, LOAD, PARAMS, heating_rate_K_per_s=up, cooling_rate_K_per_s=down)
    Tc, Ta = 300.0, 300.0  # registry charge and ambient temperatures
    assert PARAMS["coil_anneal_charge_temperature_K"] == Tc and PARAMS["ambient_temperature_K"] == Ta
    m_cu = 4 * 2000.0 * 0.5 * 10e-6 * 8960.0
    cp_int, _ = quad(lambda x: float(cu_heat_capacity_J_per_kg_K(x)), Tc, T, epsabs=0.0, epsrel=1e-12)
    q_cu = m_cu * cp_int
    q_steel = 800.0 * 575.0 * (T - Tc)
    t_up = (T - Tc) / up
    q_loss = 20.0 * (t_up * (0.5 * (Tc + T) - Ta) + t * (T - Ta))  # UA ∫(T − T_amb) dt, heat-up and soak
    expected_kwh = (q_cu + q_steel + q_loss) / 0.95 / 3.6e6
    assert c.copper_heat_kwh_per_batch[0] == pytest.approx(q_cu / 3.6e6, rel=1e-9)
    assert c.furnace_mass_heat_kwh_per_batch[0] == pytest.approx(q_steel / 3.6e6, rel=1e-12)
    assert c.shell_loss_kwh_per_batch[0] == pytest.approx(q_loss / 3.6e6, rel=1e-12)
    assert c.energy_kwh_per_batch[0] == pytest.approx(expected_kwh, rel=1e-9)
    assert c.energy_kwh_per_m2[0] == pytest.approx(expected_kwh / 4000.0, rel=1e-9)
    # the cool-down is unpowered: a slower cool-down changes the cycle and the gas, not the energy
    slow = anneal_cycle(T, t, LOAD, PARAMS, heating_rate_K_per_s=up, cooling_rate_K_per_s=down / 2)
    assert slow.energy_kwh_per_batch[0] == c.energy_kwh_per_batch[0]
    assert slow.protective_gas_Nm3_per_m2[0] > c.protective_gas_Nm3_per_m2[0]


@pytest.mark.unit
def test_per_m2_scales_as_one_over_area_and_copper_heat_is_linear_in_coil_count():
    cycles = {n: anneal_cycle(1200.0, 3600.0, replace(LOAD, coils_count=n), PARAMS) for n in (1, 2, 4)}
    for n, c in cycles.items():
        assert c.area_m2 == pytest.approx(n * 1000.0)
        assert c.copper_heat_kwh_per_batch[0] == pytest.approx(n * cycles[1].copper_heat_kwh_per_batch[0], rel=1e-12)
        assert c.furnace_mass_heat_kwh_per_batch[0] == cycles[1].furnace_mass_heat_kwh_per_batch[0]
        assert c.shell_loss_kwh_per_batch[0] == cycles[1].shell_loss_kwh_per_batch[0]
        assert c.energy_kwh_per_m2[0] * c.area_m2 == pytest.approx(c.energy_kwh_per_batch[0], rel=1e-12)
        # gas per batch is flow × cycle time, the same for every load
        assert c.protective_gas_Nm3_per_m2[0] * c.area_m2 == pytest.approx(
            cycles[1].protective_gas_Nm3_per_m2[0] * cycles[1].area_m2, rel=1e-12)
    longer = anneal_cycle(1200.0, 3600.0, replace(LOAD, coil_length_m=4000.0), PARAMS)
    base = cycles[4]
    assert longer.protective_gas_Nm3_per_m2[0] == pytest.approx(base.protective_gas_Nm3_per_m2[0] / 2, rel=1e-12)
    assert longer.throughput_m2_per_h[0] == pytest.approx(2 * base.throughput_m2_per_h[0], rel=1e-12)
    assert LOAD.copper_mass_kg(PARAMS) == pytest.approx(4000.0 * 10e-6 * 8960.0)


@pytest.mark.unit
def test_cycle_time_is_handling_plus_ramps_plus_soak():
    T, t, up, down = np.array([900.0, 1300.0]), np.array([0.0, 36000.0]), 0.1, 0.025
    c = anneal_cycle(T, t, LOAD, PARAMS, heating_rate_K_per_s=up, cooling_rate_K_per_s=down)
    handling = PARAMS["coil_anneal_handling_time_s"]
    expected = handling + (T - 300.0) / up + t + (T - 423.15) / down
    np.testing.assert_allclose(c.cycle_time_s, expected, rtol=1e-12)
    np.testing.assert_allclose(c.heat_up_s, (T - 300.0) / up, rtol=1e-12)
    np.testing.assert_allclose(c.cool_down_s, (T - 423.15) / down, rtol=1e-12)
    np.testing.assert_allclose(c.throughput_m2_per_h, 4000.0 / (expected / 3600.0), rtol=1e-12)
    gas = PARAMS["coil_anneal_forming_gas_flow_Nm3_per_h"] * expected / 3600.0 / 4000.0
    np.testing.assert_allclose(c.protective_gas_Nm3_per_m2, gas, rtol=1e-12)


@pytest.mark.unit
def test_theta_is_the_soak_value_plus_the_ramps_share():
    T, t = np.array([800.0, 1100.0, 1248.15, 1323.15]), np.array([3600.0, 0.0, 7200.0, 600.0])
    fast = anneal_cycle(T, t, LOAD, PARAMS, heating_rate_K_per_s=1e6, cooling_rate_K_per_s=1e6)
    soak = np.array([_soak_only(a, b) for a, b in zip(T, t, strict=True)])
    np.testing.assert_allclose(fast.equivalent_time_s, soak, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(soak_equivalent_time_s(T, t, PARAMS, wound=False), soak, rtol=1e-12)
    # default ramps: the closed form equals the quadrature of texture.equivalent_time_s over the history
    slow = anneal_cycle(T, t, LOAD, PARAMS)
    time_s, temperature_K = thermal_history(T, t, PARAMS, wound=False)
    np.testing.assert_allclose(slow.equivalent_time_s, equivalent_time_s(time_s, temperature_K, PARAMS), rtol=1e-9)
    assert np.all(slow.equivalent_time_s > soak)


@pytest.mark.unit
def test_thermal_history_knots():
    time_s, temperature_K = thermal_history([1000.0, 1200.0], 3600.0, PARAMS, heating_rate_K_per_s=0.1,
                                            cooling_rate_K_per_s=0.05, wound=False)
    assert time_s.shape == temperature_K.shape == (2, 4)
    np.testing.assert_allclose(temperature_K[1], [300.0, 1200.0, 1200.0, 423.15])
    np.testing.assert_allclose(time_s[1], [0.0, 9000.0, 12600.0, 12600.0 + 776.85 / 0.05])


@pytest.mark.unit
def test_theta_strictly_increases_with_soak_time_and_temperature():
    times = np.linspace(0.0, 48 * 3600.0, 25)
    temps = np.linspace(773.15, 1323.15, 23)
    by_time = anneal_cycle(1100.0, times, LOAD, PARAMS).equivalent_time_s
    by_temp = anneal_cycle(temps, 3600.0, LOAD, PARAMS).equivalent_time_s
    assert np.all(np.diff(by_time) > 0.0)
    assert np.all(np.diff(by_temp) > 0.0)


@pytest.mark.unit
def test_calibration_point_reaches_at_least_the_calibration_fraction():
    c = anneal_cycle(T_CAL, T_CAL_S, LOAD, PARAMS)
    assert soak_equivalent_time_s(T_CAL, T_CAL_S, PARAMS, wound=False) == pytest.approx(T_CAL_S, rel=1e-12)
    assert c.equivalent_time_s[0] > T_CAL_S  # ramps only add
    assert c.recrystallised_frac[0] >= PARAMS["recrystallisation_calibration_fraction_frac"]
    tex = anneal_cycle_texture(c, COMMERCIAL, PARAMS)
    X = c.recrystallised_frac[0]
    np.testing.assert_allclose(tex[0], (1 - X) * COMMERCIAL + X * np.array([0.03, 0.90, 0.03, 0.04]), rtol=1e-12)
    np.testing.assert_allclose(tex, anneal_texture_equivalent(COMMERCIAL, c.equivalent_time_s, PARAMS).texture)


@pytest.mark.unit
def test_inverse_round_trips_and_is_the_least_time():
    f0 = np.array([0.08, 0.08, 0.30, 0.0, 0.5])
    target = np.array([0.5, 0.899, 0.6, 0.2, 0.7])
    theta = equivalent_time_for_texture_100(target, f0, PARAMS)
    initial = np.stack([np.array([1.0 - f - 0.1, f, 0.05, 0.05]) for f in f0])
    after = anneal_texture_equivalent(initial, theta, PARAMS).texture[:, 1]
    np.testing.assert_allclose(after, target, rtol=0.0, atol=1e-9)
    shorter = anneal_texture_equivalent(initial, theta * (1 - 1e-6), PARAMS).texture[:, 1]
    assert np.all(shorter < target)
    # a target already met needs no anneal; a soak of θ_min at T_cal delivers it
    np.testing.assert_array_equal(equivalent_time_for_texture_100([0.08, 0.05], [0.08, 0.6], PARAMS), 0.0)
    t_soak = theta[0] / math.exp(-PARAMS["recrystallisation_activation_J_per_mol"] / R * (1 / 1200.0 - 1 / T_CAL))
    assert soak_equivalent_time_s(1200.0, t_soak, PARAMS, wound=False) == pytest.approx(theta[0], rel=1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("target", [0.90, 0.95, 1.0])
def test_inverse_raises_for_unreachable_targets(target):
    with pytest.raises(FoiltwinInputError) as err:
        equivalent_time_for_texture_100([0.5, target], 0.08, PARAMS)
    assert err.value.field == "target_100_frac" and err.value.value == target
    assert "target_100_frac" in str(err.value) and "[0.08, 0.9)" in str(err.value)
    with pytest.raises(FoiltwinInputError) as err:
        equivalent_time_for_texture_100(float("nan"), 0.08, PARAMS)
    assert err.value.field == "target_100_frac"


@pytest.mark.unit
@pytest.mark.parametrize(("kwargs", "field", "value", "allowed"), [
    ({"soak_temperature_K": 1330.0}, "soak_temperature_K", 1330.0, "[773.15, 1323.15] K"),
    ({"soak_temperature_K": 1400.0}, "soak_temperature_K", 1400.0, "[773.15, 1323.15] K"),  # above Cu melting
    ({"soak_temperature_K": 700.0}, "soak_temperature_K", 700.0, "[773.15, 1323.15] K"),
    ({"soak_temperature_K": [1200.0, float("nan")]}, "soak_temperature_K", float("nan"), "[773.15, 1323.15] K"),
    ({"soak_time_s": -1.0}, "soak_time_s", -1.0, "[0, 172800] s"),
    ({"soak_time_s": 2e5}, "soak_time_s", 2e5, "[0, 172800] s"),
    ({"heating_rate_K_per_s": 0.0}, "heating_rate_K_per_s", 0.0, "(0, 1e+06] K/s"),
    ({"cooling_rate_K_per_s": -0.1}, "cooling_rate_K_per_s", -0.1, "(0, 1e+06] K/s"),
])
def test_bad_programme_inputs_raise_naming_field_value_and_range(kwargs, field, value, allowed):
    args = {"soak_temperature_K": 1200.0, "soak_time_s": 3600.0, **kwargs}
    with pytest.raises(FoiltwinInputError) as err:
        anneal_cycle(args.pop("soak_temperature_K"), args.pop("soak_time_s"), LOAD, PARAMS, **args)
    assert err.value.field == field
    assert (math.isnan(err.value.value) and math.isnan(value)) or err.value.value == value
    assert field in str(err.value) and allowed in str(err.value)


@pytest.mark.unit
@pytest.mark.parametrize(("field", "value"), [("coils_count", 0), ("coils_count", 2.5), ("coils_count", True),
                                              ("coil_length_m", 0.0), ("coil_width_m", float("nan")),
                                              ("foil_thickness_m", -1e-6)])
def test_bad_loads_raise_naming_the_field(field, value):
    with pytest.raises(FoiltwinInputError) as err:
        replace(LOAD, **{field: value})
    assert err.value.field == field and field in str(err.value)


@pytest.mark.unit
def test_overridden_soak_limits_and_mismatched_shapes_raise():
    narrow = PARAMS.with_overrides({"coil_anneal_max_soak_temperature_K": 1173.15})
    with pytest.raises(FoiltwinInputError, match=r"soak_temperature_K=1200.0 .*\[773.15, 1173.15\] K"):
        anneal_cycle(1200.0, 3600.0, LOAD, narrow)
    inverted = PARAMS.with_overrides({"coil_anneal_min_soak_temperature_K": 1173.15,
                                      "coil_anneal_max_soak_temperature_K": 1000.0})
    with pytest.raises(FoiltwinInputError) as err:
        anneal_cycle(1100.0, 3600.0, LOAD, inverted)
    assert err.value.field == "coil_anneal_min_soak_temperature_K"
    with pytest.raises(FoiltwinInputError):
        anneal_cycle([1100.0, 1200.0], [1.0, 2.0, 3.0], LOAD, PARAMS)


@pytest.mark.unit
def test_vectorised_call_equals_a_loop_of_scalar_calls():
    rng = np.random.default_rng(3)
    T = rng.uniform(773.15, 1323.15, 7)
    t = rng.uniform(0.0, 20 * 3600.0, 7)
    up = rng.uniform(0.01, 0.2, 7)
    batch = anneal_cycle(T, t, LOAD, PARAMS, heating_rate_K_per_s=up)
    for b in range(7):
        one = anneal_cycle(T[b], t[b], LOAD, PARAMS, heating_rate_K_per_s=up[b])
        for name, value in vars(batch).items():
            if name not in ("area_m2", "wound"):
                assert getattr(one, name).shape == (1,)
                assert getattr(one, name)[0] == pytest.approx(value[b], rel=1e-12, abs=1e-300), name
    assert len(batch) == 7


@pytest.mark.unit
def test_default_line_throughput_is_the_reference_cycle_and_forming_gas_is_priced():
    assert (REFERENCE_SOAK_TEMPERATURE_K, REFERENCE_SOAK_TIME_S) == (T_CAL, T_CAL_S)
    c = anneal_cycle(T_CAL, T_CAL_S, OPEN_DEFAULT, PARAMS)
    line = LineEconomics.default("coil_anneal", PARAMS)
    assert line.throughput_m2_per_h == pytest.approx(c.throughput_m2_per_h[0], rel=1e-12)
    assert line.capex_USD == PARAMS["coil_anneal_line_capex_USD"]
    b = cost_per_m2({"forming_gas_Nm3_per_m2": 2.0}, None, PARAMS)
    assert b.by_category["gas"] == pytest.approx(2.0 * PARAMS["forming_gas_price_USD_per_Nm3"])


@pytest.mark.component
def test_seed000_cost_comparison_is_orders_of_magnitude_below_table2():
    out = seed000_cost_comparison(PARAMS)
    assert out["seed000_min_CNY_per_m2"] == 15000.0 and out["seed000_max_CNY_per_m2"] == 30000.0
    assert 0.0 < out["variable_CNY_per_m2"] < out["model_CNY_per_m2"]
    assert out["ratio_to_seed_min"] < 1e-2
    assert out["recrystallised_frac"] >= PARAMS["recrystallisation_calibration_fraction_frac"]
    assert {"SeedNote000", "Feng2026", "BJDSTech", "Chase1998"} <= set(citations.used())


@pytest.mark.unit
def test_the_least_soak_for_a_texture_target_round_trips_through_the_whole_programme():
    """The soak it returns, run as a full programme (ramps included), gives the target; where the ramps alone
    suffice it is 0; beyond the furnace's longest soak it refuses, naming the target."""
    p = default_parameters()
    f = [p[f"bare_cu_reference_{k}_frac"] for k in ("111", "100", "110")]
    load = OPEN_DEFAULT
    T = np.array([1073.15, 1123.15, 1173.15])
    t = soak_time_for_texture_100(0.6, f[1], T, p, wound=False)
    assert np.all(t > 0.0) and np.all(np.diff(t) < 0.0)  # hotter: shorter
    tex = anneal_cycle_texture(anneal_cycle(T, t, load, p), [*f, 1.0 - sum(f)], p)
    assert tex[:, 1] == pytest.approx(0.6, abs=1e-9)
    assert soak_time_for_texture_100(0.6, f[1], 1248.15, p, wound=False)[0] == 0.0
    assert anneal_cycle_texture(anneal_cycle(1248.15, 0.0, load, p), [*f, 1.0 - sum(f)], p)[0, 1] >= 0.6
    with pytest.raises(FoiltwinInputError) as err:
        soak_time_for_texture_100(0.85, f[1], 900.0, p)
    assert err.value.field == "target_100_frac" and "longest soak" in err.value.allowed
