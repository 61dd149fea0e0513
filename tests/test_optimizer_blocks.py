"""Unit blocks of the MILP built alone (IDAES style): degrees of freedom, units and a known answer of each block —
the costing block's price, the coil furnace's flows, texture gain and sticking limit."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.util.check_units import assert_units_consistent

from optimizer.blocks.costing import CostingOptions, add_costing_block, block_inputs, currency_unit
from optimizer.blocks.dof import degrees_of_freedom
from optimizer.economics import economics
from optimizer.verify import plant_cost_per_processed_m2
from process_models.costing.flows import Flows, bought_foil_flows
from process_models.parameters import default_parameters
from process_models.plating.flows import plating_flows_per_m2
from process_models.texture.coil_anneal import furnace_flow_amounts
from process_models.uht.flows import uht_flows_per_m2

P = default_parameters()
U = pyo.units
FOIL_M = 10e-6
CU_KG = FOIL_M * P["cu_density_kg_per_m3"]


def costing_alone(currency: str = "USD", **kw) -> pyo.ConcreteModel:
    e = economics(P, FOIL_M, currency)
    m = pyo.ConcreteModel()
    add_costing_block(m, "costing", e, P, CostingOptions(FOIL_M, 1e6, cu_anode_kg_per_m2=CU_KG, **kw),
                      currency_unit(currency))
    return m


@pytest.mark.unit
@pytest.mark.parametrize("kw, n_inputs", [
    ({}, 4),
    ({"electroform_bath": "cu_acid_sulfate", "anneal": True}, 4 + 1 + 2 + 3),
    ({"electroform_bath": "cu_acid_sulfate", "zn_bath": "zn_acid_sulfate", "anneal": True}, 4 + 1 + 2 + 3 + 3),
])
def test_costing_block_alone_has_one_degree_of_freedom_per_input_and_consistent_units(kw, n_inputs):
    m = costing_alone(**kw)
    assert len(block_inputs(m.costing)) == n_inputs
    assert degrees_of_freedom(m.costing) == n_inputs
    for v in block_inputs(m.costing):
        v.fix(0.1)
    assert degrees_of_freedom(m.costing) == 0
    assert_units_consistent(m.costing)


@pytest.mark.unit
def test_costing_block_prices_what_price_flows_prices():
    """Inputs fixed: the block's cost (its one equality solved) equals price_flows of the same stations' flows with
    every line held for the same plant time, in CNY too."""
    from pyomo.util.calc_var_value import calculate_variable_from_constraint

    m = costing_alone("CNY", electroform_bath="cu_acid_sulfate", anneal=True)
    c = m.costing
    H = 40.0
    values = {"energy_uht": 0.3, "zn_vapour": 2e-3, "commercial": 0.0, "time_uht": H, "time_ed": H,
              "electroformed": 1.0, "energy_ed_cu": 0.05, "energy_an": 0.02, "gas_an": 0.01, "time_an": H}
    for k, v in values.items():
        getattr(c, k).fix(v)
    calculate_variable_from_constraint(c.cost_processed, c.cost_def)
    flows = (uht_flows_per_m2(0.3, 2e-3, True, P, 1.0)
             + plating_flows_per_m2("cu_acid_sulfate", 0.05, CU_KG, P, line_time_h_per_m2=1.0)
             + Flows(furnace_flow_amounts(0.02, 0.01), {"coil_anneal": 1.0}))
    assert pyo.value(c.cost_processed) == pytest.approx(plant_cost_per_processed_m2(flows, H, P, "CNY"), rel=1e-12)
    c.commercial.fix(1.0)
    c.electroformed.fix(0.0)
    c.energy_ed_cu.fix(0.0)
    calculate_variable_from_constraint(c.cost_processed, c.cost_def)
    flows = (uht_flows_per_m2(0.3, 2e-3, True, P, 1.0) + bought_foil_flows(FOIL_M, P)
             + Flows({"electricity_kWh_per_m2": 0.0}, {"electrodeposition": 1.0})
             + Flows(furnace_flow_amounts(0.02, 0.01), {"coil_anneal": 1.0}))
    assert pyo.value(c.cost_processed) == pytest.approx(plant_cost_per_processed_m2(flows, H, P, "CNY"), rel=1e-12)


# ------------------------------------------------------------------------------------------------ the block helpers
def solve_alone(m: pyo.ConcreteModel, objective: object, sense: int = pyo.minimize) -> None:
    """Solve a block built alone with HiGHS (the optimiser's own solve), to optimality."""
    from optimizer.solve import solve

    m.obj = pyo.Objective(expr=objective, sense=sense)
    out = solve(m, mip_gap=1e-9)
    assert out.status == "optimal", out
    m.del_component(m.obj)


# ------------------------------------------------------------------------------------------------ coil furnace
@pytest.fixture(scope="module")
def furnace_plant():
    """The default plant's decision space (it has one coil furnace) and its furnace table."""
    from optimizer.space import decision_space
    from optimizer.surrogates import build_anneal
    from twin.scenario import Scenario

    space = decision_space(Scenario(), P)
    return space, build_anneal(space, P)


SPAN_100 = P["texture_cube_end_100_frac"] - P["bare_cu_reference_100_frac"]


def furnace_alone(space, table) -> pyo.ConcreteModel:
    from optimizer.blocks.furnace import add_furnace_block

    m = pyo.ConcreteModel()
    add_furnace_block(m, "furnace", space, table, P, SPAN_100)
    return m


@pytest.mark.unit
def test_furnace_block_alone_keeps_only_its_tables_freedom_once_its_decisions_are_fixed(furnace_plant):
    """Inputs of the furnace are its own decisions (annealed, 1/T_soak, ln t_soak): fixed, only the three tables'
    weights stay free (cycle, gain, sticking: V − 1 − d each, resolved by their SOS2 rows); ln θ is defined by its
    row. Units are consistent."""
    from optimizer.blocks.dof import table_freedom

    space, table = furnace_plant
    m = furnace_alone(space, table)
    f = m.furnace
    assert table_freedom(f.cycle) == table.n_vertices - 1 - 2
    weights = sum(table_freedom(t) for t in (f.cycle, f.gain, f.sticking))
    assert degrees_of_freedom(f) == weights + 3
    for v in (f.y_anneal, f.inv_T_soak, f.ln_t_soak):
        v.fix(1.0 if v is f.y_anneal else v.ub)
    assert degrees_of_freedom(f) == weights
    assert_units_consistent(f)


@pytest.mark.component
def test_furnace_block_alone_gives_the_coil_anneal_models_flows_texture_and_sticking_limit(furnace_plant):
    """Decisions fixed at a vertex of the furnace table: energy, forming gas and cycle time are the coil-anneal
    model's (anneal_cycle, full batches) to 1e-9; the (100) gain lies at most two X steps below the soak's JMAK
    X(θ)·span and never above it; the furnaces' time is the cycle × (1 + downtime) / furnaces. At that temperature
    the longest soak the block allows is the closed form longest_soak_without_sticking_s (a knot of the sticking
    table). Not annealing: every output is 0 (to the solver's tolerance)."""
    from optimizer.blocks.furnace import GAIN_STEP_X, line_time_factor
    from optimizer.surrogates import anneal_points
    from process_models.texture.coil_anneal import longest_soak_without_sticking_s
    from process_models.texture.texture_model import isothermal_equivalent_time_s, recrystallised_fraction

    space, table = furnace_plant
    m = furnace_alone(space, table)
    f = m.furnace
    z, lt = table.axes[0][2], table.axes[1][4]  # 982 K for 8.3 h: X ≈ 0.19, inside the sticking limit (19.9 h)
    f.y_anneal.fix(1)
    f.inv_T_soak.fix(z)
    f.ln_t_soak.fix(lt)
    solve_alone(m, f.ln_theta_soak)
    true = anneal_points(space, P, np.array([z]), np.array([lt]))
    for k in ("energy_kwh_per_m2", "gas_Nm3_per_m2"):
        assert pyo.value(getattr(f, k)) == pytest.approx(true[k][0], rel=1e-9)
    assert pyo.value(f.line_time_s_per_m2) == pytest.approx(line_time_factor(space) * true["cycle_s_per_m2"][0],
                                                            rel=1e-9)
    x = float(recrystallised_fraction(isothermal_equivalent_time_s(math.exp(lt), 1.0 / z, P), P))
    assert x * SPAN_100 - 2 * GAIN_STEP_X * SPAN_100 <= pyo.value(f.gain_100) <= x * SPAN_100 + 1e-9
    assert 0.05 < x < 0.95  # where the gain rises: the bound above says something
    f.ln_t_soak.unfix()
    solve_alone(m, f.ln_t_soak, pyo.maximize)
    t_max = float(longest_soak_without_sticking_s(1.0 / z, P, space.anneal.heating_rate_K_per_s,
                                                  space.anneal.cooling_rate_K_per_s)[0])
    assert math.log(t_max) < table.axes[1][-1]  # the sticking limit binds, not the soak range
    assert pyo.value(f.ln_t_soak) == pytest.approx(math.log(t_max), abs=1e-7)
    for v in (f.y_anneal, f.inv_T_soak, f.ln_t_soak):
        v.unfix()
    f.y_anneal.fix(0)
    solve_alone(m, f.gain_100 + f.energy_kwh_per_m2 / (U.kWh / U.m**2), pyo.maximize)
    assert max(abs(pyo.value(e)) for e in (f.inv_T_soak, f.ln_t_soak, f.gain_100, f.energy_kwh_per_m2,
                                          f.line_time_s_per_m2)) <= 2e-6  # HiGHS's feasibility tolerance


# ------------------------------------------------------------------------------------------------ UHT line
@pytest.fixture(scope="module")
def uht_plant():
    """The default plant's decision space (all modes) and its coarse tables (both Zn routes)."""
    from optimizer.api import coarse_surrogates
    from optimizer.space import decision_space
    from optimizer.targets import Targets
    from twin.scenario import Scenario

    sc = Scenario()
    space = decision_space(sc, P)
    return space, coarse_surrogates(space, P, Targets(470.0, 50.0).with_defaults(sc).skin_window_nm, held_out=False)


def uht_alone(space, s) -> pyo.ConcreteModel:
    from optimizer.blocks.uht_line import add_uht_line_block

    m = pyo.ConcreteModel()
    add_uht_line_block(m, "uht", space, s, P, sorted(s.skin))
    return m


@pytest.mark.component
def test_uht_block_alone_keeps_only_its_tables_and_hull_freedom_once_its_decisions_are_fixed(uht_plant):
    """Inputs: the route binaries, the heated-module choice (N binaries, one row: N − 1 free), ln pace, 1/T2, T3 and
    each route's ln loading. Fixed, what is left is the tables' weights (pace, stage II, one skin table per route)
    and the hull copies of T3 and ln pace: the split rows leave (routes − 1) of each, which the route binaries settle
    through the off-route tables' zero weights (bounds, not rows). Units are consistent."""
    from optimizer.blocks.dof import table_freedom

    space, s = uht_plant
    m = uht_alone(space, s)
    u = m.uht
    routes = list(u.ROUTES)
    assert routes == ["plated", "vapour"]
    weights = sum(table_freedom(t) for t in (u.pace_tab, u.stage2, *u.skin.values()))
    hull = 2 * (len(routes) - 1)
    inputs = [*u.y_route.values(), *list(u.y_zone.values())[1:], u.ln_pace, u.inv_T2, u.T3, *u.ln_loading.values()]
    assert degrees_of_freedom(u) == weights + hull + len(inputs)
    for v in inputs:
        v.fix(v.lb)
    assert degrees_of_freedom(u) == weights + hull
    assert_units_consistent(u)


@pytest.mark.component
@pytest.mark.parametrize("route", ["vapour", "plated"])
def test_uht_block_alone_gives_the_stage2_model_and_the_skin_table_at_its_decisions(uht_plant, route):
    """One route on, two modules heated, 1/T2 and ln t2 at a vertex of the stage-II table that the line can run
    (solvable, heat-up within its share, pulse within the skin table; vapour: the loading inside its skin table),
    the least energy over T3: the stage-II outputs are the process model's (stage2_outputs) to 1e-9; the vapour
    route's loading is the stage-II loading, the plated route's the given one; the skin outputs are the numpy
    interpolant of the route's table at (loading, T3, ln pace + ln L3) and the other route's are 0; energy2 is the
    route's stage-II energy, energy3 and Zn the skin table's (plated: both faces); the pace is e^(ln pace) within
    the exp table's chord error; the line time is (a·pace + b) / width."""
    from optimizer.blocks.pace import exp_chord_error
    from optimizer.blocks.uht_line import RAMP2_MAX_FRAC, SKIN_OUTPUTS
    from optimizer.pwl import output
    from optimizer.surrogates import stage2_outputs

    space, s = uht_plant
    k, lp3 = 2, math.log(space.stage3_heater_length_m)
    L = space.zone_lengths_m[k - 1]
    skin = s.skin[route]
    (l_lo, l_hi), _, (t_lo, t_hi) = skin.bounds()
    V = s.stage2.vertices()
    col = {c: s.stage2.values[c].ravel() for c in s.stage2.values}
    ln_pace = V[:, 1] - math.log(L)
    ok = (col[f"failed_{route}"] == 0) & (ln_pace + lp3 > t_lo) & (ln_pace + lp3 < t_hi)
    ok &= col["T2"] - P["ambient_temperature_K"] <= (0.9 * RAMP2_MAX_FRAC * P["stage2_heating_rate_K_per_s"] * L
                                                     * np.exp(ln_pace))
    if route == "vapour":
        ok &= (col["ln_loading"] > l_lo) & (col["ln_loading"] < l_hi)
    runnable = np.nonzero(ok)[0]
    z, lt2 = V[runnable[runnable.size // 2]]
    m = uht_alone(space, s)
    u = m.uht
    for r in u.ROUTES:
        u.y_route[r].fix(int(r == route))
    for j in u.ZONES:
        u.y_zone[j].fix(int(j == k))
    u.inv_T2.fix(z)
    u.ln_pace.fix(lt2 - math.log(L))
    if route == "plated":
        u.ln_loading["plated"].fix(0.5 * (l_lo + l_hi))
    solve_alone(m, (u.energy2 + u.energy3) / (U.kWh / U.m**2))
    true2 = stage2_outputs(space, P, np.array([z]), np.array([lt2]), s.nominal_loading_kg_per_m2)
    for c in ("ln_loading", "energy2_vapour", "energy2_plated", "recryst", "T2"):
        assert pyo.value(output(u.stage2, c)) == pytest.approx(true2[c][0], rel=1e-9, abs=1e-12), c
    loading = pyo.value(u.ln_loading[route])
    assert loading == pytest.approx(true2["ln_loading"][0] if route == "vapour" else 0.5 * (l_lo + l_hi), abs=1e-9)
    at = skin.interpolate(np.array([[loading, pyo.value(u.T3), pyo.value(u.ln_pace) + lp3]]))
    tol = 2e-6  # HiGHS's feasibility tolerance on the rows that pin the outputs
    for c in SKIN_OUTPUTS:
        assert pyo.value(output(u.skin[route], c)) == pytest.approx(at[c][0], rel=1e-9, abs=tol), c
        assert pyo.value(output(u.skin[{"vapour": "plated", "plated": "vapour"}[route]], c)) == pytest.approx(
            0.0, abs=tol), c
    assert pyo.value(u.energy2) == pytest.approx(true2[f"energy2_{route}"][0], rel=1e-9)
    assert pyo.value(u.energy3) == pytest.approx(at["energy3"][0], abs=tol)
    zn = {"vapour": (u.zn_vapour, 1.0), "plated": (u.zn_plated, P["plating_web_faces_count"])}
    assert pyo.value(zn[route][0]) == pytest.approx(zn[route][1] * at["deposited"][0], abs=tol)
    assert pyo.value(zn["plated" if route == "vapour" else "vapour"][0]) == pytest.approx(0.0, abs=tol)
    pace, e = pyo.value(output(u.pace_tab, "pace")), math.exp(pyo.value(u.ln_pace))
    assert e <= pace <= e * (1.0 + exp_chord_error(0.085))
    ut = space.uht_time
    assert pyo.value(u.line_time_s_per_m2) == pytest.approx((ut.pace_factor * pace + ut.per_metre_s) / space.width_m,
                                                            rel=1e-12)
    assert pyo.value(u.recryst_frac) == pytest.approx(true2["recryst"][0], rel=1e-9, abs=1e-15)


# ------------------------------------------------------------------------------------------------ plating line
def plating_alone(space, s) -> pyo.ConcreteModel:
    from optimizer.blocks.plating_line import add_plating_line_block

    m = pyo.ConcreteModel()
    add_plating_line_block(m, "plating_line", space, s, P, ["cu", "zn"])
    return m


@pytest.mark.component
def test_plating_block_alone_keeps_only_its_tables_freedom_once_its_decisions_are_fixed(uht_plant):
    """Inputs: the two roles' binaries, the bath of each role (one row per role: all but one bath free), the tanks
    (one row: all but one), each bath's ln j and ln pace. Fixed, only the weights of the bath tables and of the pace
    table are left. Units are consistent."""
    from optimizer.blocks.dof import table_freedom

    space, s = uht_plant
    ed = space.ed
    m = plating_alone(space, s)
    b = m.plating_line
    weights = sum(table_freedom(t) for t in (*b.bath.values(), b.pace_tab))
    inputs = [*b.y_role.values(), *(b.y_bath[x] for r in ("cu", "zn") for x in ed.baths[r][1:]),
              *list(b.y_tanks.values())[1:], *b.ln_j.values(), b.ln_pace]
    assert degrees_of_freedom(b) == weights + len(inputs)
    for v in inputs:
        v.fix(0)
    assert degrees_of_freedom(b) == weights
    assert_units_consistent(b)


def plating_on(space, s, role: str, bath: str, tanks: int, ln_j: float) -> pyo.ConcreteModel:
    """The plating line alone in ``role`` with ``bath``, ``tanks`` tanks and ln j fixed."""
    m = plating_alone(space, s)
    b = m.plating_line
    for r in b.ROLES:
        b.y_role[r].fix(int(r == role))
    for x in b.BATHS:
        b.y_bath[x].fix(int(x == bath))
        b.ln_j[x].fix(ln_j if x == bath else 0.0)
    for n in b.TANKS:
        b.y_tanks[n].fix(int(n == tanks))
    return m


@pytest.mark.component
def test_plating_block_alone_follows_faraday_and_the_plating_kinetics(uht_plant):
    """At a knot of the bath table (j = 274 A/m², all six tanks): electroforming, the slowest web the block allows is
    the one whose foil reaches the top of the thickness window less 3 gauge σ, in closed form from Faraday's law
    (plated_mass_kg_per_m2 at the kinetics' current efficiency, plating_points): ln pace to 2e-6; the rectifier
    energy is the kinetics' kWh/kg × the foil's Cu (1e-9), the (100) share the electroformed texture's (2e-6), the
    pace table's pace within its chord above e^(ln pace), the line time (a·pace + b) / width. Zn plating at a fixed
    pace: ln(Zn per face) is Faraday's mass (2e-6). Off: no tanks, no pace, no energy."""
    from optimizer.blocks.pace import exp_chord_error
    from optimizer.blocks.plating_line import PACE_KNOTS, electroformed_cu_kg_per_m2, plating_ln_pace_range
    from optimizer.pwl import output
    from optimizer.surrogates import nominal_ed_pace, plating_points
    from process_models.plating.electrodeposition import plated_mass_kg_per_m2

    space, s = uht_plant
    ed = space.ed
    n, L = ed.tank_count, ed.tank_length_m
    bath = ed.baths["cu"][0]
    lj = float(s.plating[bath].axes[0][4])
    m = plating_on(space, s, "cu", bath, n, lj)
    b = m.plating_line
    solve_alone(m, b.ln_pace, pyo.maximize)
    kin = plating_points(space, P, bath, np.array([lj]), np.array([nominal_ed_pace(space)]))
    eff = math.exp(kin["ln_eff"][0])
    kg_per_s = float(plated_mass_kg_per_m2("Cu", math.exp(lj), 1.0, eff, P))  # per m² and second in the bath
    th_hi = (ed.foil_thickness_window_um[1] - 3.0 * ed.gauge_noise_um) * 1e-6
    pace = th_hi * s.metal_density_kg_per_m3["Cu"] / kg_per_s / (n * L)
    assert 60.0 / ed.speed_m_per_min[1] < pace < 60.0 / ed.speed_m_per_min[0]  # the window binds, not the speed
    assert pyo.value(b.ln_pace) == pytest.approx(math.log(pace), abs=2e-6)
    assert pyo.value(b.ln_foil_thickness) == pytest.approx(math.log(th_hi), abs=2e-6)
    assert pyo.value(b.energy_cu_kwh_per_m2) == pytest.approx(kin["kwh_per_kg"][0] * electroformed_cu_kg_per_m2(
        space, s), rel=1e-9)
    assert pyo.value(b.f100_cu) == pytest.approx(kin["f100"][0], abs=2e-6)  # HiGHS feasibility tolerance
    p_tab, (lo, hi) = pyo.value(output(b.pace_tab, "pace")), plating_ln_pace_range(space)
    assert pace <= p_tab <= pace * (1.0 + exp_chord_error((hi - lo) / (PACE_KNOTS - 1)) + 1e-5)  # 21 knots: 0.36 %
    assert pyo.value(b.line_time_s_per_m2) == pytest.approx(
        (ed.time.pace_factor * p_tab + ed.time.per_metre_s) / space.width_m, rel=1e-12)
    zn_bath = ed.baths["zn"][0]
    m = plating_on(space, s, "zn", zn_bath, 2, lj)
    b = m.plating_line
    b.ln_pace.fix(math.log(60.0))  # 1 m/min
    solve_alone(m, b.energy_zn_kwh_per_m2 / (U.kWh / U.m**2))
    eff = math.exp(plating_points(space, P, zn_bath, np.array([lj]), np.array([nominal_ed_pace(space)]))["ln_eff"][0])
    zn = float(plated_mass_kg_per_m2("Zn", math.exp(lj), 2 * L * 60.0, eff, P))
    assert pyo.value(b.ln_zn_kg_per_m2) == pytest.approx(math.log(zn), abs=2e-6)
    for r in b.ROLES:
        b.y_role[r].fix(0)
    for x in b.BATHS:
        b.y_bath[x].fix(0)
        b.ln_j[x].fix(0.0)
    for v in (*b.y_tanks.values(), b.ln_pace):
        v.unfix()
    solve_alone(m, b.line_time_s_per_m2 / (U.s / U.m**2) + sum(b.y_tanks.values()), pyo.maximize)
    assert max(pyo.value(v) for v in (*b.y_tanks.values(), b.line_time_s_per_m2, b.energy_cu_kwh_per_m2)) <= 2e-6
    assert pyo.value(b.ln_pace) == pytest.approx(0.0, abs=2e-6)
