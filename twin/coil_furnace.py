"""SimPy runtime of a batch coil-anneal furnace: fill a batch, run the programme, hand the coils on.

The programme's physics — thermal history, equivalent time θ, energy, protective gas, cycle time — comes from
:mod:`process_models.texture.coil_anneal`, once per batch make-up (cached); the loop only waits. Each annealed coil
carries θ per segment (attribute ``anneal_equivalent_time_s``); the UHT line adds its own θ and anneals the
texture once on the sum (JMAK additivity), so nothing is counted twice.

Failures count hot hours only; one during a cycle holds the batch in the furnace for the repair and the cycle
then runs to its end (the θ of the programme is kept: the hold is not modelled as extra soak or a re-heat).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.texture.coil_anneal import (
    AnnealCycle,
    FurnaceLoad,
    anneal_cycle,
    anneal_cycle_texture,
    longest_soak_without_sticking_s,
    soak_temperature_range_K,
)
from twin.rng import Streams
from twin.scenario import CoilFurnace
from twin.states import State, StateLog
from twin.time_models import FailureClock
from twin.web_line import ANNEAL_ATTRIBUTE, Coil

if TYPE_CHECKING:
    from process_models.costing.flows import Flows
    from twin.simulate import PlantContext

_TEXTURE_ATTRIBUTES = ("texture_111_frac", "texture_100_frac", "texture_110_frac")


def programme_cycle(spec: CoilFurnace, coils: list[Coil], params: ParameterValues) -> AnnealCycle:
    """The furnace programme of ``spec`` run on ``coils`` (one batch), from the process model."""
    s = spec.settings
    load = FurnaceLoad(coils_count=len(coils), coil_length_m=float(np.mean([c.length_m for c in coils])),
                       coil_width_m=float(np.mean([c.width_m for c in coils])),
                       foil_thickness_m=float(np.mean([c.foil_thickness_um for c in coils])) * 1e-6)
    up, down = s.heating_rate_K_per_h, s.cooling_rate_K_per_h
    return anneal_cycle(s.soak_temperature_K, s.soak_h * 3600.0, load, params,
                        heating_rate_K_per_s=None if up is None else up / 3600.0,
                        cooling_rate_K_per_s=None if down is None else down / 3600.0)


def check_programme(spec: CoilFurnace, index: int, params: ParameterValues) -> None:
    """Refuse a furnace programme the plant's wound coils cannot take: a soak above the wound-coil temperature limit
    or one whose wraps stick (:mod:`process_models.texture.coil_anneal`), naming the scenario field."""
    s = spec.settings
    where = f"plant.furnaces.{index}.settings"
    low, high = soak_temperature_range_K(params, wound=True)
    if not low <= s.soak_temperature_K <= high:
        raise FoiltwinInputError(f"{where}.soak_temperature_K", s.soak_temperature_K,
                                 f"[{low:g}, {high:g}] K for wound coils (coil_anneal_min_soak_temperature_K, "
                                 "coil_anneal_wound_max_soak_temperature_K: the wraps diffusion-bond above it)")
    up, down = s.heating_rate_K_per_h, s.cooling_rate_K_per_h
    longest = float(longest_soak_without_sticking_s(
        s.soak_temperature_K, params, heating_rate_K_per_s=None if up is None else up / 3600.0,
        cooling_rate_K_per_s=None if down is None else down / 3600.0)[0])
    if s.soak_h * 3600.0 > longest:
        allowed = (f"at most {longest / 3600.0:.3g} h at {s.soak_temperature_K:g} K" if longest > 0.0
                   else f"none at {s.soak_temperature_K:g} K (the ramps alone bond the wraps)")
        raise FoiltwinInputError(f"{where}.soak_h", s.soak_h, f"{allowed}: a longer soak sticks the wraps of the wound "
                                 "coils (coil_anneal_max_sticking_frac); lower the temperature or shorten the soak")


def annealed(coil: Coil, theta_s: float, segment_length_m: float) -> Coil:
    """``coil`` with θ added to every segment (upstream attributes kept)."""
    n = max([v.size for v in coil.attributes.values()] + [math.ceil(coil.length_m / segment_length_m - 1e-9)])
    before = coil.attributes.get(ANNEAL_ATTRIBUTE)
    theta = np.full(n, theta_s) + (0.0 if before is None else np.resize(before, n))
    return Coil(coil.coil_id, coil.length_m, coil.width_m, coil.foil_thickness_um,
                {**coil.attributes, ANNEAL_ATTRIBUTE: theta})


class CoilFurnaceRuntime:
    """The runtime of one :class:`twin.scenario.CoilFurnace`."""

    @classmethod
    def build(cls, spec: CoilFurnace, ctx: PlantContext) -> CoilFurnaceRuntime:
        """The furnace in the plant (the factory's one signature): coils from the coil store, annealed coils to
        the UHT lines' inbox."""
        return cls(ctx.env, spec, ctx.coils, ctx.uht_inbox, ctx.streams, ctx.params, ctx.scenario.segment_length_m)

    def kpis(self, ctx: PlantContext) -> dict[str, Any]:
        from twin.kpis import furnace_kpis

        return furnace_kpis(self, ctx.scenario.hours)

    def flows_per_m2(self, kpi: dict[str, Any]) -> Flows:
        """What one annealed m² took from the furnace in the run (energy, forming gas, running time)."""
        from process_models.costing.flows import Flows
        from process_models.texture.coil_anneal import furnace_flow_amounts

        time = 1.0 / max(kpi["processed_m2_per_running_h"], 1e-9)
        return Flows(furnace_flow_amounts(kpi["energy_kwh_per_processed_m2"], kpi["forming_gas_Nm3_per_processed_m2"]),
                     {"coil_anneal": time})

    def __init__(self, env: simpy.Environment, spec: CoilFurnace, inbox: simpy.Store, outbox: simpy.Store,
                 streams: Streams, params: ParameterValues, segment_length_m: float) -> None:
        self.env, self.spec, self.inbox, self.outbox, self.params = env, spec, inbox, outbox, params
        self.name = spec.name
        self.settings = spec.settings
        self.segment_length_m = segment_length_m
        self.recorder: Any = None
        self.log = StateLog(spec.name)
        self.failures = FailureClock(spec.equipment, streams, self.name)
        self._cycles: dict[tuple, AnnealCycle] = {}
        self.hot_h = 0.0
        self.cycle_hours = 0.0  # wall hours of the completed batches (cycles and repairs in them)
        self.batches = 0
        self.coils_in = 0
        self.coils_annealed = 0
        self.coils_out = 0
        self.coils_in_furnace = 0
        self.breakdowns = 0
        self.events = 0
        self.metres = 0.0
        self.area_m2 = 0.0
        self.energy_kwh = 0.0
        self.gas_Nm3 = 0.0
        self.theta_area_s_m2 = 0.0
        self.texture_100_area_m2 = 0.0
        self.recryst_area_m2 = 0.0
        self.failures.schedule_all(self.hot_h)
        self.process = env.process(self._run())

    # ------------------------------------------------------------------------------------------ physics
    def cycle(self, coils: list[Coil]) -> AnnealCycle:
        """The programme on this batch (cached by its make-up)."""
        key = (len(coils), round(float(np.mean([c.length_m for c in coils])), 6),
               round(float(np.mean([c.width_m for c in coils])), 6),
               round(float(np.mean([c.foil_thickness_um for c in coils])), 6))
        hit = self._cycles.get(key)
        if hit is None:
            hit = self._cycles[key] = programme_cycle(self.spec, coils, self.params)
        return hit

    def _texture_100_after(self, coil: Coil, cycle: AnnealCycle) -> tuple[float, float]:
        """Mean (100) fraction of the coil after this furnace alone, and the recrystallised fraction."""
        attrs = [coil.attributes.get(k) for k in _TEXTURE_ATTRIBUTES]
        if all(a is not None and a.size for a in attrs):
            f0 = np.array([float(np.mean(a)) for a in attrs])  # type: ignore[arg-type]
        else:
            f0 = np.array([self.params[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
        tex = anneal_cycle_texture(cycle, np.append(f0, 1.0 - f0.sum()), self.params)
        return float(tex[0, 1]), float(cycle.recrystallised_frac[0])

    # ------------------------------------------------------------------------------------------ loop
    def _run(self):
        env, spec = self.env, self.spec
        while True:
            self.log.enter(env.now / 3600.0, State.STARVED, "coil store empty")
            batch = [(yield self.inbox.get())]
            self.events += 1
            deadline = env.now + spec.max_wait_h * 3600.0
            while len(batch) < spec.coils_per_batch:
                if self.inbox.items:
                    batch.append((yield self.inbox.get()))
                    continue
                if env.now >= deadline:
                    break
                self.log.enter(env.now / 3600.0, State.STARVED, "waiting for a full batch")
                get = self.inbox.get()
                got = yield get | env.timeout(deadline - env.now)
                self.events += 1
                if get not in got:
                    get.cancel()
                    break
                batch.append(got[get])
            self.coils_in += len(batch)
            self.coils_in_furnace = len(batch)
            cyc = self.cycle(batch)
            started = env.now
            yield from self._anneal(float(cyc.cycle_time_s[0]))
            self.cycle_hours += (env.now - started) / 3600.0
            self._account(batch, cyc)
            theta = float(cyc.equivalent_time_s[0])
            for coil in batch:
                if len(self.outbox.items) >= self.outbox.capacity:
                    self.log.enter(env.now / 3600.0, State.BLOCKED, "annealed store full")
                yield self.outbox.put(annealed(coil, theta, self.segment_length_m))
                self.coils_out += 1
                self.coils_in_furnace -= 1
                self.events += 1

    def _anneal(self, seconds: float):
        """Run the programme for ``seconds`` of hot time; failures hold the batch for their repair."""
        env = self.env
        left = seconds
        while left > 0.0:
            self.log.enter(env.now / 3600.0, State.PRODUCTION, "annealing")
            name, fail_h = self.failures.first()
            until_fail = (fail_h - self.hot_h) * 3600.0
            step = min(left, max(until_fail, 0.0))
            yield env.timeout(step)
            self.events += 1
            self.hot_h += step / 3600.0
            left -= step
            if left > 0.0:
                self.breakdowns += 1
                self.log.enter(env.now / 3600.0, State.BREAKDOWN, name)
                yield env.timeout(self.failures.repair_h(name) * 3600.0)
                self.events += 1
                self.failures.schedule(name, self.hot_h)

    def _account(self, batch: list[Coil], cyc: AnnealCycle) -> None:
        self.batches += 1
        self.coils_annealed += len(batch)
        self.energy_kwh += float(cyc.energy_kwh_per_batch[0])
        area = sum(c.length_m * c.width_m for c in batch)
        self.gas_Nm3 += float(cyc.protective_gas_Nm3_per_m2[0]) * area
        for c in batch:
            a = c.length_m * c.width_m
            f100, x = self._texture_100_after(c, cyc)
            self.metres += c.length_m
            self.area_m2 += a
            self.theta_area_s_m2 += float(cyc.equivalent_time_s[0]) * a
            self.texture_100_area_m2 += f100 * a
            self.recryst_area_m2 += x * a
        self.flush_logs()

    def finish(self) -> None:
        """Close the state log at the end of the run."""
        self.log.close(self.env.now / 3600.0)
        self.flush_logs()

    def flush_logs(self) -> None:
        """Stream the state log to the recorder and forget it (the totals stay)."""
        if self.recorder is not None:
            self.recorder.states(self.name, self.log.drain())
        else:
            self.log.drain()
