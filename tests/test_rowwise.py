"""A foil's result does not depend on the other foils of its batch, bit for bit (the twin's physics memo and its
batch workers rely on it: serial and parallel batches must agree). Two things broke this: BLAS's ``x @ w`` (its
summation order depends on the batch size) and iterations that stopped when every element had converged (an
element converged early took extra steps). Batched code sums rows with :func:`row_dot` and stops each element at
its own convergence."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.roots import lambert_w0
from process_models.rowwise import row_dot
from process_models.uht import recipe as rc
from process_models.uht import thermal
from process_models.uht.gamma_islands import _solve_y_plus_ln_y
from process_models.uht.newton_kernel import ENV_SWITCH


@pytest.mark.unit
@pytest.mark.parametrize("n", [3, 8, 170, 1001])
def test_row_dot_gives_each_row_what_it_gives_alone(n):
    rng = np.random.default_rng(n)
    x, w = rng.random((40, n)), rng.random(n)
    alone = np.array([row_dot(x[i], w) for i in range(40)])
    for start, size in ((0, 40), (1, 1), (3, 2), (5, 13), (7, 33)):
        assert np.array_equal(row_dot(x[start:start + size], w), alone[start:start + size])
    assert np.allclose(alone, x @ w, rtol=1e-14, atol=0.0)


@pytest.mark.unit
@pytest.mark.parametrize("solve, lo, hi", [(lambert_w0, -0.3678, 50.0), (_solve_y_plus_ln_y, -30.0, 60.0)])
def test_iterative_roots_give_each_element_what_it_gives_alone(solve, lo, hi):
    x = np.random.default_rng(5).uniform(lo, hi, 300)
    alone = np.array([solve(np.array([v]))[0] for v in x])
    assert np.array_equal(solve(x), alone)


@pytest.mark.unit
def test_the_cooling_equilibrium_of_a_foil_does_not_depend_on_the_others():
    tp = thermal.ThermalParameters.from_values()
    h = np.random.default_rng(6).uniform(0.0, 5e4, 50)
    together = thermal._equilibrium_temperature(tp, h)
    assert np.array_equal(together, [thermal._equilibrium_temperature(tp, h[i:i + 1])[0] for i in range(h.size)])


def _fields(res: rc.RecipeResult) -> dict:
    return {k: v for k, v in vars(res).items() if isinstance(v, (float, int, np.floating))}


@pytest.mark.component
@pytest.mark.parametrize("compiled", ["0", "1"])
def test_a_recipe_in_a_batch_gives_what_it_gives_alone(compiled, monkeypatch):
    """Distinct stage II and III settings, evaluated together and one by one: every number the same, bit for bit."""
    if compiled == "1":
        pytest.importorskip("numba")
    monkeypatch.setenv(ENV_SWITCH, compiled)
    p = default_parameters()
    rng = np.random.default_rng(3)
    recipes = [rc.UHTRecipe(stage2_temperature_K=float(a), stage2_time_s=float(b), stage3_peak_K=float(c))
               for a, b, c in zip(rng.uniform(720, 780, 6), rng.uniform(60, 200, 6), rng.uniform(1000, 1100, 6),
                                  strict=True)]
    recipes += [rc.UHTRecipe(cooling="free", stage3_heater_length_m=0.02, stage3_peak_K=1050.0),
                rc.UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=2e-3, stage2_time_s=0.0),
                rc.UHTRecipe(stage3_time_s=0.0, stage2_time_s=150.0),
                rc.UHTRecipe(stage3_mode="batch", stage3_peak_K=1000.0, stage3_time_s=0.05),
                rc.UHTRecipe(foil_thickness_m=8e-6, stage3_power_W_per_m=900.0)]
    together = rc.evaluate_recipes(recipes, p)
    for r, res in zip(recipes, together, strict=True):
        alone = _fields(rc.evaluate_recipe(r, p))
        assert _fields(res) == alone, r
