"""The liquid check of a skin of another metal than Zn: the lowest solidus over the skin's composition profile
(a Mg film on Cu melts at the Cu-Mg eutectic, not at Mg's melting point), and the optimiser's +3σ melting guard
(liquid_onset_K, stage3_guard_peak_K, melt_guard_margin_K; the table's 0/1 liquid flag)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer import Targets, optimize
from optimizer.metal_surrogates import guard_K, metal_points, metal_spec, stage3_range_K
from optimizer.space import STAGE3_GUARD_SIGMA, decision_space
from optimizer.verify import metal_misses
from process_models.parameters import default_parameters
from process_models.skins.phase_data import phase_fields, skin_system
from process_models.skins.skin import SkinRecipe, evaluate_skin, profile_liquid_onset_K
from twin.scenario import Scenario, apply_overrides
from twin.simulate import build_parameters


@pytest.mark.unit
@pytest.mark.parametrize("metal", ["Mg", "Al", "Zn"])
def test_lowest_solidus_over_a_range_is_the_least_pointwise_solidus(metal):
    pf = phase_fields(metal)
    rng = np.random.default_rng(5)
    for lo, hi in [(0.0, 1.0), (0.0, 0.05), (0.9, 1.0), *np.sort(rng.uniform(0, 1, (6, 2)), axis=1)]:
        brute = min(pf.liquid_appears_K(float(x)) for x in np.linspace(lo, hi, 801))
        assert pf.lowest_solidus_K(float(lo), float(hi)) == brute


@pytest.mark.unit
def test_a_mg_film_on_cu_melts_at_the_cu_mg_eutectic():
    p = default_parameters()
    r = evaluate_skin(SkinRecipe(metal="Mg", source_temperature_K=885.0, stage3_peak_K=740.0), p)
    eutectic = phase_fields("Mg").lowest_solidus_K(0.0, 1.0)  # the table's, not a number typed here
    assert r.liquid_onset_K == eutectic
    # the CuMg2 + (Mg) eutectic of the independent assessment (758 K), far below Mg's melting (923 K)
    assert eutectic == pytest.approx(skin_system("Mg").invariant("eutectic", "L = CuMg2 + (Mg)").temperature_K,
                                     abs=3.0)
    assert eutectic < p["mg_melting_temperature_K"] - 100.0
    assert not r.warnings  # 740 K: below the eutectic
    hot = evaluate_skin(SkinRecipe(metal="Mg", source_temperature_K=885.0, stage3_peak_K=eutectic + 5.0), p)
    assert hot.stage3_peak_K >= eutectic and any("reaches the liquid" in w for w in hot.warnings)
    # the old check (the surface's solidus: pure Mg, 923 K) would have let a 900 K pulse through
    assert profile_liquid_onset_K("Mg", np.array([1.0])) == pytest.approx(923.0, abs=1.0)


@pytest.mark.unit
def test_a_profile_with_no_liquid_below_cu_melting_is_inf_and_ag_sn_use_their_eutectic():
    assert profile_liquid_onset_K("Mg", np.zeros(5)) == math.inf
    assert profile_liquid_onset_K("Sn", np.array([0.0, 0.5])) == skin_system("Sn").lowest_liquid_temperature_K()
    assert profile_liquid_onset_K("Ag", np.array([0.0, 0.01])) == math.inf


@pytest.fixture(scope="module")
def space():
    sc = apply_overrides(Scenario(), ['spec.skin_metals={Mg={allowed_skin_phases="any"}}'])
    params = build_parameters(sc)
    return sc, params, decision_space(sc, params, None, None)


@pytest.mark.component
def test_the_table_flags_a_vertex_whose_guarded_peak_reaches_the_liquid(space):
    _, params, sp = space
    spec = metal_spec(sp, "Mg")
    assert guard_K(sp) == pytest.approx(STAGE3_GUARD_SIGMA * sp.stage3_scatter_K) and guard_K(sp) > 1.0
    onset = phase_fields("Mg").lowest_solidus_K(0.0, 1.0)
    T2 = float(np.mean(sp.stage2_temperature_K))
    T3s = (onset - guard_K(sp) - 3.0, onset - guard_K(sp) + 1.0)  # guarded peak below / above the eutectic
    pts = np.array([[1.0 / T2, math.log(10.0), T3, math.log(0.03)] for T3 in T3s])
    out = metal_points(sp, params, spec, pts)
    assert out["failed"].tolist() == [0.0, 0.0] and out["liquid"].tolist() == [0.0, 1.0]
    # the metal's stage-III range ends below the guarded eutectic
    assert stage3_range_K(sp, "Mg")[1] == pytest.approx(onset - guard_K(sp) - 1.0)


@pytest.mark.unit
def test_a_negative_guard_margin_is_a_no_melting_miss(space):
    _, _, sp = space
    spec = metal_spec(sp, "Mg")
    k = {"skin_thickness_nm": 470.0, "surface_skin_metal_at_frac": 1.0, "skin_phase": "mg_hcp", "melting": False,
         "liquid_onset_K": 759.6, "stage3_guard_peak_K": 760.0, "melt_guard_margin_K": -0.4}
    t = Targets(skin_thickness_nm=470, tolerance_nm=50).with_defaults(sp.scenario)
    assert any(m.startswith("no_melting") and "759.6 K" in m for m in metal_misses(k, spec, t, twin=False))
    assert not any(m.startswith("no_melting") for m in metal_misses({**k, "melt_guard_margin_K": 0.4,
                                                                       "stage3_guard_peak_K": 759.2}, spec, t, False))


@pytest.mark.integration
def test_the_mg_optimum_keeps_the_guard_in_the_model_check(space):
    sc, _, sp = space
    r = optimize(Targets(skin_thickness_nm=470, tolerance_nm=50), sc, skin_metals=("Mg",), verify_twin=False,
                 held_out=False)
    c = r.checked
    assert r.skin_metal == "Mg" and c["liquid_onset_K"] == phase_fields("Mg").lowest_solidus_K(0.0, 1.0)
    assert c["stage3_guard_peak_K"] == pytest.approx(r.settings["uht"]["stage3_peak_K"] + guard_K(sp), abs=0.5)
    assert c["melt_guard_margin_K"] >= 0.0 and not c["melting"]
