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
from process_models.costing.flows import Flows, price_flows
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from process_models.plating.flows import plating_flows_per_m2
from process_models.texture.coil_anneal import furnace_flow_amounts
from process_models.uht.flows import uht_flows_per_m2
from twin.coil_furnace import CoilFurnaceRuntime, annealed, check_programme, programme_cycle
from twin.kpis import furnace_kpis, plant_kpis, plating_line_kpis, uht_line_kpis
from twin.logs import Recorder
from twin.parameter_set import CITATION, apply_parameter_set
from twin.plating_line import PlatingLineRuntime
from twin.rng import Streams
from twin.scenario import CoilSpec, Scenario
from twin.segment_physics import SegmentPhysics
from twin.uht_line import UHTLineRuntime
from twin.web_line import Coil

RUNTIMES = {"uht": UHTLineRuntime, "electrodeposition": PlatingLineRuntime}


def _supplier(store: simpy.Store, spec: CoilSpec, prefix: str):
    """Raw stock or commercial foil: the store is kept full (a put waits while it is at capacity)."""
    n = 0
    while True:
        n += 1
        yield store.put(Coil(f"{prefix}{n:05d}", spec.length_m, spec.width_m, spec.foil_thickness_um))


def build_parameters(scenario: Scenario) -> ParameterValues:
    """The registry with the scenario's fitted parameter set (kind "fitted") and then its overrides (unknown
    names and out-of-range values raise)."""
    values = default_parameters()
    if scenario.parameter_set is not None:
        values = apply_parameter_set(values, scenario.parameter_set)
    return values.with_overrides(scenario.parameters)


def _build(env: simpy.Environment, scenario: Scenario, params: ParameterValues, streams: Streams,
           recorder: Recorder, physics: SegmentPhysics) -> list:
    """Data → runtime: stores, suppliers, one runtime per line (an unknown line type raises) and one per enabled
    coil furnace (the UHT lines then draw from the annealed store)."""
    plant = scenario.plant
    spec = plant.incoming_coils
    store = simpy.Store(env, capacity=plant.coil_store.capacity_coils)
    plating = [line for line in plant.lines if line.type == "electrodeposition"]
    for i in range(plant.coil_store.initial_coils):
        store.items.append(Coil(f"S{i + 1:04d}", spec.length_m, spec.width_m, spec.foil_thickness_um))
    raw = simpy.Store(env, capacity=2)
    env.process(_supplier(raw if plating else store, spec, "R" if plating else "C"))
    runtimes: list = []
    uht_inbox = store
    furnaces = [f for f in plant.furnaces if f.settings.enabled]
    for i, f in enumerate(plant.furnaces):
        if f.settings.enabled:
            check_programme(f, i, params)
    if furnaces:
        uht_inbox = simpy.Store(env, capacity=plant.annealed_store.capacity_coils)
        # the initial annealed coils went through the first furnace's programme in full batches (steady state)
        first = [Coil("A", spec.length_m, spec.width_m, spec.foil_thickness_um)] * furnaces[0].coils_per_batch
        theta = float(programme_cycle(furnaces[0], first, params).equivalent_time_s[0])
        for i in range(plant.annealed_store.initial_coils):
            uht_inbox.items.append(annealed(Coil(f"A{i + 1:04d}", spec.length_m, spec.width_m,
                                                 spec.foil_thickness_um), theta, scenario.segment_length_m))
        for f in furnaces:
            runtimes.append(CoilFurnaceRuntime(env, f, store, uht_inbox, streams, params, scenario.segment_length_m))
    for line in plant.lines:
        if line.type not in RUNTIMES:
            raise FoiltwinInputError("plant.lines.type", line.type, f"one of {', '.join(RUNTIMES)}")
        if line.type == "electrodeposition":
            runtimes.append(PlatingLineRuntime(env, line, raw, store, streams, params, scenario.spec,
                                               recorder.plating_segments if recorder.active else None,
                                               scenario.segment_length_m))
        else:
            runtimes.append(UHTLineRuntime(env, line, uht_inbox, None, streams, params, physics,
                                           scenario.segment_length_m,
                                           foil_thickness_m=plant.incoming_coils.foil_thickness_um * 1e-6))
    return runtimes


def _line_kpis(rt, physics: SegmentPhysics, scenario: Scenario, params: ParameterValues) -> dict[str, Any]:
    if isinstance(rt, CoilFurnaceRuntime):
        return furnace_kpis(rt, scenario.hours)
    if isinstance(rt, UHTLineRuntime):
        return uht_line_kpis(rt, physics.totals.get(rt.name), scenario.hours)
    return plating_line_kpis(rt, scenario.hours)


def line_flows(rt, kpi: dict[str, Any], params: ParameterValues) -> Flows:
    """What one processed m² took from line ``rt`` in the run (measured energy, metal, gas and running time per
    m²), as the process models' flow definitions price it. Bought foil is left out: the twin costs conversion.
    The plating line's bath make-up solution is not tracked by the twin (its bath balance doses metal only)."""
    time = 1.0 / max(kpi["processed_m2_per_running_h"], 1e-9)
    if isinstance(rt, CoilFurnaceRuntime):
        return Flows(furnace_flow_amounts(kpi["energy_kwh_per_processed_m2"], kpi["forming_gas_Nm3_per_processed_m2"]),
                     {"coil_anneal": time})
    if isinstance(rt, UHTLineRuntime):
        return uht_flows_per_m2(kpi["energy_kwh_per_processed_m2"], kpi["zn_deposited_kg_per_processed_m2"], True,
                                params, time)
    return plating_flows_per_m2(rt.spec.settings.bath, kpi["energy_kwh_per_processed_m2"],
                                kpi["metal_kg_per_processed_m2"], params, makeup_L_per_m2=0.0, line_time_h_per_m2=time)


def run_single(scenario: Scenario, out_dir: Path | None = None) -> dict[str, Any]:
    """Simulate ``scenario`` and return its report (JSON-ready); logs go to ``out_dir`` as Parquet.

    ``out_dir`` must be new or empty (the logs of two runs are never mixed); :func:`twin.run_folder.write_run`
    writes a whole run folder (logs, reports, manifest) and replaces an earlier one atomically.
    """
    if out_dir is not None and out_dir.is_dir() and any(out_dir.iterdir()):
        raise FoiltwinInputError("out_dir", str(out_dir), "a new or empty folder (twin.run_folder.write_run "
                                 "replaces an earlier run's folder as a whole)")
    params = build_parameters(scenario)
    citations.reset()
    env = simpy.Environment()
    streams = Streams(scenario.seed)
    recorder = Recorder(out_dir)
    physics = SegmentPhysics(params, scenario.spec, streams, recorder.segments if recorder.active else None,
                             {line.name: line.gauge.noise_nm for line in scenario.plant.lines})
    runtimes = _build(env, scenario, params, streams, recorder, physics)
    for rt in runtimes:
        rt.recorder = recorder if recorder.active else None
    env.run(until=scenario.hours * 3600.0)
    for rt in runtimes:
        rt.finish()
    physics.flush()  # the UHT lines' last batches
    lines = {}
    for rt in runtimes:
        kpi = _line_kpis(rt, physics, scenario, params)
        good = kpi["area_in_spec_m2"] > 0.0  # no good m² yet: no cost per good m² (not a huge number)
        cost = price_flows(line_flows(rt, kpi, params), params, availability_frac=max(kpi["availability"], 1e-9),
                           yield_frac=max(kpi["yield_fraction"], 1e-9))
        kpi["cost_per_m2"] = cost.total_per_good_m2 if good else None
        kpi["cost_breakdown"] = cost.to_dict()["by_category"] if good else {}
        lines[rt.name] = kpi
    recorder.close()
    report = plant_kpis(scenario, lines)
    report["lines"] = lines
    report["spec"] = scenario.spec.model_dump(mode="json")
    if scenario.parameter_set is not None:
        report["parameter_set"] = scenario.parameter_set.summary()
        citations.register(CITATION, "simulate.run_single")
    report["citations"] = citations.used()
    return json.loads(json.dumps(report, default=float))
