"""The fick-mode Cu-Zn interdiffusion coefficient D̃(x, T), its Kirchhoff potential and its parameters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters, get_parameter_set
from process_models.uht.cuzn_diffusivity import (
    PARAMETER_NAMES,
    CuZnFickDiffusivity,
    cuzn_interdiffusion_m2_per_s,
    cuzn_kirchhoff_potential_m2_per_s,
    diffusion_clock_m2_per_s,
)

# Feasibility study §2, "Resulting values (baseline)": D̃ in m²/s at (T, x) — α at x = 0, 0.2, 0.3, 0.35,
# β at 0.45, γ at 0.62.
STUDY_X = (0.0, 0.2, 0.3, 0.35, 0.45, 0.62)
STUDY_TABLE = {
    750.0: (1.7e-18, 3.7e-17, 1.7e-16, 3.7e-16, 2.7e-12, 4.2e-12),
    1000.0: (3.6e-15, 7.7e-14, 3.6e-13, 7.7e-13, 7.3e-11, 1.3e-10),
    1100.0: (2.9e-14, 6.2e-13, 2.9e-12, 6.2e-12, 1.8e-10, 3.2e-10),
    1150.0: (7.2e-14, 1.6e-12, 7.2e-12, 1.6e-11, 2.7e-10, 4.8e-10),
    1200.0: (1.7e-13, 3.6e-12, 1.7e-11, 3.6e-11, 3.9e-10, 7.0e-10),
}


# The study's settings: Kuper β (no growth factor) and its α/β switch at 0.40.
STUDY_SETTINGS = {"beta_diffusivity_scale_frac": 1.0, "fick_alpha_beta_switch_zn_frac": 0.40}


@pytest.mark.unit
def test_reproduces_the_feasibility_study_table_within_10_percent():
    T = np.array(sorted(STUDY_TABLE))[:, None]
    study = default_parameters().with_overrides(STUDY_SETTINGS)
    got = cuzn_interdiffusion_m2_per_s(np.array(STUDY_X)[None, :], T, study)
    want = np.array([STUDY_TABLE[t] for t in sorted(STUDY_TABLE)])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0.10)


@pytest.mark.unit
def test_the_beta_growth_factor_scales_only_the_beta_law():
    """beta_diffusivity_scale_frac multiplies D̃ in the β range and leaves the α and γ laws alone."""
    p = default_parameters()
    x = np.array([0.2, 0.3, 0.47, 0.62])
    one = cuzn_interdiffusion_m2_per_s(x, 1000.0, p.with_overrides({"beta_diffusivity_scale_frac": 1.0}))
    small = cuzn_interdiffusion_m2_per_s(x, 1000.0, p.with_overrides({"beta_diffusivity_scale_frac": 1e-3}))
    np.testing.assert_allclose(small[[0, 1, 3]], one[[0, 1, 3]], rtol=1e-12)
    assert small[2] == pytest.approx(1e-3 * one[2], rel=1e-12)


@pytest.mark.unit
def test_alpha_law_meets_the_smigelskas_kirkendall_anchor_within_a_factor_1_5():
    p = default_parameters()
    got = cuzn_interdiffusion_m2_per_s(p["alpha_anchor_zn_frac"], p["alpha_anchor_temperature_K"])
    ratio = float(got) / p["alpha_anchor_interdiffusion_m2_per_s"]
    assert 1 / 1.5 < ratio < 1.5
    # the study quotes 4.0e-13 m²/s for its law at the anchor
    assert float(got) == pytest.approx(4.0e-13, rel=0.02)


@pytest.mark.unit
def test_alpha_rises_by_10_to_the_A_between_dilute_and_the_reference_composition():
    p = default_parameters()
    x_ref = p["alpha_interdiffusion_rise_reference_zn_frac"]
    d = cuzn_interdiffusion_m2_per_s(np.array([0.0, x_ref]), 1100.0)
    assert np.log10(d[1] / d[0]) == pytest.approx(p["alpha_interdiffusion_log10_rise_frac"], rel=1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("T", [750.0, 1100.0, 1300.0])
def test_kirchhoff_potential_is_the_integral_of_the_diffusivity(T):
    model = CuZnFickDiffusivity.from_parameters()
    xs = np.array([0.0, 0.1, 0.3, 0.39, 0.395, 0.405, 0.45, 0.555, 0.56, 0.57, 0.62, 0.8, 1.0])
    psi, d = model.kirchhoff(xs, T)
    for xv, pv in zip(xs, psi, strict=True):
        ref, _ = quad(lambda s: float(model.diffusivity(s, T)), 0.0, xv, limit=200,
                      points=[model.x1, model.x2, model.x3, model.x4], epsabs=0.0, epsrel=1e-12)
        assert pv == pytest.approx(ref, rel=1e-9, abs=1e-300)
    np.testing.assert_allclose(d, model.diffusivity(xs, T), rtol=1e-14)


@pytest.mark.unit
def test_diffusivity_is_continuous_across_the_blends_and_rises_through_alpha():
    model = CuZnFickDiffusivity.from_parameters()
    eps = 1e-9
    for xb in (model.x1, model.x2, model.x3, model.x4):
        lo, hi = model.diffusivity(np.array([xb - eps, xb + eps]), 1100.0)
        assert hi == pytest.approx(lo, rel=1e-6)
    # through α (the β law beyond the blend is slowed by the fitted β growth factor)
    x = np.linspace(0.0, model.x1, 2001)
    assert np.all(np.diff(model.diffusivity(x, 1100.0)) > 0.0)
    assert np.all(model.diffusivity(np.linspace(0.0, 1.0, 2001), 1100.0) > 0.0)


@pytest.mark.unit
def test_broadcasts_compositions_b_n_against_temperatures_b_1():
    model = CuZnFickDiffusivity.from_parameters()
    x = np.tile(np.linspace(0.0, 0.7, 50), (3, 1))
    T = np.array([[900.0], [1000.0], [1100.0]])
    psi, d = model.kirchhoff(x, T)
    assert psi.shape == d.shape == (3, 50)
    for i in range(3):
        np.testing.assert_array_equal(d[i], model.diffusivity(x[i], T[i, 0]))
        np.testing.assert_array_equal(psi[i], cuzn_kirchhoff_potential_m2_per_s(x[i], T[i, 0]))


@pytest.mark.unit
def test_clock_is_alpha_at_the_reference_composition():
    p = default_parameters()
    T = np.array([750.0, 1100.0])
    want = cuzn_interdiffusion_m2_per_s(p["diffusion_clock_reference_zn_frac"], T)
    np.testing.assert_allclose(diffusion_clock_m2_per_s(T), want, rtol=1e-12)


@pytest.mark.unit
def test_overrides_act_on_the_laws():
    base = default_parameters()
    fast_gamma = base.with_overrides({"gamma_diffusivity_scale_frac": 10.0})
    x = np.array([0.3, 0.62])
    d0 = cuzn_interdiffusion_m2_per_s(x, 1100.0, base)
    d1 = cuzn_interdiffusion_m2_per_s(x, 1100.0, fast_gamma)
    assert d1[0] == d0[0]
    assert d1[1] == pytest.approx(10.0 * d0[1], rel=1e-12)
    flat = base.with_overrides({"alpha_interdiffusion_log10_rise_frac": 0.0})
    d_flat = cuzn_interdiffusion_m2_per_s(np.array([0.0, 0.2, 0.35]), 1100.0, flat)
    np.testing.assert_allclose(d_flat, d_flat[0], rtol=1e-12)  # A = 0: dilute tracer everywhere in α


@pytest.mark.unit
def test_cites_the_sources_of_its_parameters():
    cuzn_interdiffusion_m2_per_s(0.3, 1100.0)
    used = set(citations.used())
    assert {"SeedNote002", "Kuper1956", "FeasibilityStudy2026", "Assumed"} <= used
    citations.reset()
    overridden = default_parameters().with_overrides({"beta_thermodynamic_factor_frac": 3.0})
    cuzn_interdiffusion_m2_per_s(0.45, 1100.0, overridden)
    assert "Assumed" in citations.used()
    # a plain mapping: unchanged values keep their source, changed ones count as assumptions
    citations.reset()
    plain = {name: default_parameters()[name] for name in PARAMETER_NAMES}
    cuzn_interdiffusion_m2_per_s(0.45, 1100.0, plain)
    assert "Assumed" in citations.used()  # fγ is an assumption even at its default
    assert "Kuper1956" in citations.used()


@pytest.mark.unit
def test_parameters_are_registered_with_units_sources_and_bounds():
    values = get_parameter_set("cuzn_diffusion_literature")
    names = {p.name for p in values["parameters"]}
    # every name is in the registry; all but the fitted β growth factor (fitted_uht) come from this set
    assert set(PARAMETER_NAMES) <= set(default_parameters())
    assert set(PARAMETER_NAMES) - names == {"beta_diffusivity_scale_frac"}
    for p in values["parameters"]:
        lo, hi = p.bounds
        assert np.isfinite(lo) and np.isfinite(hi), p.name
    p = default_parameters()
    assert p.record("gamma_diffusivity_scale_frac").kind == "assumed"
    assert p.record("beta_cu_tracer_prefactor_m2_per_s").source == "Kuper1956"
    # Kuper's 22.0 kcal/mol in J/mol (thermochemical calorie)
    assert p["beta_cu_tracer_activation_J_per_mol"] == pytest.approx(92048.0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("x", "T", "field"),
    [(1.2, 1100.0, "x_zn_frac"), (-0.1, 1100.0, "x_zn_frac"), (float("nan"), 1100.0, "x_zn_frac"),
     (0.3, 0.0, "temperature_K"), (0.3, -5.0, "temperature_K")],
)
def test_bad_inputs_name_the_field(x, T, field):
    with pytest.raises(FoiltwinInputError) as err:
        cuzn_interdiffusion_m2_per_s(x, T)
    assert err.value.field == field


@pytest.mark.unit
def test_overlapping_blends_are_rejected():
    params = default_parameters().with_overrides({
        "fick_alpha_beta_switch_zn_frac": 0.48, "fick_beta_gamma_switch_zn_frac": 0.50,
        "fick_blend_width_frac": 0.05,
    })
    with pytest.raises(FoiltwinInputError, match="fick_blend_width_frac"):
        CuZnFickDiffusivity.from_parameters(params)
