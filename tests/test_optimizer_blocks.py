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
