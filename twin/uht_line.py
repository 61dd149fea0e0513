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
from twin.physics_memo import PhysicsMemo
from twin.rng import Streams
from twin.scenario import UHTLine
from twin.states import State
from twin.web_breaks import WebBreakClock, zone_warnings
from twin.web_line import ANNEAL_ATTRIBUTE, Segments, WebLineRuntime

if TYPE_CHECKING:
    from process_models.costing.flows import Flows
    from twin.simulate import PlantContext

MAX_WEB_WARNINGS = 20  # distinct web-handling warnings kept per line

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
    web_break: np.ndarray | None = None  # scrapped around a web break (None: no break on these segments)
    # the line's stage-II sources (metal, source temperature or None) and each segment's index into them (None: the
    # first for all); a segment whose stage-II passage spans a source change is mixed (None: none is)
    skin_sources: tuple[tuple[str, float | None], ...] = (("Zn", None),)
    skin_source: np.ndarray | None = None
    skin_source_mixed: np.ndarray | None = None


class UHTLineRuntime(WebLineRuntime):
    """The runtime of one :class:`twin.scenario.UHTLine`."""

    @classmethod
    def build(cls, spec: UHTLine, ctx: PlantContext) -> UHTLineRuntime:
        """The line in the plant (the factory's one signature): it takes coils from ``ctx.uht_inbox`` and hands its
        segments to the shared physics."""
        return cls(ctx.env, spec, ctx.uht_inbox, None, ctx.streams, ctx.params, ctx.physics,
                   ctx.scenario.segment_length_m,
                   foil_thickness_m=ctx.scenario.plant.incoming_coils.foil_thickness_um * 1e-6,
                   memo=ctx.physics.memo)

    def kpis(self, ctx: PlantContext) -> dict[str, Any]:
        from twin.kpis import uht_line_kpis

        return uht_line_kpis(self, ctx.physics.totals.get(self.name), ctx.scenario.hours)

    def flows_per_m2(self, kpi: dict[str, Any]) -> Flows:
        """What one processed m² took from the line in the run (measured energy, vapour Zn, other skin metals,
        running time), as the UHT station's flow definitions price it (``process_models.uht.flows``). Only the Zn the
        stage-II vapour laid down is bought here: the Zn of plated coils was bought (as anode Zn) by the plating line
        that plated it."""
        from process_models.uht.flows import uht_flows_per_m2

        time = 1.0 / max(kpi["processed_m2_per_running_h"], 1e-9)
        vapour_kg = kpi["zn_vapour_deposited_kg_per_processed_m2"]
        return uht_flows_per_m2(kpi["energy_kwh_per_processed_m2"], vapour_kg, vapour_kg > 0.0, self.params, time,
                                kpi["skin_metal_deposited_kg_per_processed_m2"] or None)

    def __init__(self, env: simpy.Environment, spec: UHTLine, inbox: simpy.Store, outbox: simpy.Store | None,
                 streams: Streams, params: ParameterValues, sink: Callable[[SegmentBatch], None],
                 segment_length_m: float, batch_segments: int = 2000, foil_thickness_m: float = 10e-6,
                 memo: PhysicsMemo | None = None) -> None:
        self.sink = sink
        self.heaters = HeaterLoop(spec, params, streams.get(spec.name, "pyrometer"), foil_thickness_m, memo=memo)
        self.cooling = PiecewiseSignal()  # 1.0 = contact quench, 0.0 = free cooling
        self._path: tuple[object, tuple[float, float, float, float]] | None = None
        super().__init__(env, spec, inbox, outbox, streams, params, segment_length_m, batch_segments)
        self.break_clock = WebBreakClock(params, streams.get(spec.name, "web_break"), foil_thickness_m,
                                         spec.web_breaks.enabled)
        strength = self.break_clock.model.strength
        self._yield_over_tensile = strength.yield_rt_Pa / strength.tensile_rt_Pa
        self.break_scrap: list[tuple[float, float]] = []  # web-coordinate intervals scrapped around breaks
        self.web_warnings: list[str] = []
        self.too_hot_h = 0.0  # operating hours with a zone above its yield strength
        self._too_hot: tuple[float, bool] = (0.0, False)
        self._break_zone = "stage3"
        # stage-II source campaigns (issue 14): the source index on the production clock; a change of metal stops the
        # line for the source swap and purge (spec.skin_changeover)
        sources = spec.skin_sources()
        self.skin_sources = tuple((m, T) for _, m, T in sources)
        self.source = PiecewiseSignal()
        self._source_i = 0
        self._campaigns = [(h, i) for i, (h, _, _) in enumerate(sources) if i > 0]
        self.skin_changeovers = 0
        self.skin_changeover_h = 0.0
        self._changing_since: float | None = None

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
        self.source.set(tau, 0.0)
        self.cooling.set(tau, 1.0 if self.settings.cooling == "contact" else 0.0)
        self.heaters.start(tau)
        self._web_setpoint_warnings()
        self._update_hazard()

    def control_interval_s(self) -> float:
        return self.spec.control.interval_s

    def control_step(self) -> None:
        self.heaters.step(self.tau, self.operating_h, self.env.now / 3600.0)
        self._update_hazard()

    def on_maintenance(self) -> None:
        self.heaters.renew(self.tau, self.operating_h)
        self._update_hazard()

    def on_settings(self) -> None:
        self.cooling.set(self.tau, 1.0 if self.settings.cooling == "contact" else 0.0)
        self.heaters.change_setpoints(self.tau, self.settings, self.operating_h)
        self._web_setpoint_warnings()
        self._update_hazard()

    # ----------------------------------------------------------------------------------------- skin campaigns
    def campaign_stops(self) -> bool:
        """A change of the source's metal stops the line; a new source temperature alone takes effect on the fly."""
        return self.skin_sources[self._campaigns[0][1]][0] != self.skin_sources[self._source_i][0]

    def on_campaign(self):
        """The next source campaign: a new metal stops the line (setup) for the source swap and purge, during which
        it makes nothing; the source changes on the production clock where the web stopped."""
        _, i = self._campaigns.pop(0)
        old, new = self.skin_sources[self._source_i][0], self.skin_sources[i][0]
        if new != old:
            self.skin_changeovers += 1
            self._changing_since = self.env.now
            yield from self._stop(State.SETUP, f"skin-metal changeover {old} to {new}",
                                  self.spec.skin_changeover.downtime_s)
            self.skin_changeover_h += (self.env.now - self._changing_since) / 3600.0
            self._changing_since = None
        self._source_i = i
        self.source.set(self.tau, float(i))

    # ----------------------------------------------------------------------------------------- web breaks
    def _update_hazard(self) -> None:
        """Break hazard from the zones' tensions and the temperatures the heaters deliver now; hours with a zone
        above its yield strength are counted and the first such crossing of a zone is warned about."""
        s, clock = self.settings, self.break_clock
        F = (s.stage2_web_tension_N_per_m, s.stage3_web_tension_N_per_m)
        T = (self.heaters.stage2.value[-1], self.heaters.stage3.value[-1])
        r2, r3 = clock.ratio(F[0], T[0]), clock.ratio(F[1], T[1])
        self._break_zone = "stage2" if r2 > r3 else "stage3"
        r_max = max(r2, r3)  # what hazard_per_m(F, T) takes, without computing the ratios again
        clock.set_hazard(self.X, clock.hazard_at_ratio(r_max))
        too_hot = r_max > self._yield_over_tensile  # σ/σ_y = (σ/σ_ts)(σ_ts/σ_y): the law is separable
        since, was = self._too_hot
        if was:
            self.too_hot_h += self.operating_h - since
        if too_hot and not was:
            i = 1 if self._break_zone == "stage3" else 0
            self._warn(f"web zone {self._break_zone} too hot for its tension at {self.env.now / 3600.0:.2f} h: "
                       f"{F[i]:.4g} N/m at {T[i]:.0f} K is above the yield strength")
        self._too_hot = (self.operating_h, too_hot)

    def _web_setpoint_warnings(self) -> None:
        s = self.settings
        warnings, _ = zone_warnings(self.break_clock.model,
                                    {"stage2": s.stage2_web_tension_N_per_m, "stage3": s.stage3_web_tension_N_per_m},
                                    {"stage2": self.heaters.T2_set, "stage3": self.heaters.T3_set},
                                    self.break_clock.thickness_m)
        for w in warnings:
            self._warn(f"set points at {self.env.now / 3600.0:.2f} h: {w}")

    def _warn(self, text: str) -> None:
        if len(self.web_warnings) < MAX_WEB_WARNINGS and text not in self.web_warnings:
            self.web_warnings.append(text)

    def on_web_break(self):
        """Count the break, scrap ``web_breaks.scrap_m`` of web centred where it broke, stop to re-thread."""
        self.break_clock.fire(self.X)
        p2a, p2b, p3, _ = self.path_m
        where = p3 if self._break_zone == "stage3" else 0.5 * (p2a + p2b)
        at, half = self.X - where, 0.5 * self.spec.web_breaks.scrap_m
        self.break_scrap.append((at - half, at + half))
        yield from self._stop(State.BREAKDOWN, "web break", self.spec.web_breaks.rethread_min * 60.0)

    def finish(self) -> None:
        if self._changing_since is not None:  # the run ended during a skin-metal changeover
            self.skin_changeover_h += (self.env.now - self._changing_since) / 3600.0
            self._changing_since = None
        super().finish()
        since, was = self._too_hot
        if was:
            self.too_hot_h += self.operating_h - since
            self._too_hot = (self.operating_h, was)

    def _scrapped(self, mid: np.ndarray) -> np.ndarray | None:
        """Segments within a break's scrap interval (None without one); intervals behind them are forgotten."""
        if not self.break_scrap:
            return None
        out = np.zeros(mid.shape, dtype=bool)
        for a, b in self.break_scrap:
            out |= (mid >= a) & (mid <= b)
        last = float(mid.max()) if mid.size else -np.inf
        self.break_scrap = [(a, b) for a, b in self.break_scrap if b > last]
        return out if out.any() else None

    def flush_logs(self) -> None:
        super().flush_logs()
        if self.recorder is not None:
            self.recorder.sensors(self.name, self.heaters.rows)
        self.heaters.rows.clear()

    def prune_signals(self, tau: float) -> None:
        super().prune_signals(tau)
        self.cooling.prune_before(tau)
        self.source.prune_before(tau)
        self.heaters.prune_before(tau)

    def _sources_of(self, tau_in: np.ndarray, tau_out: np.ndarray) -> dict[str, np.ndarray | None]:
        """Each segment's source (the one in force when it left the heated stage-II modules) and whether its
        stage-II passage spanned a source change (then it is scrapped as mixed); None for a one-source line."""
        if len(self.skin_sources) == 1:
            return {}
        a, b = self.source.at(tau_in), self.source.at(tau_out)
        return {"skin_source": b.astype(int), "skin_source_mixed": a != b}

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
            web_break=self._scrapped(mid), skin_sources=self.skin_sources, **self._sources_of(tau_in, tau_out),
        ))
        return None
