"""The compiled bookkeeping of stage II's γ islands (process_models/uht/islands_kernel_jit.py, numba) against the
numpy path it stands for: its scalar solvers against the vectorised ones, and stage II recipe by recipe. The two
paths agree to round-off (the sums over cohorts run in another order); these tests fail if a formula, an order of
updates or a state row drifts."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from stage2_film import stage2_film

from process_models.parameters import default_parameters
from process_models.roots import lambert_w0
from process_models.uht import newton_kernel
from process_models.uht.gamma_islands import _solve_y_plus_ln_y, kidson_beta_thickness_m
from process_models.uht.islands_kernel_jit import kidson_one, lambert_w0_one, y_plus_ln_y_one
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipes


@pytest.mark.unit
def test_the_scalar_roots_are_the_vectorised_ones():
    rng = np.random.default_rng(1)
    x = np.concatenate([[-np.exp(-1.0), -0.3, 0.0, 3.0, 1e6], rng.uniform(-0.3678, 40.0, 200)])
    np.testing.assert_allclose([lambert_w0_one(v) for v in x], lambert_w0(x), rtol=4e-16, atol=4e-16)
    rhs = np.concatenate([[-700.0, 0.0, 1.0, 700.0], rng.uniform(-50.0, 80.0, 200)])
    np.testing.assert_allclose([y_plus_ln_y_one(v) for v in rhs], _solve_y_plus_ln_y(rhs), rtol=4e-15, atol=0.0)


@pytest.mark.unit
def test_the_scalar_kidson_layer_is_the_vectorised_one():
    """Below and above the steady thickness L* = a/b, unfed (b = 0: parabolic) and frozen (a = 0)."""
    rng = np.random.default_rng(2)
    n = 300
    L0, a = rng.uniform(0.0, 2e-7, n), rng.uniform(0.0, 1e-15, n)
    b = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.0, 1e-8, n))
    a[::17] = 0.0
    dt = rng.uniform(0.01, 30.0, n)
    want = kidson_beta_thickness_m(L0, a, b, dt)
    assert (np.divide(a, b, out=np.full(n, np.inf), where=b > 0) < L0).any()  # both branches are met
    got = [kidson_one(*v) for v in zip(L0, a, b, dt, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)  # L*·(1 − w) with w near 1 magnifies libm's ulp


RECIPES = [
    UHTRecipe(),
    UHTRecipe(stage2_temperature_K=705.0, stage2_time_s=35.0, stage3_time_s=0.0),
    UHTRecipe(stage2_temperature_K=800.0, stage2_time_s=600.0, stage3_time_s=0.0),  # α saturates, β, ε
    UHTRecipe(stage2_temperature_K=780.0, stage2_time_s=240.0, zn_source_temperature_K=720.0),
    UHTRecipe(stage2_temperature_K=750.0, stage2_time_s=30.0, zn_source_temperature_K=750.0),  # booked in sub-steps
    UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=4e-3, stage2_temperature_K=740.0, stage2_time_s=90.0),
]
STAGE2 = ("stage2_gamma_coverage_frac", "stage2_gamma_island_density_per_um2", "stage2_gamma_particle_size_nm",
          "stage2_gamma_island_height_nm", "stage2_gamma_film_nm", "stage2_beta_film_nm",
          "stage2_alpha_uptake_fraction", "skin_thickness_nm", "zn_loading_mg_per_cm2")


@pytest.mark.component
def test_stage2_compiled_gives_the_numpy_islands(monkeypatch):
    out = {}
    for switch in ("0", "1"):
        monkeypatch.setenv(newton_kernel.ENV_SWITCH, switch)
        out[switch] = evaluate_recipes(RECIPES, default_parameters(), Stage2Cache())
    for slow, fast in zip(out["0"], out["1"], strict=True):
        want = np.array([getattr(slow, k) for k in STAGE2])
        got = np.array([getattr(fast, k) for k in STAGE2])
        assert np.all(want[:4] > 0.0)  # islands did grow
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def _stage2_accounts(params, times_s: tuple[float, ...]) -> dict[str, np.ndarray]:
    """Every account of :func:`stage2_zn_film` for 10 µm vapour-route foils held at 750 K for ``times_s``."""
    s2, _ = stage2_film(params, times_s)
    return {k: np.asarray(v, dtype=float) for k, v in vars(s2).items() if k != "diffusion"}


@pytest.mark.component
@pytest.mark.parametrize("gamma_scale", [1.0, 1e-3])  # 1e-3: the γ at its capacity, ε on top
def test_every_stage2_account_compiled_is_the_numpy_one(monkeypatch, gamma_scale):
    """Coverage, capture, supersaturation, capacity ratio, β and ε compositions and thicknesses: all of them."""
    params = default_parameters().with_overrides({"gamma_diffusivity_scale_frac": gamma_scale})
    out = {}
    for switch in ("0", "1"):
        monkeypatch.setenv(newton_kernel.ENV_SWITCH, switch)
        out[switch] = _stage2_accounts(params, (10.0, 120.0, 240.0))
    if gamma_scale < 1.0:
        assert out["0"]["zn_in_epsilon_mol_per_m2"][-1] > 0.0 and out["0"]["min_gamma_capacity_ratio"][-1] < 1.0
    for name, want in out["0"].items():
        # the capacity ratio divides by the Zn the α did not take, a difference of near-equal numbers early on
        rtol = 1e-8 if name == "min_gamma_capacity_ratio" else 1e-10
        np.testing.assert_allclose(out["1"][name], want, rtol=rtol, atol=1e-300, err_msg=name)
