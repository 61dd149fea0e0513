"""Optimizer pieces that need no solver: tables, targets, decision space, economics, results (unit tests)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from optimizer.economics import economics
from optimizer.pwl import GridTable, _sos2_sets
from optimizer.result import OptimizationResult
from optimizer.space import LineTime, SearchRanges, decision_space
from optimizer.surrogates import loading_range, vapour_law
from optimizer.targets import Targets, gauge_yield
from process_models.costing.pricing import LineEconomics, cost_per_m2
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.scenario import Scenario, apply_overrides, scenario_from_dict


@pytest.fixture(scope="module")
def params():
    return default_parameters()


def _table(shape: tuple[int, ...], seed: int = 0) -> GridTable:
    rng = np.random.default_rng(seed)
    axes = tuple(np.sort(rng.uniform(-1.0, 2.0, n)) for n in shape)
    t = GridTable("t", tuple(f"x{k}" for k in range(len(shape))), axes)
    return t.with_values({"f": rng.normal(size=shape)})


@pytest.mark.unit
@pytest.mark.parametrize("shape", [(5,), (3, 4), (3, 4, 5)])
def test_table_is_exact_at_vertices_and_reproduces_linear_functions(shape):
    t = _table(shape)
    V = t.vertices()
    assert np.allclose(t.interpolate(V)["f"], t.values["f"].ravel())
    c = np.arange(1, len(shape) + 1, dtype=float)
    lin = t.with_values({"g": (V @ c + 0.5).reshape(t.shape)})
    P = np.random.default_rng(1).uniform([a[0] for a in t.axes], [a[-1] for a in t.axes], (200, len(shape)))
    assert np.allclose(lin.interpolate(P)["g"], P @ c + 0.5)


@pytest.mark.unit
def test_kuhn_triangulation_counts_and_weights():
    t = _table((3, 4, 5))
    assert t.simplices().shape == (2 * 3 * 4 * math.factorial(3), 4)
    P = np.random.default_rng(2).uniform([a[0] for a in t.axes], [a[-1] for a in t.axes], (100, 3))
    verts, w = t.weights(P)
    assert np.all(w >= -1e-12) and np.allclose(w.sum(axis=1), 1.0)
    assert np.allclose(np.einsum("bk,bkd->bd", w, t.vertices()[verts]), P)  # barycentric coordinates


@pytest.mark.unit
def test_sos2_gray_code_sets_leave_exactly_one_segment():
    labels = np.arange(9)  # 9 values, 8 segments, 3 bits
    sets = _sos2_sets(labels)
    assert len(sets) == 3
    for code in range(8):
        bits = [(code >> j) & 1 for j in range(3)]
        banned = set()
        for (ones, zeros), b in zip(sets, bits, strict=True):
            banned |= set((zeros if b else ones).tolist())
        allowed = sorted(set(range(9)) - banned)
        assert len(allowed) == 2 and allowed[1] - allowed[0] == 1  # one segment: two neighbouring values


@pytest.mark.unit
@pytest.mark.parametrize(("kw", "field"), [
    ({"skin_thickness_nm": -1.0}, "skin_thickness_nm"),
    ({"skin_thickness_nm": 470.0, "tolerance_nm": 0.0}, "tolerance_nm"),
    ({"skin_thickness_nm": 470.0, "tolerance_nm": 500.0}, "tolerance_nm"),
    ({"skin_thickness_nm": 470.0, "min_texture_100": 1.5}, "min_texture_100"),
    ({"skin_thickness_nm": 470.0, "surface_zn_at_frac": (0.4, 0.3)}, "surface_zn_at_frac"),
    ({"skin_thickness_nm": 470.0, "objective": "speed"}, "objective"),
    ({"skin_thickness_nm": 470.0, "max_cost_per_m2": -2.0}, "max_cost_per_m2"),
])
def test_bad_targets_name_the_field(kw, field):
    with pytest.raises(FoiltwinInputError) as err:
        Targets(**kw)
    assert err.value.field.startswith(field)


@pytest.mark.unit
def test_targets_take_the_surface_window_from_the_scenario_spec():
    t = Targets(470.0).with_defaults(Scenario())
    assert t.surface_zn_at_frac == (Scenario().spec.surface_zn_at_frac_min, Scenario().spec.surface_zn_at_frac_max)


@pytest.mark.unit
def test_gauge_yield_limits_and_monotonicity():
    assert gauge_yield((420, 520), 470, 0.0) == 1.0
    assert gauge_yield((420, 520), 600, 0.0) == 0.0
    assert gauge_yield((420, 520), 420, 8.0) == pytest.approx(0.5, abs=1e-6)  # on the edge: half rejected
    tighter = [gauge_yield((470 - t, 470 + t), 470, 8.0) for t in (50, 30, 15, 5)]
    assert all(a > b for a, b in itertools.pairwise(tighter))


@pytest.mark.unit
def test_decision_space_comes_from_the_scenario_equipment(params):
    sc = apply_overrides(Scenario(), ["plant.lines.1.settings.stage2_zone_length_m=3.0",
                                      "plant.lines.1.settings.stage3_heater_length_mm=0.8"])
    sp = decision_space(sc, params)
    assert sp.stage2_zone_length_m == 3.0 and sp.stage3_heater_length_m == pytest.approx(0.8e-3)
    assert sp.zone_lengths_m[-1] == pytest.approx(3.0) and len(sp.zone_lengths_m) == sp.zone_modules
    assert sp.ed is not None and sp.ed.tank_count == 6
    assert set(sp.modes) == {"vapour_commercial", "vapour_electroformed", "plated_commercial"}
    lo, _hi = sp.pace_bounds_s_per_m()
    assert lo == pytest.approx(60.0 / SearchRanges().web_speed_m_per_min[1])
    assert sp.stage3_time_bounds_s()[0] == pytest.approx(0.8e-3 * lo)


@pytest.mark.unit
def test_plant_without_a_plating_line_has_only_the_commercial_vapour_mode(params):
    data = Scenario().model_dump(mode="python")
    data["plant"]["lines"] = [ln for ln in data["plant"]["lines"] if ln["type"] == "uht"]
    sp = decision_space(scenario_from_dict(data), params)
    assert sp.modes == ("vapour_commercial",) and sp.ed is None
    with pytest.raises(FoiltwinInputError):
        decision_space(scenario_from_dict(data), params, modes=("plated_commercial",))


@pytest.mark.unit
def test_search_range_outside_the_equipment_limits_is_refused(params):
    with pytest.raises(FoiltwinInputError) as err:
        decision_space(Scenario(), params, SearchRanges(stage2_temperature_K=(1200.0, 1300.0)))
    assert err.value.field == "stage2_temperature_K"


@pytest.mark.unit
def test_scheduled_time_is_linear_in_the_pace():
    lt = LineTime(downtime_per_operating_h=0.05, stops_per_operating_h=0.02, restart_ramp_s=60.0,
                  coil_change_s=600.0, coil_length_m=2000.0)
    a, b = lt.scheduled_s_per_m(1.0), lt.scheduled_s_per_m(3.0)
    assert lt.scheduled_s_per_m(2.0) == pytest.approx(0.5 * (a + b))
    assert lt.per_metre_s == pytest.approx((600.0 + 30.0) / 2000.0)


@pytest.mark.unit
def test_fixed_cost_per_hour_reproduces_the_costing_module(params):
    """The MILP's fixed cost = (cost per scheduled hour) × hours per m²: same number as the costing package."""
    e = economics(params, 10e-6)
    Q, A = 90.0, 0.9
    line = LineEconomics.default("uht", params, throughput_m2_per_h=Q, availability_frac=A, yield_frac=1.0)
    fixed = cost_per_m2({}, line, params).total_per_good_m2
    assert e.uht_fixed_per_h / (Q * A) == pytest.approx(fixed, rel=1e-9)


@pytest.mark.unit
def test_vapour_law_is_an_arrhenius_line(params):
    """ln(flux) of the Zn supply is linear in 1/T (Clausius–Clapeyron + Hertz–Knudsen): exact transform."""
    law = vapour_law(decision_space(Scenario(), params), params)
    assert law["b_K"] < -1e4  # −ΔH_vap/R ≈ −14 000 K for liquid Zn
    assert law["max_abs_ln_error"] < 0.1  # the solid/liquid kink at 692.7 K is the largest deviation


@pytest.mark.unit
def test_loading_range_brackets_the_seed_loading(params):
    lo, hi = loading_range((420.0, 520.0), params)
    assert lo < math.log(params["skin_reference_zn_loading_kg_per_m2"]) < hi


@pytest.mark.unit
def test_result_json_has_the_contract_keys_and_no_infinities():
    r = OptimizationResult(status="feasible", targets={}, cost_per_m2=float("inf"), verified={"x": float("nan")})
    d = r.to_dict()
    assert {"status", "settings", "predicted", "verified", "cost_per_m2", "mip_gap", "solve_seconds",
            "twin_iterations", "binding_constraints"} <= d.keys()
    assert d["cost_per_m2"] is None and d["verified"]["x"] is None
    json.dumps(d, allow_nan=False)


@pytest.mark.unit
def test_anneal_range_stops_where_wound_coils_stick_and_the_sticking_table_is_conservative(params):
    """The soak-temperature range ends at the wound-coil limit (or lower, where the shortest soak of the range would
    stick); ln t_max is concave in 1/T, so the table's chords stay below the closed form between knots."""
    from optimizer.blocks.furnace import anneal_gain_table, anneal_sticking_table
    from process_models.texture.coil_anneal import longest_soak_without_sticking_s
    from process_models.texture.texture_model import recrystallised_fraction

    space = decision_space(Scenario(), params)
    a = space.anneal
    assert a is not None and a.soak_temperature_K[1] <= params["coil_anneal_wound_max_soak_temperature_K"]
    assert longest_soak_without_sticking_s(a.soak_temperature_K[1], params)[0] >= a.soak_h[0] * 3600.0 * (1 - 1e-9)
    z_lo, z_hi = 1.0 / a.soak_temperature_K[1], 1.0 / a.soak_temperature_K[0]
    table = anneal_sticking_table(z_lo, z_hi, space, params)
    z = np.linspace(z_lo, z_hi, 401)[1:-1]
    true = np.log(longest_soak_without_sticking_s(1.0 / z, params))
    assert np.all(table.interpolate(z[:, None])["ln_t_max"] <= true + 1e-12)
    # the gain table under-states X (never over) and by less than 0.01 where X rises
    gain = anneal_gain_table(6.0, 12.0, 1.0, params)
    u = np.linspace(6.0, 12.0, 2001)
    x = np.asarray(recrystallised_fraction(np.exp(u), params))
    g = gain.interpolate(u[:, None])["gain_100"]
    assert np.all(g <= x + 1e-12) and np.max((x - g)[u > 6.0 + 0.25]) < 0.011  # (past the first, zero knot)


@pytest.mark.unit
def test_temperatures_read_back_as_reciprocals_stay_in_their_search_range():
    """The MILP holds 1/T; a solver's value a few ulp off its bound read 1323.1500000000005 K, which the coil-anneal
    model refuses (its range ends at 1323.15 K)."""
    from optimizer.solution import _within

    assert _within(1323.1500000000005, (1073.15, 1323.15)) == 1323.15
    assert _within(1100.0, (1073.15, 1323.15)) == 1100.0


@pytest.mark.unit
def test_candidates_are_named_and_scored_by_the_objectives_kpi_sense():
    from dataclasses import FrozenInstanceError, fields

    from optimizer.api import Candidate, _Run
    from optimizer.verify import Check

    assert [f.name for f in fields(Candidate)] == ["model", "handles", "solve", "point", "predicted", "check", "kind",
                                                 "fallback"]
    cheap_slow = Candidate(None, None, None, None, {}, Check({"cost_per_m2": 2.0, "throughput_m2_per_h": 10.0}))
    dear_fast = Candidate(None, None, None, None, {}, Check({"cost_per_m2": 3.0, "throughput_m2_per_h": 30.0}))
    with pytest.raises(FrozenInstanceError):
        cheap_slow.check = dear_fast.check  # type: ignore[misc]
    run = object.__new__(_Run)  # only the targets matter to the score
    for objective, best in (("cost", cheap_slow), ("weighted", cheap_slow), ("throughput", dear_fast)):
        run.targets = Targets(470.0, objective=objective)
        assert min((cheap_slow, dear_fast), key=run._score) is best


@pytest.mark.unit
def test_the_twin_check_runs_the_optimisers_stage3_peak_unrounded(params):
    """The twin check applies the point's peak as it is (the twin's own 1 K history grid is its only rounding):
    nothing snaps it to a coarse step that could leave the 10-20 K single-phase-α window."""
    from optimizer.solution import Point
    from optimizer.verify import twin_scenario

    sc = Scenario()
    space = decision_space(sc, params, modes=("vapour_commercial",))
    p = Point("vapour_commercial", 1.0, space.zone_modules, 750.0, 1142.37)
    tw = twin_scenario(space, Targets(480.0, 40.0).with_defaults(sc), p, 1.0, 1)
    uht = next(x for x in tw.plant.lines if x.name == space.uht_line)
    assert uht.settings.stage3_peak_K == 1142.37


@pytest.mark.unit
def test_a_tolerance_too_small_to_open_a_window_is_refused_not_a_pyomo_traceback():
    """``optimize --tolerance-nm 1e-300`` (found by a CLI fuzz): 470 ± 1e-300 nm is one float, no guard level of the
    skin window was left, and Pyomo raised on an empty 'one guard' sum. The target now refuses it, naming the least
    width; a tiny window that exists is still a target (the MILP may then find it infeasible)."""
    with pytest.raises(FoiltwinInputError) as err:
        Targets(skin_thickness_nm=470.0, tolerance_nm=1e-300)
    assert err.value.field == "tolerance_nm" and "no width" in err.value.allowed
    assert Targets(skin_thickness_nm=470.0, tolerance_nm=1e-9).skin_window_nm[0] < 470.0
