"""process_models.lapack: LAPACK's tridiagonal solvers loaded without importing scipy.linalg (start-up time), the
same functions and results as scipy.linalg.lapack's, and the package's own import when that is not possible."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from process_models import lapack


@pytest.mark.integration
def test_the_solvers_load_without_scipy_linalg_and_solve_as_scipys():
    code = (
        "import sys, numpy as np\n"
        "from process_models.lapack import tridiagonal_solvers\n"
        "g, p = tridiagonal_solvers()\n"
        "assert 'scipy.linalg' not in sys.modules, 'scipy.linalg was imported'\n"
        "rng = np.random.default_rng(3); n = 80\n"
        "dl, du, d, b = rng.normal(size=n - 1), rng.normal(size=n - 1), rng.normal(size=n), rng.normal(size=(n, 2))\n"
        "e, dd = rng.random(n - 1), rng.random(n) + 3.0\n"
        "ours = (g(dl, d, du, b), p(dd, e, b))\n"
        "from scipy.linalg.lapack import dgtsv, dptsv\n"
        "theirs = (dgtsv(dl, d, du, b), dptsv(dd, e, b))\n"
        "assert all(np.array_equal(x, y) for o, t in zip(ours, theirs) for x, y in zip(o, t))\n"
        "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.unit
def test_without_the_file_the_package_import_is_used(monkeypatch):
    from scipy.linalg import lapack as scipy_lapack

    monkeypatch.setattr(lapack, "_SOLVERS", {})
    monkeypatch.setattr(lapack, "_flapack_alone", lambda: None)
    g, p = lapack.tridiagonal_solvers()
    assert g is scipy_lapack.dgtsv and p is scipy_lapack.dptsv


@pytest.mark.unit
def test_a_loaded_scipy_linalg_lends_its_own_module(monkeypatch):
    import scipy.linalg  # noqa: F401 - the package and its _flapack are in sys.modules now

    monkeypatch.setattr(lapack, "_SOLVERS", {})
    g, _ = lapack.tridiagonal_solvers()
    assert g is sys.modules[lapack.FLAPACK].dgtsv
    x = g(np.array([1.0]), np.array([4.0, 4.0]), np.array([1.0]), np.array([[5.0], [5.0]]))[3]
    np.testing.assert_allclose(x[:, 0], [1.0, 1.0])
