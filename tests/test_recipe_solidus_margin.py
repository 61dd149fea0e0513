"""The recipe's solidus margin (closest approach of the foil temperature to the local solidus): negative exactly when
the recipe melts, smooth where the melt depth jumps, and, without a pulse, the final profile's lowest solidus below
the stage-II temperature."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipes


@pytest.fixture(scope="module")
def setting():
    return default_parameters(), Stage2Cache()


@pytest.mark.component
def test_the_margin_is_negative_exactly_when_the_recipe_melts(setting):
    params, cache = setting
    rng = np.random.default_rng(5)
    recipes = [UHTRecipe(stage2_time_s=float(t2), stage3_peak_K=float(T3), stage3_time_s=float(t3))
               for t2, T3, t3 in zip(rng.uniform(60.0, 200.0, 24), rng.uniform(1060.0, 1160.0, 24),
                                     rng.uniform(0.015, 0.04, 24), strict=True)]
    results = evaluate_recipes(recipes, params, cache)
    melted = np.array([r.max_melt_depth_nm > 0.0 for r in results])
    margin = np.array([r.solidus_margin_K for r in results])
    assert melted.any() and not melted.all()  # the sample straddles the melting edge
    assert np.array_equal(margin < 0.0, melted)


@pytest.mark.component
def test_the_margin_is_smooth_and_its_zero_is_the_melting_edge(setting):
    """Across the edge the melt depth jumps from 0 to tens of nm; the margin falls smoothly (≈ 1 K per K of peak),
    so interpolating it between two peaks 12 K apart places the edge to a fraction of a kelvin."""
    params, cache = setting
    peaks = np.arange(1094.0, 1118.0, 2.0)
    res = evaluate_recipes([UHTRecipe(stage3_peak_K=float(T)) for T in peaks], params, cache)
    margin = np.array([r.solidus_margin_K for r in res])
    depth = np.array([r.max_melt_depth_nm for r in res])
    assert depth[0] == 0.0 and depth[-1] > 20.0  # the edge lies inside, and the depth jumps there
    slope = np.diff(margin) / np.diff(peaks)
    assert np.all((slope < -0.5) & (slope > -1.5))
    assert np.max(np.abs(np.diff(slope))) < 0.05  # smooth: the slope barely changes across the edge
    lo, hi = 1098.0, 1110.0
    m_lo, m_hi = (r.solidus_margin_K for r in evaluate_recipes([UHTRecipe(stage3_peak_K=lo),
                                                                 UHTRecipe(stage3_peak_K=hi)], params, cache))
    edge = lo + m_lo * (hi - lo) / (m_lo - m_hi)
    below, above = evaluate_recipes([UHTRecipe(stage3_peak_K=edge - 0.3), UHTRecipe(stage3_peak_K=edge + 0.3)],
                                    params, cache)
    assert below.max_melt_depth_nm == 0.0 and above.max_melt_depth_nm > 0.0


@pytest.mark.component
def test_without_a_pulse_the_margin_is_the_lowest_solidus_below_the_stage2_temperature(setting):
    params, cache = setting
    r = evaluate_recipes([UHTRecipe(stage3_time_s=0.0, stage2_temperature_K=760.0)], params, cache)[0]
    solidus = cuzn_phase_diagram().solidus_temperature_K(np.array(r.profile_zn_at_frac))
    assert r.solidus_margin_K == pytest.approx(float(np.min(solidus)) - 760.0, abs=1e-9)
    assert r.max_melt_depth_nm == 0.0 and r.solidus_margin_K > 0.0
    assert "solidus_margin_K" in r.to_dict()
