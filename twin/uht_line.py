"""SimPy runtime of a UHT Joule-heating line: one process, one state, one web.

The loop advances the line from event to event — coil end, equipment failure, planned maintenance (both on
operating hours), scheduled changeover and controller step (wall time) — and logs the motion and the heater
signals. It never computes metallurgy: finished web segments are handed, with their histories, to
:class:`twin.segment_physics.SegmentPhysics` in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from process_models.parameters.registry import ParameterValues
from twin.heaters import HeaterLoop
from twin.motion import PiecewiseSignal, SpeedPlan, WebMotion
from twin.rng import Streams
from twin.scenario import Equipment, UHTLine, UHTSettings
from twin.states import State, StateLog
from twin.time_models import draw_hours

# Web path of the line [m from the unwinder]; only their differences matter to the physics.
PATH_TO_STAGE2_M = 1.0
GAP_STAGE2_TO_STAGE3_M = 0.5
PATH_STAGE3_TO_REWIND_M = 1.5


@dataclass(frozen=True)
class Coil:
    """A coil on its way through the plant: its id, length and where it starts on the continuous web."""

    coil_id: str
    length_m: float
    width_m: float
    foil_thickness_um: float


@dataclass(frozen=True)
class SegmentBatch:
    """Finished segments (arrays over segments) with the histories the physics needs."""

    line: str
    coil_id: np.ndarray
    index_in_coil: np.ndarray
    length_m: np.ndarray
    width_m: np.ndarray
    foil_thickness_um: np.ndarray
    finished_h: np.ndarray
    stage2_time_s: np.ndarray
    stage2_temperature_K: np.ndarray
    stage3_time_s: np.ndarray
    stage3_peak_K: np.ndarray
    interrupted: np.ndarray
    cooling: np.ndarray


class UHTLineRuntime:
    """The runtime of one :class:`twin.scenario.UHTLine`."""

    def __init__(self, env: simpy.Environment, spec: UHTLine, store: simpy.Store, streams: Streams,
                 params: ParameterValues, sink: Callable[[SegmentBatch], None], segment_length_m: float,
                 batch_segments: int = 2000) -> None:
        self.env, self.spec, self.store, self.params, self.sink = env, spec, store, params, sink
        self.name = spec.name
        self.log = StateLog(spec.name)
        self.motion = WebMotion()
        self.segment_length_m = segment_length_m
        self.batch_segments = batch_segments
        self.settings = spec.settings
        self.events = 0
        self._streams = streams
        self._ttf = {e.name: streams.get(self.name, f"{e.name}.ttf") for e in spec.equipment}
        self._ttr = {e.name: streams.get(self.name, f"{e.name}.ttr") for e in spec.equipment}
        self.heaters = HeaterLoop(spec, params, streams.get(self.name, "pyrometer"))
        self.speed_set = PiecewiseSignal()
        self.cooling = PiecewiseSignal()  # 1.0 = contact quench, 0.0 = free cooling
        self.coils: list[tuple[float, Coil]] = []  # (web coordinate of the head, coil)
        self.finished_X = 0.0  # web coordinate up to which segments have been handed to the physics
        self.tau = 0.0
        self.X = 0.0
        self.operating_h = 0.0
        self.metres_unwound = 0.0
        self.ideal_metres = 0.0
        self.breakdowns = 0
        self._next_failure: dict[str, float] = {}
        self._next_maintenance_h = spec.maintenance.every_h if spec.maintenance else np.inf
        self._changeovers = sorted(spec.changeovers, key=lambda c: c.at_h)
        self._running: tuple[SpeedPlan, float] | None = None
        self.process = env.process(self._run())

    # --------------------------------------------------------------------------------------- geometry
    @property
    def path_m(self) -> tuple[float, float, float, float]:
        """Stage-II entry, stage-II exit, stage-III heater and rewinder positions on the web path [m]."""
        s = self.settings
        p2a = PATH_TO_STAGE2_M
        p2b = p2a + s.stage2_zone_length_m
        p3 = p2b + GAP_STAGE2_TO_STAGE3_M
        return p2a, p2b, p3, p3 + PATH_STAGE3_TO_REWIND_M

    @property
    def speed_m_per_s(self) -> float:
        return self.settings.web_speed_m_per_min / 60.0

    # --------------------------------------------------------------------------------------- process
    def _run(self):
        env = self.env
        rewind = self.path_m[3]
        # The line starts threaded and in steady state: the web in the path ran at set points before t = 0.
        v = self.speed_m_per_s
        self.motion.append(np.array([-2.0 * rewind / v, 0.0]), np.array([-2.0 * rewind, 0.0]))
        self.motion.mark_wall(-2.0 * rewind / v, -2.0 * rewind / v)
        self.motion.mark_wall(0.0, 0.0)
        self.speed_set.set(-2.0 * rewind / v, v)
        self.cooling.set(-2.0 * rewind / v, 1.0 if self.settings.cooling == "contact" else 0.0)
        self.heaters.start(-2.0 * rewind / v)
        for e in self.spec.equipment:
            self._schedule_failure(e)
        coil = yield from self._take_coil(first=True)
        head = -rewind
        self.finished_X = head
        self.coils.append((head, coil))
        coil_end = head + coil.length_m
        plan: SpeedPlan | None = SpeedPlan(self.tau, self.X, self.speed_m_per_s, 0.0)
        self.log.enter(env.now / 3600.0, State.PRODUCTION)
        while True:
            if plan is None:  # (re)start after a stop: ramp back to speed
                self.log.enter(env.now / 3600.0, State.PRODUCTION)
                self.motion.mark_wall(self.tau, env.now)
                plan = SpeedPlan(self.tau, self.X, self.speed_m_per_s, self.spec.restart_ramp_s)
            # the next thing that happens (seconds of production from now)
            fail_name, fail_h = min(self._next_failure.items(), key=lambda kv: kv[1], default=("", np.inf))
            upcoming = {
                "coil": plan.tau_at(coil_end) - self.tau,
                "failure": (fail_h - self.operating_h) * 3600.0,
                "maintenance": (self._next_maintenance_h - self.operating_h) * 3600.0,
                "changeover": (self._changeovers[0].at_h * 3600.0 - env.now) if self._changeovers else np.inf,
                "control": self.heaters.seconds_to_next_step(),
            }
            what = min(upcoming, key=upcoming.__getitem__)
            dt = max(upcoming[what], 0.0)
            self._running = (plan, env.now)
            yield env.timeout(dt)
            self._running = None
            self.events += 1
            self._advance(plan, dt)
            self._handoff()
            if what == "control":
                self.heaters.step(self.tau, self.operating_h, env.now / 3600.0)
                continue
            self.motion.mark_wall(self.tau, env.now)
            if what == "coil":
                coil = yield from self._take_coil(first=False)
                self.coils.append((coil_end, coil))
                coil_end += coil.length_m
            elif what == "failure":
                yield from self._breakdown(fail_name)
            elif what == "maintenance":
                yield from self._stop(State.MAINTENANCE, "planned", self.spec.maintenance.duration_h * 3600.0)
                self._next_maintenance_h = self.operating_h + self.spec.maintenance.every_h
                self.heaters.renew(self.tau, self.operating_h)
            else:
                yield from self._stop(State.SETUP, "changeover", self.spec.changeover_min * 60.0)
                self._apply_due_changeovers()
            plan = None

    def _advance(self, plan: SpeedPlan, dt: float) -> None:
        """Move the web by ``dt`` seconds of production along ``plan`` and log the motion."""
        tau_end = self.tau + dt
        taus, Xs = plan.knots_until(tau_end)
        self.motion.append(taus, Xs)
        self.metres_unwound += Xs[-1] - self.X
        self.ideal_metres += self.speed_m_per_s * dt
        self.X, self.tau = float(Xs[-1]), tau_end
        self.operating_h += dt / 3600.0
        self.heaters.note_production(dt)

    def _take_coil(self, first: bool):
        """Get the next coil from the store (starved while it is empty), then splice it (setup)."""
        env = self.env
        if not first:
            self.log.enter(env.now / 3600.0, State.SETUP, "coil change")
        if not self.store.items:
            self.log.enter(env.now / 3600.0, State.STARVED, "coil store empty")
        coil = yield self.store.get()
        self.events += 1
        if not first and self.spec.coil_change_min > 0:
            self.log.enter(env.now / 3600.0, State.SETUP, "coil change")
            yield env.timeout(self.spec.coil_change_min * 60.0)
            self.events += 1
        return coil

    def _schedule_failure(self, e: Equipment) -> None:
        if e.time_to_failure is None:
            self._next_failure[e.name] = np.inf
        else:
            self._next_failure[e.name] = self.operating_h + draw_hours(e.time_to_failure, self._ttf[e.name])

    def _breakdown(self, name: str):
        e = next(eq for eq in self.spec.equipment if eq.name == name)
        self.breakdowns += 1
        yield from self._stop(State.BREAKDOWN, name, draw_hours(e.time_to_repair, self._ttr[name]) * 3600.0)
        self._schedule_failure(e)

    def _stop(self, state: State, cause: str, seconds: float):
        self.log.enter(self.env.now / 3600.0, state, cause)
        yield self.env.timeout(seconds)
        self.events += 1

    def _apply_due_changeovers(self) -> None:
        """Set points whose time has come take effect (after the setup stop taken when they fell due)."""
        while self._changeovers and self._changeovers[0].at_h * 3600.0 <= self.env.now + 1e-9:
            self._set(self._changeovers.pop(0).settings)

    def _set(self, settings: UHTSettings) -> None:
        self.settings = settings
        self.speed_set.set(self.tau, self.speed_m_per_s)
        self.cooling.set(self.tau, 1.0 if settings.cooling == "contact" else 0.0)
        self.heaters.change_setpoints(self.tau, settings, self.operating_h)

    # --------------------------------------------------------------------------------------- segments
    def _handoff(self, final: bool = False) -> None:
        """Hand finished segments to the physics in batches (all remaining ones when ``final``)."""
        done_X = self.X - self.path_m[3]
        if not final and done_X - self.finished_X < self.batch_segments * self.segment_length_m:
            return
        batch = self._segments_between(self.finished_X, done_X)
        if batch is not None:
            self.sink(batch)
        self.finished_X = done_X
        # keep the history still needed by segments that have not finished
        tau_keep = self.motion.prune_before(done_X - self.path_m[3])
        for sig in (self.speed_set, self.cooling):
            sig.prune_before(tau_keep)
        self.heaters.prune_before(tau_keep)

    def finish(self) -> None:
        """Close the logs at the end of the run and hand over the last finished segments."""
        if self._running is not None:  # the run ended while the web was moving: account for that stretch
            plan, started = self._running
            self._advance(plan, self.env.now - started)
        self.log.close(self.env.now / 3600.0)
        self._handoff(final=True)

    def _segments_between(self, x_from: float, x_to: float) -> SegmentBatch | None:
        """Whole segments whose tail lies in (x_from, x_to] on the web coordinate."""
        Ls = self.segment_length_m
        rows = []
        for head, coil in self.coils:
            if head + coil.length_m <= x_from or head >= x_to:
                continue
            edges = head + np.append(np.arange(0.0, coil.length_m, Ls), coil.length_m)
            tails = edges[1:]
            sel = (tails > x_from + 1e-9) & (tails <= x_to + 1e-9)
            if sel.any():
                idx = np.nonzero(sel)[0]
                rows.append((coil, idx, edges[idx], tails[idx]))
        self.coils = [(h, c) for h, c in self.coils if h + c.length_m > x_to] or self.coils[-1:]
        if not rows:
            return None
        coil_id = np.concatenate([np.full(len(r[1]), r[0].coil_id, dtype=object) for r in rows])
        index = np.concatenate([r[1] for r in rows])
        lo = np.concatenate([r[2] for r in rows])
        hi = np.concatenate([r[3] for r in rows])
        width = np.concatenate([np.full(len(r[1]), r[0].width_m) for r in rows])
        thick = np.concatenate([np.full(len(r[1]), r[0].foil_thickness_um) for r in rows])
        mid = 0.5 * (lo + hi)
        p2a, p2b, p3, rewind = self.path_m
        tau_in = self.motion.tau_at_X(mid + p2a)
        tau_out = self.motion.tau_at_X(mid + p2b)
        tau3 = self.motion.tau_at_X(mid + p3)
        wall_in, wall_out = self.motion.wall_at_tau(tau_in), self.motion.wall_at_tau(tau_out)
        pulse = self.spec.settings.stage3_heater_length_mm * 1e-3 / self.motion.speed_at_X(mid + p3)
        finished = self.motion.wall_at_tau(self.motion.tau_at_X(hi + rewind)) / 3600.0
        return SegmentBatch(
            line=self.name, coil_id=coil_id, index_in_coil=index, length_m=hi - lo, width_m=width,
            foil_thickness_um=thick, finished_h=finished, stage2_time_s=tau_out - tau_in,
            stage2_temperature_K=self.heaters.stage2.mean(tau_in, tau_out), stage3_time_s=pulse,
            stage3_peak_K=self.heaters.stage3.at(tau3),
            interrupted=(wall_out - wall_in) > (tau_out - tau_in) + 1e-6,
            cooling=np.where(self.cooling.at(tau3) > 0.5, "contact", "free"),
        )
