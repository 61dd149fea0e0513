"""Flows of a plating step per m² of web (electricity, metal, bath make-up, line time), for the costing package.

One definition for the collector recipe's plating steps and the twin's plating lines: the metal bought is the anode
metal (Cu for the acid Cu baths, Zn for the Zn baths), the make-up solution is the drag-out film replaced
(``plating_dragout_film_m``, the film on both faces, less what a recovery rinse returns, in litres) unless
measured, and the line time is
1 / ``electrodeposition_line_throughput_m2_per_h`` unless the line's pace is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_models.citations import register
from process_models.costing.flows import Flows
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues

# bath → (metal flow, make-up solution flow); chloride/zincate make-up priced as sulfate (no price found)
BATH_FLOWS: dict[str, tuple[str, str]] = {
    "cu_acid_sulfate": ("cu_anode_kg_per_m2", "cu_acid_sulfate_bath_L_per_m2"),
    "cu_acid_sulfate_fsi": ("cu_anode_kg_per_m2", "cu_acid_sulfate_bath_L_per_m2"),
    "zn_acid_sulfate": ("zn_kg_per_m2", "zn_acid_sulfate_bath_L_per_m2"),
    "zn_acid_chloride": ("zn_kg_per_m2", "zn_acid_sulfate_bath_L_per_m2"),
    "zn_alkaline_zincate": ("zn_kg_per_m2", "zn_acid_sulfate_bath_L_per_m2"),
}
_CALLER = "plating.flows"


def dragout_makeup_L_per_m2(params: ParameterValues) -> float:
    """Fresh bath that replaces the drag-out lost [L per m² of web] = film [m] × 1000 L/m³ × (1 − recovery).

    ``plating_dragout_film_m`` is the bath carried out per m² of web with both faces counted (its record says so),
    and a recovery rinse returns ``plating_dragout_recovery_frac`` of it: the same net loss the bath balance
    (``electrodeposition._net_dragout_m``) removes from the tank."""
    for name in ("plating_dragout_film_m", "plating_dragout_recovery_frac"):
        register(params.record(name).source, _CALLER)
    return params["plating_dragout_film_m"] * 1e3 * (1.0 - params["plating_dragout_recovery_frac"])


def plating_flow_amounts(bath: str, energy_kWh_per_m2, metal_kg_per_m2, params: ParameterValues,
                         makeup_L_per_m2=None) -> dict:
    """A plating step's priced amounts per m² of web: rectifier electricity [kWh], anode metal [kg] and make-up
    solution [L] (``None``: the drag-out film). Plain arithmetic, so the MILP builds its rows from it too."""
    if bath not in BATH_FLOWS:
        raise FoiltwinInputError("bath", bath, f"one of {', '.join(BATH_FLOWS)}")
    metal, makeup = BATH_FLOWS[bath]
    if makeup_L_per_m2 is None:
        makeup_L_per_m2 = dragout_makeup_L_per_m2(params)
    return {"electricity_kWh_per_m2": energy_kWh_per_m2, metal: metal_kg_per_m2, makeup: makeup_L_per_m2}


def plating_flows_per_m2(bath: str, energy_kWh_per_m2: float, metal_kg_per_m2: float, params: ParameterValues, *,
                         makeup_L_per_m2: float | None = None, line_time_h_per_m2: float | None = None) -> Flows:
    """Flows of one plating step per m² of web (:func:`plating_flow_amounts`) and its plating-line time [h]
    (``None``: the registry line's throughput)."""
    if line_time_h_per_m2 is None:
        register(params.record("electrodeposition_line_throughput_m2_per_h").source, _CALLER)
        line_time_h_per_m2 = 1.0 / params["electrodeposition_line_throughput_m2_per_h"]
    amounts = plating_flow_amounts(bath, energy_kWh_per_m2, metal_kg_per_m2, params, makeup_L_per_m2)
    return Flows({k: v for k, v in amounts.items() if v != 0.0 or k != BATH_FLOWS[bath][1]},
                 {"electrodeposition": line_time_h_per_m2})


@dataclass(frozen=True)
class PlatingStepResult:
    """What one plating step of a recipe uses per m² of web: bath, rectifier energy [kWh] and metal plated [kg]
    (all faces; the soluble anode supplies it)."""

    bath: str
    energy_kWh_per_m2: float
    metal_kg_per_m2: float

    def flows_per_m2(self, params: ParameterValues, line_time_h_per_m2: float | None = None) -> Flows:
        """Flows per m² of web (:func:`plating_flows_per_m2`, make-up = the drag-out film)."""
        return plating_flows_per_m2(self.bath, self.energy_kWh_per_m2, self.metal_kg_per_m2, params,
                                    line_time_h_per_m2=line_time_h_per_m2)
