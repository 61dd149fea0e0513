"""Ag plumes by galvanic displacement in AgF (process_models.plating.ag_immersion): stoichiometry, balances, window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.plating import ag_immersion as ag

P = default_parameters()
T_REF = P["ag_immersion_reference_time_s"]
W_REF = P["ag_immersion_reference_agf_mass_frac"]
D_AG = P["galvanic_ag_ion_diffusivity_m2_per_s"]


@pytest.mark.unit
def test_one_weight_percent_is_about_0079_molar():
    """Seed note 004 §4.3: 1 wt % AgF ≈ 0.079 mol/L = 79 mol/m3."""
    c = ag.agf_concentration_mol_per_m3(0.01)
    assert c == pytest.approx(0.01 * 1000.0 / 0.12687)
    assert c == pytest.approx(79.0, rel=0.01)


@pytest.mark.unit
@settings(max_examples=80, deadline=None)
@given(
    t=st.floats(0.0, 3600.0),
    w=st.floats(1e-4, 0.08),  # above ≈ 8.5 wt % with all Cu2+ in AgCuF3 the Ø 12 mm disk leaves the laminar range
    phi=st.floats(0.0, 1.0),
    h=st.one_of(st.none(), st.floats(1e-5, 1.0)),
    agitation=st.sampled_from(ag.AGITATIONS),
)
def test_galvanic_stoichiometry_and_ag_mass_balance(t, w, phi, h, agitation):
    r = ag.ag_immersion(t, w, agitation=agitation, bath_volume_per_area_m=h, agcuf3_cu_frac=phi)
    # Cu + 2Ag+ → Cu2+ + 2Ag: one Cu per two Ag, exactly
    np.testing.assert_allclose(r.cu_dissolved_mol_per_m2, r.ag_mol_per_m2 / 2.0, rtol=1e-12, atol=0.0)
    # every Ag+ taken from the bath ends up as Ag metal or in AgCuF3 (one Ag per formula unit)
    np.testing.assert_allclose(r.ag_mol_per_m2 + r.ag_ion_to_byproduct_mol_per_m2, r.ag_ion_consumed_mol_per_m2,
                               rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(r.agcuf3_mol_per_m2, phi * r.cu_dissolved_mol_per_m2, rtol=1e-12, atol=0.0)
    if h is None:
        np.testing.assert_allclose(r.bath_final_concentration_mol_per_m3, r.agf_concentration_mol_per_m3)
    else:  # what the foil took is what the bath lost
        c0 = r.agf_concentration_mol_per_m3
        lost = (c0 - r.bath_final_concentration_mol_per_m3) * h  # (difference of two near-equal numbers)
        np.testing.assert_allclose(lost, r.ag_ion_consumed_mol_per_m2, rtol=1e-9,
                                   atol=8 * np.finfo(float).eps * float(c0[0]) * h)
        assert np.all(r.bath_final_concentration_mol_per_m3 >= 0.0)
    assert np.all(r.ag_mol_per_m2 >= 0.0)


@pytest.mark.unit
def test_dense_equivalents_match_the_seed_note():
    """Seed note 004 §4.3: 1 µm dense Ag = 9.72 µmol/cm2 = 0.0972 mol/m2 and costs 0.345 µm of Cu."""
    r = ag.ag_immersion(T_REF, W_REF)
    per_um = r.ag_mol_per_m2 / (r.ag_thickness_m / 1e-6)
    assert per_um[0] == pytest.approx(0.0972, rel=2e-3)
    assert (r.cu_thinning_m / r.ag_thickness_m)[0] == pytest.approx(0.345, rel=3e-3)
    assert r.ag_kg_per_m2[0] == pytest.approx(r.ag_mol_per_m2[0] * 0.1078682)


@pytest.mark.unit
def test_transport_integral_cottrell_limit_and_continuity():
    """Quiescent, no convection: 2c·sqrt(Dt/π) ≈ 3.95 µmol/cm2 after 120 s (seed note 004 §4.3)."""
    c = ag.agf_concentration_mol_per_m3(W_REF)
    n = c * ag.transport_integral_m(T_REF, 1.0, D_AG)
    assert n == pytest.approx(0.0395, rel=0.01)
    d = float(ag.ag_immersion(T_REF, W_REF).diffusion_layer_m[0])
    t_star = d**2 / (math.pi * D_AG)
    below, above = ag.transport_integral_m([t_star * (1 - 1e-9), t_star * (1 + 1e-9)], d, D_AG)
    assert above == pytest.approx(below, rel=1e-8)
    late = ag.transport_integral_m([1000.0, 2000.0], d, D_AG)
    assert late[1] - late[0] == pytest.approx(D_AG / d * 1000.0)  # steady flux after t*
    assert ag.transport_integral_m(0.0, d, D_AG) == 0.0


@pytest.mark.unit
def test_short_immersion_is_cottrell_and_long_immersion_is_the_convective_steady_state():
    r = ag.ag_immersion([1.0, 5.0, 3000.0, 6000.0], W_REF)
    c0 = float(r.agf_concentration_mol_per_m3[0])
    t_star = float(r.convection_onset_s[0])
    assert t_star == pytest.approx(float(r.diffusion_layer_m[0]) ** 2 / (math.pi * D_AG))
    assert 5.0 < t_star < 3000.0
    cottrell = c0 * 2.0 * np.sqrt(D_AG * np.array([1.0, 5.0]) / math.pi)
    np.testing.assert_allclose(r.ag_ion_consumed_mol_per_m2[:2], cottrell, rtol=1e-12)
    # late: the uptake grows at the steady flux c0·D/δ_conv of the natural-convection layer
    slope = (r.ag_ion_consumed_mol_per_m2[3] - r.ag_ion_consumed_mol_per_m2[2]) / 3000.0
    assert slope == pytest.approx(c0 * D_AG / float(r.diffusion_layer_m[0]), rel=1e-12)


@pytest.mark.unit
def test_seed004_point_with_the_natural_convection_layer():
    """1 wt %, 2 min, the seed's Ø 12 mm disk held vertical: δ ≈ 0.34 mm sets in after ≈ 22 s, so the loading
    is 1.38× the pure-Cottrell anchor (it was 4× with the assumed 0.1 mm layer) and 0.19 µm of Cu dissolves."""
    r = ag.ag_immersion(T_REF, W_REF)
    c0 = float(r.agf_concentration_mol_per_m3[0])
    cottrell = c0 * 2.0 * math.sqrt(D_AG * T_REF / math.pi)
    assert float(r.diffusion_layer_m[0]) == pytest.approx(337e-6, rel=0.01)
    assert float(r.ag_mol_per_m2[0]) / cottrell == pytest.approx(1.383, rel=0.01)
    assert float(r.ag_thickness_m[0]) == pytest.approx(0.562e-6, rel=0.01)
    assert float(r.cu_thinning_m[0]) == pytest.approx(0.194e-6, rel=0.01)
    assert 1e4 < float(r.rayleigh_number[0]) < 1e9  # inside the correlation's laminar range
    flat = ag.ag_immersion(T_REF, W_REF, orientation="horizontal_up")  # the disk lying in a dish instead
    assert float(flat.diffusion_layer_m[0]) == pytest.approx(float(r.diffusion_layer_m[0]), rel=0.15)
    stirred = ag.ag_immersion(T_REF, W_REF, agitation="agitated")
    assert np.isnan(stirred.sherwood_number[0]) and stirred.diffusion_layer_m[0] == P[
        "ag_immersion_agitated_diffusion_layer_m"]


@pytest.mark.unit
def test_loading_grows_with_time_concentration_and_agitation_and_depletion_caps_it():
    t = np.array([0.0, 10.0, 60.0, 120.0, 600.0])
    r = ag.ag_immersion(t, W_REF)
    assert r.ag_mol_per_m2[0] == 0.0 and np.all(np.diff(r.ag_mol_per_m2) > 0.0)
    assert np.all(np.diff(ag.ag_immersion(T_REF, [0.005, 0.01, 0.02]).ag_mol_per_m2) > 0.0)
    stirred = ag.ag_immersion(T_REF, W_REF, agitation="agitated").ag_mol_per_m2
    assert stirred[0] > r.ag_mol_per_m2[3]
    h = 1e-4  # 0.1 L per m2: holds 7.9 mmol Ag+ per m2
    c0 = ag.agf_concentration_mol_per_m3(W_REF)
    capped = ag.ag_immersion(1e4, W_REF, bath_volume_per_area_m=h)
    assert capped.ag_ion_consumed_mol_per_m2[0] == pytest.approx(c0 * h, rel=1e-6)
    big = ag.ag_immersion(T_REF, W_REF, bath_volume_per_area_m=1e6)
    assert big.ag_mol_per_m2[0] == pytest.approx(r.ag_mol_per_m2[3], rel=1e-6)


@pytest.mark.unit
def test_byproduct_channel_is_off_by_default_and_costs_ag():
    assert P["agcuf3_cu_precipitated_frac"] == 0.0
    off = ag.ag_immersion(T_REF, W_REF)
    on = ag.ag_immersion(T_REF, W_REF, agcuf3_cu_frac=1.0)
    assert off.agcuf3_mol_per_m2[0] == 0.0
    # all Cu2+ precipitates: nothing lighter replaces the Ag+ at the foil, so convection is stronger (thinner layer)
    assert on.diffusion_layer_m[0] < 0.6 * off.diffusion_layer_m[0]
    c0 = float(on.agf_concentration_mol_per_m3[0])
    assert on.ag_ion_consumed_mol_per_m2[0] == pytest.approx(
        c0 * ag.transport_integral_m(T_REF, on.diffusion_layer_m[0], D_AG))
    assert on.ag_mol_per_m2[0] == pytest.approx(on.ag_ion_consumed_mol_per_m2[0] / 1.5)  # Cu + 3Ag+ → 2Ag + AgCuF3
    m_agcuf3 = 0.1078682 + 0.063546 + 3 * 0.018998403
    assert on.agcuf3_kg_per_m2[0] == pytest.approx(on.agcuf3_mol_per_m2[0] * m_agcuf3)


@pytest.mark.unit
def test_plume_window_flags_around_the_seed_optimum():
    """Seed 004 §1.2: 1 wt %/2 min optimum; shorter/dilute → incomplete, longer/concentrated → damaged."""
    r = ag.ag_immersion([T_REF, 10 * T_REF, T_REF / 10, T_REF, T_REF], [W_REF, W_REF, W_REF, W_REF / 10,
                                                                      10 * W_REF])
    np.testing.assert_array_equal(r.incomplete_plumes, [False, False, True, True, False])
    np.testing.assert_array_equal(r.plumes_damaged, [False, True, False, False, True])
    assert r.dose_ratio[0] == pytest.approx(1.0)
    assert r.ag_coverage_frac[0] == pytest.approx(P["ag_plume_coverage_at_reference_frac"])
    assert "Zhang2023" in citations.used()


@pytest.mark.unit
@pytest.mark.parametrize(("args", "kwargs", "field"), [
    ((-1.0, 0.01), {}, "time_s"),
    ((float("nan"), 0.01), {}, "time_s"),
    ((120.0, 0.0), {}, "agf_mass_frac"),
    ((120.0, -0.01), {}, "agf_mass_frac"),
    ((120.0, 0.5), {}, "agf_mass_frac"),
    ((120.0, 0.01), {"agitation": "shaken"}, "agitation"),
    ((120.0, 0.01), {"bath_volume_per_area_m": 0.0}, "bath_volume_per_area_m"),
    ((120.0, 0.01), {"agcuf3_cu_frac": 1.5}, "agcuf3_cu_frac"),
    ((120.0, 0.01), {"orientation": "sideways"}, "orientation"),
    ((120.0, 0.01), {"electrode_length_m": 2.0}, "electrode_length_m"),  # Ra > 1e9: turbulent, out of range
    ((120.0, 0.01), {"electrode_length_m": 1e-4}, "electrode_length_m"),  # Ra < 1e4: no thin layer
    (([1.0, 2.0], [0.01, 0.01, 0.01]), {}, "time_s/agf_mass_frac"),
])
def test_bad_inputs_name_the_field(args, kwargs, field):
    with pytest.raises(FoiltwinInputError) as err:
        ag.ag_immersion(*args, **kwargs)
    assert err.value.field == field


@pytest.mark.unit
def test_a_bath_too_dilute_for_natural_convection_at_the_default_sample_names_its_strength():
    """agf_mass_frac = 1e-6 lies in (0, 0.2] but its Rayleigh number at the default Ø 12 mm sample is below the
    correlation's: refused naming electrode_length_m (a length the caller never set); now agf_mass_frac."""
    with pytest.raises(FoiltwinInputError) as err:
        ag.ag_immersion(60.0, 1e-6)
    assert err.value.field == "agf_mass_frac"
    assert err.value.value == 1e-6
    with pytest.raises(FoiltwinInputError) as err:  # a length the caller set is still named
        ag.ag_immersion(60.0, 1e-6, electrode_length_m=0.012)
    assert err.value.field == "electrode_length_m"
