"""The recipe's fast paths (issue 15) give the numbers of the plain paths: temperatures bound once per Newton step
(kirchhoff_at, FluxBC.at), every step's factors computed at once (plan), batches solved in chunks."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht import recipe as recipe_module
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.interdiffusion import FluxBC, make_depth_grid, solve_interdiffusion
from process_models.uht.recipe import UHTRecipe, evaluate_recipe, evaluate_recipes
from process_models.uht.zn_evaporation import SurfaceEvaporation


@pytest.mark.unit
def test_kirchhoff_bound_and_planned_equal_the_plain_call():
    model = CuZnFickDiffusivity.from_parameters(default_parameters())
    x = np.linspace(0.0, 0.9, 61)[None, :].repeat(3, axis=0)
    T = np.array([[700.0], [950.0], [1100.0]])
    psi, d = model.kirchhoff(x, T)
    psi_b, d_b = model.kirchhoff_at(T)(x)
    assert np.array_equal(psi, psi_b) and np.array_equal(d, d_b)
    model.plan(np.array([[650.0, 700.0], [900.0, 950.0], [1000.0, 1100.0]]))
    psi_p, d_p = model.kirchhoff_at(T)(x)  # found in the plan (column 1)
    assert np.array_equal(psi, psi_p) and np.array_equal(d, d_p)


@pytest.mark.unit
def test_evaporation_bound_and_planned_equal_the_plain_call():
    params = default_parameters()
    T, t = np.array([900.0, 1050.0]), np.array([0.01, 0.02])
    xs = np.array([0.2, 0.33])
    plain = SurfaceEvaporation(params, np.zeros(2))(xs, T, t)
    bound = SurfaceEvaporation(params, np.zeros(2)).at(T, t)(xs)
    planned = SurfaceEvaporation(params, np.zeros(2))
    planned.plan(np.stack([T - 50.0, T], axis=1), np.stack([t / 2, t], axis=1))
    assert len(planned._planned) == 2
    for got in (bound, planned.at(T, t)(xs)):
        assert np.array_equal(plain[0], got[0]) and np.array_equal(plain[1], got[1])


@pytest.mark.component
def test_solver_with_bound_flux_and_plan_equals_the_plain_solver():
    """The same solve with and without the fast paths: identical profiles and Zn accounts."""
    params = default_parameters()
    grid = make_depth_grid(10e-6, first_cell_m=params["diffusion_first_cell_m"],
                           growth=params["diffusion_cell_growth_frac"])
    x0 = np.zeros((2, grid.n_cells))
    x0[:, :20] = 0.6
    t = np.array([[0.0, 0.005, 0.02, 0.03], [0.0, 0.004, 0.015, 0.03]])
    T = np.array([[300.0, 1000.0, 1000.0, 600.0], [300.0, 1050.0, 1050.0, 600.0]])

    def run(fast: bool):
        model = CuZnFickDiffusivity.from_parameters(params)
        evap = SurfaceEvaporation(params, t[:, 0])
        plan = (lambda Ts, ts: (model.plan(Ts), evap.plan(Ts, ts))) if fast else None
        return solve_interdiffusion(
            x0, grid, t, T, molar_density_mol_per_m3=params["cuzn_alloy_molar_density_mol_per_m3"],
            diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, clock=model.clock, n_steps=30,
            kirchhoff_at=model.kirchhoff_at if fast else None,
            surface=FluxBC(evap, at=evap.at if fast else None), plan=plan)

    plain, fast = run(False), run(True)
    assert np.array_equal(plain.x, fast.x)
    assert np.array_equal(plain.zn_out_mol_per_m2, fast.zn_out_mol_per_m2)
    assert np.array_equal(plain.newton_iterations.total, fast.newton_iterations.total)


@pytest.mark.component
def test_batches_in_chunks_equal_single_evaluations(monkeypatch):
    """A batch split into chunks (here of 2) gives each recipe what it gets alone (rel 1e-9)."""
    params = default_parameters()
    monkeypatch.setattr(recipe_module, "BATCH_CHUNK_SIZE", 2)
    recipes = [UHTRecipe(stage2_time_s=60.0 + 20.0 * i, stage3_peak_K=990.0 + 15.0 * i) for i in range(5)]
    bulk = evaluate_recipes(recipes, params)
    for r, b in zip(recipes, bulk, strict=True):
        one = evaluate_recipe(r, params)
        assert b.skin_thickness_nm == pytest.approx(one.skin_thickness_nm, rel=1e-9)
        assert b.surface_zn_at_frac == pytest.approx(one.surface_zn_at_frac, rel=1e-9)
        assert np.allclose(b.profile_zn_at_frac, one.profile_zn_at_frac, rtol=1e-9, atol=1e-15)
