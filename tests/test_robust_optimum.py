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
    with pytest.raises(FoiltwinInputError, match="phase_backoff_zn_frac"):
        Targets(470.0, 50.0, phase_backoff_zn_frac=0.5)
    with pytest.raises(FoiltwinInputError, match="phase_backoff_zn_frac"):
        Targets(470.0, 50.0, single_phase_alpha=False, phase_backoff_zn_frac=0.01)


@pytest.mark.unit
def test_the_phase_backoff_is_checked_by_the_model_check():
    """A margin between −back-off and 0 is single-phase α but misses the robustified target."""
    from optimizer.verify import _misses

    k = {"skin_thickness_nm": 470.0, "skin_phase": "alpha", "phase_margin_zn_frac": -0.004, "surface_zn_at_frac": 0.3}
    assert not any(m.startswith("single_phase_alpha") for m in _misses(k, Targets(470.0, 50.0), twin=False))
    miss = _misses(k, Targets(470.0, 50.0, phase_backoff_zn_frac=0.01), twin=False)
    assert any("phase margin -0.0040 above the robust back-off" in m for m in miss)


@pytest.mark.unit
def test_backoffs_grow_for_the_target_that_falls_short():
    from optimizer.robust import _grow

    shares = {"skin_in_spec": 0.95, "single_phase_alpha": 0.80, "skin_and_phase": 0.78}
    b, sd = {"skin": 10.0, "phase": 0.01}, {"skin": 8.0, "phase": 0.008}
    assert _grow(shares, 0.9, b, sd, {"skin": 8.0, "phase": 0.008}, 1.28)
    assert b == {"skin": 10.0, "phase": pytest.approx(0.014)}  # b + σ/2 > z·σ; the skin's is left alone
    # both met alone but not together: the one with the lower share grows
    b = {"skin": 10.0, "phase": 0.01}
    assert _grow({"skin_in_spec": 0.92, "single_phase_alpha": 0.95, "skin_and_phase": 0.88}, 0.9, b, sd,
                 {"skin": 8.0, "phase": 0.008}, 1.28)
    assert b["skin"] == pytest.approx(14.0) and b["phase"] == 0.01
    assert not _grow({"skin_in_spec": 0.95, "single_phase_alpha": 0.95, "skin_and_phase": 0.92}, 0.9, b, sd,
                     {"skin": 8.0, "phase": 0.008}, 1.28)


@pytest.mark.integration
@pytest.mark.slow  # two optimisations and two 48-draw Monte Carlo checks (≈1-2 min)
def test_robust_optimum_is_more_conservative_and_meets_the_spec_at_the_stated_rate():
    """With the registry's standard errors (every fitted parameter's), the nominal optimum puts the skin near the
    edge of its window and the α phase margin near 0; at 90 % the robust one keeps both further inside, and the
    skin in spec, the skin single-phase α, and both, in ≥ 90 % of parameter draws (up to the binomial sampling
    error of 48 draws, 2·√(0.9·0.1/48) = 0.087)."""
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
    # the phase target: backed off by z·σ_m, met at least as often as asked, and more often than the nominal's
    tol = 2 * math.sqrt(0.9 * 0.1 / 48)
    assert r["phase_backoff_zn_frac"] > 0.0 and r["phase_margin_sd_zn_frac"] > 0.0
    assert res.checked["phase_margin_zn_frac"] <= -r["phase_backoff_zn_frac"] + 1e-3
    assert r["monte_carlo"]["single_phase_alpha"] >= 0.9 - tol
    assert r["monte_carlo"]["skin_and_phase"] >= 0.9 - tol
    assert r["monte_carlo"]["single_phase_alpha"] >= r["nominal_monte_carlo"]["single_phase_alpha"]
    assert "α phase margin ≤ −" in res.table()


@pytest.mark.integration
@pytest.mark.parametrize(("args", "field"), [
    (["--robust-samples", "20"], "--robust-samples"),
    (["--confidence", "0.9", "--pareto", "cost,throughput"], "--confidence"),
])
def test_optimize_confidence_options_are_checked(cli, args, field):
    code, _, err = cli("optimize", "--no-twin", *args)
    assert code == 2 and field in err
