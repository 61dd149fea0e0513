"""KPIs of a run, computed from the state log and the segment totals.

OEE = availability × performance × quality, with
- availability = production hours / scheduled hours (the whole horizon is scheduled),
- performance = metres actually run / metres at the set speed over the production hours (ramps lose some),
- quality = metres in spec (inline inspection) / metres produced.
"""

from __future__ import annotations

from typing import Any

from twin.scenario import Scenario
from twin.segment_physics import LineTotals
from twin.states import State
from twin.uht_line import UHTLineRuntime


def line_kpis(rt: UHTLineRuntime, totals: LineTotals | None, hours: float) -> dict[str, Any]:
    """KPIs of one line."""
    t = totals or LineTotals()
    production_h = rt.log.hours_in(State.PRODUCTION)
    availability = production_h / hours
    performance = rt.metres_unwound / rt.ideal_metres if rt.ideal_metres > 0 else 0.0
    quality = t.metres_in_spec / t.metres if t.metres > 0 else 0.0
    dominant = max(t.skin_phase_m, key=t.skin_phase_m.__getitem__) if t.skin_phase_m else "none"
    rewind = rt.path_m[3]
    return {
        "hours_simulated": hours,
        "metres_in": rt.metres_unwound,
        "wip_start_m": rewind,
        "wip_end_m": rt.metres_unwound + rewind - t.metres,
        "metres_produced": t.metres,
        "metres_in_spec": t.metres_in_spec,
        "metres_scrap": t.metres - t.metres_in_spec,
        "metres_truly_in_spec": t.metres_truly_in_spec,
        "metres_escaped_defects": t.escaped,
        "metres_false_rejects": t.false_rejects,
        "yield_fraction": quality,
        "area_produced_m2": t.area_m2,
        "area_in_spec_m2": t.area_in_spec_m2,
        "throughput_m2_per_h": t.area_in_spec_m2 / hours,
        "processed_m2_per_running_h": t.area_m2 / production_h if production_h > 0 else 0.0,
        "oee": availability * performance * quality,
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "state_hours": {s.value: rt.log.hours_in(s) for s in State},
        "breakdowns": rt.breakdowns,
        "energy_kwh_total": t.energy_kwh,
        "energy_kwh_per_m2": t.energy_kwh / t.area_in_spec_m2 if t.area_in_spec_m2 > 0 else None,
        "energy_kwh_per_processed_m2": t.energy_kwh / t.area_m2 if t.area_m2 > 0 else 0.0,
        "zn_deposited_kg_total": t.zn_deposited_kg,
        "zn_retained_kg_total": t.zn_retained_kg,
        "zn_deposited_kg_per_processed_m2": t.zn_deposited_kg / t.area_m2 if t.area_m2 > 0 else 0.0,
        "skin_thickness_nm": {
            "mean": t.skin_sum_nm_m / t.skin_metres if t.skin_metres > 0 else None,
            "p05": t.skin_quantile_nm(0.05), "p95": t.skin_quantile_nm(0.95),
        },
        "skin_phase": dominant,
        "skin_phase_metres": dict(sorted(t.skin_phase_m.items())),
        "segments": t.segments,
        "physics_solves": t.physics_solves,
        "sim_events": rt.events,
    }


def plant_kpis(scenario: Scenario, lines: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Plant totals: sums over lines, OEE factors weighted by each line's scheduled hours, cost per good m²."""
    def total(key: str) -> float:
        return float(sum(k[key] for k in lines.values()))

    n = len(lines)
    good = total("area_in_spec_m2")
    produced = total("metres_produced")
    cost = sum(k["cost_per_m2"] * k["area_in_spec_m2"] for k in lines.values()) / good if good > 0 else None
    breakdown: dict[str, float] = {}
    for k in lines.values():
        for cat, v in k["cost_breakdown"].items():
            breakdown[cat] = breakdown.get(cat, 0.0) + (v * k["area_in_spec_m2"] / good if good > 0 else 0.0)
    skins = [k["skin_thickness_nm"] for k in lines.values()]
    phases: dict[str, float] = {}
    for k in lines.values():
        for p, m in k["skin_phase_metres"].items():
            phases[p] = phases.get(p, 0.0) + m
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "hours_simulated": scenario.hours,
        "metres_produced": produced,
        "metres_in_spec": total("metres_in_spec"),
        "yield_fraction": total("metres_in_spec") / produced if produced > 0 else 0.0,
        "throughput_m2_per_h": good / scenario.hours,
        "oee": sum(k["oee"] for k in lines.values()) / n,
        "availability": sum(k["availability"] for k in lines.values()) / n,
        "performance": sum(k["performance"] for k in lines.values()) / n,
        "quality": sum(k["quality"] for k in lines.values()) / n,
        "energy_kwh_per_m2": total("energy_kwh_total") / good if good > 0 else None,
        "cost_per_m2": cost,
        "cost_breakdown": breakdown,
        "skin_thickness_nm": skins[0] if n == 1 else {
            "mean": sum((s["mean"] or 0.0) * k["metres_produced"] for s, k in zip(skins, lines.values(), strict=True))
            / produced if produced > 0 else None,
            "p05": min(s["p05"] for s in skins), "p95": max(s["p95"] for s in skins),
        },
        "skin_phase": max(phases, key=phases.__getitem__) if phases else "none",
        "sim_events": int(total("sim_events")),
    }
