"""Web breaks as line events in the twin, and zones too hot for their tension (issue 14 item 2)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.web.handling import WebBreakModel, web_margins
from twin.scenario import Scenario, apply_overrides
from twin.simulate import run_single
from twin.web_breaks import WebBreakClock

P = default_parameters()
QUIET = [  # no failures, no maintenance, no coil changes within the run, no restart ramps
    "plant.lines.0.equipment=[]", "plant.lines.0.maintenance={every_h = 1e5, duration_h = 1.0}",
    "plant.incoming_coils.length_m=1e5", "plant.lines.0.restart_ramp_s=0.0",
]
BREAKY = [  # a steep-enough, frequent-enough break law to count a few tens of breaks in hours (the peak pinned:
    # the hazard depends on it, and the default line's set point is chosen for the skin, not for this test)
    "plant.lines.0.settings.stage3_peak_K=1100.0", "plant.lines.0.settings.stage3_web_tension_N_per_m=150",
    "plant.lines.0.web_breaks.rethread_min=2.0",
    "plant.lines.0.web_breaks.scrap_m=2.0",
    "parameters={web_break_weibull_modulus_frac = 8.0, web_break_gauge_length_m = 0.01}",
]


def scenario(*overrides: str, hours: float = 12.0):
    return apply_overrides(Scenario(), [f"hours={hours}", "plant.lines=[{type = 'uht'}]", *QUIET, *overrides])


@pytest.mark.unit
def test_the_clock_hazard_is_the_models():
    clock = WebBreakClock(P, np.random.default_rng(0), 10e-6)
    model = WebBreakModel.from_values(P)
    for F2, F3, T2, T3 in [(60.0, 60.0, 750.0, 1049.0), (200.0, 80.0, 900.0, 1000.0), (40.0, 280.0, 700.0, 1120.0)]:
        ref = web_margins(model, {"stage2": F2, "stage3": F3}, {"stage2": T2, "stage3": T3}, 10e-6).breaks_per_m[0]
        assert clock.hazard_per_m((F2, F3), (T2, T3)) == pytest.approx(ref, rel=1e-12)


@pytest.mark.unit
def test_break_count_over_a_long_web_matches_the_model_within_its_poisson_error():
    """1e6 m of web with a hazard that changes at 2000 random points: the count of breaks is Poisson with mean
    ∫h dX; it must lie within 4 standard deviations, and re-reading an unchanged hazard must not change it."""
    rng = np.random.default_rng(7)
    X_change = np.sort(rng.uniform(0.0, 1e6, 2000))
    h = rng.uniform(0.0, 4e-3, X_change.size)
    counts = []
    for rereads in (1, 3):
        clock = WebBreakClock(P, np.random.default_rng(11), 10e-6)
        for X_at, h_new in [*zip(X_change, h, strict=True), (1e6, 0.0)]:
            while clock.next_X <= X_at:
                clock.fire(clock.next_X)
            for _ in range(rereads):
                clock.set_hazard(X_at, h_new)
        counts.append(clock.breaks)
        expected = float(np.sum(h * np.diff(np.append(X_change, 1e6))))
        assert clock.expected == pytest.approx(expected, rel=1e-9)
        assert abs(clock.breaks - expected) < 4.0 * math.sqrt(expected)
    assert counts[0] == counts[1]


@pytest.fixture(scope="module")
def breaky_run():
    sc = scenario(*BREAKY, hours=12.0)
    return sc, run_single(sc)


@pytest.mark.integration
def test_twin_break_count_matches_the_model_and_costs_time_and_web(breaky_run):
    _sc, report = breaky_run
    line = report["lines"]["uht-1"]
    n, mu = line["web_breaks"], line["web_breaks_expected"]
    assert mu > 10.0
    assert abs(n - mu) < 4.0 * math.sqrt(mu)  # Poisson bound
    # the model's expectation: the hazard at the delivered temperatures (which the controller moves) over the metres
    assert 0.5 * line["web_break_hazard_per_m_max"] * line["metres_in"] < mu
    assert mu <= line["web_break_hazard_per_m_max"] * line["metres_in"] * (1.0 + 1e-12)
    # each break stops the line to re-thread and scraps the web around it
    # (the last re-thread may still be running when the horizon ends: it counts only up to the end)
    assert (n - 1) * 2.0 / 60.0 < line["state_hours"]["breakdown"] <= n * 2.0 / 60.0 * (1.0 + 1e-9)
    assert 0.0 < line["metres_scrap_web_breaks"] <= n * 2.0 + 1e-9
    assert line["metres_scrap"] >= line["metres_scrap_web_breaks"]
    quiet = run_single(scenario(*BREAKY, "plant.lines.0.web_breaks.enabled=false", hours=12.0))["lines"]["uht-1"]
    assert quiet["web_breaks"] == 0 and quiet["state_hours"]["breakdown"] == 0.0
    assert quiet["web_breaks_expected"] > 10.0  # the hazard is still reported


@pytest.mark.integration
def test_breaks_are_deterministic_for_a_seed(breaky_run):
    sc, report = breaky_run
    again = run_single(sc)
    assert json.dumps(again, sort_keys=True) == json.dumps(report, sort_keys=True)
    other = run_single(apply_overrides(sc, ["seed=5"]))["lines"]["uht-1"]
    assert other["web_breaks_expected"] == pytest.approx(report["lines"]["uht-1"]["web_breaks_expected"], rel=0.05)


@pytest.mark.integration
def test_a_zone_too_hot_for_its_tension_is_reported_not_silently_scrapped():
    hot = scenario("plant.lines.0.settings.stage3_web_tension_N_per_m=250", "plant.lines.0.web_breaks.enabled=false",
                   hours=2.0)
    line = run_single(hot)["lines"]["uht-1"]
    assert any("stage3 too hot for its tension" in w for w in line["web_warnings"])
    assert line["web_hours_too_hot_for_tension"] == pytest.approx(line["state_hours"]["production"], rel=1e-6)
    assert line["web_breaks"] == 0 and line["metres_scrap_web_breaks"] == 0.0  # reported, not scrapped
    ok = run_single(scenario(hours=2.0))["lines"]["uht-1"]
    assert ok["web_warnings"] == [] and ok["web_hours_too_hot_for_tension"] == 0.0
    assert ok["web_breaks"] == 0 and ok["web_break_hazard_per_m_max"] < 1e-12


@pytest.mark.integration
def test_a_web_without_strength_left_breaks_once_per_metre_and_the_run_ends():
    """A stage-III peak near the melting point leaves almost no strength (at 1356 K none: an infinite hazard); the
    sampled hazard is capped at one break per metre run, so the line re-threads again and again but the run ends."""
    line = run_single(scenario("plant.lines.0.settings.stage3_peak_K=1357.0",
                               "plant.lines.0.web_breaks.rethread_min=1.0", "plant.lines.0.web_breaks.scrap_m=1.0",
                               hours=1.0))["lines"]["uht-1"]
    assert line["web_break_hazard_per_m_max"] > 1.0
    mu = line["web_breaks_expected"]
    assert mu == pytest.approx(line["metres_in"], rel=1e-6)  # one per metre run
    assert abs(line["web_breaks"] - mu) < 4.0 * math.sqrt(mu)
