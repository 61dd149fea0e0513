"""Unit blocks of the MILP built alone (IDAES style): degrees of freedom, units, and the costing block's price."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pyomo.util.check_units import assert_units_consistent

from optimizer.costing_block import CostingOptions, block_inputs, build_costing, degrees_of_freedom
from optimizer.economics import economics
from optimizer.model import currency_unit
from optimizer.verify import plant_cost_per_processed_m2
from process_models.costing.flows import Flows, bought_foil_flows
from process_models.parameters import default_parameters
from process_models.plating.flows import plating_flows_per_m2
from process_models.texture.coil_anneal import furnace_flow_amounts
from process_models.uht.flows import uht_flows_per_m2

P = default_parameters()
FOIL_M = 10e-6
CU_KG = FOIL_M * P["cu_density_kg_per_m3"]


def costing_alone(currency: str = "USD", **kw) -> pyo.ConcreteModel:
    e = economics(P, FOIL_M, currency)
    m = pyo.ConcreteModel()
    m.costing = pyo.Block()
    build_costing(m.costing, e, P, CostingOptions(FOIL_M, 1e6, cu_anode_kg_per_m2=CU_KG, **kw),
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
