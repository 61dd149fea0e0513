"""Profile post-processing on hand-made profiles with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht.skin_metrics import skin_metrics, skin_thickness_m

PARAMS = default_parameters()


def _uniform(n: int = 400, width: float = 5e-9):
    widths = np.full(n, width)
    centres = (np.arange(n) + 0.5) * width
    return centres, widths


@pytest.mark.unit
def test_skin_edge_of_a_step_profile_is_the_step():
    centres, _widths = _uniform()
    x = np.where(centres < 470e-9, 0.36, 0.0)[None, :]
    depth = skin_thickness_m(x, centres, 0.18)[0]
    assert depth == pytest.approx(470e-9, abs=5e-9)


@pytest.mark.unit
def test_linear_profile_edge_is_interpolated():
    centres, _widths = _uniform()
    x = np.clip(0.36 * (1 - centres / 1e-6), 0.0, None)[None, :]  # 0.18 reached at exactly 500 nm
    assert skin_thickness_m(x, centres, 0.18)[0] == pytest.approx(500e-9, rel=1e-9)


@pytest.mark.unit
def test_surface_below_threshold_has_no_skin():
    centres, _widths = _uniform()
    assert skin_thickness_m(np.full((1, centres.size), 0.05), centres, 0.18)[0] == 0.0


@pytest.mark.component
def test_gamma_film_on_alpha_reads_as_two_layers():
    centres, widths = _uniform()
    x = np.where(centres < 270e-9, 8 / 13, np.where(centres < 320e-9, 0.30, 0.0))[None, :]
    m = skin_metrics(x, centres, widths, PARAMS)[0]
    assert m.skin_phase.split("+")[0] == "gamma"
    assert [layer.phase for layer in m.layers] == ["gamma", "alpha"]
    assert m.layers[0].thickness_m == pytest.approx(270e-9, abs=5e-9)
    assert m.phase_thickness_m["gamma"] == pytest.approx(270e-9, abs=5e-9)


@pytest.mark.component
def test_alpha_skin_is_single_phase_and_phase_thickness_sums_to_alloyed_depth():
    centres, widths = _uniform()
    x = np.where(centres < 470e-9, 0.33, 0.0)[None, :]
    m = skin_metrics(x, centres, widths, PARAMS)[0]
    assert m.skin_phase == "alpha"
    assert m.skin_mean_zn_frac == pytest.approx(0.33, abs=1e-3)
    assert sum(m.phase_thickness_m.values()) == pytest.approx(sum(layer.thickness_m for layer in m.layers))
