"""Electrodeposition: Faraday, partial currents, transport, cell voltage, bath balance, cross-web uniformity."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.constants import N_A, R, e

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.electrodeposition_literature import BATH_PREFIXES
from process_models.plating import electrodeposition as ed
from process_models.plating.baths import BATH_NAMES, METALS, deposit_metal, get_bath, plating_constants

FARADAY = e * N_A  # independent of the module's constant on purpose
ZN_BATHS = ("zn_acid_sulfate", "zn_acid_chloride", "zn_alkaline_zincate")
NO_AGITATION_M = 1.0  # agitation floor pushed out of the way (δ_ag = 1 m)


# ---------------------------------------------------------------------------------------------------------
# Faraday
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("metal", METALS)
def test_plated_mass_is_charge_times_efficiency_over_nf(metal):
    rng = np.random.default_rng(7)
    j = rng.uniform(1.0, 5000.0, 50)
    t = rng.uniform(0.0, 600.0, 50)
    eff = rng.uniform(0.01, 1.0, 50)
    m = deposit_metal(metal)
    mass = ed.plated_mass_kg_per_m2(metal, j, t, eff)
    expected = (j * t) * eff * m.molar_mass_kg_per_mol / (m.valence_count * FARADAY)
    np.testing.assert_allclose(mass, expected, rtol=1e-9, atol=0.0)
    np.testing.assert_allclose(ed.plated_thickness_m(metal, j, t, eff), expected / m.density_kg_per_m3, rtol=1e-12)


@pytest.mark.unit
def test_seed_note_002_zn_faraday_numbers():
    # Seed note 002 §5g: 4.75 nm/s per 10 mA/cm2 at 100 %; 0.146 mg/cm2 ≈ 0.431 C/cm2; 43 s at 10 mA/cm2.
    assert ed.thickness_rate_m_per_s("Zn", 100.0) == pytest.approx(4.75e-9, rel=0.01)
    q = ed.charge_for_loading_C_per_m2("Zn", 1.46e-3)
    assert q / 1e4 == pytest.approx(0.431, rel=0.01)
    assert ed.time_for_loading_s("Zn", 1.46e-3, 100.0) == pytest.approx(43.0, rel=0.01)
    assert ed.time_for_loading_s("Zn", 1.46e-3, 300.0) == pytest.approx(14.4, rel=0.01)


@pytest.mark.unit
def test_seed_note_000_current_for_one_micron_per_minute():
    # Seed note 000 §6(a): 1 µm/min needs 45.3 (Cu), 35.1 (Zn), 15.6 (Ag), 19.7 (Sn) mA/cm2 at 100 %.
    for metal, mA_per_cm2 in (("Cu", 45.3), ("Zn", 35.1), ("Ag", 15.6), ("Sn", 19.7)):
        rate = ed.thickness_rate_m_per_s(metal, 10.0 * mA_per_cm2)
        assert rate * 60.0 == pytest.approx(1e-6, rel=0.01), metal


@pytest.mark.unit
def test_loading_inverses_round_trip():
    j = np.array([50.0, 500.0, 3000.0])
    t = ed.time_for_loading_s("Sn", 2e-3, j, 0.8)
    np.testing.assert_allclose(ed.plated_mass_kg_per_m2("Sn", j, t, 0.8), 2e-3, rtol=1e-12)
    j_back = ed.current_density_for_loading_A_per_m2("Sn", 2e-3, t, 0.8)
    np.testing.assert_allclose(j_back, j, rtol=1e-12)
    assert float(ed.plated_mass_kg_per_m2("Zn", 100.0, 0.0)) == 0.0


# ---------------------------------------------------------------------------------------------------------
# Partial currents and current efficiency
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("name", BATH_NAMES)
def test_partial_currents_add_up_to_the_applied_current(name):
    bath = get_bath(name)
    lo, hi = bath.current_density_window_A_per_m2
    j = np.geomspace(0.5 * lo, 20.0 * hi, 40)
    p = ed.partial_currents(bath, j)
    np.testing.assert_allclose(p.metal_current_density_A_per_m2 + p.side_current_density_A_per_m2, j, rtol=1e-10)
    assert np.all(p.metal_current_density_A_per_m2 < p.limiting_current_density_A_per_m2)
    assert np.all(np.diff(p.overpotential_V) > 0.0)
    np.testing.assert_allclose(p.cathode_potential_V, p.equilibrium_potential_V - p.overpotential_V, atol=1e-15)


@pytest.mark.unit
@pytest.mark.parametrize("name", BATH_NAMES)
def test_efficiency_vanishes_far_beyond_the_limiting_current(name):
    bath = get_bath(name)
    j_lim = float(ed.limiting_current_density_A_per_m2(bath))
    j = j_lim * np.array([2.0, 10.0, 100.0, 1000.0])
    eff = ed.current_efficiency_frac(bath, j)
    assert np.all(eff <= j_lim / j * (1 + 1e-12))
    assert np.all(np.diff(eff) < 0.0)
    assert eff[-1] < 1.1e-3
    # the metal current saturates at j_L
    p = ed.partial_currents(bath, 1e3 * j_lim)
    assert float(p.metal_current_density_A_per_m2) == pytest.approx(j_lim, rel=1e-3)


def _window_points(draw, name):
    bath = get_bath(name)
    j = draw(st.floats(*bath.current_density_window_A_per_m2))
    c = draw(st.floats(*bath.metal_concentration_window_mol_per_m3))
    T = draw(st.floats(*bath.temperature_window_K))
    return bath, j, c, T


@st.composite
def _operating_points(draw):
    name = draw(st.sampled_from(BATH_NAMES))
    return _window_points(draw, name)


@pytest.mark.component
@settings(max_examples=150, deadline=None)
@given(point=_operating_points(), factor=st.floats(1.0, 500.0))
def test_efficiency_is_a_fraction_and_vanishes_at_large_current(point, factor):
    bath, j, c, T = point
    eff = float(ed.current_efficiency_frac(bath, j, concentration_mol_per_m3=c, temperature_K=T))
    assert 0.0 < eff <= 1.0
    j_lim = float(ed.limiting_current_density_A_per_m2(bath, concentration_mol_per_m3=c, temperature_K=T))
    big = j_lim * 10.0 * factor
    eff_big = float(ed.current_efficiency_frac(bath, big, concentration_mol_per_m3=c, temperature_K=T))
    assert 0.0 < eff_big <= j_lim / big * (1 + 1e-12)
    assert eff_big <= 0.1 * (1 + 1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("name", ZN_BATHS)
def test_zn_bath_efficiency_at_its_typical_point_is_in_the_handbook_range(name):
    bath = get_bath(name)
    lo, hi = bath.cathode_efficiency_window_frac
    eff = ed.typical_efficiency_frac(bath)
    assert lo <= eff <= hi
    assert eff == pytest.approx(0.5 * (lo + hi), abs=1e-4)  # the calibration target (mid-range)


@pytest.mark.unit
def test_seed_note_002_zn_ranges_are_the_windows():
    assert get_bath("zn_acid_sulfate").cathode_efficiency_window_frac == (0.95, 0.99)
    assert get_bath("zn_alkaline_zincate").cathode_efficiency_window_frac == (0.50, 0.85)
    assert get_bath("zn_acid_sulfate").current_density_window_A_per_m2 == (100.0, 3000.0)
    # 200-350 g/L ZnSO4·7H2O (287.56 g/mol)
    lo, hi = get_bath("zn_acid_sulfate").metal_concentration_window_mol_per_m3
    assert lo == pytest.approx(200.0 / 0.28756, rel=1e-3) and hi == pytest.approx(350.0 / 0.28756, rel=1e-3)


@pytest.mark.unit
@pytest.mark.parametrize("name", ("cu_acid_sulfate", "cu_acid_sulfate_fsi", "ag_thiosulfate", "sn_acid_sulfate"))
def test_unfitted_baths_land_in_their_efficiency_window(name):
    bath = get_bath(name)
    lo, hi = bath.cathode_efficiency_window_frac
    assert lo <= ed.typical_efficiency_frac(bath) <= hi


@pytest.mark.component
@pytest.mark.parametrize("name", ZN_BATHS)
def test_stored_fit_reproduces_the_calibration(name):
    stored = get_bath(name).her_exchange_current_density_A_per_m2
    assert ed.calibrate_her_exchange_current_density_A_per_m2(name) == pytest.approx(stored, rel=2e-3)
    rec = default_parameters().record(f"{BATH_PREFIXES[name]}_her_exchange_current_density_A_per_m2")
    assert rec.kind == "fitted" and rec.fit_error


@pytest.mark.unit
def test_lower_ph_means_more_hydrogen():
    base = get_bath("zn_acid_sulfate")
    acid = replace(base, ph_frac=3.0)
    assert ed.typical_efficiency_frac(acid) < ed.typical_efficiency_frac(base)


@pytest.mark.unit
def test_texture_additive_bath_polarises_more_than_plain_acid_copper():
    plain, fsi = get_bath("cu_acid_sulfate"), get_bath("cu_acid_sulfate_fsi")
    assert fsi.metal_concentration_mol_per_m3 == plain.metal_concentration_mol_per_m3
    assert fsi.additive_concentration_mol_per_m3 > 0.0 and "(110)" in fsi.note
    eta_plain = float(ed.partial_currents(plain, 500.0).overpotential_V)
    eta_fsi = float(ed.partial_currents(fsi, 500.0).overpotential_V)
    assert eta_fsi > eta_plain
    assert float(ed.wagner_number_frac(fsi, 500.0)) > float(ed.wagner_number_frac(plain, 500.0))


@pytest.mark.unit
def test_polarization_slope_matches_a_finite_difference():
    bath = get_bath("zn_alkaline_zincate")
    j = np.array([80.0, 150.0, 400.0, 2000.0])
    h = 1e-4 * j
    eta_plus = ed.partial_currents(bath, j + h).overpotential_V
    eta_minus = ed.partial_currents(bath, j - h).overpotential_V
    slope = ed.partial_currents(bath, j).polarization_slope_ohm_m2
    np.testing.assert_allclose(slope, (eta_plus - eta_minus) / (2 * h), rtol=1e-5)


@pytest.mark.unit
def test_nernst_potential():
    bath = get_bath("cu_acid_sulfate")
    E = ed.equilibrium_potential_V(bath, 100.0, 298.15)
    assert float(E) == pytest.approx(0.3419 + R * 298.15 / (2 * FARADAY) * math.log(0.1), abs=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Mass transport
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_limiting_current_scales_as_c_times_d_over_delta():
    bath = get_bath("zn_acid_sulfate")
    base = float(ed.limiting_current_density_A_per_m2(bath, concentration_mol_per_m3=800.0, temperature_K=298.15,
                                                      diffusion_layer_m=1e-4))
    assert base == pytest.approx(2 * FARADAY * 7.03e-10 * 800.0 / 1e-4, rel=1e-12)  # at T_ref, D = D_ref
    doubled_c = ed.limiting_current_density_A_per_m2(bath, concentration_mol_per_m3=1600.0, temperature_K=298.15,
                                                     diffusion_layer_m=1e-4)
    halved_delta = ed.limiting_current_density_A_per_m2(bath, concentration_mol_per_m3=800.0, temperature_K=298.15,
                                                        diffusion_layer_m=5e-5)
    faster_d = ed.limiting_current_density_A_per_m2(replace(bath, metal_diffusivity_m2_per_s=1.5 * 7.03e-10),
                                                    concentration_mol_per_m3=800.0, temperature_K=298.15,
                                                    diffusion_layer_m=1e-4)
    assert float(doubled_c) == pytest.approx(2 * base, rel=1e-12)
    assert float(halved_delta) == pytest.approx(2 * base, rel=1e-12)
    assert float(faster_d) == pytest.approx(1.5 * base, rel=1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("flow_model", ed.FLOW_MODELS)
def test_limiting_current_rises_with_web_speed(flow_model):
    bath = get_bath("zn_acid_chloride")
    speeds = np.array([0.0, 0.01, 0.05, 0.2, 0.5, 1.0, 2.0, 5.0])
    for agitation in (None, NO_AGITATION_M):
        moving = speeds if agitation is None else speeds[1:]  # a still web in a still bath has no finite δ
        delta = ed.diffusion_layer_m(bath, moving, 1.0, flow_model=flow_model, agitation_layer_m=agitation)
        j_lim = ed.limiting_current_density_A_per_m2(bath, diffusion_layer_m=delta)
        assert np.all(np.diff(j_lim) > 0.0)
    # at rest only the agitation floor is left
    assert float(ed.diffusion_layer_m(bath, 0.0, 1.0)) == pytest.approx(
        plating_constants().plating_agitation_diffusion_layer_m, rel=1e-12)


@pytest.mark.unit
def test_mass_transfer_correlations_known_answers():
    bath = get_bath("cu_acid_sulfate")
    T = 298.15
    D, nu = 7.14e-10, 1.0e-6
    u, L = 0.05, 1.0  # Re = 5e4, laminar
    k_web = ed.mass_transfer_coefficient_m_per_s(bath, u, L, T, agitation_layer_m=NO_AGITATION_M)
    k_ag = D / NO_AGITATION_M
    expected_web = 2.0 / math.sqrt(math.pi) * math.sqrt(u * L / nu * nu / D) * D / L  # Sakiadis, Sc → ∞
    assert float(k_web) == pytest.approx((expected_web**3 + k_ag**3) ** (1 / 3), rel=2e-3)
    k_plate = ed.mass_transfer_coefficient_m_per_s(bath, u, L, T, flow_model="plate_in_flow",
                                                   agitation_layer_m=NO_AGITATION_M)
    expected_plate = 0.664 * math.sqrt(u * L / nu) * (nu / D) ** (1 / 3) * D / L  # Incropera §7.2
    assert float(k_plate) == pytest.approx((expected_plate**3 + k_ag**3) ** (1 / 3), rel=2e-3)
    # the mixed laminar/turbulent correlation joins the laminar one at Re_c = 5e5
    u_c = 5e5 * nu / L
    below = ed.mass_transfer_coefficient_m_per_s(bath, u_c * (1 - 1e-9), L, T, flow_model="plate_in_flow")
    above = ed.mass_transfer_coefficient_m_per_s(bath, u_c * (1 + 1e-9), L, T, flow_model="plate_in_flow")
    assert float(above) == pytest.approx(float(below), rel=1e-6)


@pytest.mark.unit
def test_transport_properties_scale_with_temperature():
    bath = get_bath("zn_acid_sulfate")
    T = np.array([298.15, 313.15, 333.15])
    D = ed.metal_diffusivity_m2_per_s(bath, T)
    kappa = ed.conductivity_S_per_m(bath, T)
    assert D[0] == pytest.approx(7.03e-10, rel=1e-12) and kappa[0] == pytest.approx(5.0, rel=1e-12)
    assert np.all(np.diff(D) > 0) and np.all(np.diff(kappa) > 0)
    # Stokes-Einstein: D·μ/T constant; Walden: κ·μ constant (μ from the kinematic viscosity, ρ constant)
    nu = ed.kinematic_viscosity_m2_per_s(T)
    np.testing.assert_allclose(D * nu / T, D[0] * nu[0] / T[0], rtol=1e-12)
    np.testing.assert_allclose(kappa * nu, kappa[0] * nu[0], rtol=1e-12)
    # water viscosity at 60 °C: 0.4660 mPa s (CRC) vs 0.8900 at 25 °C; the Andrade fit is within 2.2 %
    assert nu[2] / nu[0] == pytest.approx(0.4660 / 0.8900, rel=0.022)


# ---------------------------------------------------------------------------------------------------------
# Inverse: current density for a thickness; line geometry
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_current_density_for_thickness_plates_the_target():
    bath = get_bath("zn_alkaline_zincate")
    s, t = 205e-9, np.array([20.0, 40.0, 80.0])
    p = ed.current_density_for_thickness(bath, s, t)
    plated = ed.plated_thickness_m(bath, p.current_density_A_per_m2, t, p.current_efficiency_frac)
    np.testing.assert_allclose(plated, s, rtol=1e-9)
    np.testing.assert_allclose(
        ed.current_efficiency_frac(bath, p.current_density_A_per_m2), p.current_efficiency_frac, rtol=1e-9)


@pytest.mark.unit
def test_unreachable_thickness_names_the_field():
    with pytest.raises(FoiltwinInputError) as err:
        ed.current_density_for_thickness("zn_alkaline_zincate", 10e-6, 5.0)
    assert err.value.field == "thickness_m" and "j_L" in str(err.value)


@pytest.mark.unit
def test_plating_time_and_line_plan():
    assert float(ed.plating_time_s(3, 1.5, 0.25)) == pytest.approx(18.0)
    speeds = np.array([5.0, 10.0, 20.0]) / 60.0
    plan = ed.plan_line("zn_acid_sulfate", 205e-9, speeds, 2, 1.0)
    np.testing.assert_allclose(plan.plating_time_s, 2.0 / speeds)
    j = plan.point.current_density_A_per_m2
    assert np.all(np.diff(j) > 0)  # faster web → more current for the same thickness
    plated = ed.plated_thickness_m("zn_acid_sulfate", j, plan.plating_time_s, plan.point.current_efficiency_frac)
    np.testing.assert_allclose(plated, 205e-9, rtol=1e-9)
    faces = plating_constants().plating_web_faces_count
    np.testing.assert_allclose(plan.flows.plated_mol_per_m2, faces * 205e-9 * 7134.0 / 0.06538, rtol=1e-9)
    np.testing.assert_allclose(
        plan.energy_kWh_per_m2,
        plan.cell.total_V * j * plan.plating_time_s * faces / plating_constants().plating_rectifier_efficiency_frac
        / 3.6e6, rtol=1e-12)
    assert plan.flags.messages == ()


@pytest.mark.unit
def test_flags_name_what_leaves_the_window():
    bath = get_bath("zn_acid_chloride")
    flags = ed.operating_flags(bath, np.array([50.0, 200.0, 1500.0]))
    assert flags.current_below_window.tolist() == [True, False, False]
    assert flags.current_above_window.tolist() == [False, False, True]
    j_lim = float(ed.limiting_current_density_A_per_m2(bath))
    near = ed.operating_flags(bath, 0.9 * j_lim)
    assert bool(near.near_limiting_current) and any("j_L" in m for m in near.messages)
    hot = ed.operating_flags(bath, 200.0, temperature_K=340.0, concentration_mol_per_m3=300.0)
    assert bool(hot.temperature_outside_window) and bool(hot.concentration_outside_window)


# ---------------------------------------------------------------------------------------------------------
# Cell voltage and energy
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("anode", ("soluble", "insoluble"))
def test_cell_voltage_components_add_up(anode):
    bath = get_bath("cu_acid_sulfate")
    j = np.array([100.0, 500.0, 1500.0])
    cell = ed.cell_voltage(bath, j, anode=anode, gap_m=0.02)
    total = cell.equilibrium_V + cell.cathode_overpotential_V + cell.anode_overpotential_V + cell.ohmic_V \
        + cell.contact_V
    np.testing.assert_allclose(cell.total_V, total, rtol=1e-14)
    np.testing.assert_allclose(cell.ohmic_V, j * 0.02 / ed.conductivity_S_per_m(bath), rtol=1e-12)
    np.testing.assert_allclose(cell.contact_V, 0.3 * j / 1500.0, rtol=1e-12)
    assert np.all(cell.anode_overpotential_V > 0) and np.all(cell.cathode_overpotential_V > 0)
    T = bath.temperature_K
    if anode == "soluble":
        np.testing.assert_array_equal(cell.equilibrium_V, 0.0)
        # Butler-Volmer residual at the anode (area ratio 1)
        kin_i0 = bath.exchange_current_density_A_per_m2 * (bath.metal_concentration_mol_per_m3 / 1000.0) ** 0.75 \
            * math.exp(-40000.0 / R * (1 / T - 1 / 298.15))
        f = FARADAY / (R * T)
        eta = cell.anode_overpotential_V
        np.testing.assert_allclose(kin_i0 * (np.exp(1.5 * f * eta) - np.exp(-0.5 * f * eta)), j, rtol=1e-9)
    else:
        e_o2 = 1.229 - math.log(10) * R * T / FARADAY * bath.ph_frac
        e_cu = float(ed.equilibrium_potential_V(bath))
        np.testing.assert_allclose(cell.equilibrium_V, e_o2 - e_cu, rtol=1e-12)


@pytest.mark.unit
def test_ohmic_drop_is_linear_in_the_gap():
    v1 = ed.cell_voltage("sn_acid_sulfate", 200.0, gap_m=0.01)
    v3 = ed.cell_voltage("sn_acid_sulfate", 200.0, gap_m=0.03)
    assert float(v3.ohmic_V) == pytest.approx(3 * float(v1.ohmic_V), rel=1e-12)
    assert float(v3.total_V - v1.total_V) == pytest.approx(2 * float(v1.ohmic_V), rel=1e-12)


@pytest.mark.unit
def test_energy_is_v_j_t_over_rectifier_efficiency():
    V, j, t = np.array([1.5, 2.0]), np.array([300.0, 800.0]), np.array([12.0, 30.0])
    energy = ed.plating_energy_kWh_per_m2(V, j, t, faces_count=1.0, rectifier_efficiency_frac=0.85)
    np.testing.assert_allclose(energy * 3.6e6, V * j * t / 0.85, rtol=1e-14)
    both = ed.plating_energy_kWh_per_m2(V, j, t, faces_count=2.0, rectifier_efficiency_frac=0.85)
    np.testing.assert_allclose(both, 2 * energy, rtol=1e-14)
    np.testing.assert_allclose(ed.rectifier_power_W_per_m2(V, j, 0.85), V * j / 0.85, rtol=1e-14)


# ---------------------------------------------------------------------------------------------------------
# Bath state
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("anode", ("soluble", "insoluble"))
def test_bath_balance_closes(anode):
    rng = np.random.default_rng(3)
    n = 64
    c0 = rng.uniform(700.0, 1200.0, n)
    step = ed.advance_bath(
        "zn_acid_sulfate", c0, rng.uniform(0.5, 20.0, n), rng.uniform(0.0, 7200.0, n), rng.uniform(0.0, 2000.0, n),
        rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 2.0, n), anode=anode, dosing_mol_per_s=rng.uniform(0.0, 0.01, n),
        makeup_concentration_mol_per_m3=rng.uniform(0.0, 1000.0, n))
    metal_in = step.metal_from_anode_mol + step.metal_dosed_mol + step.metal_from_makeup_mol
    out = step.metal_plated_mol + step.metal_dragged_out_mol + step.inventory_change_mol
    scale = np.maximum.reduce([metal_in, step.metal_plated_mol, np.abs(step.inventory_change_mol), c0])
    assert np.all(np.abs(metal_in - out) <= 1e-10 * scale)
    assert np.all(np.abs(step.balance_residual_mol) <= 1e-10 * scale)
    if anode == "insoluble":
        np.testing.assert_array_equal(step.metal_from_anode_mol, 0.0)


@pytest.mark.unit
def test_soluble_anodes_build_up_metal_and_insoluble_ones_deplete_it():
    kw = {"web_area_rate_m2_per_s": 0.0}
    up = ed.advance_bath("zn_acid_sulfate", 956.3, 5.0, 3600.0, 1000.0, 0.97, anode="soluble", **kw)
    down = ed.advance_bath("zn_acid_sulfate", 956.3, 5.0, 3600.0, 1000.0, 0.97, anode="insoluble", **kw)
    assert float(up.concentration_mol_per_m3) > 956.3 > float(down.concentration_mol_per_m3)
    expected_gain = 1000.0 * 3600.0 * (1.02 - 0.97) / (2 * FARADAY) / 5.0
    assert float(up.concentration_mol_per_m3) - 956.3 == pytest.approx(expected_gain, rel=1e-12)


@pytest.mark.unit
def test_dragout_drives_the_bath_to_its_steady_state():
    # insoluble anode, dosing balances plating; drag-out and water make-up dilute towards c_ss = dosing_net / q
    q_area, film = 2.0, 5e-5
    dosing = 1000.0 * 0.9 / (2 * FARADAY) + 0.1
    step = ed.advance_bath("zn_acid_sulfate", 900.0, 1.0, 1e6, 1000.0, 0.9, q_area, anode="insoluble",
                           dosing_mol_per_s=dosing, dragout_m=film)
    assert float(step.concentration_mol_per_m3) == pytest.approx(0.1 / (q_area * film), rel=1e-9)


@pytest.mark.unit
def test_a_step_that_empties_the_bath_names_dt():
    with pytest.raises(FoiltwinInputError) as err:
        ed.advance_bath("sn_acid_sulfate", 168.5, 0.1, 1e6, 1000.0, 1.0, 0.0, anode="insoluble")
    assert err.value.field == "dt_s"


@pytest.mark.unit
def test_a_step_that_empties_the_bath_carries_the_time_the_bath_lasts():
    """The refusal carries the time to empty as a number (callers name their own setting with it, the twin its
    dosing interval): the closed forms c0·V/sink without drag-out and V/q·ln(1 + c0·q/sink) with it, q = drag-out
    film × web area rate; the message states the same number, a step just shorter passes and ends near empty."""
    import pickle

    c0, V, current = 168.5, 0.1, 1000.0
    sink = current / (2 * FARADAY)  # Sn2+, insoluble anode, efficiency 1 [mol/s]
    with pytest.raises(ed.BathEmptiedError) as err:
        ed.advance_bath("sn_acid_sulfate", c0, V, 1e6, current, 1.0, 0.0, anode="insoluble")
    assert err.value.field == "dt_s" and err.value.time_to_empty_s == pytest.approx(c0 * V / sink, rel=1e-12)
    film, area_rate = 5e-5, 2.0
    q = film * area_rate
    with pytest.raises(ed.BathEmptiedError) as err:
        ed.advance_bath("sn_acid_sulfate", c0, V, 1e6, current, 1.0, area_rate, anode="insoluble", dragout_m=film)
    t_empty = V / q * math.log1p(c0 * q / sink)
    assert err.value.time_to_empty_s == pytest.approx(t_empty, rel=1e-12)
    assert f"≤ {t_empty:.4g} s" in str(err.value)
    step = ed.advance_bath("sn_acid_sulfate", c0, V, t_empty * (1 - 1e-6), current, 1.0, area_rate,
                           anode="insoluble", dragout_m=film)
    assert 0.0 <= float(step.concentration_mol_per_m3) < 1e-3
    for copy in (type(err.value)(*err.value.args), pickle.loads(pickle.dumps(err.value))):  # SimPy, worker processes
        assert copy.time_to_empty_s == err.value.time_to_empty_s and str(copy) == str(err.value)


@pytest.mark.unit
def test_metal_flows_per_square_metre():
    flows = ed.metal_flows_per_m2("zn_acid_sulfate", 400.0, 10.0, 0.97, faces_count=2.0, dragout_m=5e-5)
    assert float(flows.plated_mol_per_m2) == pytest.approx(2 * 400.0 * 10.0 * 0.97 / (2 * FARADAY), rel=1e-12)
    assert float(flows.anode_dissolved_mol_per_m2) == pytest.approx(2 * 400.0 * 10.0 * 1.02 / (2 * FARADAY))
    assert float(flows.dragout_mol_per_m2) == pytest.approx(5e-5 * 956.3, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Cross-web uniformity
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_wagner_limits_and_monotonicity():
    a = 5.0
    uniform = ed.edge_current_distribution(a, math.inf)
    np.testing.assert_array_equal(uniform.current_ratio, 1.0)
    assert ed.edge_current_distribution(a, 1e5).cov_frac < 1e-4
    covs = [ed.edge_current_distribution(a, wa).cov_frac for wa in (0.0, 0.003, 0.03, 0.3, 3.0, 30.0)]
    assert np.all(np.diff(covs) < 0.0), covs
    for wa in (0.0, 0.1, 10.0):
        d = ed.edge_current_distribution(a, wa)
        assert np.sum(d.widths_frac * d.current_ratio) == pytest.approx(1.0, rel=1e-12)  # mean = 1
        assert np.all(np.diff(d.current_ratio) > 0.0)  # rises towards the edge


@pytest.mark.unit
@pytest.mark.parametrize("wa", (0.0, 0.5, 3.0))
def test_wide_web_centre_sees_the_one_dimensional_cell(wa):
    # far from the edges: electrolyte resistance gap/κ in series with dη/dj, so j = κΔV/gap / (1 + Wa)
    d = ed.edge_current_distribution(300.0, wa)
    assert d.current_ratio[0] * d.mean_current_frac == pytest.approx(1.0 / (1.0 + wa), rel=1e-6)


@pytest.mark.unit
@pytest.mark.parametrize("a", (0.5, 2.0, 10.0))
def test_small_wagner_number_gives_the_primary_distribution(a):
    d = ed.edge_current_distribution(a, 0.0)
    primary = ed.primary_edge_distribution(a, d.faces_frac)
    inner = d.centres_frac < 0.95
    np.testing.assert_allclose(d.current_ratio[inner], primary[inner], rtol=0.02)
    outer = d.centres_frac > 0.9  # the singular edge: compare the current it carries
    fd_share = np.sum(d.widths_frac[outer] * d.current_ratio[outer])
    assert fd_share == pytest.approx(np.sum(d.widths_frac[outer] * primary[outer]), rel=0.02)


@pytest.mark.unit
def test_primary_distribution_limits():
    # wide web (a ≫ gap): flat centre
    wide = ed.primary_edge_distribution(50.0, np.linspace(0.0, 1.0, 201))
    assert np.ptp(wide[:150]) < 1e-6
    # narrow web (a ≪ gap): isolated strip, j ∝ (1 - x²)^-½, mean over the half width = π/2
    narrow_faces = np.linspace(0.0, 1.0, 101)
    narrow = ed.primary_edge_distribution(1e-3, narrow_faces)
    th = np.arcsin(narrow_faces)
    strip = np.diff(th) / np.diff(narrow_faces) / (math.pi / 2)
    np.testing.assert_allclose(narrow, strip, rtol=1e-5)


@pytest.mark.unit
def test_cross_web_profile():
    prof = ed.cross_web_profile("zn_acid_sulfate", 500.0, 20.0, 1.0)
    assert prof.position_m[0] == pytest.approx(-prof.position_m[-1]) and abs(prof.position_m[-1]) < 0.5
    assert np.sum(prof.cell_width_m) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(prof.thickness_m, prof.thickness_m[::-1])
    j_mean = np.sum(prof.cell_width_m * prof.current_density_A_per_m2) / np.sum(prof.cell_width_m)
    assert j_mean == pytest.approx(500.0, rel=1e-12)
    assert prof.min_thickness_m < prof.mean_thickness_m < prof.max_thickness_m
    assert prof.max_thickness_m == pytest.approx(float(prof.thickness_m.max()))
    assert prof.wagner_number == pytest.approx(float(ed.wagner_number_frac("zn_acid_sulfate", 500.0, 0.03)))
    # a more conductive bath (higher Wa) plates more evenly
    params = default_parameters().with_overrides({"zn_sulfate_bath_conductivity_S_per_m": 50.0})
    better = ed.cross_web_profile("zn_acid_sulfate", 500.0, 20.0, 1.0, params=params)
    assert better.wagner_number > prof.wagner_number and better.cov_frac < prof.cov_frac


# ---------------------------------------------------------------------------------------------------------
# Baths, inputs, citations
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_unknown_bath_and_metal_list_the_valid_ones():
    with pytest.raises(FoiltwinInputError, match="zn_acid_sulfate") as err:
        get_bath("zn_cyanide")
    assert err.value.field == "bath"
    with pytest.raises(FoiltwinInputError, match="Sn") as err:
        ed.plated_mass_kg_per_m2("Ni", 100.0, 1.0)
    assert err.value.field == "metal"
    with pytest.raises(FoiltwinInputError) as err:
        ed.partial_currents("nickel_watts", 100.0)
    assert err.value.field == "bath"


@pytest.mark.unit
@pytest.mark.parametrize(("call", "field"), [
    (lambda: ed.partial_currents("zn_acid_sulfate", 0.0), "current_density_A_per_m2"),
    (lambda: ed.partial_currents("zn_acid_sulfate", np.array([10.0, -5.0])), "current_density_A_per_m2"),
    (lambda: ed.partial_currents("zn_acid_sulfate", 100.0, concentration_mol_per_m3=0.0), "concentration_mol_per_m3"),
    (lambda: ed.limiting_current_density_A_per_m2("cu_acid_sulfate", concentration_mol_per_m3=-1.0),
     "concentration_mol_per_m3"),
    (lambda: ed.plated_mass_kg_per_m2("Zn", -1.0, 1.0), "current_density_A_per_m2"),
    (lambda: ed.plated_mass_kg_per_m2("Zn", 100.0, 1.0, 1.2), "current_efficiency_frac"),
    (lambda: ed.partial_currents("zn_acid_sulfate", 100.0, temperature_K=400.0), "temperature_K"),
    (lambda: ed.diffusion_layer_m("zn_acid_sulfate", 0.1, 1.0, flow_model="turbulent"), "flow_model"),
    (lambda: ed.cell_voltage("zn_acid_sulfate", 100.0, anode="graphite"), "anode"),
    (lambda: ed.plating_time_s(1.5, 1.0, 0.1), "tank_count"),
    (lambda: ed.partial_currents("zn_acid_sulfate", np.ones((2, 2))), "current_density_A_per_m2"),
])
def test_bad_inputs_name_the_field(call, field):
    with pytest.raises(FoiltwinInputError) as err:
        call()
    assert err.value.field == field
    assert field in str(err.value)


@pytest.mark.unit
def test_overrides_reach_the_bath_and_inconsistent_windows_are_refused():
    params = default_parameters().with_overrides({"zn_sulfate_bath_metal_concentration_mol_per_m3": 800.0})
    assert get_bath("zn_acid_sulfate", params).metal_concentration_mol_per_m3 == 800.0
    fsi = get_bath("cu_acid_sulfate_fsi", default_parameters().with_overrides(
        {"cu_sulfate_bath_conductivity_S_per_m": 40.0}))
    assert fsi.conductivity_S_per_m == 40.0  # the FSI bath inherits acid-copper entries
    bad = default_parameters().with_overrides({"zn_sulfate_bath_metal_concentration_mol_per_m3": 2000.0})
    with pytest.raises(FoiltwinInputError) as err:
        get_bath("zn_acid_sulfate", bad)
    assert "zn_sulfate_bath_metal_concentration" in err.value.field


@pytest.mark.unit
def test_vectorised_inputs_keep_their_shape():
    j = np.array([100.0, 200.0, 400.0])
    c = np.array([700.0, 900.0, 1100.0])
    p = ed.partial_currents("zn_acid_sulfate", j, concentration_mol_per_m3=c)
    assert p.current_efficiency_frac.shape == (3,)
    singles = [float(ed.current_efficiency_frac("zn_acid_sulfate", ji, concentration_mol_per_m3=ci))
               for ji, ci in zip(j, c, strict=True)]
    np.testing.assert_allclose(p.current_efficiency_frac, singles, rtol=1e-12)


@pytest.mark.unit
def test_functions_register_their_sources():
    ed.partial_currents("zn_acid_sulfate", 100.0)
    ed.diffusion_layer_m("zn_acid_sulfate", 0.1, 1.0)
    ed.edge_current_distribution(2.0, 0.1)
    used = citations.used()
    for key in ("Newman2004", "Bard2001", "Incropera2007", "Tsou1967", "Wagner1951", "CRC"):
        assert key in used, key
