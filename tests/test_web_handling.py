"""Web handling physics: hot strength of Cu foil, stress margins, Weibull breaks, slack limit (issue 14 item 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.web_heater import solve_web_heater
from process_models.web.handling import (
    LN2,
    WebBreakModel,
    break_probability_per_m,
    margin_along,
    web_margins,
)
from process_models.web.strength import FoilStrength, foil_strength, necking_strain

P = default_parameters()
D = 10e-6


@pytest.mark.unit
def test_margin_falls_as_temperature_rises():
    model = WebBreakModel.from_values(P)
    T = np.linspace(300.0, 1340.0, 60)
    m = margin_along(model, 80.0, D, T)
    assert np.all(np.diff(m["yield_margin_frac"]) < 0.0)
    assert np.all(np.diff(m["tensile_margin_frac"]) < 0.0)
    s = foil_strength(P, T)
    assert np.all(np.diff(s["yield_Pa"]) < 0.0) and np.all(np.diff(s["tensile_Pa"]) < 0.0)
    assert np.all(np.diff(s["youngs_modulus_Pa"]) < 0.0)


@pytest.mark.unit
def test_strength_limits_and_room_temperature_cross_check():
    s = FoilStrength.from_values(P)
    # below the law's reference temperature no strength is gained; at the melting point none is left
    assert s.tensile_Pa(200.0) == pytest.approx(s.tensile_rt_Pa, rel=1e-12)
    assert s.tensile_Pa(1356.0) == 0.0 and s.yield_Pa(1400.0) == 0.0
    # Johnson-Cook's OFHC law (fitted on torsion and Hopkinson-bar data) against an independent handbook value:
    # annealed OFHC strip, UTS 216 MPa (Smithells2004 Table 22.7), bulk (foil factor 1) at the quasi-static rate
    bulk = FoilStrength.from_values(P.with_overrides({"cu_foil_strength_factor_frac": 1.0}))
    assert bulk.tensile_rt_Pa == pytest.approx(216e6, rel=0.2)
    assert bulk.tensile_rt_Pa / bulk.yield_rt_Pa > 2.0  # annealed Cu work-hardens strongly


@pytest.mark.unit
def test_considere_necking_strain_closed_forms():
    assert necking_strain(0.0, 300e6, 0.31) == pytest.approx(0.31, rel=1e-12)  # σ = Bεⁿ necks at ε = n
    A, B, n = 90e6, 292e6, 0.31
    e = necking_strain(A, B, n)
    assert n * B * e ** (n - 1.0) == pytest.approx(A + B * e**n, rel=1e-10)  # Considère: dσ/dε = σ
    assert necking_strain(90e6, 0.0, 0.31) == 0.0


@pytest.mark.unit
def test_weibull_hazard_closed_form():
    model = WebBreakModel.from_values(P)
    beta, lg = P["web_break_weibull_modulus_frac"], P["web_break_gauge_length_m"]
    r = np.array([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
    h = model.hazard_per_m(r)
    np.testing.assert_allclose(h, math.log(2.0) / lg * r**beta, rtol=1e-14)
    # the tensile strength is the median strength of a gauge length: it breaks with probability 1/2
    assert 1.0 - math.exp(-model.hazard_per_m(1.0) * lg) == pytest.approx(0.5, rel=1e-12)
    big = h > 1e-3
    np.testing.assert_allclose(break_probability_per_m(h[big]), 1.0 - np.exp(-h[big]), rtol=1e-12)
    np.testing.assert_allclose(break_probability_per_m(h[~big]), h[~big], rtol=1e-3)  # rare: P ≈ h·1 m
    # the web's hazard is the one at its largest stress ratio
    T3 = 1049.0
    res = web_margins(model, {"stage2": 60.0, "stage3": 250.0}, {"stage2": 750.0, "stage3": T3}, D)
    ratio = 250.0 / D / model.strength.tensile_Pa(T3)
    assert res.breaks_per_m[0] == pytest.approx(LN2 / lg * ratio**beta, rel=1e-12)
    assert res.limiting_zone[0] == "stage3"


@pytest.mark.unit
def test_break_hazard_responds_to_its_assumptions():
    base = WebBreakModel.from_values(P)
    weaker = WebBreakModel.from_values(P.with_overrides({"cu_foil_strength_factor_frac": 0.425}))
    assert weaker.strength.tensile_Pa(900.0) == pytest.approx(0.5 * base.strength.tensile_Pa(900.0), rel=1e-12)
    r_base = base.stress_ratio(150.0, D, 1049.0)
    assert weaker.stress_ratio(150.0, D, 1049.0) == pytest.approx(2.0 * r_base, rel=1e-12)
    steep = WebBreakModel.from_values(P.with_overrides({"web_break_weibull_modulus_frac": 40.0}))
    assert steep.hazard_per_m(r_base) < base.hazard_per_m(r_base)  # r < 1: a narrower scatter breaks less


@pytest.mark.unit
def test_limits_of_the_margins():
    model = WebBreakModel.from_values(P)
    res = web_margins(model, {"stage3": 0.0}, {"stage3": 1000.0}, D)
    assert res.breaks_per_m[0] == 0.0 and res.zones["stage3"].tensile_margin_frac[0] == 1.0
    melt = web_margins(model, {"stage3": 10.0}, {"stage3": 1356.0}, D)
    assert melt.break_probability_per_m[0] == 1.0  # no strength left: the web parts
    # thicker foil, same tension: lower stress, lower hazard
    thin, thick = web_margins(model, {"stage3": 200.0}, {"stage3": 1049.0}, np.array([8e-6, 16e-6])).breaks_per_m
    assert thick < thin
    with pytest.raises(FoiltwinInputError, match=r"web_tension_N_per_m\.stage3"):
        web_margins(model, {"stage3": -5.0}, {"stage3": 1000.0}, D)


@pytest.mark.unit
def test_slack_limit_at_low_tension():
    model = WebBreakModel.from_values(P)
    assert model.slack_tension_N_per_m(P["ambient_temperature_K"], D) == 0.0  # no rise, no slack lane
    T = 1049.0
    E = model.strength.youngs_modulus_Pa(T)
    expected = E * P["cu_thermal_expansion_per_K"] * P["web_cross_temperature_nonuniformity_frac"] * (
        T - P["ambient_temperature_K"]) * D
    assert model.slack_tension_N_per_m(T, D) == pytest.approx(expected, rel=1e-12)
    low = web_margins(model, {"stage3": 0.5 * expected}, {"stage3": T}, D)
    assert any("slack" in w for w in low.warnings[0])
    ok = web_margins(model, {"stage3": 1.5 * expected}, {"stage3": T}, D)
    assert ok.warnings[0] == []


@pytest.mark.unit
def test_zone_too_hot_for_its_tension_is_named():
    model = WebBreakModel.from_values(P)
    y = float(model.strength.yield_Pa(1049.0))
    res = web_margins(model, {"stage2": 60.0, "stage3": 1.2 * y * D}, {"stage2": 750.0, "stage3": 1049.0}, D)
    assert res.zones["stage3"].yield_margin_frac[0] < 0.0
    assert any("stage3 too hot for its tension" in w for w in res.warnings[0])


@pytest.mark.component
def test_margins_along_the_moving_web_profile_and_bulk_equals_single():
    web = solve_web_heater(5.0 / 60.0, 2.5e-3, D, peak_K=1049.0)
    _t, T, _ = web.history()
    model = WebBreakModel.from_values(P)
    m = margin_along(model, 150.0, D, T[0])
    assert int(np.argmin(m["tensile_margin_frac"])) == int(np.argmax(T[0]))  # the least margin is at the peak
    tensions = np.array([60.0, 150.0, 250.0])
    bulk = web_margins(model, {"stage3": tensions}, {"stage3": np.repeat(T, 3, axis=0)}, D)
    for b, F in enumerate(tensions):
        one = web_margins(model, {"stage3": F}, {"stage3": T}, D)
        assert one.breaks_per_m[0] == pytest.approx(bulk.breaks_per_m[b], rel=1e-9)
        assert one.zones["stage3"].slack_tension_N_per_m[0] == pytest.approx(
            bulk.zones["stage3"].slack_tension_N_per_m[b], rel=1e-9)
