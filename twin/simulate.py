"""Run one scenario: build the runtime from data, run SimPy, compute KPIs, write logs, return the report.

``run_single(scenario)`` is pure with respect to its inputs: the same scenario and seed give a byte-identical
JSON report. :data:`RUNTIMES` is the factory: a line (or furnace) type maps to its runtime class, and every class
is built the same way, ``cls.build(spec, ctx)`` from a :class:`PlantContext`; after the run it gives its KPIs
(``rt.kpis(ctx)``) and what one processed m² took from it (``rt.flows_per_m2(kpi)``, a ``Flows`` priced by
``process_models.costing.flows.price_flows``; bought foil left out: the twin costs conversion). Adding a line type
is its scenario model and its runtime class with these three methods, entered here once; an unknown type raises.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import simpy

from process_models import citations
from process_models.costing.flows import Flows, price_flows
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from twin.coil_furnace import CoilFurnaceRuntime, annealed, check_programme, programme_cycle
from twin.kpis import plant_kpis
from twin.logs import Recorder
from twin.parameter_set import CITATION, apply_parameter_set
from twin.physics_memo import PhysicsMemo
from twin.plating_line import PlatingLineRuntime
from twin.progress import Progress, ProgressCallback, eta_s
from twin.rng import Streams
from twin.scenario import CoilSpec, Scenario
from twin.segment_physics import SegmentPhysics
from twin.uht_line import UHTLineRuntime
from twin.web_line import Coil


@dataclass(frozen=True)
class PlantContext:
    """What every runtime is built from (the factory's one constructor signature, ``cls.build(spec, ctx)``): the
    SimPy environment, the scenario, the parameters, the random streams, the log recorder, the UHT lines' shared
    segment physics, and the stores that join the lines: ``raw`` (stock for the plating lines), ``coils`` (the coil
    store: plating lines put, furnaces or UHT lines take) and ``uht_inbox`` (what the UHT lines take: the coil store,
    or the annealed store behind enabled furnaces)."""

    env: simpy.Environment
    scenario: Scenario
    params: ParameterValues
    streams: Streams
    recorder: Recorder
    physics: SegmentPhysics
    raw: simpy.Store
    coils: simpy.Store
    uht_inbox: simpy.Store


class Runtime(Protocol):
    """What the factory's classes provide (besides running: ``finish``, ``recorder``, ``name``, ``spec``)."""

    @classmethod
    def build(cls, spec: Any, ctx: PlantContext) -> Runtime: ...

    def kpis(self, ctx: PlantContext) -> dict[str, Any]: ...

    def flows_per_m2(self, kpi: dict[str, Any]) -> Flows: ...


# type (``spec.type``, also the line's costing class in ``LineEconomics.default``) → runtime class
RUNTIMES: dict[str, type] = {"uht": UHTLineRuntime, "electrodeposition": PlatingLineRuntime,
                             "coil_anneal": CoilFurnaceRuntime}


def build_runtime(spec: Any, ctx: PlantContext, field: str = "plant.lines.type") -> Any:
    """The runtime of ``spec`` (a line or a furnace) from the factory; an unknown type is an input error."""
    cls = RUNTIMES.get(spec.type)
    if cls is None:
        raise FoiltwinInputError(field, spec.type, f"one of {', '.join(RUNTIMES)}")
    return cls.build(spec, ctx)  # type: ignore[attr-defined]


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
           recorder: Recorder, physics: SegmentPhysics) -> tuple[list, PlantContext]:
    """Data → runtime: stores, suppliers, one runtime per enabled coil furnace (the UHT lines then draw from the
    annealed store) and one per line, each from the factory (an unknown type raises)."""
    plant = scenario.plant
    spec = plant.incoming_coils
    store = simpy.Store(env, capacity=plant.coil_store.capacity_coils)
    plating = [line for line in plant.lines if line.type == "electrodeposition"]
    for i in range(plant.coil_store.initial_coils):
        store.items.append(Coil(f"S{i + 1:04d}", spec.length_m, spec.width_m, spec.foil_thickness_um))
    raw = simpy.Store(env, capacity=2)
    env.process(_supplier(raw if plating else store, spec, "R" if plating else "C"))
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
    ctx = PlantContext(env, scenario, params, streams, recorder, physics, raw, store, uht_inbox)
    runtimes = [build_runtime(f, ctx, "plant.furnaces.type") for f in furnaces]
    runtimes += [build_runtime(line, ctx) for line in plant.lines]
    return runtimes, ctx


def _run_env(env: simpy.Environment, hours: float, progress: ProgressCallback | None) -> None:
    """Run ``env`` to ``hours`` (in pauses that tell ``progress`` the simulated hours, when given)."""
    end_s = hours * 3600.0
    if progress is None:
        env.run(until=end_s)
        return
    t0 = time.perf_counter()
    steps = max(1, min(50, math.ceil(hours)))
    for k in range(1, steps + 1):
        env.run(until=end_s if k == steps else end_s * k / steps)
        elapsed = time.perf_counter() - t0
        done_h = hours * k / steps
        progress(Progress("simulate", "simulated hours", round(done_h, 3), hours, "h", elapsed, 0,
                          eta_s(done_h, hours, elapsed)))


def run_single(scenario: Scenario, out_dir: Path | None = None, progress: ProgressCallback | None = None,
               physics_memo: PhysicsMemo | None = None) -> dict[str, Any]:
    """Simulate ``scenario`` and return its report (JSON-ready); logs go to ``out_dir`` as Parquet. ``progress``
    (:mod:`twin.progress`) hears the simulated hours as they pass, about 50 times a run (the event order, and so
    the report, are the same with or without it: SimPy's pauses keep the order of events). ``physics_memo``
    (:mod:`twin.physics_memo`) keeps solved histories across the caller's runs; the report is the same with or
    without it.

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
                             {line.name: line.gauge.noise_nm for line in scenario.plant.lines}, memo=physics_memo)
    runtimes, ctx = _build(env, scenario, params, streams, recorder, physics)
    for rt in runtimes:
        rt.recorder = recorder if recorder.active else None
    _run_env(env, scenario.hours, progress)
    for rt in runtimes:
        rt.finish()
    physics.flush()  # the UHT lines' last batches
    lines, scrapped_spend = {}, {}
    for rt in runtimes:
        kpi = rt.kpis(ctx)
        good = kpi["area_in_spec_m2"] > 0.0  # no good m² yet: no cost per good m² (not a huge number)
        rates = {"availability_frac": max(kpi["availability"], 1e-9), "yield_frac": max(kpi["yield_fraction"], 1e-9)}
        cost = price_flows(rt.flows_per_m2(kpi), params, scenario.currency, **rates)
        kpi["cost_per_m2"] = cost.total_per_good_m2 if good else None
        kpi["cost_breakdown"] = cost.to_dict()["by_category"] if good else {}
        if not good:  # it still spent: every processed m² at its cost per processed m², all of it scrap
            per_processed = sum(v for c, v in cost.by_category.items() if c != "scrap")
            scrapped_spend[rt.name] = per_processed * float(kpi.get("area_produced_m2") or 0.0)
        lines[rt.name] = kpi
    recorder.close()
    report = plant_kpis(scenario, lines, scrapped_spend)
    report["lines"] = lines
    report["spec"] = scenario.spec.model_dump(mode="json")
    if scenario.parameter_set is not None:
        report["parameter_set"] = scenario.parameter_set.summary()
        citations.register(CITATION, "simulate.run_single")
    report["citations"] = citations.used()
    return json.loads(json.dumps(report, default=float))
