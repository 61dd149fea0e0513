"""The costing unit of the MILP, a Pyomo block that can be built and tested alone (IDAES style: units report
quantities, a costing block prices them). ``build_model`` builds it with its own expressions as the inputs (no
extra Vars or linking rows, so the MILP is the same algebra).

Inputs (Vars of the block, all per processed m²): the UHT line's electricity ``energy_uht`` and vapour Zn
``zn_vapour``, the share of bought foil ``commercial``, the plant time charged to each line ``time_uht``,
``time_ed``, ``time_an`` [s/m²], and with the plating line the electroforming share ``electroformed`` and its
electricity ``energy_ed_cu``, the Zn plating share ``plated``, its electricity ``energy_ed_zn`` and plated Zn
``zn_plated``; with the coil furnaces their electricity ``energy_an`` and forming gas ``gas_an``. Output:
``cost_processed`` [currency/m²], one equality from the stations' own flow definitions
(:func:`priced_flows`). Alone, the block has as many degrees of freedom as inputs
(:func:`optimizer.blocks.dof.degrees_of_freedom`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from optimizer.economics import Economics
from process_models.costing.flows import bought_foil_flows
from process_models.costing.pricing import FlowType
from process_models.parameters.registry import ParameterValues
from process_models.plating.flows import dragout_makeup_L_per_m2, plating_flow_amounts
from process_models.texture.coil_anneal import furnace_flow_amounts
from process_models.uht.flows import uht_flow_amounts

U = pyo.units


def currency_unit(currency: str) -> object:
    """The Pyomo unit of a currency (declared once as its own base dimension)."""
    try:
        return getattr(U, currency)
    except AttributeError:
        U.load_definitions_from_strings([f"{currency} = [currency_{currency.lower()}]"])
        return getattr(U, currency)


@dataclass(frozen=True)
class CostingOptions:
    """What the plant has: the Cu (electroforming) and Zn plating baths (``None``: that role is not used), coil
    furnaces, the foil [m], the Cu electroformed per m² [kg], a learnt cost offset and the cost's upper bound."""

    foil_thickness_m: float
    cost_ub: float
    electroform_bath: str | None = None
    zn_bath: str | None = None
    anneal: bool = False
    cu_anode_kg_per_m2: float = 0.0
    cost_offset: float = 0.0


_FLOW_UNITS = {"kWh": U.kWh, "kg": U.kg, "Nm3": U.m**3, "L": U.L}


def priced_flows(amounts: dict, price: dict[str, float], cur) -> object:
    """Σ price × amount of a station's flow amounts (numbers or expressions) [cur/m²]; a dimensionless amount is
    read in its flow's unit per m² (``<what>_<unit>_per_m2``)."""
    total = 0.0 * cur / U.m**2
    for name, amount in amounts.items():
        unit = _FLOW_UNITS[FlowType(name, "", ()).unit]
        if str(U.get_units(amount)) == "dimensionless":
            amount = amount * unit / U.m**2
        total = total + price[name] * cur / unit * amount
    return total


INPUT_UB = 1e6  # a finite bound for a block built alone; build_model tightens it from what feeds the input


def add_costing_block(m: pyo.Block, name: str, econ: Economics, params: ParameterValues, opt: CostingOptions, cur,
                      inputs: dict | None = None) -> pyo.Block:
    """Block ``m.<name>``: ``cost_processed`` and the equality that prices its inputs: Vars of the block (built
    alone, ``inputs=None``) or the composing model's own expressions for them (``inputs`` by input name; no extra
    Vars or linking rows)."""
    b = pyo.Block()
    m.add_component(name, b)
    kwh, kg, sm, one = U.kWh / U.m**2, U.kg / U.m**2, U.s / U.m**2, U.dimensionless

    def _var(b: pyo.Block, name: str, units, ub: float = INPUT_UB) -> object:
        if inputs is not None:
            return inputs[name]
        v = pyo.Var(bounds=(0.0, ub), units=units)
        b.add_component(name, v)
        return v

    steps = [uht_flow_amounts(_var(b, "energy_uht", kwh), _var(b, "zn_vapour", kg), True, params),
             {k: v * _var(b, "commercial", one, 1.0)
              for k, v in bought_foil_flows(opt.foil_thickness_m, params).amounts.items()}]
    fixed = econ.uht_fixed_per_h / 3600.0 * cur / U.s * _var(b, "time_uht", sm)
    makeup_L = dragout_makeup_L_per_m2(params)
    if opt.electroform_bath is not None or opt.zn_bath is not None:
        fixed += econ.ed_fixed_per_h / 3600.0 * cur / U.s * _var(b, "time_ed", sm)
    if opt.electroform_bath is not None:
        y = _var(b, "electroformed", one, 1.0)
        steps.append(plating_flow_amounts(opt.electroform_bath, _var(b, "energy_ed_cu", kwh),
                                          opt.cu_anode_kg_per_m2 * y, params, makeup_L * y))
    if opt.zn_bath is not None:
        y = _var(b, "plated", one, 1.0)
        steps.append(plating_flow_amounts(opt.zn_bath, _var(b, "energy_ed_zn", kwh), _var(b, "zn_plated", kg),
                                          params, makeup_L * y))
    if opt.anneal:
        fixed += econ.anneal_fixed_per_h / 3600.0 * cur / U.s * _var(b, "time_an", sm)
        steps.append(furnace_flow_amounts(_var(b, "energy_an", kwh), _var(b, "gas_an", U.m**3 / U.m**2)))
    b.cost_processed = pyo.Var(bounds=(0.0, opt.cost_ub), units=cur / U.m**2, doc="cost per processed m2")
    b.cost_def = pyo.Constraint(expr=b.cost_processed == fixed + sum(priced_flows(a, econ.price, cur) for a in steps)
                                + opt.cost_offset * cur / U.m**2)
    return b


def block_inputs(b: pyo.Block) -> list[pyo.Var]:
    """The costing block's input Vars (every Var but ``cost_processed``)."""
    return [v for v in b.component_objects(pyo.Var, descend_into=False) if v.local_name != "cost_processed"]

