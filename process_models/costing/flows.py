"""What one processed m² takes from the plant (:class:`Flows`) and the one function that prices it
(:func:`price_flows`).

Every station's result reports its flows per processed m² (``flows_per_m2()``: UHT recipe, plating step, coil
anneal, hot zone, Ag immersion); the collector recipe, the twin's cost KPIs and the optimiser's model and twin checks
add them and call :func:`price_flows`. The MILP's cost rows use :func:`fixed_cost_per_running_h` and the same
flow prices (:class:`process_models.costing.pricing.FlowPricer`).

Fixed costs are charged by line time: line L costs fixed_cost_per_running_h(L) × line_time_h_per_m2[L] /
availability per processed m², the same numbers as
:func:`process_models.costing.pricing.fixed_costs_per_processed_m2` at throughput 1 / line_time_h_per_m2[L]
(labour ∝ operators / (throughput × availability), capital terms ∝ capex / (throughput × hours × availability)).
A recipe that uses no line carries no fixed cost, and nothing of it is scrapped (yield 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from process_models.costing.pricing import (
    BASE_CURRENCY,
    CATEGORIES,
    FIXED_CATEGORIES,
    LINE_TYPES,
    PRICE_YEAR,
    CostBreakdown,
    FlowPricer,
    LineEconomics,
    cost_per_m2,
    exchange_rate_per_USD,
    fixed_costs_per_processed_m2,
)
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues


def _checked(kind: str, values: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for name, v in values.items():
        x = float(v)
        if not (math.isfinite(x) and x >= 0.0):
            raise FoiltwinInputError(f"{kind}.{name}", v, "a finite amount >= 0 per processed m2")
        out[name] = x
    return out


@dataclass(frozen=True)
class Flows:
    """What one processed m² of web takes from the plant.

    ``amounts``: priced flows per processed m², named as the costing package's flow types
    (``electricity_kWh_per_m2``, ``zn_kg_per_m2``, ``argon_Nm3_per_m2``, …; units in the name).
    ``line_time_h_per_m2``: running hours each line type (``uht``, ``electrodeposition``, ``coil_anneal``,
    ``hot_zone_anneal``) spends per processed m² (1 / its throughput) — what the line's fixed costs are charged on.
    Flows add (``a + b``): a recipe's flows are the sum of its stations'.
    """

    amounts: Mapping[str, float] = field(default_factory=dict)
    line_time_h_per_m2: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amounts", _checked("flows", self.amounts))
        times = _checked("line_time_h_per_m2", self.line_time_h_per_m2)
        for line in times:
            if line not in LINE_TYPES:
                raise FoiltwinInputError("line_time_h_per_m2", line, f"one of {', '.join(LINE_TYPES)}")
        object.__setattr__(self, "line_time_h_per_m2", times)

    def __add__(self, other: Flows) -> Flows:
        if not isinstance(other, Flows):
            return NotImplemented
        amounts = dict(self.amounts)
        for k, v in other.amounts.items():
            amounts[k] = amounts.get(k, 0.0) + v
        times = dict(self.line_time_h_per_m2)
        for k, v in other.line_time_h_per_m2.items():
            times[k] = times.get(k, 0.0) + v
        return Flows(amounts, times)

    def without(self, *names: str) -> Flows:
        """These flows with the named amounts left out (e.g. ``cu_foil_kg_per_m2``: conversion cost only)."""
        return Flows({k: v for k, v in self.amounts.items() if k not in names}, self.line_time_h_per_m2)

    def with_line_time(self, line_time_h_per_m2: Mapping[str, float]) -> Flows:
        """These flows with the line times replaced (e.g. a coupled plant: every used line at the plant's pace)."""
        return Flows(self.amounts, line_time_h_per_m2)

    @property
    def lines(self) -> tuple[str, ...]:
        """Line types this m² occupies (line time > 0)."""
        return tuple(k for k, v in self.line_time_h_per_m2.items() if v > 0.0)

    def get(self, name: str) -> float:
        """Amount of flow ``name`` per processed m² (0 when absent)."""
        return self.amounts.get(name, 0.0)

    def to_dict(self) -> dict:
        return {"amounts": dict(self.amounts), "line_time_h_per_m2": dict(self.line_time_h_per_m2)}


def bought_foil_flows(foil_thickness_m: float, params: ParameterValues) -> Flows:
    """Commercial foil bought per m² of web [kg] = thickness × ``cu_density_kg_per_m3``; no line."""
    return Flows({"cu_foil_kg_per_m2": foil_thickness_m * params["cu_density_kg_per_m3"]})


def fixed_cost_per_running_h(line: str, params: ParameterValues) -> dict[str, float]:
    """Labour, overhead, maintenance and depreciation of ``line`` per running hour at availability 1 [USD/h]
    (the registry's line data; :func:`process_models.costing.pricing.fixed_costs_per_processed_m2` at 1 m²/h)."""
    econ = LineEconomics.default(line, params, throughput_m2_per_h=1.0, availability_frac=1.0, yield_frac=1.0)
    return fixed_costs_per_processed_m2(econ, params)


def price_flows(flows: Flows, params: ParameterValues, currency: str = BASE_CURRENCY, *,
                availability_frac: float | None = None, yield_frac: float | None = None,
                pricer: FlowPricer | None = None) -> CostBreakdown:
    """Cost per good m² of ``flows`` in ``currency``: priced flows plus every used line's fixed costs.

    ``availability_frac`` (running / scheduled hours) and ``yield_frac`` (good / processed area) are the plant's;
    ``None`` takes the registry's ``line_availability_frac`` / ``line_yield_frac`` when a line is used. Without a
    line nothing is charged for lines and nothing is scrapped (yield 1; an explicit ``yield_frac`` still applies).
    Categories as :class:`process_models.costing.pricing.CostBreakdown` (they sum to the total).
    """
    if not isinstance(flows, Flows):
        raise FoiltwinInputError("flows", type(flows).__name__, "a Flows")
    lines = flows.lines
    if availability_frac is None:
        availability_frac = params["line_availability_frac"] if lines else 1.0
    if yield_frac is None:
        yield_frac = params["line_yield_frac"] if lines else 1.0
    a = check_range("availability_frac", availability_frac, 0.0, 1.0, low_inclusive=False)
    y = check_range("yield_frac", yield_frac, 0.0, 1.0, low_inclusive=False)
    variable = cost_per_m2(flows.amounts, None, params, currency, pricer=pricer)
    rate = exchange_rate_per_USD(currency, params)
    by_cat = dict(variable.by_category)
    for line in lines:
        econ = LineEconomics.default(line, params, throughput_m2_per_h=1.0 / flows.line_time_h_per_m2[line],
                                     availability_frac=a, yield_frac=y)
        for c, v in fixed_costs_per_processed_m2(econ, params).items():
            by_cat[c] += v * rate
    scrap_factor = (1.0 - y) / y
    scrap_by_cat = {c: by_cat[c] * scrap_factor for c in CATEGORIES if c != "scrap"}
    by_cat["scrap"] = sum(scrap_by_cat.values())
    assert set(FIXED_CATEGORIES) <= set(by_cat)
    return CostBreakdown(
        total_per_good_m2=sum(by_cat[c] for c in CATEGORIES), by_category=by_cat, scrap_by_category=scrap_by_cat,
        currency=currency, currency_year=PRICE_YEAR, yield_frac=y,
        flows_per_processed_m2=dict(variable.flows_per_processed_m2),
        flow_costs_per_processed_m2=dict(variable.flow_costs_per_processed_m2), line=None,
    )
