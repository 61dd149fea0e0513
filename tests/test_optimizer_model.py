"""The MILP on HiGHS: formulation known answers, units, monotonicity, infeasibility, surrogate error (component)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import replace

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.util.check_units import assert_units_consistent
from shared_caches import OPTIMISER_CACHE

from optimizer import Targets, TargetsInfeasibleError, optimize, solver_available
from optimizer.api import coarse_surrogates, corrected_prediction
from optimizer.blocks.pace import PACE_STEP_LN, pace_table
from optimizer.economics import economics
from optimizer.model import Corrections, build_model
from optimizer.pwl import GridTable, add_table, output
from optimizer.solution import binding, predicted, read_point
from optimizer.solve import solve
from optimizer.space import decision_space
from optimizer.verify import check_with_models
from process_models.parameters import default_parameters
from twin.scenario import Scenario
from twin.simulate import build_parameters

pytestmark = pytest.mark.skipif(not solver_available(), reason="HiGHS (appsi_highs) is not available")
U = pyo.units


CACHE = OPTIMISER_CACHE  # the optimiser modules share their plant's tables (tests/shared_caches.py)


@pytest.fixture(scope="module")
def plant():
    sc = Scenario()
    params = build_parameters(sc)
    targets = Targets(470.0, 50.0).with_defaults(sc)
    return sc, params, targets


@pytest.fixture(scope="module")
def all_modes(plant):
    sc, params, targets = plant
    space = decision_space(sc, params)
    return space, coarse_surrogates(space, params, targets.skin_window_nm, held_out=False, cache=CACHE)


# ------------------------------------------------------------------------------------------------ known answers
@pytest.mark.component
@pytest.mark.parametrize("shape", [(7,), (4, 5), (3, 4, 4)])
def test_pwl_milp_finds_the_interpolant_optimum(shape):
    """Known answer: the MILP optimum of a table is the best interpolated point (brute force on a fine grid
    can only be worse), and the solved outputs equal the interpolant at the solved coordinates."""
    rng = np.random.default_rng(len(shape))
    axes = tuple(np.sort(rng.uniform(0.0, 1.0, n)) for n in shape)
    t = GridTable("t", tuple(f"x{k}" for k in range(len(shape))), axes)
    t = t.with_values({"f": rng.normal(size=shape), "g": rng.normal(size=shape)})
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(len(shape)))
    m.tab = pyo.Block()
    add_table(m.tab, t, {f"x{k}": (m.x[k], U.dimensionless) for k in range(len(shape))},
              {"f": U.dimensionless, "g": U.dimensionless})
    c = rng.normal(size=len(shape))
    m.cap = pyo.Constraint(expr=output(m.tab, "g") <= 0.3)
    m.obj = pyo.Objective(expr=output(m.tab, "f") + sum(c[k] * m.x[k] for k in range(len(shape))))
    out = solve(m, mip_gap=1e-9)
    assert out.status == "optimal"
    x = np.array([[pyo.value(m.x[k]) for k in range(len(shape))]])
    ip = t.interpolate(x)
    assert pyo.value(output(m.tab, "f")) == pytest.approx(ip["f"][0], abs=1e-7)
    n = {1: 2001, 2: 201, 3: 41}[len(shape)]
    G = np.stack(np.meshgrid(*[np.linspace(a[0], a[-1], n) for a in axes], indexing="ij"), -1).reshape(-1, len(shape))
    ip_grid = t.interpolate(G)
    brute = np.where(ip_grid["g"] <= 0.3, ip_grid["f"] + G @ c, np.inf).min()
    assert out.objective <= brute + 1e-7
    assert out.objective >= brute - 0.05 * (1.0 + abs(brute))  # and the grid gets close to it


@pytest.mark.component
def test_exp_table_chord_error_is_as_documented():
    """Known answer: min pace s.t. ln pace ≥ c gives e^c within the chord bound (Δ ln p)²/8."""
    t = pace_table(10.0, 300.0, "p")
    d = (math.log(300.0) - math.log(10.0)) / (t.axes[0].size - 1)
    tt = np.linspace(0.0, 1.0, 10001)
    chord = float(np.max(((1.0 - tt) + tt * math.exp(d)) * np.exp(-tt * d)) - 1.0)  # exact worst relative chord
    assert d <= PACE_STEP_LN and chord < 1e-3 and chord == pytest.approx(d * d / 8.0, rel=0.05)
    for c in np.linspace(math.log(10.0), math.log(300.0), 9):
        m = pyo.ConcreteModel()
        m.u = pyo.Var(bounds=(math.log(10.0), math.log(300.0)))
        m.tab = pyo.Block()
        add_table(m.tab, t, {"ln_pace": (m.u, U.dimensionless)}, {"pace": U.s / U.m})
        m.lo = pyo.Constraint(expr=m.u >= c)
        m.obj = pyo.Objective(expr=output(m.tab, "pace") * U.m / U.s)
        assert solve(m).status == "optimal"
        assert math.exp(c) * (1.0 - 1e-9) <= out_val(m) <= math.exp(c) * (1.0 + chord + 1e-9)


def out_val(m: pyo.ConcreteModel) -> float:
    return float(pyo.value(output(m.tab, "pace")))


@pytest.mark.component
def test_units_are_consistent_in_the_full_and_the_elastic_model(plant, all_modes):
    _sc, params, targets = plant
    space, s = all_modes
    e = economics(params, space.foil_thickness_m)
    full = replace(targets, min_texture_100=0.05, min_throughput_m2_per_h=10.0, max_cost_per_m2=50.0,
                   max_overpotential_mV=60.0)
    for elastic in (False, True):
        m, _ = build_model(space, s, full, e, params, elastic=elastic)
        assert_units_consistent(m)
        for v in m.component_data_objects(pyo.Var):  # every Var has units and (finite) bounds
            assert pyo.units.get_units(v) is not None, v.name
            assert v.fixed or (v.lb is not None and v.ub is not None), v.name


@pytest.mark.component
def test_mode_choice_known_answer(plant, all_modes):
    """Buying foil (≈1 USD/m²) is cheaper than running the plating line (its fixed costs alone are ≈3 USD/m² at
    100 m²/h), so the plain target picks commercial foil; a (100) share above the commercial foil's 0.08 is met by
    annealing the coils (≈0.3 USD/m²) where the plant has a furnace, and forces the electroformed substrate (up to
    0.10) where it has none."""
    _sc, params, targets = plant
    space, s = all_modes
    e = economics(params, space.foil_thickness_m)
    assert e.ed_fixed_per_h / 100.0 > e.foil_per_m2()
    m, h = build_model(space, s, targets, e, params)
    assert solve(m).status == "optimal" and read_point(m, h).mode == "vapour_commercial"
    m, h = build_model(space, s, replace(targets, min_texture_100=0.09), e, params)
    assert solve(m).status == "optimal"
    p = read_point(m, h)
    assert p.mode == "vapour_commercial" and p.annealed
    m, h = build_model(dataclasses.replace(space, anneal=None), s, replace(targets, min_texture_100=0.09), e, params)
    assert solve(m).status == "optimal"
    p = read_point(m, h)
    assert p.mode == "vapour_electroformed" and not p.annealed


@pytest.mark.component
def test_surrogate_cost_matches_the_cost_formula_at_its_own_point(plant, all_modes):
    """The MILP's cost per processed m² is the economics formula of the process-model check, up to the
    surrogate's energy/Zn error (small: fixed costs dominate)."""
    _sc, params, targets = plant
    space, s = all_modes
    space = space.restricted(("vapour_commercial",))
    e = economics(params, space.foil_thickness_m)
    m, h = build_model(space, s, targets, e, params)
    assert solve(m).status == "optimal"
    p = read_point(m, h)
    pred = predicted(m, h, p)
    chk = check_with_models(space, params, e, targets, p)
    assert pred["cost_per_processed_m2"] == pytest.approx(chk.kpis["cost_per_processed_m2"], rel=0.02)


@pytest.mark.component
def test_the_predicted_phase_reads_the_margin_the_alpha_row_holds(plant, all_modes):
    """With a phase-margin correction learnt from the models, the α row holds table margin + correction ≤ 0, so
    the prediction reported beside the check must add it too: the raw table margin at such a point is the
    correction's size above 0, i.e. "not alpha" for a point the MILP kept single-phase."""
    _sc, params, targets = plant
    space, s = all_modes
    space = space.restricted(("vapour_commercial",))
    e = economics(params, space.foil_thickness_m)
    shift = -0.004  # the models' margin is 0.004 below the table's (a table that calls too little α)
    cor = Corrections(margin={"vapour": shift})
    m, h = build_model(space, s, targets, e, params, corrections=cor)
    assert solve(m).status == "optimal"
    p = read_point(m, h)
    raw, pred = predicted(m, h, p), corrected_prediction(cor, m, h, p)
    assert pred["phase_margin_zn_frac"] == pytest.approx(raw["phase_margin_zn_frac"] + shift, abs=1e-12)
    assert pred["single_phase_alpha"]
    assert pred["phase_margin_zn_frac"] <= 1e-6
    assert "single_phase_alpha" in " ".join(binding(m, h, p))  # the row binds (α holds the default optimum) ...
    assert raw["phase_margin_zn_frac"] == pytest.approx(-shift, abs=1e-5)  # ... so the raw table says "not α"
    assert not raw["single_phase_alpha"]


@pytest.mark.component
def test_tightening_the_tolerance_never_lowers_the_optimal_cost(plant):
    """Same surrogates (built for the widest window), tolerances 60 → 10 nm: the optimum can only get dearer
    (the window shrinks and the gauge yield falls)."""
    sc, params, _ = plant
    space = decision_space(sc, params, modes=("vapour_commercial",))
    e = economics(params, space.foil_thickness_m)
    s = coarse_surrogates(space, params, (410.0, 530.0), held_out=False, cache=CACHE)
    costs = []
    for tol in (60.0, 40.0, 25.0, 10.0):
        t = Targets(470.0, tol).with_defaults(sc)
        m, _h = build_model(space, s, t, e, params)
        out = solve(m, mip_gap=1e-6)
        assert out.status == "optimal"
        costs.append(out.objective)
    assert all(b >= a * (1.0 - 1e-6) for a, b in itertools.pairwise(costs)), costs
    assert costs[-1] > costs[0]  # 10 nm against an 8 nm gauge costs yield


@pytest.mark.component
def test_infeasible_by_construction_names_the_conflicting_targets(plant):
    """(100) ≥ 0.95 is out of reach: the wound coils take no programme beyond ≈ 0.67 of (100) without sticking their
    wraps (the cube state's 0.90 would need a hotter or longer anneal; the MILP's texture is a lower bound, so it
    gives way by ≈ 0.29); throughput 170 m²/h with single-phase α is out of reach too (the stage-II heat-up share
    caps the line near 154 m²/h; the stage-III zone reaches its peak up to the heater's power limit, no longer an
    assumed 1e5 K/s ramp)."""
    sc, _params, targets = plant
    with pytest.raises(TargetsInfeasibleError) as err:
        optimize(replace(targets, min_texture_100=0.95), sc, verify_twin=False, held_out=False, cache=CACHE)
    r = err.value.result
    assert r.status == "infeasible" and r.infeasibility["conflicting_targets"] == ["min_texture_100"]
    assert r.infeasibility["violations"]["min_texture_100"]["amount"] == pytest.approx(0.95 - 0.66, abs=0.02)
    assert r.infeasibility["nearest_point"]["settings"]["coil_anneal"] is not None
    assert r.infeasibility["nearest_point"]["settings"]["uht"]["web_speed_m_per_min"] > 0
    r = optimize(replace(targets, min_throughput_m2_per_h=170.0), sc, modes=("vapour_commercial",),
                 verify_twin=False, held_out=False, raise_infeasible=False, cache=CACHE)
    assert r.status == "infeasible"
    assert "min_throughput_m2_per_h" in r.infeasibility["conflicting_targets"]
    # the nearest point gives up throughput down to the line's cap (stage-II heat-up share at full speed)
    assert 5.0 < r.infeasibility["violations"]["min_throughput_m2_per_h"]["amount"] < 40.0


@pytest.mark.component
def test_surrogate_error_is_reported_and_below_the_documented_bound(plant):
    """docs/optimizer.md claims: at the recommendation the surrogate's skin is within max(tolerance/4, 3 nm) of
    the process models, and on held-out samples of the final local table, in the usable region, the p95 skin
    error is ≤ 25 nm and the stage-II ln(loading) p95 error ≤ 0.05."""
    sc, _params, targets = plant
    r = optimize(targets, sc, modes=("vapour_commercial",), verify_twin=False, held_out=True, cache=CACHE)
    assert abs(r.predicted["skin_thickness_nm"] - r.checked["skin_thickness_nm"]) <= max(targets.tolerance_nm / 4,
                                                                                        3.0)
    fe = r.surrogate["final_errors"]
    assert fe["skin_vapour"]["skin_nm_usable"]["p95_abs"] <= 25.0
    assert fe["stage2"]["ln_loading_usable"]["p95_abs"] <= 0.05
    assert r.surrogate["coarse_errors"]["skin_vapour"]["skin_nm"]["n"] > 0  # the coarse tables' errors too


P_DEFAULT = default_parameters()


@pytest.mark.component
def test_a_cube_texture_target_is_met_by_annealing_the_coils(plant):
    """(100) ≥ 0.6: only the coil furnace reaches it (UHT heat recrystallises ~1e-7); the MILP's texture is a
    lower bound (soak only, lagged JMAK table), the models' (ramps included) meets the target, and the anneal
    costs something; without a furnace the same target is infeasible. (Predicted ≤ checked held only when the MILP
    optimum sat exactly on its texture row.)"""
    sc, _params, targets = plant
    base = optimize(targets, sc, modes=("vapour_commercial",), verify_twin=False, held_out=False, cache=CACHE)
    r = optimize(replace(targets, min_texture_100=0.6), sc, modes=("vapour_commercial",), verify_twin=False,
                 held_out=False, cache=CACHE)
    a = r.settings["coil_anneal"]
    assert r.status == "optimal" and a is not None and base.settings["coil_anneal"] is None
    # the MILP's texture is read at its own soak, the models' at the soak cut to the least that reaches the target
    # (verify.least_soak), so the two are at different soaks: each meets the target on its own
    assert r.predicted["texture_fraction_100"] >= 0.6 - 1e-6
    assert r.checked["texture_fraction_100"] >= 0.6 - 1e-4
    # the soak is cut to the least that reaches the target with the ramps (0 when the ramps alone do)
    assert a["soak_h"] == 0.0 or r.checked["texture_fraction_100"] == pytest.approx(0.6, abs=1e-4)
    assert r.checked["coil_anneal"]["soak_temperature_K"] == pytest.approx(a["soak_temperature_K"])
    assert r.checked["cost_per_m2"] > base.checked["cost_per_m2"]
    assert "coil anneal on (the (100) target needs it)" in r.binding_constraints
    # what the wound coils take: at most 850 °C and no sticking; here the sticking limit holds the temperature down
    assert a["soak_temperature_K"] <= P_DEFAULT["coil_anneal_wound_max_soak_temperature_K"]
    assert r.checked["coil_anneal"]["wraps_stick"] is False and r.checked["coil_anneal"]["sticking_frac"] <= 1.0
    assert "coil anneal temperature held down by the sticking limit of the wound coils" in r.binding_constraints
    bare = Scenario(plant={"furnaces": []})
    r = optimize(replace(targets, min_texture_100=0.6), bare, modes=("vapour_commercial",), verify_twin=False,
                 held_out=False, raise_infeasible=False, cache=CACHE)
    assert r.status == "infeasible" and r.infeasibility["conflicting_targets"] == ["min_texture_100"]


@pytest.mark.component
@pytest.mark.parametrize("mode", ["vapour_commercial", "vapour_electroformed"])
def test_milp_cost_row_is_the_stations_flows_priced_at_its_own_values(plant, all_modes, mode):
    """The MILP's cost row is built from the stations' flow definitions: at the solved values (energies, Zn, pace)
    it equals price_flows of the same flows with every used line held for the plant's time (1e-9)."""
    from optimizer.verify import plant_cost_per_processed_m2
    from process_models.costing.flows import bought_foil_flows
    from process_models.plating.flows import plating_flows_per_m2
    from process_models.uht.flows import uht_flows_per_m2

    _sc, params, targets = plant
    space, s = all_modes
    space = space.restricted((mode,))
    e = economics(params, space.foil_thickness_m)
    m, h = build_model(space, s, targets, e, params)
    assert solve(m).status == "optimal"
    v = pyo.value
    flows = uht_flows_per_m2(v(m.uht.energy2) + v(m.uht.energy3), v(m.uht.zn_vapour), True, params, 1.0)
    if mode == "vapour_commercial":
        flows += bought_foil_flows(space.foil_thickness_m, params)
    else:
        p = read_point(m, h)
        kg = space.foil_thickness_m * s.metal_density_kg_per_m3["Cu"]
        flows += plating_flows_per_m2(p.ed_bath, v(m.plating_line.energy_cu_kwh_per_m2), kg, params,
                                      line_time_h_per_m2=1.0)
    expected = plant_cost_per_processed_m2(flows, v(m.H), params, e.currency)
    assert v(m.cost_processed) == pytest.approx(expected, rel=1e-9)
