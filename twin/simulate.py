"""Run one scenario: build the runtime from data, run SimPy, compute KPIs, write logs, return the report.

``run_single(scenario)`` is pure with respect to its inputs: the same scenario and seed give a byte-identical
JSON report. Line types map to runtime classes in :data:`RUNTIMES`; an unknown type raises.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import simpy

from process_models import citations
from process_models.costing import LineEconomics, cost_per_m2
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from twin.kpis import line_kpis, plant_kpis
from twin.logs import Recorder
from twin.rng import Streams
from twin.scenario import Scenario
from twin.segment_physics import SegmentPhysics
from twin.uht_line import Coil, UHTLineRuntime

RUNTIMES = {"uht": UHTLineRuntime}


def _supplier(env: simpy.Environment, store: simpy.Store, scenario: Scenario):
    """Commercial foil: the store is kept full (a put waits while the store is at capacity)."""
    spec = scenario.plant.incoming_coils
    n = 0
    while True:
        n += 1
        yield store.put(Coil(f"C{n:05d}", spec.length_m, spec.width_m, spec.foil_thickness_um))


def build_parameters(scenario: Scenario) -> ParameterValues:
    """The registry with the scenario's overrides (unknown names and out-of-range values raise)."""
    return default_parameters().with_overrides(scenario.parameters)


def run_single(scenario: Scenario, out_dir: Path | None = None) -> dict[str, Any]:
    """Simulate ``scenario`` and return its report (JSON-ready); logs go to ``out_dir`` as Parquet."""
    params = build_parameters(scenario)
    citations.reset()
    env = simpy.Environment()
    streams = Streams(scenario.seed)
    recorder = Recorder(out_dir)
    store = simpy.Store(env, capacity=scenario.plant.coil_store.capacity_coils)
    spec = scenario.plant.incoming_coils
    for i in range(scenario.plant.coil_store.initial_coils):
        store.items.append(Coil(f"S{i + 1:04d}", spec.length_m, spec.width_m, spec.foil_thickness_um))
    env.process(_supplier(env, store, scenario))
    physics = SegmentPhysics(params, scenario.spec, streams, recorder.segments if recorder.active else None,
                             {line.name: line.gauge.noise_nm for line in scenario.plant.lines})
    runtimes = []
    for line in scenario.plant.lines:
        if line.type not in RUNTIMES:
            raise FoiltwinInputError("plant.lines.type", line.type, f"one of {', '.join(RUNTIMES)}")
        runtimes.append(RUNTIMES[line.type](env, line, store, streams, params, physics, scenario.segment_length_m))
    horizon_s = scenario.hours * 3600.0
    env.run(until=horizon_s)
    lines = {}
    for rt in runtimes:
        rt.finish()
        recorder.states(rt.name, rt.log.rows)
        recorder.sensors(rt.name, rt.heaters.rows)
        totals = physics.totals.get(rt.name)
        kpi = line_kpis(rt, totals, scenario.hours)
        economics = LineEconomics.default(
            "uht", params,
            throughput_m2_per_h=max(kpi["processed_m2_per_running_h"], 1e-9),
            availability_frac=max(kpi["availability"], 1e-9), yield_frac=max(kpi["yield_fraction"], 1e-9))
        flows = {"electricity_kWh_per_m2": kpi["energy_kwh_per_processed_m2"],
                 "zn_kg_per_m2": kpi["zn_deposited_kg_per_processed_m2"] / params["zn_source_utilisation_frac"]}
        cost = cost_per_m2(flows, economics, params)
        kpi["cost_per_m2"] = cost.total_per_good_m2
        kpi["cost_breakdown"] = cost.to_dict()["by_category"]
        lines[rt.name] = kpi
    recorder.close()
    report = plant_kpis(scenario, lines)
    report["lines"] = lines
    report["spec"] = scenario.spec.model_dump(mode="json")
    report["citations"] = citations.used()
    return json.loads(json.dumps(report, default=float))
