"""Cost per good m² of the plant, as the twin prices it, in the linear form the MILP needs.

Every line's fixed costs (labour, overhead, maintenance, depreciation) are proportional to its scheduled hours
per processed m² (process_models.costing.pricing: labour = operators × rate / (throughput × availability), the capital
terms ∝ capex / (throughput × hours × availability)), so one call at 1 m²/h and availability 1 gives the fixed
cost per scheduled hour (the coil furnaces' too). Flows (electricity, Zn, Cu anode, Ar, forming gas, bought foil)
are priced by :class:`process_models.costing.pricing.FlowPricer`. Per good m² = per processed m² / yield. The twin's
report leaves the bought foil out (it costs conversion only); the optimiser adds it, because it is what the
substrate choice (commercial vs electroformed) trades against.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_models.costing.flows import fixed_cost_per_running_h
from process_models.costing.pricing import FlowPricer, exchange_rate_per_USD
from process_models.parameters.registry import ParameterValues


@dataclass(frozen=True)
class Economics:
    """Prices [currency per unit] and fixed costs [currency per scheduled hour] of the plant's lines."""

    currency: str
    uht_fixed_per_h: float
    ed_fixed_per_h: float
    anneal_fixed_per_h: float
    price: dict[str, float]
    zn_source_utilisation_frac: float
    argon_Nm3_per_m2: float
    foil_kg_per_m2: float

    def foil_per_m2(self) -> float:
        """Bought commercial foil per m² of web."""
        return self.price["cu_foil_kg_per_m2"] * self.foil_kg_per_m2


def economics(params: ParameterValues, foil_thickness_m: float, currency: str = "USD") -> Economics:
    """Prices and fixed costs from the registry (``process_models.costing.pricing``), in ``currency``."""
    rate = exchange_rate_per_USD(currency, params)
    prices = {k: v * rate for k, v in FlowPricer().unit_prices_USD(params).items()}

    def fixed(kind: str) -> float:
        return float(sum(fixed_cost_per_running_h(kind, params).values())) * rate

    return Economics(
        currency=currency, uht_fixed_per_h=fixed("uht"), ed_fixed_per_h=fixed("electrodeposition"),
        anneal_fixed_per_h=fixed("coil_anneal"), price=prices,
        zn_source_utilisation_frac=params["zn_source_utilisation_frac"],
        argon_Nm3_per_m2=params["uht_argon_consumption_Nm3_per_m2"],
        foil_kg_per_m2=foil_thickness_m * params["cu_density_kg_per_m3"],
    )
