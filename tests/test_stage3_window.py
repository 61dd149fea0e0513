"""The stage-III window of a line, and the default plant's set point in the middle of its own window."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe
from process_models.uht.stage3_window import stage3_window
from twin.scenario import UHTLine, UHTSettings

P = default_parameters()
TARGET_NM = (420.0, 520.0)  # seed 002: 470 nm, the optimiser's default ± 50 nm


@pytest.mark.component
def test_default_line_set_point_is_the_middle_of_its_window_and_the_seed_peak_is_not_in_it():
    """On the default line (1 m/min through 0.5 mm) the calibrated peak of the seed's line (5 m/min through
    2.5 mm) gives a skin too thick; the default set point sits in the middle of this line's own window, farther
    from both edges than 3σ of the controlled peak's scatter."""
    s, line = UHTSettings(), UHTLine()
    recipe = UHTRecipe(line_speed_m_per_s=s.web_speed_m_per_min / 60.0,
                       stage3_heater_length_m=s.stage3_heater_length_mm * 1e-3, cooling=s.cooling)
    w = stage3_window(recipe, TARGET_NM, P, np.arange(1058.0, 1097.0, 2.5))
    assert w.low_edge == "single-phase α" and w.high_edge == "skin ≤ 520 nm"
    assert 15.0 < w.width_K < 30.0
    assert s.stage3_peak_K == pytest.approx(w.middle_K, abs=2.0)
    g, sigma_p = line.control.gain_frac, line.pyrometer.noise_K
    scatter = np.sqrt(g * sigma_p**2 / (2.0 - g))  # optimizer.space.stage3_scatter_K
    assert w.low_K + 3 * scatter < s.stage3_peak_K < w.high_K - 3 * scatter
    assert P["stage3_default_peak_temperature_K"] > w.high_K
    assert 0.0 < w.power_width_frac < 0.05 and w.power_high_W_per_m > w.power_low_W_per_m


@pytest.mark.component
def test_window_edges_are_where_the_scan_changes():
    """Each edge lies between the scan points on either side of it; an empty window is NaN."""
    recipe = UHTRecipe(line_speed_m_per_s=1.0 / 60.0, stage3_heater_length_m=0.5e-3)
    T = np.arange(1055.0, 1100.0, 5.0)
    w = stage3_window(recipe, TARGET_NM, P, T)
    alpha = np.array([p == "alpha" for p in w.phases])
    first = int(np.argmax(alpha))
    assert T[first - 1] < w.low_K < T[first] and not alpha[first - 1]
    skin = np.array(w.skin_nm)
    k = int(np.argmax(skin > TARGET_NM[1]))
    assert skin[k - 1] <= TARGET_NM[1] < skin[k] and T[k - 1] <= w.high_K <= T[k]
    empty = stage3_window(recipe, (100.0, 200.0), P, T)
    assert np.isnan(empty.low_K) and np.isnan(empty.width_K)
    with pytest.raises(FoiltwinInputError, match="peaks_K"):
        stage3_window(recipe, TARGET_NM, P, np.array([1100.0, 1090.0]))


@pytest.mark.component
def test_recalibrated_window_is_below_the_alpha_solidus_and_opened_by_the_massive_path():
    """Issue 9 item 4: the seed line's window holds the calibrated peak, stays below the α solidus at the skin's
    composition, is ≈10 K (≈1 % of the heater power) wide, and its lower edge is α mostly by the massive path."""
    from process_models.validation.stage3_window_report import stage3_window_report

    r = stage3_window_report(P)
    assert r.low_K < r.calibrated_peak_K < r.high_K < r.alpha_solidus_K
    assert r.alpha_solidus_K == pytest.approx(1175.0, abs=1.0)
    assert 5.0 < r.width_K < 20.0 and 0.3 < r.power_width_percent < 3.0
    assert r.massive_share_at_low_edge > 0.5
    assert any("massive path" in line for line in r.lines())
