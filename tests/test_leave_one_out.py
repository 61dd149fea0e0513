"""Leave-one-out: refit without each point, predict it (issue 9 item 5)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from process_models.fits.plating import linear_least_squares
from process_models.parameters import default_parameters
from process_models.validation.leave_one_out import NOT_POSSIBLE, beta_group, leave_one_out, linear_loo

P = default_parameters()


def _line(n: int = 9, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 4.0, n))
    return np.column_stack([np.ones(n), x]), 1.5 - 0.7 * x + rng.normal(0.0, 0.2, n)


@pytest.mark.unit
def test_refit_loo_residual_is_the_hat_matrix_closed_form():
    """e₍₋ᵢ₎ = eᵢ/(1 − hᵢᵢ) and the refit's prediction variance s₋ᵢ²/(1 − hᵢᵢ), with
    s₋ᵢ² = ((n − p)s² − eᵢ²/(1 − hᵢᵢ))/(n − p − 1): the n refits agree with the one full fit's closed forms."""
    X, y = _line()
    n, p = X.shape
    pred, sd = linear_loo(X, y)
    full = linear_least_squares(X, y)
    e, h = full.residuals, full.hat
    np.testing.assert_allclose(y - pred, e / (1.0 - h), rtol=1e-10)
    rss = float(e @ e)
    s2_minus = (rss - e**2 / (1.0 - h)) / (n - p - 1)
    np.testing.assert_allclose(sd, np.sqrt(s2_minus / (1.0 - h)), rtol=1e-10)


@pytest.mark.unit
def test_loo_of_exact_data_is_exact_and_an_outlier_shows_only_in_its_own_prediction():
    X, y = _line()
    exact = X @ np.array([2.0, 0.5])
    pred, _ = linear_loo(X, exact)
    np.testing.assert_allclose(pred, exact, atol=1e-12)
    bad = exact.copy()
    bad[4] += 1.0
    pred, _ = linear_loo(X, bad)
    err = np.abs(bad - pred)
    # left out, the outlier is predicted from the exact rest: its error is the whole offset (its in-fit residual
    # is smaller: the full fit leans toward it)
    assert int(np.argmax(err)) == 4 and err[4] == pytest.approx(1.0, rel=1e-10)
    assert abs(linear_least_squares(X, bad).residuals[4]) < 0.95
    with pytest.raises(ValueError):
        linear_loo(X[:3], y[:3])


@pytest.mark.unit
def test_every_fitted_parameter_is_in_a_loo_group_or_says_why_not():
    fitted = {r.name for r in P.records() if r.kind == "fitted"}
    loo_fits = {"plating_viscosity_activation_energy_J_per_mol", "beta_diffusivity_scale_frac"}
    assert fitted == set(NOT_POSSIBLE) | loo_fits


@pytest.mark.component
def test_v1_loo_refits_only_without_the_binding_time():
    g = beta_group(P)
    assert [r.case.split()[-5] for r in g.rows] == ["10", "20", "120", "240"]
    refits = [r.refit for r in g.rows]
    f_hat = f"f_β = {P['beta_diffusivity_scale_frac']:.3g}"
    # the three non-binding times keep the full fit; the binding one (10 s) is refitted to a larger f_β
    assert sum(r.startswith(f_hat) for r in refits) == 3 and not refits[0].startswith(f_hat)
    assert float(refits[0].split("=")[1].split()[0]) > P["beta_diffusivity_scale_frac"]
    assert [r.passed for r in g.rows] == [float(r.predicted) >= 0.8 - 1e-3 for r in g.rows]
    assert g.rmse == pytest.approx(np.sqrt(np.mean([min(float(r.predicted) - 0.8, 0.0) ** 2 for r in g.rows])),
                                   abs=1e-3)


@pytest.mark.integration
def test_validate_prints_a_third_section_and_loo_does_not_gate_the_exit(cli, tmp_path):
    code, out, err = cli("validate", "--json", str(tmp_path / "v.json"))
    assert code == 0, err
    i_cal, i_val, i_loo = (out.index(s) for s in ("Calibration residuals", "Held-out validation", "Leave-one-out"))
    assert i_cal < i_val < i_loo
    assert "leave-one-out RMSE" in out and "not possible" in out
    d = json.loads((tmp_path / "v.json").read_text())
    groups = {g["parameter"]: g for g in d["leave_one_out"]["groups"]}
    assert groups["plating_viscosity_activation_energy_J_per_mol"]["passed"] == 8
    assert len(groups["beta_diffusivity_scale_frac"]["rows"]) == 4
    # the cases a parameter was fitted to stay calibration residuals, never validation passes
    assert {r["data_id"] for r in d["calibration"]}.isdisjoint({r["data_id"] for r in d["validation"] if r["data_id"]})
    assert leave_one_out(P).to_dict()["not_possible"] == d["leave_one_out"]["not_possible"]
