"""Lumped foil energy balance (process_models.uht.thermal): closed forms, conservation, feasibility study."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.constants import sigma
from scipy.integrate import quad

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.materials import properties as pr
from process_models.parameters import default_parameters
from process_models.uht import thermal as th

DELTA = 10e-6  # m, reference foil
RHO_CU = 8960.0  # kg/m3 (CRC, seed note 002 §5e)
M_AREAL = RHO_CU * DELTA  # 0.0896 kg/m2, as in the feasibility study §5
CP_CONST = 400.0  # J/(kg K), injected constant cp for closed forms


@pytest.fixture(scope="module")
def tp() -> th.ThermalParameters:
    return th.ThermalParameters.from_values()


@pytest.fixture(scope="module")
def lossless(tp: th.ThermalParameters) -> th.ThermalParameters:
    return replace(tp.with_gas_convection_multiplier(0.0), foil_emissivity_frac=0.0)


def _loss(T, tp: th.ThermalParameters, contact: bool = False):
    """Independent evaluation of the loss law for the checks."""
    hc = tp.quench_contact_conductance_W_per_m2_K if contact else 0.0
    return (2 * tp.foil_emissivity_frac * sigma * (T**4 - tp.ambient_temperature_K**4)
            + tp.enclosure.flux_W_per_m2(T)
            + hc * (T - tp.roll_temperature_K))


# --------------------------------------------------------------------------------------------- terms
@pytest.mark.unit
def test_areal_heat_capacity_and_losses(tp: th.ThermalParameters) -> None:
    T = np.array([300.0, 750.0, 1150.0])
    expected = M_AREAL * pr.cu_heat_capacity_J_per_kg_K(T)
    assert th.areal_heat_capacity_J_per_m2_K(T, DELTA, tp) == pytest.approx(expected, rel=1e-12)
    assert th.heat_loss_W_per_m2(T, tp) == pytest.approx(_loss(T, tp), rel=1e-12)
    assert th.heat_loss_W_per_m2(T, tp, contact=True) == pytest.approx(_loss(T, tp, True), rel=1e-12)
    # seed note 002 §5f / feasibility §5: both faces at 750 K, ε = 0.05, surroundings 300 K
    radiation_only = tp.with_gas_convection_multiplier(0.0)
    assert th.heat_loss_W_per_m2(750.0, radiation_only) == pytest.approx(1748.0, rel=1e-3)


@pytest.mark.unit
def test_joule_heat_flux_is_current_squared_resistivity_over_thickness(tp: th.ThermalParameters) -> None:
    I_w = np.array([5e3, 1.15e4])  # A/m; seed note §5f: ≈115 A per cm of width for 10 µm at 1200 K
    q = th.joule_heat_flux_W_per_m2(1200.0, I_w, DELTA, tp)
    assert q == pytest.approx(I_w**2 * pr.cu_resistivity_ohm_m(1200.0) / DELTA, rel=1e-12)
    assert q[1] == pytest.approx(113e4, rel=0.02)  # ≈113 W/cm2


@pytest.mark.unit
@pytest.mark.parametrize(
    ("T_start", "T_peak", "kJ_per_m2"),
    # feasibility study §5 table (10 µm Cu, lossless)
    [(300.0, 1000.0, 26.3), (300.0, 1100.0, 30.4), (300.0, 1200.0, 34.7), (300.0, 1350.0, 41.3),
     (750.0, 1000.0, 9.9), (750.0, 1100.0, 14.0), (750.0, 1200.0, 18.2), (300.0, 750.0, 16.5)],
)
def test_sensible_heat_matches_feasibility_study(T_start: float, T_peak: float, kJ_per_m2: float) -> None:
    assert th.sensible_heat_J_per_m2(T_start, T_peak, DELTA) / 1e3 == pytest.approx(kJ_per_m2, rel=0.015)


# --------------------------------------------------------------------------------------------- power mode
@pytest.mark.component
def test_adiabatic_heating_constant_cp(lossless: th.ThermalParameters) -> None:
    params = lossless.with_constant_heat_capacity(CP_CONST)
    P, t = 2e6, 0.01
    r = th.integrate_power_mode(300.0, t, DELTA, heater_power_W_per_m2=P, absorbed_frac=1.0, params=params)
    assert r.final_temperature_K[0] == pytest.approx(300.0 + P * t / (M_AREAL * CP_CONST), rel=1e-8)
    assert r.heat_input_J_per_m2[0] == pytest.approx(P * t, rel=1e-8)
    assert r.loss_J_per_m2[0] == pytest.approx(0.0, abs=1e-9)
    # radiant heater: electrical = output / efficiency
    assert r.heater_energy_J_per_m2[0] == pytest.approx(P * t / lossless.radiant_heater_efficiency_frac)


@pytest.mark.component
def test_adiabatic_heating_real_cp_follows_enthalpy(lossless: th.ThermalParameters) -> None:
    P, t = 2e6, 0.01
    r = th.integrate_power_mode(300.0, t, DELTA, heater_power_W_per_m2=P, absorbed_frac=1.0, params=lossless)
    stored = th.sensible_heat_J_per_m2(300.0, r.final_temperature_K[0], DELTA)
    assert stored == pytest.approx(P * t, rel=1e-7)


@pytest.mark.component
def test_radiative_cooling_closed_form(tp: th.ThermalParameters) -> None:
    eps = 0.5
    params = replace(tp.with_constant_heat_capacity(CP_CONST).with_gas_convection_multiplier(0.0),
                     foil_emissivity_frac=eps, ambient_temperature_K=0.0)
    T0 = 1200.0
    r = th.integrate_power_mode(T0, 1.0, DELTA, heater_power_W_per_m2=0.0, params=params)
    t, T = r.time_s[1:], r.temperature_K[0, 1:]
    lhs = 1.0 / T**3 - 1.0 / T0**3
    rhs = 6.0 * eps * sigma * t / (M_AREAL * CP_CONST)
    assert np.max(np.abs(lhs / rhs - 1.0)) < 5e-3
    assert T[-1] < 600.0  # the check covers a real drop


@pytest.mark.component
def test_newtonian_contact_cooling_is_exponential(lossless: th.ThermalParameters) -> None:
    params = lossless.with_constant_heat_capacity(CP_CONST)
    h_c, T_roll, T0 = params.quench_contact_conductance_W_per_m2_K, params.roll_temperature_K, 1150.0
    r = th.integrate_power_mode(T0, 0.1, DELTA, heater_power_W_per_m2=0.0, contact=True, params=params)
    expected = T_roll + (T0 - T_roll) * np.exp(-h_c * r.time_s / (M_AREAL * CP_CONST))
    assert r.temperature_K[0] == pytest.approx(expected, abs=1e-3)


@pytest.mark.component
def test_joule_heating_with_constant_current(tp: th.ThermalParameters) -> None:
    I_w = np.array([5e3, 2e4])
    r = th.integrate_power_mode(300.0, 0.05, DELTA, current_per_width_A_per_m=I_w, params=tp)
    assert r.heat_input_W_per_m2[:, 0] == pytest.approx(I_w**2 * pr.cu_resistivity_ohm_m(300.0) / DELTA)
    assert list(r.melted) == [False, True]
    assert np.isnan(r.melt_time_s[0]) and 0.0 < r.melt_time_s[1] < 0.05
    assert r.final_temperature_K[1] == pytest.approx(tp.material.melting_temperature_K)
    assert np.all(np.isnan(r.temperature_K[1, r.time_s > r.melt_time_s[1]]))
    # energy conservation up to the end (foil 0) and up to melting (foil 1)
    stored = th.sensible_heat_J_per_m2(300.0, r.final_temperature_K, DELTA, tp)
    assert r.heat_input_J_per_m2 - r.loss_J_per_m2 == pytest.approx(stored, rel=1e-6)


@pytest.mark.component
def test_melting_time_matches_adiabatic_enthalpy(lossless: th.ThermalParameters) -> None:
    P = np.array([4e6, 1e5, 4e6])
    T0 = np.array([300.0, 300.0, 600.0])
    r = th.integrate_power_mode(T0, 0.1, DELTA, heater_power_W_per_m2=P, absorbed_frac=1.0, params=lossless)
    to_melt = th.sensible_heat_J_per_m2(T0, lossless.material.melting_temperature_K, DELTA, lossless) / P
    assert list(r.melted) == [True, False, True]
    assert r.melt_time_s[[0, 2]] == pytest.approx(to_melt[[0, 2]], rel=1e-6)


@pytest.mark.unit
def test_power_mode_needs_exactly_one_drive(tp: th.ThermalParameters) -> None:
    with pytest.raises(FoiltwinInputError, match="exactly one"):
        th.integrate_power_mode(300.0, 0.01, DELTA, params=tp)
    with pytest.raises(FoiltwinInputError, match="heater_power_W_per_m2"):
        th.integrate_power_mode(300.0, 0.01, DELTA, heater_power_W_per_m2=-1.0, params=tp)


# --------------------------------------------------------------------------------------------- set point
@pytest.mark.unit
def test_setpoint_power_equals_storage_plus_losses(tp: th.ThermalParameters) -> None:
    rate = 1e4
    h = th.setpoint_history(300.0, 1100.0, rate, 0.12, DELTA, params=tp)
    heating = h.segment("heating")
    t_on, T_on = h.time_s[0, heating], h.temperature_K[0, heating]
    ramp, hold = t_on <= h.ramp_end_time_s[0], t_on > h.ramp_end_time_s[0]
    assert ramp.sum() >= 10 and hold.sum() >= 5
    T_r = T_on[ramp]
    expected = M_AREAL * pr.cu_heat_capacity_J_per_kg_K(T_r) * rate + _loss(T_r, tp)
    assert h.heat_input_W_per_m2[0, heating][ramp] == pytest.approx(expected, rel=1e-10)
    assert h.heat_input_W_per_m2[0, heating][hold] == pytest.approx(_loss(1100.0, tp), rel=1e-10)
    assert h.heater_power_W_per_m2 == pytest.approx(h.heat_input_W_per_m2 / tp.joule_heater_efficiency_frac)
    assert np.all(h.heat_input_W_per_m2[0, h.segment("cooling")] == 0.0)
    # Joule current that dissipates the heat: q = I_w² ρ / δ
    I_w = h.current_per_width_A_per_m[0, heating][ramp]
    assert I_w**2 * pr.cu_resistivity_ohm_m(T_r) / DELTA == pytest.approx(expected, rel=1e-10)


@pytest.mark.unit
def test_setpoint_energy_balance(tp: th.ThermalParameters) -> None:
    T0, T_set, rate, t_on = 300.0, 1150.0, 2e4, 0.08
    h = th.setpoint_history(T0, T_set, rate, t_on, DELTA, params=tp)
    stored = M_AREAL * quad(lambda T: float(pr.cu_heat_capacity_J_per_kg_K(T)), T0, T_set, epsrel=1e-12)[0]
    t_reach = (T_set - T0) / rate

    def temperature(t: float) -> float:
        return min(T0 + rate * t, T_set)

    losses = quad(lambda t: _loss(temperature(t), tp), 0.0, t_on, points=[t_reach], epsrel=1e-12)[0]
    assert h.sensible_heat_J_per_m2[0] == pytest.approx(stored, rel=1e-9)
    assert h.heating_loss_J_per_m2[0] == pytest.approx(losses, rel=1e-9)
    assert h.heat_input_J_per_m2[0] == pytest.approx(stored + losses, rel=1e-9)
    # the sampled power history integrates to the same heat
    on = h.segment("heating")
    assert np.trapezoid(h.heat_input_W_per_m2[0, on], h.time_s[0, on]) == pytest.approx(
        h.heat_input_J_per_m2[0], rel=1e-3)
    electrical = h.heat_input_J_per_m2[0] / tp.joule_heater_efficiency_frac
    assert h.heater_energy_J_per_m2[0] == pytest.approx(electrical)


@pytest.mark.unit
def test_fast_ramp_reaches_setpoint_and_resolves_peak(tp: th.ThermalParameters) -> None:
    h = th.setpoint_history(300.0, 1150.0, 1e5, 0.030, DELTA, params=tp)
    assert h.reached_setpoint[0] and h.power_feasible[0]
    assert h.peak_temperature_K[0] == pytest.approx(1150.0, abs=1e-9)
    assert h.ramp_end_time_s[0] == pytest.approx(8.5e-3)
    t_fine = np.linspace(0.0, 0.030, 30001)
    exact = np.minimum(300.0 + 1e5 * t_fine, 1150.0)
    assert np.max(np.abs(np.interp(t_fine, h.time_s[0], h.temperature_K[0]) - exact)) < 1.0
    assert np.max(h.temperature_K) == pytest.approx(1150.0, abs=1.0)


@pytest.mark.unit
def test_short_on_time_gives_lower_peak_and_flag(tp: th.ThermalParameters) -> None:
    h = th.setpoint_history(300.0, 1150.0, 1e4, 0.03, DELTA, params=tp)
    assert not h.reached_setpoint[0]
    assert h.peak_temperature_K[0] == pytest.approx(600.0)
    assert h.ramp_end_time_s[0] == pytest.approx(0.03)


@pytest.mark.component
@pytest.mark.parametrize("mode", ["contact", "free"])
def test_cooling_matches_stiff_solver(tp: th.ThermalParameters, mode: str) -> None:
    h = th.setpoint_history(300.0, 1150.0, 1e5, 0.03, DELTA, cooling=mode, end_temperature_K=350.0,
                            params=tp)
    cool = h.segment("cooling")
    t_c = h.time_s[0, cool] - h.heater_off_time_s[0]
    T_c = h.temperature_K[0, cool]
    assert h.reached_end_temperature[0] and T_c[-1] == pytest.approx(350.0, abs=1e-6)
    ref = th.integrate_power_mode(1150.0, t_c[-1], DELTA, heater_power_W_per_m2=0.0,
                                  contact=mode == "contact", params=tp, n_samples=4001, rtol=1e-10)
    assert ref.final_temperature_K[0] == pytest.approx(350.0, abs=1e-3)  # same end time
    # linear interpolation of the samples reproduces T(t) to < 1 K
    assert np.max(np.abs(np.interp(ref.time_s, t_c, T_c) - ref.temperature_K[0])) < 1.0


@pytest.mark.component
def test_cooling_stops_at_max_time(tp: th.ThermalParameters) -> None:
    h = th.setpoint_history(300.0, 1150.0, 1e5, 0.03, DELTA, cooling="free", max_cooling_time_s=0.5,
                            params=tp)
    assert not h.reached_end_temperature[0]
    assert h.end_time_s[0] == pytest.approx(0.53, rel=1e-12)
    ref = th.integrate_power_mode(1150.0, 0.5, DELTA, heater_power_W_per_m2=0.0, params=tp, rtol=1e-10)
    assert h.temperature_K[0, -1] == pytest.approx(ref.final_temperature_K[0], abs=1e-3)


@pytest.mark.unit
def test_setpoint_contact_cooling_closed_form(lossless: th.ThermalParameters) -> None:
    params = lossless.with_constant_heat_capacity(CP_CONST)
    h = th.setpoint_history(300.0, 1150.0, 1e5, 0.03, DELTA, cooling="contact", params=params)
    cool = h.segment("cooling")
    t = h.time_s[0, cool] - 0.03
    tau = M_AREAL * CP_CONST / params.quench_contact_conductance_W_per_m2_K
    assert h.temperature_K[0, cool] == pytest.approx(300.0 + 850.0 * np.exp(-t / tau), rel=1e-9)


@pytest.mark.unit
def test_quench_initial_cooling_rate_is_order_1e4(tp: th.ThermalParameters) -> None:
    loss = th.heat_loss_W_per_m2(1150.0, tp, contact=True)
    rate = loss / th.areal_heat_capacity_J_per_m2_K(1150.0, DELTA, tp)
    assert 1e4 <= rate <= 1e5


@pytest.mark.component
def test_batch_equals_single_foils(tp: th.ThermalParameters) -> None:
    T0 = np.array([300.0, 300.0, 750.0, 500.0])
    T_set = np.array([1150.0, 1100.0, 750.0, 1200.0])
    rate = np.array([1e5, 1e4, 50.0, 1e3])
    t_on = np.array([0.03, 0.03, 120.0, 0.2])
    d = np.array([6e-6, 10e-6, 8e-6, 12e-6])
    modes = ["contact", "free", "free", "contact"]
    batch = th.setpoint_history(T0, T_set, rate, t_on, d, cooling=modes, max_cooling_time_s=5.0,
                                params=tp)
    assert batch.time_s.shape == (4, batch.n_heating + batch.n_cool)
    assert np.all(np.diff(batch.time_s, axis=1) > 0.0)
    for i in range(4):
        one = th.setpoint_history(T0[i], T_set[i], rate[i], t_on[i], d[i], cooling=modes[i],
                                  max_cooling_time_s=5.0, params=tp)
        for name in ("time_s", "temperature_K", "heater_power_W_per_m2", "heater_energy_J_per_m2",
                     "peak_temperature_K", "reached_setpoint", "reached_end_temperature"):
            assert getattr(batch, name)[i] == pytest.approx(getattr(one, name)[0], rel=1e-12), name


@pytest.mark.component
def test_stage2_hold_energy_matches_feasibility_study(tp: th.ThermalParameters) -> None:
    """750 K for 120 s, ε = 0.05, both faces, surroundings 300 K, radiation only: ≈210 kJ/m2 (study §5)."""
    radiation_only = tp.with_gas_convection_multiplier(0.0)
    h = th.setpoint_history(750.0, 750.0, 50.0, 120.0, DELTA, cooling="free", params=radiation_only)
    assert h.heat_input_J_per_m2[0] == pytest.approx(210e3, rel=0.005)
    assert h.heat_input_W_per_m2[0, 0] == pytest.approx(1748.0, rel=1e-3)


@pytest.mark.unit
def test_mapping_overrides_reach_the_balance() -> None:
    base = th.setpoint_history(750.0, 750.0, 50.0, 10.0, DELTA, cooling="free")
    values = default_parameters().with_overrides({"foil_emissivity_frac": 0.6})
    hot = th.setpoint_history(750.0, 750.0, 50.0, 10.0, DELTA, cooling="free", params=values)
    extra_radiation = 2 * (0.6 - 0.05) * sigma * (750.0**4 - 300.0**4) * 10.0
    difference = hot.heat_input_J_per_m2[0] - base.heat_input_J_per_m2[0]
    assert difference == pytest.approx(extra_radiation, rel=1e-9)


@pytest.mark.unit
def test_power_limit_raises_or_flags(tp: th.ThermalParameters) -> None:
    with pytest.raises(FoiltwinInputError, match="heater_max_areal_power_W_per_m2"):
        th.setpoint_history(300.0, 1150.0, 1e6, 0.03, 20e-6, params=tp)
    h = th.setpoint_history([300.0, 300.0], 1150.0, [1e6, 1e4], 0.1, 20e-6, params=tp, on_power_limit="flag")
    assert list(h.power_feasible) == [False, True]
    assert h.max_heater_power_W_per_m2[0] > tp.heater_max_areal_power_W_per_m2


@pytest.mark.unit
def test_radiant_heater_energy_divides_by_efficiency_and_emissivity(tp: th.ThermalParameters) -> None:
    h = th.setpoint_history(300.0, 750.0, 50.0, 20.0, DELTA, heater_mode="radiant", params=tp)
    factor = tp.radiant_heater_efficiency_frac * tp.foil_emissivity_frac
    assert h.heater_energy_J_per_m2[0] == pytest.approx(h.heat_input_J_per_m2[0] / factor)
    assert h.current_per_width_A_per_m is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("override", "field"),
    [({"setpoint_K": 1400.0}, "setpoint_K"),
     ({"start_temperature_K": 1200.0}, "start_temperature_K"),
     ({"start_temperature_K": 250.0}, "start_temperature_K"),
     ({"thickness_m": 0.0}, "thickness_m"),
     ({"thickness_m": [10e-6, 1e-3]}, "thickness_m"),
     ({"heating_rate_K_per_s": -1.0}, "heating_rate_K_per_s"),
     ({"heater_on_s": 0.0}, "heater_on_s"),
     ({"cooling": "water"}, "cooling"),
     ({"heater_mode": "laser"}, "heater_mode"),
     ({"thickness_m": [1e-5, 1e-5, 1e-5], "heating_rate_K_per_s": [1e4, 1e4]}, "batch shape")],
)
def test_setpoint_bad_inputs_raise(tp: th.ThermalParameters, override: dict, field: str) -> None:
    kwargs = {"start_temperature_K": 300.0, "setpoint_K": 1150.0, "heating_rate_K_per_s": 1e5,
              "heater_on_s": 0.03, "thickness_m": DELTA, "params": tp} | override
    with pytest.raises(FoiltwinInputError) as err:
        th.setpoint_history(**kwargs)
    assert err.value.field == field


@pytest.mark.unit
def test_thermal_registers_sources(tp: th.ThermalParameters) -> None:
    citations.reset()
    th.setpoint_history(300.0, 1150.0, 1e5, 0.03, DELTA, params=tp)
    assert {"Incropera2007", "Chase1998", "Matula1979"} <= set(citations.used())


@pytest.mark.unit
def test_times_strictly_increase_in_degenerate_recipes(tp: th.ThermalParameters, lossless) -> None:
    """Pure hold, ramp only, peak below the end temperature, unreachable end, no losses: a valid grid."""
    cases = [
        dict(start_temperature_K=750.0, setpoint_K=750.0, heating_rate_K_per_s=50.0, heater_on_s=5.0),
        dict(start_temperature_K=300.0, setpoint_K=1150.0, heating_rate_K_per_s=1e4, heater_on_s=0.03),
        dict(start_temperature_K=300.0, setpoint_K=380.0, heating_rate_K_per_s=100.0, heater_on_s=2.0),
        dict(start_temperature_K=300.0, setpoint_K=900.0, heating_rate_K_per_s=1e4, heater_on_s=0.1,
             end_temperature_K=250.0),
    ]
    for params in (tp, lossless):
        for kwargs in cases:
            h = th.setpoint_history(thickness_m=DELTA, params=params, max_cooling_time_s=3.0, cooling="free",
                                    **kwargs)
            assert np.all(np.diff(h.time_s, axis=1) > 0.0), kwargs
            assert np.all(np.isfinite(h.temperature_K))
            t_cap = kwargs["heater_on_s"] + 3.0
            assert h.time_s[0, -1] <= t_cap * (1 + 1e-12)
            if not h.reached_end_temperature[0]:
                assert h.time_s[0, -1] == pytest.approx(t_cap, rel=1e-12)
