"""The fastest linear stage-III ramp a power-limited heater drives on a foil (process_models.uht.heater_ramp):
closed form without losses, 1/thickness scaling, the heater's energy balance at its limit, and the reachable peak
and thickest foil against the ramp time they stand for."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht.heater_ramp import max_ramp_K_per_s, ramp_time_s, reachable_peak_K, thickest_foil_m
from process_models.uht.thermal import areal_heat_capacity_J_per_m2_K, heat_loss_W_per_m2, setpoint_history

T0 = 300.0


@pytest.mark.unit
def test_the_ramp_is_the_heaters_spare_power_over_the_heat_capacity_at_the_peak():
    """cp of Cu and the losses both rise with T, so the peak binds: r = (P·η − loss(T_p))/(ρ δ cp(T_p)); a brute
    minimum over 5001 temperatures agrees."""
    p = default_parameters()
    d, peak = np.array([10e-6, 30e-6]), 1100.0
    spare = p["heater_max_areal_power_W_per_m2"] * p["joule_heater_efficiency_frac"] - heat_loss_W_per_m2(peak, p)
    closed = spare / areal_heat_capacity_J_per_m2_K(peak, d, p)
    assert max_ramp_K_per_s(T0, peak, d, p) == pytest.approx(closed, rel=1e-12)
    T = np.linspace(T0, peak, 5001)
    brute = [np.min((spare + heat_loss_W_per_m2(peak, p) - heat_loss_W_per_m2(T, p))
                    / areal_heat_capacity_J_per_m2_K(T, di, p)) for di in d]
    assert max_ramp_K_per_s(T0, peak, d, p) == pytest.approx(brute, rel=1e-12)


@pytest.mark.unit
def test_the_ramp_falls_as_one_over_thickness_and_rises_with_the_power_limit():
    p = default_parameters()
    d = np.array([5e-6, 10e-6, 20e-6, 40e-6])
    r = max_ramp_K_per_s(T0, 1100.0, d, p)
    assert np.allclose(r * d, r[0] * d[0], rtol=1e-12)  # the losses do not depend on δ
    more = max_ramp_K_per_s(T0, 1100.0, d, p.with_overrides({"heater_max_areal_power_W_per_m2": 1e8}))
    assert np.all(more > 9.9 * r)  # ten times the power: the losses (≈1e4 W/m2) shave a little off ×10


@pytest.mark.unit
def test_at_the_fastest_ramp_the_heater_runs_at_its_limit_and_its_energy_balances():
    """The set-point history at the fastest ramp: the heater reaches its limit (at the peak end of the ramp), never
    exceeds it, and its heat is the sensible heat plus the losses, at most the limit over the on-time."""
    p = default_parameters()
    d, peak, t_on = 40e-6, 1100.0, 0.03
    r = float(max_ramp_K_per_s(T0, peak, d, p)[0])
    limit = p["heater_max_areal_power_W_per_m2"]
    at_peak = (float(areal_heat_capacity_J_per_m2_K(peak, d, p)) * r + float(heat_loss_W_per_m2(peak, p)))
    assert at_peak == pytest.approx(limit * p["joule_heater_efficiency_frac"], rel=1e-12)
    h = setpoint_history(T0, peak, r, t_on, d, cooling="free", params=p, on_power_limit="flag")
    assert float(h.max_heater_power_W_per_m2[0]) == pytest.approx(limit, rel=1e-9)
    assert bool(h.reached_setpoint[0])
    heat = float(h.heat_input_J_per_m2[0])
    assert heat == pytest.approx(float(h.sensible_heat_J_per_m2[0] + h.heating_loss_J_per_m2[0]), rel=1e-12)
    assert float(h.sensible_heat_J_per_m2[0]) < heat <= limit * p["joule_heater_efficiency_frac"] * t_on


@pytest.mark.unit
def test_reachable_peak_and_thickest_foil_sit_on_the_on_time():
    p = default_parameters()
    d, t_on = 50e-6, 0.005
    top = reachable_peak_K(T0, d, t_on, p["cu_melting_temperature_K"], p)
    assert T0 < top < 1000.0
    assert float(ramp_time_s(T0, top, d, p)[0]) == pytest.approx(t_on, rel=1e-9)
    assert float(ramp_time_s(T0, top + 1.0, d, p)[0]) > t_on
    d_max = thickest_foil_m(T0, 1000.0, d, t_on, p)
    assert float(ramp_time_s(T0, 1000.0, d_max, p)[0]) == pytest.approx(t_on, rel=1e-12)
    # a heater whose losses alone exceed it reaches no peak: the bisection keeps the start
    weak = p.with_overrides({"heater_max_areal_power_W_per_m2": 1e3, "foil_emissivity_frac": 0.6})
    assert float(max_ramp_K_per_s(T0, 1000.0, d, weak)[0]) < 0.0
    assert float(ramp_time_s(T0, 1000.0, d, weak)[0]) == np.inf
    assert thickest_foil_m(T0, 1000.0, d, t_on, weak) == 0.0
