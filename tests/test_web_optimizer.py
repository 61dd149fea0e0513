"""Tension as an optimiser decision with the break risk as a constraint (issue 14 item 2)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyomo.environ as pyo
import pytest

from optimizer import Targets, solver_available
from optimizer.api import coarse_surrogates
from optimizer.economics import economics
from optimizer.model import build_model
from optimizer.solution import read_point
from optimizer.solve import solve
from optimizer.space import decision_space
from optimizer.verify import check_with_models, twin_scenario
from optimizer.web_tension import add_web_tension, web_check, web_misses, zone_rows
from process_models.web.handling import WebBreakModel
from twin.scenario import Scenario
from twin.simulate import build_parameters

U = pyo.units
SC = Scenario()
P = build_parameters(SC)
D = 10e-6
needs_highs = pytest.mark.skipif(not solver_available(), reason="HiGHS (appsi_highs) is not available")


@pytest.mark.unit
@pytest.mark.parametrize("overrides", [{}, {"cu_jc_thermal_softening_exponent_frac": 0.6},
                                       {"web_break_weibull_modulus_frac": 5.0}])
def test_rows_are_conservative_and_tight(overrides):
    """On a fine grid the upper rows' envelope never exceeds the model's largest tension and the lower rows' cover
    never falls below its slack limit — also for a non-concave law (m < 1) — and both stay close (upper, for the
    cited concave law: 2 % of its range; lower, one tangent: 3 % of the limit)."""
    params = P.with_overrides(overrides) if overrides else P
    model = WebBreakModel.from_values(params)
    h_max = params["web_break_hazard_limit_per_m"]
    rows = zone_rows(model, (900.0, 1250.0), D, h_max)
    T = np.linspace(900.0, 1250.0, 5001)
    lo, hi = model.tension_limits_N_per_m(T, D, h_max)
    a, b = rows["upper"]
    upper = np.min(a[:, None] + b[:, None] * T, axis=0)
    a, b = rows["lower"]
    lower = np.max(a[:, None] + b[:, None] * T, axis=0)
    assert np.all(upper <= hi + 1e-9) and np.all(lower >= lo - 1e-9)
    assert np.max(lower - lo) < 0.03 * lo.max()
    if "cu_jc_thermal_softening_exponent_frac" not in overrides:  # concave: the chords are the interpolant
        assert np.max(hi - upper) < 0.02 * (hi.max() - hi.min())


@pytest.mark.unit
def test_largest_tension_is_the_hazard_limit_or_the_yield():
    model = WebBreakModel.from_values(P)
    h_max = 1e-6
    r = model.ratio_at_hazard(h_max)
    assert model.hazard_per_m(r) == pytest.approx(h_max, rel=1e-12)
    _, hi = model.tension_limits_N_per_m(1100.0, D, h_max)
    assert hi == pytest.approx(D * min(r * model.strength.tensile_Pa(1100.0), model.strength.yield_Pa(1100.0)))
    _, strict = model.tension_limits_N_per_m(1100.0, D, 1e-30)  # a strict risk limit: the hazard row binds
    assert strict == pytest.approx(D * model.ratio_at_hazard(1e-30) * model.strength.tensile_Pa(1100.0), rel=1e-12)


def _small_model(T3_fixed: float | None = None):
    space = decision_space(SC, P)
    m = pyo.ConcreteModel()
    m.T2 = pyo.Var(bounds=space.stage2_temperature_K, units=U.K)
    m.T3 = pyo.Var(bounds=space.stage3_peak_K, units=U.K)
    m.T2.fix(750.0)
    if T3_fixed is not None:
        m.T3.fix(T3_fixed)
    add_web_tension(m, space, P, {"stage2": (m.T2, space.stage2_temperature_K), "stage3": (m.T3, space.stage3_peak_K)})
    return m, space


@needs_highs
@pytest.mark.component
def test_milp_tension_meets_the_models_limits():
    model = WebBreakModel.from_values(P)
    h_max = P["web_break_hazard_limit_per_m"]
    m, space = _small_model(1100.0)
    m.obj = pyo.Objective(expr=m.web.F["stage3"] / (U.N / U.m), sense=pyo.maximize)
    assert solve(m).status == "optimal"
    f3 = pyo.value(m.web.F["stage3"])
    _, hi = model.tension_limits_N_per_m(1100.0, D, h_max)
    assert f3 <= hi and f3 == pytest.approx(float(hi), rel=0.01)
    # the hottest peak the break risk, the yield and the slack limit leave: at it the window has closed
    m, space = _small_model()
    m.obj = pyo.Objective(expr=m.T3 / U.K, sense=pyo.maximize)
    assert solve(m).status == "optimal"
    t3, f3 = pyo.value(m.T3), pyo.value(m.web.F["stage3"])
    lo, hi = model.tension_limits_N_per_m(t3, D, h_max)
    assert lo <= f3 <= hi
    if t3 < space.stage3_peak_K[1] - 1e-6:
        assert hi - lo < 0.02 * hi


@needs_highs
@pytest.mark.component
def test_optimiser_decides_the_tensions_and_the_models_check_them():
    targets = Targets(470.0, 50.0).with_defaults(SC)
    space = decision_space(SC, P)  # the space and window of test_optimizer_model: its cached tables serve here
    s = coarse_surrogates(space, P, targets.skin_window_nm, held_out=False)
    e = economics(P, space.foil_thickness_m)
    m, h = build_model(space, s, targets, e, P)
    assert solve(m).status == "optimal"
    p = read_point(m, h)
    lim = SC.plant.lines[space.uht_index].web_tension_limits
    for name in ("stage2_web_tension_N_per_m", "stage3_web_tension_N_per_m"):
        assert lim.min_N_per_m <= getattr(p, name) <= lim.max_N_per_m
        assert p.settings(space)["uht"][name] == getattr(p, name)
    k = check_with_models(space, P, e, targets, p).kpis
    assert k["web_break_hazard_per_m"] <= P["web_break_hazard_limit_per_m"]
    assert k["web_yield_margin_frac"] >= 0.0 and k["web_slack_margin_N_per_m"] >= -1e-6
    assert web_misses(k) == []
    twin = twin_scenario(space, targets, p, 1.0, 1).plant.lines[-1].settings
    assert twin.stage3_web_tension_N_per_m == p.stage3_web_tension_N_per_m
    # a point whose tension breaks the risk limit is named by the check
    bad = replace(p, stage3_web_tension_N_per_m=lim.max_N_per_m)
    kb = web_check(P, space.foil_thickness_m, bad.web_tensions(), bad.stage2_temperature_K, bad.stage3_peak_K)
    assert any(x.startswith(("web_break_risk", "web_yield")) for x in web_misses(kb))
