"""The robust optimum (issue 10 item 6): the skin window narrowed by the propagated prediction uncertainty,
checked by Monte Carlo over the parameters."""

from __future__ import annotations

import math

import pytest

from optimizer import Targets
from optimizer.robust import robust_optimize
from optimizer.targets import gauge_yield
from optimizer.uq import uncertainty_of
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.scenario import Scenario


@pytest.mark.unit
def test_backoff_narrows_the_optimisers_window_not_the_spec():
    t = Targets(470.0, 50.0, skin_backoff_nm=20.0)
    assert t.skin_window_nm == (440.0, 500.0) and t.spec_window_nm == (420.0, 520.0)
    assert Targets(470.0, 50.0).skin_window_nm == (420.0, 520.0)
    # a skin 20 nm inside the edge is accepted by the gauge more often than one at the narrowed window's edge
    # would be if the gauge judged the narrowed window
    assert gauge_yield(t.spec_window_nm, 440.0, 10.0) > gauge_yield(t.skin_window_nm, 440.0, 10.0)
    with pytest.raises(FoiltwinInputError, match="skin_backoff_nm"):
        Targets(470.0, 50.0, skin_backoff_nm=50.0)


@pytest.mark.integration
@pytest.mark.slow  # two optimisations and two 48-draw Monte Carlo checks (≈1-2 min)
def test_robust_optimum_is_more_conservative_and_meets_the_spec_at_the_stated_rate():
    """With the registry's standard errors (every fitted parameter's), the nominal optimum puts the skin near the
    edge of its window; at 90 % the robust one keeps it further inside, and in spec in ≥ 90 % of parameter draws
    (up to the binomial sampling error of 48 draws, 2·√(0.9·0.1/48) = 0.087)."""
    params = default_parameters()
    unc = uncertainty_of(params)
    targets = Targets(470.0, 50.0)
    res = robust_optimize(targets, Scenario(), params=params, unc=unc, confidence=0.9, samples=48, seed=0,
                          max_rounds=2, modes=("vapour_commercial",), verify_twin=False)
    r = res.robust
    lo, hi = r["spec_window_nm"]
    nominal_skin = r["nominal_monte_carlo"]["skin_mean_nm"]
    robust_skin = res.checked["skin_thickness_nm"]
    assert min(robust_skin - lo, hi - robust_skin) >= r["backoff_nm"] - 1.0  # inside the narrowed window
    edge = lambda s: min(s - lo, hi - s)  # noqa: E731
    assert edge(robust_skin) > edge(nominal_skin)
    first = r["rounds"][0]
    assert first["backoff_nm"] > 0.0 and r["backoff_nm"] >= first["backoff_nm"]  # z·σ at the nominal, then grown
    assert r["monte_carlo"]["skin_in_spec"] >= 0.9 - 2 * math.sqrt(0.9 * 0.1 / 48)
    assert r["monte_carlo"]["skin_in_spec"] >= r["nominal_monte_carlo"]["skin_in_spec"]
    assert r["price_of_robustness"] is not None and "robust at 90%" in res.table()


@pytest.mark.integration
@pytest.mark.parametrize(("args", "field"), [
    (["--robust-samples", "20"], "--robust-samples"),
    (["--confidence", "0.9", "--pareto", "cost,throughput"], "--confidence"),
])
def test_optimize_confidence_options_are_checked(cli, args, field):
    code, _, err = cli("optimize", "--no-twin", *args)
    assert code == 2 and field in err
