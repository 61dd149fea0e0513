"""Every fitted registry parameter carries a standard error that its fit (process_models.fits) reproduces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from process_models.fits import FITS, FitResult, refit
from process_models.fits.anchors import _uniform_log_moments
from process_models.fits.plating import linear_least_squares
from process_models.fits.uht import min_bootstrap_sd
from process_models.parameters import default_parameters

PARAMS = default_parameters()
FITTED = [r.name for r in PARAMS.records() if r.kind == "fitted"]
SLOW_UHT = {"zn_vapour_transfer_efficiency_frac", "stage3_default_peak_temperature_K",
            "gamma_nucleation_rate_ref_per_m2_s", "beta_diffusivity_scale_frac"}
# values the registry keeps apart from the fit's own estimate (said in their records): the study's rounded A = 2
# (the Smigelskas anchor alone gives 2.06) and a massive threshold chosen inside its bracket
VALUE_NOT_THE_FIT = {"alpha_interdiffusion_log10_rise_frac", "massive_min_driving_force_J_per_mol"}


@pytest.mark.unit
def test_every_fitted_parameter_has_a_fit_a_standard_error_and_a_method():
    assert len(FITTED) >= 14
    assert set(FITTED) == set(FITS), "a fitted parameter without a fit in process_models.fits (or a stale entry)"
    for name in FITTED:
        rec = PARAMS.record(name)
        assert rec.standard_error is not None and rec.standard_error > 0.0, name
        assert rec.standard_error_method, name
        assert rec.data_used, name


@pytest.mark.component
@pytest.mark.parametrize("name", sorted(set(FITS) - SLOW_UHT))
def test_stored_standard_error_is_the_fits(name):
    fit = refit(name, PARAMS)
    rec = PARAMS.record(name)
    assert isinstance(fit, FitResult)
    assert rec.standard_error == pytest.approx(fit.standard_error, rel=1e-3)  # stored to 4 figures
    assert rec.standard_error_method.split(":")[0] == fit.method.split(":")[0]
    if name == "massive_min_driving_force_J_per_mol":  # inside the bracket: mid ± √3·sd (uniform)
        assert abs(rec.value - fit.value) <= math.sqrt(3.0) * fit.standard_error
    elif name in VALUE_NOT_THE_FIT:  # the record states the fit's own value
        assert f"A = {fit.value:.2f}" in rec.standard_error_method
    else:
        assert rec.value == pytest.approx(fit.value, rel=1e-3)


def _check_uht(name: str) -> None:
    fit = refit(name, PARAMS)
    rec = PARAMS.record(name)
    assert rec.standard_error == pytest.approx(fit.standard_error, rel=1e-4), name
    assert rec.standard_error_method == fit.method, name
    assert rec.value == pytest.approx(fit.value, rel=1e-3), name


@pytest.mark.component
@pytest.mark.parametrize("name", ["zn_vapour_transfer_efficiency_frac", "stage3_default_peak_temperature_K",
                                  "gamma_nucleation_rate_ref_per_m2_s"])
def test_uht_standard_errors_are_recomputed_from_their_fits(name):
    """η and the peak (J⁻¹ΣJ⁻ᵀ, one shared Jacobian), the nucleation rate (tolerance through the slope)."""
    _check_uht(name)


@pytest.mark.component
def test_the_jointly_fitted_pair_stores_the_fits_correlation():
    """η and the peak share one J⁻¹ΣJ⁻ᵀ: both records carry its ρ (naming each other), so that the registry's
    uncertainty (twin.parameter_uncertainty) keeps the cross term; no other fitted record claims a partner."""
    from process_models.fits.uht import transfer_peak_correlation

    eta, peak = "zn_vapour_transfer_efficiency_frac", "stage3_default_peak_temperature_K"
    rho = transfer_peak_correlation(PARAMS)
    assert dict(PARAMS.record(eta).correlations) == {peak: pytest.approx(rho, rel=1e-4)}
    assert dict(PARAMS.record(peak).correlations) == {eta: pytest.approx(rho, rel=1e-4)}
    assert all(not r.correlations for r in PARAMS.records() if r.name not in (eta, peak))


@pytest.mark.component
@pytest.mark.slow
def test_beta_scale_standard_error_is_its_exact_bootstrap():
    """f_β: four brentq solves (one per V1 time) and the exact bootstrap of their minimum (≈5 s)."""
    _check_uht("beta_diffusivity_scale_frac")


@pytest.mark.component
def test_a_changed_datum_moves_the_standard_error():
    """The SE follows its data: a coarser measurement σ widens η's and the peak's errors (cannot pass by a copy)."""
    coarse = PARAMS.with_overrides({"cross_section_thickness_sd_m": 2 * PARAMS["cross_section_thickness_sd_m"]})
    assert refit("stage3_default_peak_temperature_K", coarse).standard_error > \
        1.05 * PARAMS.record("stage3_default_peak_temperature_K").standard_error
    coarser_band = PARAMS.with_overrides({"recrystallisation_activation_J_per_mol": 250e3})
    assert refit("recrystallisation_time_constant_s", coarser_band).standard_error > \
        PARAMS.record("recrystallisation_time_constant_s").standard_error


@pytest.mark.unit
def test_least_squares_covariance_matches_a_closed_form_line_fit():
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 1.0, 12)
    y = 2.0 + 3.0 * x + rng.normal(0.0, 0.1, x.size)
    fit = linear_least_squares(np.column_stack([np.ones_like(x), x]), y)
    s2 = float(fit.residuals @ fit.residuals) / (x.size - 2)
    sxx = float(((x - x.mean()) ** 2).sum())
    assert math.sqrt(fit.cov[1, 1]) == pytest.approx(math.sqrt(s2 / sxx), rel=1e-12)  # textbook slope SE
    with pytest.raises(ValueError):
        linear_least_squares(np.ones((2, 2)), np.ones(2))


@pytest.mark.unit
def test_exact_bootstrap_of_a_minimum_matches_enumeration():
    v = np.array([0.3, -1.0, 2.5])
    mins = [min(v[list(idx)]) for idx in np.ndindex(3, 3, 3)]
    assert min_bootstrap_sd(v) == pytest.approx(float(np.std(mins)), rel=1e-12)
    assert min_bootstrap_sd(np.array([1.0, 1.0, 1.0, 1.0])) == 0.0


@pytest.mark.unit
def test_uniform_log_moments_match_quadrature():
    t = np.linspace(3600.0, 28800.0, 200001)
    e1, e2 = _uniform_log_moments(3600.0, 28800.0)
    assert e1 == pytest.approx(np.trapezoid(np.log(t), t) / (t[-1] - t[0]), rel=1e-9)
    assert e2 == pytest.approx(np.trapezoid(np.log(t) ** 2, t) / (t[-1] - t[0]), rel=1e-9)


@pytest.mark.integration
def test_params_json_shows_each_fitted_standard_error_with_its_method_and_data(cli):
    import json

    code, out, err = cli("params", "--kind", "fitted", "--json", "-")
    assert code == 0, err
    rows = json.loads(out)["parameters"]
    assert {r["name"] for r in rows} == set(FITTED)
    for r in rows:
        rec = PARAMS.record(r["name"])
        assert r["standard_error"] == rec.standard_error and r["standard_error_method"] == rec.standard_error_method
        assert r["data_used"] == list(rec.data_used)
