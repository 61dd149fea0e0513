"""Uncertainty propagation (issue 10 item 4): covariance → prediction intervals, Monte Carlo against the
linearisation and against closed forms; correlations respected; the recipe's intervals and the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from uq_sets import ETA, H, two_parameter_set

from optimizer.uq import ParameterUncertainty, linearised, monte_carlo, recipe_model, uncertainty_of
from process_models.collector.recipe import CollectorRecipe
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe
from twin.parameter_set import apply_parameter_set


def two(rho: float, s1: float = 0.3, s2: float = 0.5, log: bool = False) -> ParameterUncertainty:
    cov = np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]])
    return ParameterUncertainty(("a", "b"), np.array([2.0, 3.0]), cov, np.array([log, log]),
                                np.array([[-np.inf, np.inf], [-np.inf, np.inf]]) if not log
                                else np.array([[0.0, np.inf], [0.0, np.inf]]))


def linear_fn(X: np.ndarray) -> np.ndarray:
    X = np.atleast_2d(X)
    return np.column_stack([1.5 * X[:, 0] - 2.0 * X[:, 1] + 4.0, X[:, 0] + X[:, 1]])


@pytest.mark.unit
@pytest.mark.parametrize("rho", [-0.8, 0.0, 0.6])
def test_correlated_two_parameters_against_the_closed_form_of_a_linear_function(rho):
    """var(c₁a + c₂b) = c₁²σ₁² + c₂²σ₂² + 2c₁c₂ρσ₁σ₂: the linearisation is exact, Monte Carlo within its
    sampling error (SD of a sample SD ≈ sd/√(2n))."""
    unc = two(rho)
    s1, s2 = 0.3, 0.5
    exact = [math.sqrt(1.5**2 * s1**2 + 4.0 * s2**2 - 2 * 1.5 * 2.0 * rho * s1 * s2),
             math.sqrt(s1**2 + s2**2 + 2 * rho * s1 * s2)]
    lin = linearised(linear_fn, unc, ["y", "z"])
    assert lin.sd == pytest.approx(exact, rel=1e-6)
    assert lin.nominal == pytest.approx([1.5 * 2 - 2 * 3 + 4, 5.0])
    n = 20000
    mc = monte_carlo(linear_fn, unc, ["y", "z"], n=n, seed=1)
    for k in range(2):
        assert abs(mc.sd[k] - exact[k]) < 4 * exact[k] / math.sqrt(2 * n)
        assert abs(mc.mean[k] - lin.nominal[k]) < 4 * exact[k] / math.sqrt(n)
        q = 1.959964
        assert mc.lower[k] == pytest.approx(lin.nominal[k] - q * exact[k], abs=0.05 * exact[k])
    # ignoring the correlation would be wrong by far more than the tolerance
    if rho:
        indep = math.sqrt(1.5**2 * s1**2 + 4.0 * s2**2)
        assert abs(lin.sd[0] - indep) > 0.1 * indep


@pytest.mark.unit
def test_latin_hypercube_draws_agree_and_are_space_filling():
    unc = two(0.6)
    mc = monte_carlo(linear_fn, unc, ["y", "z"], n=400, seed=3, design="lhs")
    lin = linearised(linear_fn, unc, ["y", "z"])
    assert mc.sd == pytest.approx(lin.sd, rel=0.05)
    x, _ = unc.sample(50, seed=0, design="lhs")
    # every marginal has one draw per 1/50 stratum when uncorrelated
    u = two(0.0).sample(50, seed=0, design="lhs")[0]
    from statistics import NormalDist

    strata = np.floor(np.array([[NormalDist(m, s).cdf(v) for v, m, s in zip(row, (2.0, 3.0), (0.3, 0.5),
                                                                          strict=True)] for row in u]) * 50)
    for j in range(2):
        assert sorted(strata[:, j].astype(int)) == list(range(50))
    assert x.shape == (50, 2)


@pytest.mark.unit
def test_log_parameters_stay_positive_and_keep_their_median_and_bounds_truncate():
    unc = ParameterUncertainty(("a",), np.array([1.0]), np.array([[0.5**2]]), np.array([True]),
                               np.array([[0.0, 10.0]]))
    x, redrawn = unc.sample(4000, seed=2)
    assert np.all(x > 0) and np.median(x) == pytest.approx(1.0, rel=0.05)
    assert np.std(np.log(x)) == pytest.approx(0.5, rel=0.05)
    tight = ParameterUncertainty(("a",), np.array([1.0]), np.array([[1.0]]), np.array([False]),
                                 np.array([[0.0, 2.0]]))
    x, redrawn = tight.sample(1000, seed=0)
    assert redrawn > 300 and x.min() >= 0.0 and x.max() <= 2.0  # ≈ 1 − (Φ(1) − Φ(−1)) = 32 % redrawn


@pytest.mark.unit
def test_a_ln_space_standard_error_beyond_the_limit_is_refused_not_drawn():
    """SE/x is the standard error in ln units; above 10 (MAX_LN_STANDARD_ERROR) exp(z₀ + u·SE_z) overflowed into
    inf draws. At the limit the Latin hypercube's extreme strata stay finite."""
    with pytest.raises(FoiltwinInputError, match="standard error of a") as err:
        ParameterUncertainty(("a",), np.array([1e-4]), np.array([[1e150 ** 2]]), np.array([True]),
                             np.array([[0.0, np.inf]]))
    assert err.value.value == 1e150 and "at most 10×" in err.value.allowed
    at_limit = ParameterUncertainty(("a",), np.array([1e-4]), np.array([[1e-3 ** 2]]), np.array([True]),
                                    np.array([[0.0, np.inf]]))
    assert np.all(np.isfinite(at_limit.from_normal(np.array([[-7.1], [7.1]]))))


@pytest.mark.unit
def test_the_nonlinearity_shows_as_disagreement():
    """For y = exp(3a) the linearisation misses the lognormal's skew and width; Monte Carlo does not."""
    unc = ParameterUncertainty(("a",), np.array([0.0]), np.array([[0.3**2]]), np.array([False]),
                               np.array([[-np.inf, np.inf]]))
    f = lambda X: np.exp(3 * np.atleast_2d(X)[:, :1])  # noqa: E731
    mc = monte_carlo(f, unc, ["y"], n=20000, seed=0)
    lin = linearised(f, unc, ["y"])
    exact_sd = math.sqrt((math.exp(0.81) - 1) * math.exp(0.81))
    assert mc.sd[0] == pytest.approx(exact_sd, rel=0.05)
    # the secant over ±½ sd: J = (e^{0.45} − e^{−0.45})/0.3, sd = 0.3·J = 2 sinh(0.45) (the tangent gives 0.9)
    assert lin.sd[0] == pytest.approx(2 * math.sinh(0.45), rel=1e-6) and lin.sd[0] < 0.85 * exact_sd



@pytest.mark.unit
def test_uncertainty_of_keeps_the_sets_covariance_and_adds_the_registrys_standard_errors():
    pset = two_parameter_set(-0.5)
    values = apply_parameter_set(default_parameters(), pset)
    unc = uncertainty_of(values, pset)
    i, j = unc.names.index(ETA), unc.names.index(H)
    assert unc.correlation[i, j] == pytest.approx(-0.5)
    assert unc.sd[i] == pytest.approx(2e-6)
    assert unc.log[i] and not unc.log[j]
    registry = [r for r in default_parameters().records() if r.standard_error and r.name not in (ETA, H)]
    for r in registry:  # registry errors enter, independent of the rest
        k = unc.names.index(r.name)
        assert unc.sd[k] == pytest.approx(r.standard_error)
        assert np.count_nonzero(unc.cov[k]) == 1
    with pytest.raises(FoiltwinInputError, match="standard error"):
        uncertainty_of(default_parameters(), None, ["ambient_temperature_K"])
    only = uncertainty_of(values, pset, [H])
    assert only.names == (H,)


@pytest.mark.unit
def test_registry_values_fitted_together_keep_their_correlation():
    """η and the stage-III peak come from one two-target solve (process_models.fits.uht: cov = J⁻¹ΣJ⁻ᵀ, ρ ≈ -0.48),
    but the registry's standard errors entered as independent variances, so every propagation dropped the cross
    term. Their records now carry ρ: cov = ρ·SE_η·SE_T, in ln η as in η (delta method). Closed form: the
    standardised sum ln η/SE_ln + T/SE_T has variance 2(1 + ρ) (≈1.04; 2 when independent); 20,000 draws agree within
    their sampling error, as does the sample correlation. Overriding either value (a new error) drops the pair."""
    from process_models.parameters.registry import Parameter

    values = default_parameters()
    rho = dict(values.record(ETA).correlations)[PEAK]
    assert rho == dict(values.record(PEAK).correlations)[ETA] and -0.6 < rho < -0.4
    unc = uncertainty_of(values, None, [ETA, PEAK])
    assert unc.correlation[0, 1] == pytest.approx(rho, rel=1e-12)
    se_ln, se_T = values.record(ETA).standard_error / values[ETA], values.record(PEAK).standard_error
    n = 20000
    x, redrawn = unc.sample(n, seed=3)
    assert redrawn == 0
    z = np.column_stack([np.log(x[:, 0] / values[ETA]) / se_ln, (x[:, 1] - values[PEAK]) / se_T])
    var_sum = np.var(z.sum(axis=1), ddof=1)
    assert var_sum == pytest.approx(2.0 * (1.0 + rho), abs=4 * 2.0 * (1.0 + rho) * math.sqrt(2.0 / n))
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(rho, abs=4 * (1 - rho**2) / math.sqrt(n))
    moved = values.with_overrides({PEAK: 1105.0}, kind="fitted", standard_errors={PEAK: se_T})
    assert uncertainty_of(moved, None, [ETA, PEAK]).cov[0, 1] == 0.0
    with pytest.raises(ValueError, match="correlation"):
        Parameter("a_frac", 0.5, "1", "Assumed", "test", "assumed", (0.0, 1.0), standard_error=0.1,
                  correlations=(("a_frac", 0.5),))


@pytest.mark.component
def test_recipe_linearised_agrees_with_monte_carlo_where_the_model_is_linear():
    """The Zn loading of stage II is proportional to the vapour transfer efficiency η: with η alone uncertain
    (≈7 % standard error, registry) the Jacobian interval and a 16-draw Latin hypercube agree."""
    values = default_parameters()
    unc = uncertainty_of(values, None, [ETA])
    recipe = CollectorRecipe(uht=UHTRecipe(stage3_time_s=0.0))
    f = recipe_model(recipe, values, unc.names, ["zn_loading_mg_per_cm2"])
    lin = linearised(f, unc, ["zn_loading_mg_per_cm2"])
    mc = monte_carlo(f, unc, ["zn_loading_mg_per_cm2"], n=16, seed=0, design="lhs")
    rel = values.record(ETA).standard_error / values[ETA]
    assert lin.sd[0] / lin.nominal[0] == pytest.approx(rel, rel=0.05)  # loading ∝ η
    assert mc.sd[0] == pytest.approx(lin.sd[0], rel=0.1)
    assert mc.mean[0] == pytest.approx(lin.nominal[0], rel=0.01)


@pytest.mark.integration
def test_recipe_uncertainty_from_the_cli(cli):
    code, out, err = cli("recipe", "--uncertainty", "linear", "--json", "-")
    assert code == 0, err
    d = json.loads(out)["uncertainty"]
    skin = d["linearised"]["outputs"]["skin_thickness_nm"]
    assert skin["interval"][0] < skin["nominal"] < skin["interval"][1] and skin["sd"] > 0
    # every fitted parameter's registry standard error enters the intervals
    fitted = {r.name for r in default_parameters().records() if r.kind == "fitted"}
    assert {p["name"] for p in d["parameters"] if p["source"] == "registry"} >= fitted
    assert 0.0 <= d["linearised"]["p_single_phase_alpha"] <= 1.0
    code, _, err = cli("recipe", "--samples", "10")
    assert code == 2 and "--uncertainty" in err
    code, _, err = cli("recipe", "--uncertainty", "linear", "--confidence", "1.5")
    assert code == 2 and "--confidence" in err


PEAK, BETA = "stage3_default_peak_temperature_K", "beta_diffusivity_scale_frac"
UQ_OUTPUTS = ["skin_thickness_nm", "surface_zn_at_frac", "phase_margin_zn_frac"]


def _registry_with_errors(errors: dict[str, float]):
    """The registry with every fitted standard error set to 0 except ``errors`` (name -> SE)."""
    values = default_parameters()
    fitted = [r.name for r in values.records() if r.standard_error]
    ses = {n: errors.get(n, 0.0) for n in fitted}
    return values.with_overrides({n: values[n] for n in fitted}, kind="fitted", standard_errors=ses)


@pytest.mark.component
def test_a_registry_standard_error_widens_the_recipe_intervals_and_zero_removes_it():
    """recipe --uncertainty's path (uncertainty_of on the registry → linearised): the stage-III peak's and f_β's
    registry errors. Setting f_β's to 0 takes it out of the propagation, and the skin variance drops by exactly
    its own term (J σ)²; doubling it widens the skin interval."""
    base = default_parameters()
    se = {PEAK: base.record(PEAK).standard_error, BETA: base.record(BETA).standard_error}
    recipe = CollectorRecipe()

    def lin(values):
        unc = uncertainty_of(values)
        return unc, linearised(recipe_model(recipe, values, unc.names, UQ_OUTPUTS), unc, UQ_OUTPUTS)

    unc2, both = lin(_registry_with_errors(se))
    unc1, peak_only = lin(_registry_with_errors({PEAK: se[PEAK]}))
    assert set(unc2.names) == {PEAK, BETA}
    assert unc1.names == (PEAK,)
    j_beta = both.jacobian[:, unc2.names.index(BETA)]
    np.testing.assert_allclose(both.sd**2 - peak_only.sd**2, (j_beta * se[BETA]) ** 2, rtol=1e-6, atol=1e-18)
    assert both.sd[0] > peak_only.sd[0] > 0.0
    _, wider = lin(_registry_with_errors({PEAK: 2.0 * se[PEAK]}))
    assert wider.upper[0] - wider.lower[0] > 1.5 * (peak_only.upper[0] - peak_only.lower[0])


@pytest.mark.component
def test_the_massive_threshold_error_reaches_the_retained_beta_by_monte_carlo():
    """ΔG* (100 ± 57 J/mol, a bracket) moves no interval of the phase margin, but the skin keeps β′ as quenched
    above ≈140 J/mol: with ΔG* alone uncertain, Monte Carlo finds β′ in some draws (about a quarter: the lognormal
    draw kept in the 54-250 J/mol bracket), none at the nominal; with its error set to 0 nothing is uncertain any
    more."""
    from foiltwin.uq_commands import recipe_uncertainty

    massive = "massive_min_driving_force_J_per_mol"
    se = default_parameters().record(massive).standard_error
    values = _registry_with_errors({massive: se})
    uq = recipe_uncertainty(CollectorRecipe(), values, None, "mc", 16, 0, 0.95)
    mc = uq["monte_carlo"]
    assert [p["name"] for p in uq["parameters"]] == [massive]
    assert mc["outputs"]["retained_beta_frac"]["nominal"] == 0.0
    assert 2 / 16 <= mc["p_beta_retained"] <= 7 / 16
    assert mc["outputs"]["phase_margin_zn_frac"]["sd"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(FoiltwinInputError):
        uncertainty_of(_registry_with_errors({}))


@pytest.mark.unit
def test_a_bracketed_parameter_is_drawn_inside_its_bracket():
    """ΔG* of the massive β→α is only bracketed by two observations, 54-250 J/mol (SE = width/√12). Drawn lognormal
    around 100 J/mol in the registry's (0, 1000) bounds, ≈14 % of draws fell below 54, a value one observation rules
    out; the draws now stay in the bracket (truncation, as at the bounds), keeping the nominal and the SE. An
    override drops the bracket (the value is then the user's)."""
    from process_models.parameters.registry import Parameter

    massive = "massive_min_driving_force_J_per_mol"
    values = default_parameters()
    rec = values.record(massive)
    assert rec.bracket == (54.0, 250.0)
    unc = uncertainty_of(values, names=[massive])
    assert tuple(unc.bounds[0]) == (54.0, 250.0)
    x, redrawn = unc.sample(4000, seed=1)
    assert x.min() >= 54.0 and x.max() <= 250.0
    assert 0.05 * 4000 < redrawn < 0.3 * 4000  # the lognormal's tails, drawn again
    assert np.median(x) == pytest.approx(100.0 * np.exp(0.05), rel=0.1)  # still centred near the nominal
    assert values.with_overrides({massive: 300.0}).record(massive).bracket is None
    with pytest.raises(ValueError, match="bracket"):
        Parameter("p", 10.0, "J/mol", rec.source, "", "fitted", (0.0, 100.0), bracket=(20.0, 50.0))
