"""The recipe's speed paths of issue 15 (second round): what they import and that they give the plain paths' numbers.
The recipe reference (tests/test_recipe_reference.py) pins the whole recipe; these tests pin each path alone."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from process_models.uht import web_heater


@pytest.mark.integration
def test_importing_the_solvers_does_not_import_scipy_linalg():
    """LAPACK is fetched at the first solve: importing the recipe and its solvers leaves scipy.linalg unloaded, and
    the first solve loads it."""
    probe = ("import json, sys\n"
             "import process_models.uht.interdiffusion, process_models.uht.web_heater, process_models.uht.recipe\n"
             "before = 'scipy.linalg' in sys.modules\n"
             "from process_models.uht.web_heater import solve_web_heater\n"
             "solve_web_heater(0.08, 0.0025, 10e-6, peak_K=1000.0)\n"
             "print(json.dumps([before, 'scipy.linalg' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [False, True]


@pytest.mark.unit
def test_web_heater_tridiagonal_solve_matches_a_dense_solve_and_refuses_a_singular_system():
    rng = np.random.default_rng(3)
    B, N = 3, 9
    lower, upper = rng.uniform(-1.0, 0.0, (B, N)), rng.uniform(-1.0, 0.0, (B, N))
    lower[:, 0] = upper[:, -1] = 0.0
    diag = 2.5 + rng.uniform(0.0, 1.0, (B, N))
    rhs = rng.normal(size=(B, N, 2))
    kept = rhs.copy()
    x = web_heater._solve_tridiagonal(lower, diag, upper, rhs)
    assert np.array_equal(rhs, kept)  # the right-hand sides are not overwritten
    for b in range(B):
        A = np.diag(diag[b]) + np.diag(lower[b, 1:], -1) + np.diag(upper[b, :-1], 1)
        np.testing.assert_allclose(x[b], np.linalg.solve(A, rhs[b]), rtol=1e-12, atol=1e-12)
    diag[1, 4] = lower[1, 4] = upper[1, 4] = 0.0  # a zero row
    with pytest.raises(np.linalg.LinAlgError):
        web_heater._solve_tridiagonal(lower, diag, upper, rhs)


@pytest.mark.component
@pytest.mark.parametrize("surface", ["none", "dirichlet", "flux", "quadrature"])
def test_one_foil_newton_gives_the_batch_solvers_numbers(surface):
    """A foil solved alone (the lean one-foil Newton) and beside another foil (the batch Newton with its active set):
    the same profile, Zn accounts and solver statistics, bit for bit, with each surface condition and without the
    Kirchhoff potential (quadrature of D̃)."""
    from process_models.parameters import default_parameters
    from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
    from process_models.uht.interdiffusion import DirichletBC, FluxBC, make_depth_grid, solve_interdiffusion

    params = default_parameters()
    model = CuZnFickDiffusivity.from_parameters(params)
    grid = make_depth_grid(5e-6, first_cell_m=2e-9, growth=0.04)
    x0 = np.zeros((2, grid.n_cells))
    x0[0, :20] = np.linspace(0.45, 0.05, 20)
    x0[1, :30] = np.linspace(0.40, 0.02, 30)
    t = np.array([0.0, 0.01, 0.03, 0.05])
    T = np.array([[600.0, 1050.0, 1080.0, 500.0], [600.0, 1000.0, 1020.0, 450.0]])
    bc = {"none": None, "dirichlet": DirichletBC(0.3), "quadrature": DirichletBC(0.3),
          "flux": FluxBC(lambda xs, T_K, t_s: (-1e-3 * xs * T_K / 1000.0, -1e-3 * T_K / 1000.0))}[surface]
    kw = {} if surface == "quadrature" else {"kirchhoff": model.kirchhoff, "kirchhoff_at": model.kirchhoff_at}

    def solve(rows: slice):
        return solve_interdiffusion(x0[rows], grid, t, T[rows], molar_density_mol_per_m3=1.3e5,
                                    diffusivity=model.diffusivity, surface=bc, n_steps=30, clock=model.clock, **kw)

    alone, both = solve(slice(0, 1)), solve(slice(0, 2))
    for name in ("x", "zn_in_mol_per_m2", "zn_out_mol_per_m2", "n_clipped"):
        assert np.array_equal(getattr(alone, name)[0], getattr(both, name)[0]), name
    for name in ("total", "max_per_step", "step_splits"):
        assert np.array_equal(getattr(alone.newton_iterations, name)[0], getattr(both.newton_iterations, name)[0])
    assert alone.newton_iterations.total[0] > 30  # Newton did work


@pytest.mark.unit
def test_evaporation_from_two_activity_entries_equals_the_interpolated_row():
    """The flux reads a_Zn at the two x entries around the surface composition (row and weight in T), the numbers of
    the whole row interpolated in T, for one foil (floats) and a batch; and the row is the bilinear a_Zn."""
    from process_models.parameters import default_parameters
    from process_models.uht.phase_diagram import cuzn_phase_diagram
    from process_models.uht.zn_evaporation import SurfaceEvaporation

    diagram = cuzn_phase_diagram()
    T = np.array([512.3, 903.7, 1111.1, 1300.0])
    x_grid, rows = diagram.zn_activity_rows(T)
    it, v = diagram.zn_activity_weights(T)
    _, act = diagram.zn_activity_table
    assert np.array_equal(rows, (1 - v)[:, None] * act[it] + v[:, None] * act[it + 1])
    xq = np.array([0.0, 0.1234, 0.4499, 0.97])
    by_row = [np.interp(x, x_grid, r) for x, r in zip(xq, rows, strict=True)]
    np.testing.assert_allclose(diagram.zn_activity(xq, T), by_row, rtol=1e-12)
    params = default_parameters()
    xs, t = np.array([0.05, 0.21, 0.38, 0.6]), np.array([0.01, 0.02, 0.03, 0.04])
    evap = SurfaceEvaporation(params, np.zeros(4))
    batch = evap.at(T, t)(xs)
    for b in range(4):
        one = SurfaceEvaporation(params, np.zeros(1))
        J, dJ = one.at(T[b:b + 1], t[b:b + 1])(xs[b:b + 1])
        plain = one(xs[b:b + 1], T[b:b + 1], t[b:b + 1])
        assert J[0] == batch[0][b] == plain[0][0] and dJ[0] == batch[1][b] == plain[1][0]
        # the row: a_Zn linear between the table entries around x_s
        i = np.searchsorted(x_grid, xs[b], side="right") - 1
        slope = (rows[b, i + 1] - rows[b, i]) / (x_grid[i + 1] - x_grid[i])
        a = rows[b, i] + slope * (xs[b] - x_grid[i])
        assert J[0] == pytest.approx(dJ[0] / slope * a, rel=1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("foils", [1, 3])
def test_planned_coefficients_are_each_steps_own(foils):
    """D̃'s planned coefficients (every step's at once; one foil's converted to floats per coefficient, not per
    step) are bit for bit those a step computes alone, and a one-foil plan holds Python floats."""
    from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity

    model = CuZnFickDiffusivity.from_parameters()
    T = np.linspace(900.0, 1150.0, 7)[None, :] + np.arange(foils)[:, None] * 13.0
    model.plan(T)
    planned = model._cache["planned"]
    assert len(planned) == T.shape[1]
    for k in range(T.shape[1]):
        step = np.ascontiguousarray(T[:, k:k + 1])
        alone = model._pieces_at(step)
        got = planned[step.tobytes()]
        assert len(got) == len(alone)
        for g, a in zip(got, alone, strict=True):
            if foils == 1:
                assert type(g) is float and g == float(np.ravel(a)[0])
            else:
                assert np.shape(g) == np.shape(a) and np.array_equal(g, a)
