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
