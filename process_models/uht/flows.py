"""Flows of the UHT line per processed m² (electricity, vapour Zn, Ar, line time), for the costing package.

One definition used by :meth:`process_models.uht.recipe.RecipeResult.flows_per_m2`, the twin's UHT-line cost and
the optimiser's checks: Zn bought on the vapour route = deposited / ``zn_source_utilisation_frac`` (source and wall
losses; the plated route's Zn is bought by the plating line); Ar = ``uht_argon_consumption_Nm3_per_m2``; line time
= 1 / (3600 · web speed · web width), or 1 / ``uht_line_throughput_m2_per_h`` when the width is not known.
"""

from __future__ import annotations

from process_models.citations import register
from process_models.costing.flows import Flows
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues

_CALLER = "uht.flows"
# the flow each skin metal's source is bought as (process_models.costing.pricing.DEFAULT_FLOW_TYPES)
SKIN_METAL_FLOWS = {"Zn": "zn_kg_per_m2", "Mg": "mg_kg_per_m2", "Ag": "ag_metal_kg_per_m2", "Sn": "sn_kg_per_m2",
                    "Al": "al_kg_per_m2"}


def web_line_time_h_per_m2(web_speed_m_per_s: float, web_width_m: float) -> float:
    """Running hours per m² of a web line [h/m²] = 1 / (3600 · speed [m/s] · width [m])."""
    v = check_range("web_speed_m_per_s", web_speed_m_per_s, 0.0, None, low_inclusive=False, unit="m/s")
    w = check_range("web_width_m", web_width_m, 0.0, 10.0, low_inclusive=False, unit="m")
    return 1.0 / (3600.0 * v * w)


def uht_flow_amounts(energy_kWh_per_m2, zn_deposited_kg_per_m2, vapour_zn: bool, params: ParameterValues,
                     skin_metal_deposited_kg_per_m2: dict | None = None) -> dict:
    """The UHT line's priced amounts per processed m²: electricity [kWh], vapour Zn bought [kg] (when
    ``vapour_zn``), Ar [Nm³] and, for skins of other metals (issue 14), each metal's source bought
    (``skin_metal_deposited_kg_per_m2`` {metal: deposited kg/m²} / ``zn_source_utilisation_frac``, the same source
    and wall losses as Zn: assumed). Plain arithmetic on its inputs, so the MILP builds its cost rows from it with
    algebraic expressions (``optimizer.model``) and the stations with numbers."""
    register(params.record("uht_argon_consumption_Nm3_per_m2").source, _CALLER)
    amounts = {"electricity_kWh_per_m2": energy_kWh_per_m2,
               "argon_Nm3_per_m2": params["uht_argon_consumption_Nm3_per_m2"]}
    if vapour_zn:
        register(params.record("zn_source_utilisation_frac").source, _CALLER)
        amounts["zn_kg_per_m2"] = zn_deposited_kg_per_m2 / params["zn_source_utilisation_frac"]
    for metal, kg in (skin_metal_deposited_kg_per_m2 or {}).items():
        if metal == "Zn" or metal not in SKIN_METAL_FLOWS:
            raise FoiltwinInputError("skin_metal", metal, f"one of {', '.join(list(SKIN_METAL_FLOWS)[1:])} "
                                     "(Zn is zn_deposited_kg_per_m2)")
        register(params.record("zn_source_utilisation_frac").source, _CALLER)
        amounts[SKIN_METAL_FLOWS[metal]] = kg / params["zn_source_utilisation_frac"]
    return amounts


def uht_flows_per_m2(energy_kWh_per_m2: float, zn_deposited_kg_per_m2: float, vapour_zn: bool,
                     params: ParameterValues, line_time_h_per_m2: float | None = None,
                     skin_metal_deposited_kg_per_m2: dict | None = None) -> Flows:
    """UHT line flows per processed m² (:func:`uht_flow_amounts`) and line time [h] (``None``: the registry line's
    ``uht_line_throughput_m2_per_h``)."""
    if line_time_h_per_m2 is None:
        register(params.record("uht_line_throughput_m2_per_h").source, _CALLER)
        line_time_h_per_m2 = 1.0 / params["uht_line_throughput_m2_per_h"]
    return Flows(uht_flow_amounts(energy_kWh_per_m2, zn_deposited_kg_per_m2, vapour_zn, params,
                                  skin_metal_deposited_kg_per_m2), {"uht": line_time_h_per_m2})
