"""Runtime of a UHT Joule-heating line: stage-II Zn vapour zone, stage-III pulse heater, chill-roll quench.

The heaters (set points, ageing, pyrometer, controller) are signals on the production clock; finished
segments get their stage-II dwell and mean temperature, their stage-III pulse, heater length and peak (the web
heater's history follows from them: speed = length / pulse), and go to
:class:`twin.segment_physics.SegmentPhysics` in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from process_models.parameters.registry import ParameterValues
from twin.heaters import HeaterLoop
from twin.motion import PiecewiseSignal
from twin.rng import Streams
from twin.scenario import UHTLine
from twin.web_line import ANNEAL_ATTRIBUTE, Segments, WebLineRuntime

if TYPE_CHECKING:
    from process_models.costing.flows import Flows
    from twin.simulate import PlantContext

# Web path of the line [m from the unwinder]; only their differences matter to the physics.
PATH_TO_STAGE2_M = 1.0
GAP_STAGE2_TO_STAGE3_M = 0.5
PATH_STAGE3_TO_REWIND_M = 1.5


@dataclass(frozen=True)
class SegmentBatch:
    """Finished segments of a UHT line with the histories the physics needs."""

    line: str
    segments: Segments
    stage2_time_s: np.ndarray
    stage2_temperature_K: np.ndarray
    stage3_time_s: np.ndarray
    stage3_peak_K: np.ndarray
    stage3_heater_length_m: np.ndarray
    interrupted: np.ndarray
    cooling: np.ndarray
    plated_zn_kg_per_m2: np.ndarray
    foil_thickness_um: np.ndarray
    upstream_in_spec: np.ndarray
    texture_100_frac: np.ndarray
    texture_111_frac: np.ndarray
    texture_110_frac: np.ndarray
    furnace_equivalent_time_s: np.ndarray  # θ of upstream coil anneals [s at T_cal], 0 without


class UHTLineRuntime(WebLineRuntime):
    """The runtime of one :class:`twin.scenario.UHTLine`."""

    @classmethod
    def build(cls, spec: UHTLine, ctx: PlantContext) -> UHTLineRuntime:
        """The line in the plant (the factory's one signature): it takes coils from ``ctx.uht_inbox`` and hands its
        segments to the shared physics."""
        return cls(ctx.env, spec, ctx.uht_inbox, None, ctx.streams, ctx.params, ctx.physics,
                   ctx.scenario.segment_length_m,
                   foil_thickness_m=ctx.scenario.plant.incoming_coils.foil_thickness_um * 1e-6)

    def kpis(self, ctx: PlantContext) -> dict[str, Any]:
        from twin.kpis import uht_line_kpis

        return uht_line_kpis(self, ctx.physics.totals.get(self.name), ctx.scenario.hours)

    def flows_per_m2(self, kpi: dict[str, Any]) -> Flows:
        """What one processed m² took from the line in the run (measured energy and Zn, running time), as the UHT
        station's flow definitions price it (``process_models.uht.flows``)."""
        from process_models.uht.flows import uht_flows_per_m2

        time = 1.0 / max(kpi["processed_m2_per_running_h"], 1e-9)
        return uht_flows_per_m2(kpi["energy_kwh_per_processed_m2"], kpi["zn_deposited_kg_per_processed_m2"], True,
                                self.params, time)

    def __init__(self, env: simpy.Environment, spec: UHTLine, inbox: simpy.Store, outbox: simpy.Store | None,
                 streams: Streams, params: ParameterValues, sink: Callable[[SegmentBatch], None],
                 segment_length_m: float, batch_segments: int = 2000, foil_thickness_m: float = 10e-6) -> None:
        self.sink = sink
        self.heaters = HeaterLoop(spec, params, streams.get(spec.name, "pyrometer"), foil_thickness_m)
        self.cooling = PiecewiseSignal()  # 1.0 = contact quench, 0.0 = free cooling
        self._path: tuple[object, tuple[float, float, float, float]] | None = None
        super().__init__(env, spec, inbox, outbox, streams, params, segment_length_m, batch_segments)

    @property
    def path_m(self) -> tuple[float, float, float, float]:
        """Stage-II entry, end of its heated modules, stage-III heater and rewinder positions on the web path [m]
        (modules switched off leave the path as it is: the web still crosses the whole zone). Kept per set points:
        the loop asks at every event."""
        if self._path is None or self._path[0] is not self.settings:
            p2a = PATH_TO_STAGE2_M
            p2b = p2a + self.spec.stage2_heated_length_m(self.settings)
            p3 = p2a + self.settings.stage2_zone_length_m + GAP_STAGE2_TO_STAGE3_M
            self._path = (self.settings, (p2a, p2b, p3, p3 + PATH_STAGE3_TO_REWIND_M))
        return self._path[1]

    @property
    def rewind_m(self) -> float:
        return self.path_m[3]

    def start_signals(self, tau: float) -> None:
        self.cooling.set(tau, 1.0 if self.settings.cooling == "contact" else 0.0)
        self.heaters.start(tau)

    def control_interval_s(self) -> float:
        return self.spec.control.interval_s

    def control_step(self) -> None:
        self.heaters.step(self.tau, self.operating_h, self.env.now / 3600.0)

    def on_maintenance(self) -> None:
        self.heaters.renew(self.tau, self.operating_h)

    def on_settings(self) -> None:
        self.cooling.set(self.tau, 1.0 if self.settings.cooling == "contact" else 0.0)
        self.heaters.change_setpoints(self.tau, self.settings, self.operating_h)

    def flush_logs(self) -> None:
        super().flush_logs()
        if self.recorder is not None:
            self.recorder.sensors(self.name, self.heaters.rows)
        self.heaters.rows.clear()

    def prune_signals(self, tau: float) -> None:
        super().prune_signals(tau)
        self.cooling.prune_before(tau)
        self.heaters.prune_before(tau)

    def consume(self, segments: Segments) -> None:
        mid = segments.mid_m
        p2a, p2b, p3, _ = self.path_m
        tau_in = self.motion.tau_at_X(mid + p2a)
        tau_out = self.motion.tau_at_X(mid + p2b)
        tau3 = self.motion.tau_at_X(mid + p3)
        wall_in, wall_out = self.motion.wall_at_tau(tau_in), self.motion.wall_at_tau(tau_out)
        pulse = self.settings.stage3_heater_length_mm * 1e-3 / self.motion.speed_at_X(mid + p3)
        self.sink(SegmentBatch(
            line=self.name, segments=segments, stage2_time_s=tau_out - tau_in,
            stage2_temperature_K=self.heaters.stage2.mean(tau_in, tau_out), stage3_time_s=pulse,
            stage3_peak_K=self.heaters.stage3.at(tau3),
            stage3_heater_length_m=np.full(mid.shape, self.settings.stage3_heater_length_mm * 1e-3),
            interrupted=(wall_out - wall_in) > (tau_out - tau_in) + 1e-6,
            cooling=np.where(self.cooling.at(tau3) > 0.5, "contact", "free"),
            plated_zn_kg_per_m2=segments.attribute("plated_zn_kg_per_m2", 0.0),
            foil_thickness_um=segments.attribute("foil_thickness_um", np.nan),
            upstream_in_spec=segments.attribute("upstream_in_spec", 1.0) > 0.5,
            texture_100_frac=segments.attribute("texture_100_frac", np.nan),
            texture_111_frac=segments.attribute("texture_111_frac", np.nan),
            texture_110_frac=segments.attribute("texture_110_frac", np.nan),
            furnace_equivalent_time_s=segments.attribute(ANNEAL_ATTRIBUTE, 0.0),
        ))
        return None
