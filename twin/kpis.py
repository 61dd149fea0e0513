"""KPIs of a run, computed from the state log and the segment totals.

OEE = availability × performance × quality, with
- availability = production hours / scheduled hours (the whole horizon is scheduled),
- performance = metres actually run / metres at the set speed over the production hours (ramps lose some),
- quality = metres in spec (inline inspection) / metres produced.
"""

from __future__ import annotations

from typing import Any

from twin.coil_furnace import CoilFurnaceRuntime
from twin.plating_line import PlatingLineRuntime
from twin.scenario import Scenario
from twin.segment_physics import LineTotals
from twin.states import State
from twin.uht_line import UHTLineRuntime
from twin.web_line import WebLineRuntime


def _common(rt: WebLineRuntime, metres: float, metres_in_spec: float, area: float, area_in_spec: float,
            hours: float) -> dict[str, Any]:
    """KPIs every line has: metres and their conservation, OEE factors from the state log."""
    production_h = rt.log.hours_in(State.PRODUCTION)
    # the state intervals sum to the horizon up to round-off, which must not make availability exceed 1
    availability = min(production_h / hours, 1.0)
    performance = rt.metres_unwound / rt.ideal_metres if rt.ideal_metres > 0 else 0.0
    quality = metres_in_spec / metres if metres > 0 else 0.0
    return {
        "type": rt.spec.type,
        "hours_simulated": hours,
        "metres_in": rt.metres_unwound,
        "wip_start_m": rt.rewind_m,
        "wip_end_m": rt.metres_unwound + rt.rewind_m - metres,
        "metres_produced": metres,
        "metres_in_spec": metres_in_spec,
        "metres_scrap": metres - metres_in_spec,
        "yield_fraction": quality,
        "area_produced_m2": area,
        "area_in_spec_m2": area_in_spec,
        "throughput_m2_per_h": area_in_spec / hours,
        "processed_m2_per_running_h": area / production_h if production_h > 0 else 0.0,
        "oee": availability * performance * quality,
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "state_hours": {s.value: rt.log.hours_in(s) for s in State},
        "breakdowns": rt.breakdowns,
        "coils_out": rt.coils_out,
        "sim_events": rt.events,
    }


def uht_line_kpis(rt: UHTLineRuntime, totals: LineTotals | None, hours: float) -> dict[str, Any]:
    """KPIs of a UHT line: the common ones plus skin, texture, energy and Zn."""
    t = totals or LineTotals()
    k = _common(rt, t.metres, t.metres_in_spec, t.area_m2, t.area_in_spec_m2, hours)
    k.update({
        "metres_truly_in_spec": t.metres_truly_in_spec,
        "metres_escaped_defects": t.escaped,
        "metres_false_rejects": t.false_rejects,
        "energy_kwh_total": t.energy_kwh,
        "energy_kwh_per_m2": t.energy_kwh / t.area_in_spec_m2 if t.area_in_spec_m2 > 0 else None,
        "energy_kwh_per_processed_m2": t.energy_kwh / t.area_m2 if t.area_m2 > 0 else 0.0,
        "zn_deposited_kg_total": t.zn_deposited_kg,
        "zn_retained_kg_total": t.zn_retained_kg,
        "zn_deposited_kg_per_processed_m2": t.zn_deposited_kg / t.area_m2 if t.area_m2 > 0 else 0.0,
        "zn_vapour_deposited_kg_total": t.zn_vapour_deposited_kg,
        "zn_vapour_deposited_kg_per_processed_m2": t.zn_vapour_deposited_kg / t.area_m2 if t.area_m2 > 0 else 0.0,
        "skin_thickness_nm": {
            "mean": t.skin_sum_nm_m / t.skin_metres if t.skin_metres > 0 else None,
            "p05": t.skin_quantile_nm(0.05), "p95": t.skin_quantile_nm(0.95),
        },
        "skin_phase": max(t.skin_phase_m, key=t.skin_phase_m.__getitem__) if t.skin_phase_m else "none",
        "skin_phase_metres": dict(sorted(t.skin_phase_m.items())),
        "texture_fraction_100": t.texture_100_m / t.metres if t.metres > 0 else None,
        "nucleation_overpotential_mV": t.overpotential_mV_m / t.indicator_metres if t.indicator_metres > 0 else None,
        "segments": t.segments,
        "physics_solves": t.physics_solves,
        **_web_kpis(rt, t),
        **_skin_metal_kpis(rt, t),
    })
    return k


def _skin_metal_kpis(rt: UHTLineRuntime, t: LineTotals) -> dict[str, Any]:
    """Skin metals (issue 14): the metal at the start, metres made per metal, the other metals' deposit per
    processed m², and the skin-metal changeovers (count, hours the line stood for the source swap and purge)."""
    return {
        "skin_metal": rt.skin_sources[0][0],
        "skin_metal_metres": dict(sorted(t.skin_metal_m.items())),
        "skin_metal_deposited_kg_per_processed_m2": {
            m: kg / t.area_m2 if t.area_m2 > 0 else 0.0 for m, kg in sorted(t.skin_metal_deposited_kg.items())},
        "skin_changeovers": rt.skin_changeovers,
        "skin_changeover_hours": rt.skin_changeover_h,
    }


def _web_kpis(rt: UHTLineRuntime, t: LineTotals) -> dict[str, Any]:
    """Web breaks (count, the model's expected count over the metres run, scrap), the largest break hazard, the
    hours a zone ran above its yield strength for its tension, and the web-handling warnings."""
    clock = rt.break_clock
    return {
        "web_breaks": clock.breaks,
        "web_breaks_expected": clock.expected,
        "web_break_hazard_per_m_max": clock.peak_h_per_m,
        "metres_scrap_web_breaks": t.web_break_m,
        "web_hours_too_hot_for_tension": rt.too_hot_h,
        "web_warnings": list(rt.web_warnings),
    }


def plating_line_kpis(rt: PlatingLineRuntime, hours: float) -> dict[str, Any]:
    """KPIs of a plating line: the common ones plus deposit, bath, energy and metal."""
    t = rt.totals
    area_in_spec = t.area_m2 * (t.metres_in_spec / t.metres) if t.metres > 0 else 0.0
    k = _common(rt, t.metres, t.metres_in_spec, t.area_m2, area_in_spec, hours)
    k.update({
        "bath": rt.settings.bath,
        "deposit_mean_um": t.thickness_sum_um_m / t.metres if t.metres > 0 else None,
        "bath_concentration_end_mol_per_m3": rt.c_now,
        "energy_kwh_total": t.energy_kwh,
        "energy_kwh_per_processed_m2": t.energy_kwh / t.area_m2 if t.area_m2 > 0 else 0.0,
        "metal_kg_total": t.metal_kg,
        "metal_kg_per_processed_m2": t.metal_kg / t.area_m2 if t.area_m2 > 0 else 0.0,
        "segments": t.segments,
        "metres_cut_out": t.cut_out_m,
        "coils_cut_out": t.coils_cut_out,
        "operating_warnings": [f"{text}: {m:.0f} of {t.metres:.0f} m" for text, m in t.flagged_m.items()],
    })
    return k


def furnace_kpis(rt: CoilFurnaceRuntime, hours: float) -> dict[str, Any]:
    """KPIs of a coil-anneal furnace: batches, coils and area annealed, hot-time utilisation, energy, gas, the
    programme's equivalent time and the (100) fraction it alone gives. Every annealed m² counts as in spec."""
    hot = rt.log.hours_in(State.PRODUCTION)
    a = rt.area_m2
    return {
        "type": rt.spec.type,
        "hours_simulated": hours,
        "batches": rt.batches,
        "coils_in": rt.coils_in,
        "coils_out": rt.coils_out,
        "coils_in_furnace_end": rt.coils_in_furnace,
        "coils_annealed": rt.coils_annealed,
        "mean_coils_per_batch": rt.coils_annealed / rt.batches if rt.batches else None,
        "metres_produced": rt.metres,
        "metres_in_spec": rt.metres,
        "area_produced_m2": a,
        "area_in_spec_m2": a,
        "yield_fraction": 1.0 if a > 0 else 0.0,
        "throughput_m2_per_h": a / hours,
        "processed_m2_per_running_h": a / hot if hot > 0 else 0.0,
        "availability": hot / hours,
        "utilisation": hot / hours,
        "cycle_hours_completed": rt.cycle_hours,
        "furnace_s_per_processed_m2": 3600.0 * rt.cycle_hours / a if a > 0 else None,
        "state_hours": {s.value: rt.log.hours_in(s) for s in State},
        "breakdowns": rt.breakdowns,
        "energy_kwh_total": rt.energy_kwh,
        "energy_kwh_per_processed_m2": rt.energy_kwh / a if a > 0 else 0.0,
        "forming_gas_Nm3_total": rt.gas_Nm3,
        "forming_gas_Nm3_per_processed_m2": rt.gas_Nm3 / a if a > 0 else 0.0,
        "equivalent_time_s": rt.theta_area_s_m2 / a if a > 0 else None,
        "recrystallised_fraction": rt.recryst_area_m2 / a if a > 0 else None,
        "texture_fraction_100_after_anneal": rt.texture_100_area_m2 / a if a > 0 else None,
        "soak_temperature_K": rt.settings.soak_temperature_K,
        "soak_h": rt.settings.soak_h,
        "sim_events": rt.events,
    }


def plant_kpis(scenario: Scenario, lines: dict[str, dict[str, Any]],
               scrapped_spend: dict[str, float] | None = None) -> dict[str, Any]:
    """Plant figures for the finished product, which leaves the UHT lines: their output, OEE factors (mean over
    UHT lines), skin and texture; energy and cost of every line are carried by the finished good m².

    ``scrapped_spend`` [currency] is what each line that made no good m² spent (it has no cost per good m²): it is
    carried by the plant's good m² as scrap, so a line that scraps everything does not make the plant cheaper."""
    final = {n: k for n, k in lines.items() if k["type"] == "uht"} or lines
    n = len(final)

    def total(key: str, among: dict[str, dict[str, Any]] = final) -> float:
        return float(sum(k.get(key) or 0.0 for k in among.values()))

    good = total("area_in_spec_m2")
    produced = total("metres_produced")
    lost = sum((scrapped_spend or {}).values())
    cost = sum((k["cost_per_m2"] or 0.0) * k["area_in_spec_m2"] for k in lines.values()) / good if good > 0 else None
    breakdown: dict[str, float] = {}
    for k in lines.values():
        for cat, v in k["cost_breakdown"].items():
            breakdown[cat] = breakdown.get(cat, 0.0) + (v * k["area_in_spec_m2"] / good if good > 0 else 0.0)
    if lost > 0.0 and good > 0:
        cost += lost / good
        breakdown["scrap"] = breakdown.get("scrap", 0.0) + lost / good
    skins = [k["skin_thickness_nm"] for k in final.values() if "skin_thickness_nm" in k]
    phases: dict[str, float] = {}
    for k in final.values():
        for p, m in k.get("skin_phase_metres", {}).items():
            phases[p] = phases.get(p, 0.0) + m
    tex = [(k["texture_fraction_100"], k["metres_produced"]) for k in final.values()
           if k.get("texture_fraction_100") is not None]
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "hours_simulated": scenario.hours,
        "metres_produced": produced,
        "metres_in_spec": total("metres_in_spec"),
        "yield_fraction": total("metres_in_spec") / produced if produced > 0 else 0.0,
        "throughput_m2_per_h": good / scenario.hours,
        "oee": total("oee") / n,
        "availability": total("availability") / n,
        "performance": total("performance") / n,
        "quality": total("quality") / n,
        "energy_kwh_per_m2": total("energy_kwh_total", lines) / good if good > 0 else None,
        "cost_per_m2": cost,
        "cost_breakdown": breakdown,
        "skin_thickness_nm": None if not skins else skins[0] if len(skins) == 1 else {
            "mean": sum((s["mean"] or 0.0) * k["metres_produced"] for s, k in zip(skins, final.values(), strict=True))
            / produced if produced > 0 else None,
            "p05": min(s["p05"] for s in skins), "p95": max(s["p95"] for s in skins),
        },
        "skin_phase": max(phases, key=phases.__getitem__) if phases else "none",
        "texture_fraction_100": sum(v * m for v, m in tex) / sum(m for _, m in tex) if tex else None,
        "sim_events": int(total("sim_events", lines)),
    }
