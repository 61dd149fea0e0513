"""Cu texture (process_models.texture.texture_model):
valid fractions, the electroforming map, JMAK with the additivity rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.constants import R
from scipy.special import exp1

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.texture_literature import calibrated_time_constant_s
from process_models.texture import texture_model as tx
from process_models.uht.thermal import setpoint_history

P = default_parameters()
T_REF = P["texture_map_reference_temperature_K"]
IDX = {f: i for i, f in enumerate(tx.FACETS)}


def _valid(f: np.ndarray) -> bool:
    return bool(np.all(f >= 0.0) and np.all(f <= 1.0) and np.allclose(f.sum(axis=-1), 1.0, atol=1e-12, rtol=0))


# ---------------------------------------------------------------------------------------------------------
# Texture record
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_texture_record_round_trip_and_validation():
    t = tx.Texture(0.5, 0.2, 0.2, 0.1)
    assert tx.Texture.from_array(t.as_array()) == t
    assert tx.as_texture_array(t).shape == (1, 4)
    for bad in ([0.5, 0.5, 0.5, -0.5], [0.5, 0.2, 0.2, 0.2], [np.nan, 0.5, 0.5, 0.0]):
        with pytest.raises(FoiltwinInputError) as err:
            tx.Texture.from_array(bad)
        assert err.value.field == "texture"
    with pytest.raises(FoiltwinInputError, match="texture"):
        tx.as_texture_array([[0.5, 0.5, 0.0]])


# ---------------------------------------------------------------------------------------------------------
# As electroformed
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@settings(max_examples=150, deadline=None)
@given(
    log_j=st.floats(-3.0, 5.0),
    T=st.floats(*tx.BATH_TEMPERATURE_RANGE_K),
    additive=st.sampled_from(tx.ADDITIVES),
)
def test_electroformed_fractions_are_valid(log_j, T, additive):
    f = tx.electroformed_texture_array(10.0**log_j, T, additive)
    assert f.shape == (1, 4)
    assert _valid(f)
    tx.electroformed_texture(10.0**log_j, T, additive)  # constructing the record validates it again


@pytest.mark.unit
def test_map_reproduces_its_anchors_and_their_directions():
    for a in tx.MAP_ANCHORS:
        j = P[f"texture_map_{a}_current_density_A_per_m2"]
        f = tx.electroformed_texture_array(j, T_REF)[0]
        expected = [P[f"texture_map_{a}_{k}_frac"] for k in ("111", "100", "110")]
        np.testing.assert_allclose(f[:3], expected, atol=1e-12)
    f = tx.electroformed_texture_array([100.0, 1500.0, 1e4], T_REF)
    assert np.argmax(f[0]) == IDX["110"]  # Gu2002: (220) at 1-6 A/dm2
    assert np.argmax(f[1]) == IDX["111"]  # Gu2002: (111) at 15 A/dm2; seed 000 §1 commercial foil (111)-rich
    assert np.argmax(f[2]) == IDX["random"]  # Winand1994: unoriented near the limiting current
    assert set(citations.used()) >= {"Gu2002", "Winand1994"}


@pytest.mark.unit
def test_map_is_continuous_and_held_beyond_the_end_anchors():
    j_nodes = [P[f"texture_map_{a}_current_density_A_per_m2"] for a in tx.MAP_ANCHORS]
    for j in j_nodes:
        lo, hi = tx.electroformed_texture_array([j * (1 - 1e-7), j * (1 + 1e-7)], T_REF)
        np.testing.assert_allclose(lo, hi, atol=1e-6)
    np.testing.assert_allclose(tx.electroformed_texture_array([1e-2, j_nodes[0]], T_REF)[0],
                               tx.electroformed_texture_array(j_nodes[0], T_REF)[0])
    np.testing.assert_allclose(tx.electroformed_texture_array(1e5, T_REF)[0],
                               tx.electroformed_texture_array(j_nodes[-1], T_REF)[0])


@pytest.mark.unit
def test_fsi_and_a_hot_bath_push_toward_110():
    none, fsi = tx.electroformed_texture_array(1500.0, T_REF, ["none", "fsi"])
    assert fsi[IDX["110"]] > 0.6 > none[IDX["110"]]  # seed 000 T7: FSI⁻ → highly (110)-oriented
    cold, hot = tx.electroformed_texture_array(1500.0, [T_REF, 333.15])
    assert hot[IDX["110"]] > cold[IDX["110"]] and hot[IDX["111"]] < cold[IDX["111"]]
    j_eff = tx.effective_current_density_A_per_m2(1500.0, 333.15)
    assert j_eff == pytest.approx(1500.0 * math.exp(-18.5e3 / R * (1 / T_REF - 1 / 333.15)))


@pytest.mark.unit
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"current_density_A_per_m2": 0.0}, "current_density_A_per_m2"),
    ({"current_density_A_per_m2": -5.0}, "current_density_A_per_m2"),
    ({"current_density_A_per_m2": float("nan")}, "current_density_A_per_m2"),
    ({"bath_temperature_K": 400.0}, "bath_temperature_K"),
    ({"additive": "peg"}, "additive"),
    ({"additive": ["none", "fsi", "none"]}, "additive"),
])
def test_map_bad_inputs_name_the_field(kwargs, field):
    args = {"current_density_A_per_m2": [100.0, 200.0], "bath_temperature_K": 298.15, "additive": "none"} | kwargs
    with pytest.raises(FoiltwinInputError) as err:
        tx.electroformed_texture_array(**args)
    assert err.value.field == field


# ---------------------------------------------------------------------------------------------------------
# JMAK recrystallisation
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_jmak_starts_at_zero_is_monotone_and_saturates():
    t = np.array([0.0, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e7])
    X = tx.recrystallised_fraction_isothermal(t, 1200.0)
    assert X[0] == 0.0
    assert np.all(np.diff(X) >= 0.0) and np.all(np.diff(X[:6]) > 0.0)
    assert X[-1] == pytest.approx(1.0, abs=1e-12)
    X_T = tx.recrystallised_fraction_isothermal(600.0, np.array([800.0, 1000.0, 1100.0, 1200.0, 1300.0]))
    assert np.all(np.diff(X_T) > 0.0)
    k = tx.recrystallisation_rate_per_s(np.array([900.0, 1000.0]))
    assert k[1] / k[0] == pytest.approx(math.exp(P["recrystallisation_activation_J_per_mol"] / R
                                                 * (1 / 900.0 - 1 / 1000.0)))


@pytest.mark.unit
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), T=st.floats(600.0, 1350.0), t_end=st.floats(1e-3, 1e5))
def test_constant_temperature_history_equals_the_closed_form(seed, T, t_end):
    rng = np.random.default_rng(seed)
    times = np.sort(np.concatenate([[0.0, t_end], rng.uniform(0.0, t_end, 7)]))
    theta = tx.equivalent_time_s(times, np.full_like(times, T))
    closed = tx.isothermal_equivalent_time_s(t_end, T)
    assert theta[0] == pytest.approx(float(closed), rel=1e-12)


@pytest.mark.unit
def test_linear_ramp_matches_the_exact_integral():
    """∫exp(-a/T)dt over a linear ramp = (Δt/ΔT)[T e^(-a/T) - a E1(a/T)] (independent closed form)."""
    a = P["recrystallisation_activation_J_per_mol"] / R
    T_cal = P["recrystallisation_calibration_temperature_K"]

    def antiderivative(T):
        return T * np.exp(-a / T) - a * exp1(a / T)

    for T0, T1, dt in ((300.0, 1000.0, 7e-3), (750.0, 1300.0, 3600.0), (1300.0, 400.0, 5.0)):
        exact = dt / (T1 - T0) * (antiderivative(T1) - antiderivative(T0)) * math.exp(a / T_cal)
        theta = tx.equivalent_time_s([0.0, dt], [T0, T1])[0]
        assert theta == pytest.approx(exact, rel=1e-7)


@pytest.mark.unit
def test_splitting_a_history_does_not_change_the_result():
    t = np.linspace(0.0, 600.0, 61)
    T = 900.0 + 300.0 * np.sin(t / 100.0) ** 2
    f0 = tx.Texture(0.6, 0.08, 0.12, 0.2)
    whole = tx.anneal_texture(f0, t, T)
    parts = tx.anneal_texture_histories(f0, [(t[:25], T[:25]), (t[24:], T[24:])])
    np.testing.assert_allclose(parts.texture, whole.texture, rtol=1e-12)
    assert 0.0 < whole.recrystallised_frac[0] < 1.0


@pytest.mark.unit
def test_table2_calibration_point():
    """Seed 000 Table 2 (900-1050 °C, hours → near single-crystal/cube): X(2 h, 975 °C) = 0.95 by the fit."""
    assert P["recrystallisation_time_constant_s"] == pytest.approx(calibrated_time_constant_s(P), rel=1e-12)
    X = tx.recrystallised_fraction_isothermal(P["recrystallisation_calibration_time_s"],
                                              P["recrystallisation_calibration_temperature_K"])
    assert abs(float(X) - P["recrystallisation_calibration_fraction_frac"]) < 1e-12
    assert tx.recrystallised_fraction_isothermal(2 * 3600.0, 1323.15) > 0.99  # top of the band
    assert P.record("recrystallisation_time_constant_s").kind == "fitted"
    assert "τ spans" in P.record("recrystallisation_time_constant_s").fit_error


@pytest.mark.unit
def test_annealed_texture_moves_to_the_cube_end_state():
    f0 = tx.Texture(0.6, 0.08, 0.12, 0.2)
    r = tx.anneal_texture_equivalent(f0, [0.0, 1e9])
    np.testing.assert_allclose(r.texture[0], f0.as_array())
    end = [P[f"texture_cube_end_{k}_frac"] for k in ("111", "100", "110")]
    np.testing.assert_allclose(r.texture[1, :3], end, atol=1e-12)
    assert np.argmax(r.texture[1]) == IDX["100"]


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), B=st.integers(1, 5), M=st.integers(1, 30))
def test_texture_after_random_histories_stays_valid(seed, B, M):
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(rng.choice([1e-3, 1.0, 1e3]), (B, M)), axis=1)
    temps = rng.uniform(250.0, P["cu_melting_temperature_K"], (B, M))
    f0 = rng.dirichlet(np.ones(4), B)
    r = tx.anneal_texture(f0, times, temps)
    assert r.texture.shape == (B, 4)
    assert _valid(r.texture)
    assert np.all((r.recrystallised_frac >= 0.0) & (r.recrystallised_frac <= 1.0))


@pytest.mark.unit
@pytest.mark.parametrize(("time_s", "temperature_K", "field"), [
    ([0.0, 2.0, 1.0], [900.0, 900.0, 900.0], "time_s"),
    ([0.0, 1.0], [900.0, 1400.0], "temperature_K"),
    ([0.0, 1.0], [900.0, 0.0], "temperature_K"),
    ([0.0, 1.0], [900.0, 900.0, 900.0], "time_s/temperature_K"),
])
def test_history_bad_inputs_name_the_field(time_s, temperature_K, field):
    with pytest.raises(FoiltwinInputError) as err:
        tx.anneal_texture(tx.Texture(0.25, 0.25, 0.25, 0.25), time_s, temperature_K)
    assert err.value.field == field


@pytest.mark.component
def test_uht_standard_recipe_and_a_furnace_anneal():
    """Sanity of the calibrated kinetics on the line's own thermal histories (values in docs)."""
    h2 = setpoint_history(300.0, 750.0, P["stage2_heating_rate_K_per_s"], 120.0, 10e-6, cooling="free")
    h3 = setpoint_history(300.0, 1000.0, P["stage3_heating_rate_K_per_s"], 0.030, 10e-6, cooling="contact")
    f0 = tx.electroformed_texture_array(1500.0, T_REF)
    X2 = tx.anneal_texture(f0, h2.time_s, h2.temperature_K).recrystallised_frac[0]
    X3 = tx.anneal_texture(f0, h3.time_s, h3.temperature_K).recrystallised_frac[0]
    both = tx.anneal_texture_histories(f0, [h2, h3])
    assert 0.0 < X3 < X2 < 1e-6  # the 30 ms pulse changes texture less than the 120 s stage, both negligibly
    assert np.max(np.abs(both.texture - f0)) < 1e-6
    furnace = tx.recrystallised_fraction_isothermal(3600.0, 1273.15)
    assert 0.6 < furnace < 0.9  # 1 h at 1273 K: most of the way to cube texture
    assert tx.recrystallised_fraction_isothermal(4 * 3600.0, 1273.15) > 0.999
