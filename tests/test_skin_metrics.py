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


def _span_reference(values: np.ndarray, fmt: str, unit: str = "") -> str:
    """The range text as numpy reductions give it (the formulation the fast path must match)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return "n/a"
    lo, hi = format(float(v.min()), fmt), format(float(v.max()), fmt)
    return (lo if lo == hi else f"{lo}–{hi}") + unit


@pytest.mark.unit
@pytest.mark.parametrize("n", [0, 1, 3, 24, 25, 200])
def test_range_text_is_the_same_for_few_and_many_cells(n):
    from process_models.uht.skin_metrics import _span

    rng = np.random.default_rng(n)
    for values in (rng.uniform(600.0, 1100.0, n), np.full(n, np.nan),
                   np.where(rng.random(n) < 0.3, np.inf, rng.uniform(0.40, 0.45, n))):
        for fmt, unit in ((".0f", " K"), (".3f", "")):
            assert _span(values, fmt, unit) == _span_reference(values, fmt, unit)


@pytest.mark.unit
def test_the_heaviest_phase_set_wins_and_a_tie_goes_to_the_smaller_key():
    from process_models.uht.skin_metrics import _heaviest_key

    rng = np.random.default_rng(3)
    for _ in range(200):
        keys = rng.integers(1, 6, 30)
        weights = rng.choice([0.5, 1.0, 2.0], 30)  # exact sums: ties happen
        uniq, inverse = np.unique(keys, return_inverse=True)
        assert _heaviest_key(keys, weights) == uniq[np.argmax(np.bincount(inverse, weights=weights))]
    assert _heaviest_key(np.array([5, 2]), np.array([1.0, 1.0])) == 2


@pytest.mark.unit
def test_each_quench_path_is_described_with_its_own_values():
    from process_models.uht.quench import PATHS
    from process_models.uht.skin_metrics import describe_path

    freeze, bx, t0 = np.array([905.2, 911.7]), np.array([0.4412, 0.4471]), np.array([np.nan, 731.0])
    texts = {p: describe_path(p, "alpha+beta", freeze, bx, t0) for p in PATHS}
    assert texts["alpha_equilibrium"] == "α (equilibrium: single-phase α when diffusion froze at 905–912 K)"
    assert texts["alpha_massive"] == "α (massive from β: β x_Zn 0.441–0.447 frozen at 905–912 K → T0 731 K)"
    assert "β x_Zn 0.441–0.447 retained as β′, T0 731 K" in texts["alpha_beta_diffusional"]
    assert texts["alpha_beta_diffusional"].startswith("α+β′ (diffusional")
    assert "no T0: β′ stays below α" in describe_path("beta_retained", "beta", freeze, bx, np.full(2, np.nan))
    assert texts["liquid"] == "α+β′ (liquid at the freeze point 905–912 K; solidification not modelled)"
    assert describe_path("intermetallic", "", freeze, bx, t0) == "none (incomplete conversion: frozen at 905–912 K)"
    assert len(set(texts.values())) == len(PATHS)


@pytest.mark.unit
def test_a_profile_never_below_the_edge_has_its_skin_through_the_whole_profile():
    """A foil converted through its thickness (x ≥ 0.18 everywhere) extrapolated its last two cells' slope past the
    bottom: 0.60 and 0.599 read as a skin hundreds of cells deep. The skin now ends at the foil's bottom."""
    centres, widths = _uniform()
    x = np.linspace(0.62, 0.599, centres.size)[None, :]
    bottom = float(centres[-1] + widths[-1] / 2.0)
    assert skin_thickness_m(x, centres, 0.18, bottom)[0] == bottom
    assert skin_thickness_m(x, centres, 0.18)[0] == centres[-1]


@pytest.mark.component
def test_a_foil_alloyed_through_reports_its_thickness_as_the_skin_and_warns():
    """Plated Zn just under the foil's γ-brass capacity with the default stage II converts the whole 10 µm foil to
    γ: the skin was reported as 0.9 mm (mean Zn 0.007); it is the foil's thickness, with the profile's mean, and a
    warning that no Cu core is left."""
    from process_models.parameters import default_parameters
    from process_models.uht.recipe import UHTRecipe, evaluate_recipe

    r = evaluate_recipe(UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=0.05295), default_parameters())
    assert r.skin_thickness_nm == pytest.approx(10_000.0, rel=1e-9)
    assert min(r.profile_zn_at_frac) >= 0.18
    assert r.skin_mean_zn_at_frac == pytest.approx(np.average(r.profile_zn_at_frac, weights=np.diff(
        np.concatenate([[0.0], 0.5 * (np.array(r.profile_depth_nm[1:]) + r.profile_depth_nm[:-1]), [10_000.0]]))),
        rel=1e-2)
    assert any(w.startswith("whole foil alloyed") for w in r.warnings)
