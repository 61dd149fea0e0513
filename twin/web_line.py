"""SimPy runtime shared by the roll-to-roll lines: one process, one state, one web.

The loop advances a line from event to event — coil end at the unwinder, equipment failure and planned
maintenance (both on operating hours), scheduled changeover (wall time) and controller step — and logs the
motion. Subclasses add their process signals (heaters, bath) and turn finished web segments into results in
bulk; they never run physics inside the loop. A line takes coils from an inbox store and, if it has an outbox,
puts each finished coil there (blocked while the store is full), carrying its per-segment results along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import simpy

from process_models.parameters.registry import ParameterValues
from twin.motion import PiecewiseSignal, SpeedPlan, WebMotion
from twin.rng import Streams
from twin.states import State, StateLog
from twin.time_models import FailureClock

ANNEAL_ATTRIBUTE = "anneal_equivalent_time_s"  # per-segment θ of coil anneals upstream [s at T_cal]


@dataclass(frozen=True, eq=False)
class Coil:
    """A coil on its way through the plant; ``attributes`` hold per-segment results of upstream lines."""

    coil_id: str
    length_m: float
    width_m: float
    foil_thickness_um: float
    attributes: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Segments:
    """Finished segments of one hand-off: identity, geometry and the production clock of their passage."""

    coil_id: np.ndarray
    index_in_coil: np.ndarray
    coil: list[Coil]
    length_m: np.ndarray
    width_m: np.ndarray
    foil_thickness_um: np.ndarray
    mid_m: np.ndarray  # web coordinate of each segment's midpoint
    finished_h: np.ndarray

    @cached_property
    def coil_runs(self) -> tuple[tuple[Coil, int, int], ...]:
        """(coil, start, stop): the consecutive segments of each coil in this hand-off."""
        ids = self.coil_id
        if ids.size == 0:
            return ()
        cut = np.nonzero(ids[1:] != ids[:-1])[0] + 1
        starts = [0, *cut.tolist()]
        stops = [*cut.tolist(), int(ids.size)]
        return tuple((self.coil[a], a, b) for a, b in zip(starts, stops, strict=True))

    def attribute(self, name: str, default: float) -> np.ndarray:
        """Upstream per-segment attribute (e.g. plated Zn), ``default`` where the coil has none."""
        out = np.full(self.length_m.size, default, dtype=float)
        for coil, a, b in self.coil_runs:
            values = coil.attributes.get(name)
            if values is None:
                continue
            k = self.index_in_coil[a:b]
            has = k < values.size
            out[a:b][has] = values[k[has]]
        return out


class WebLineRuntime:
    """Base runtime; subclasses define ``rewind_m``, the signals, ``control_step`` and ``consume``."""

    def __init__(self, env: simpy.Environment, spec: Any, inbox: simpy.Store, outbox: simpy.Store | None,
                 streams: Streams, params: ParameterValues, segment_length_m: float,
                 batch_segments: int = 2000) -> None:
        self.env, self.spec, self.inbox, self.outbox, self.params = env, spec, inbox, outbox, params
        self.recorder: Any = None  # a twin.logs.Recorder, set by the builder
        self.name = spec.name
        self.settings = spec.settings
        self.log = StateLog(spec.name)
        self.motion = WebMotion()
        self.segment_length_m = segment_length_m
        self.batch_segments = batch_segments
        self.streams = streams
        self.events = 0
        self.failures = FailureClock(spec.equipment, streams, self.name)
        self.speed_set = PiecewiseSignal()
        self.coils: list[tuple[float, Coil]] = []  # (web coordinate of the head, coil)
        self.finished_X = 0.0
        self.tau = 0.0
        self.X = 0.0
        self.operating_h = 0.0
        self.metres_unwound = 0.0
        self.ideal_metres = 0.0
        self.breakdowns = 0
        self.coils_out = 0
        self._since_control = 0.0
        self._pending: dict[str, list[dict[str, np.ndarray]]] = {}
        self._next_maintenance_h = spec.maintenance.every_h if spec.maintenance else np.inf
        self._changeovers = sorted(spec.changeovers, key=lambda c: c.at_h)
        self._campaigns: list[Any] = []  # scheduled campaigns, (start h, ...) in order (subclasses fill it)
        self._running: tuple[SpeedPlan, float] | None = None
        self.break_clock: Any = None  # a twin.web_breaks.WebBreakClock on lines whose web can break
        self.process = env.process(self._run())

    # ----------------------------------------------------------------------------------------- hooks
    @property
    def rewind_m(self) -> float:
        """Web path length from the unwinder to the rewinder [m]."""
        raise NotImplementedError

    def start_signals(self, tau: float) -> None:
        """Process signals in force from production clock ``tau`` (the steady pre-run history)."""

    def control_interval_s(self) -> float:
        """Production seconds between controller/sensor steps (equipment: read once, when the line starts)."""
        raise NotImplementedError

    def control_step(self) -> None:
        """Sensors read, controllers act, signals change (at the current production clock)."""

    def on_maintenance(self) -> None:
        """Planned maintenance done (e.g. new heater elements)."""

    def on_settings(self) -> None:
        """New set points took effect (changeover)."""

    def campaign_stops(self) -> bool:
        """Whether the next campaign (``self._campaigns[0]``) stops the line (else it takes effect on the fly)."""
        return True

    def on_campaign(self):
        """The next scheduled campaign starts (a generator: it stops the line when :meth:`campaign_stops`)."""
        yield from ()

    def on_web_break(self):
        """The web broke (at the clock's next break): stop, re-thread (a generator; lines with a break clock)."""
        yield from ()

    def consume(self, segments: Segments) -> dict[str, np.ndarray] | None:
        """Results of finished segments; returned arrays travel with the coil to the next line."""
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------- motion
    @property
    def speed_m_per_s(self) -> float:
        return self.settings.web_speed_m_per_min / 60.0

    def _run(self):
        env = self.env
        rewind = self.rewind_m
        v = self.speed_m_per_s
        t0 = -2.0 * rewind / v  # the line starts threaded: the web in the path ran at set points before t = 0
        self.motion.append(np.array([t0, 0.0]), np.array([-2.0 * rewind, 0.0]))
        self.motion.mark_wall(t0, t0)
        self.motion.mark_wall(0.0, 0.0)
        self.speed_set.set(t0, v)
        self.start_signals(t0)
        self.failures.schedule_all(self.operating_h)
        coil = yield from self._take_coil(first=True)
        self.coils.append((-rewind, coil))
        self.finished_X = -rewind
        coil_end = -rewind + coil.length_m
        plan: SpeedPlan | None = SpeedPlan(self.tau, self.X, v, 0.0)
        self.log.enter(env.now / 3600.0, State.PRODUCTION)
        failures, control_s = self.failures, self.control_interval_s()
        while True:
            if plan is None:  # (re)start after a stop: ramp back to speed
                self.log.enter(env.now / 3600.0, State.PRODUCTION)
                self.motion.mark_wall(self.tau, env.now)
                plan = SpeedPlan(self.tau, self.X, self.speed_m_per_s, self.spec.restart_ramp_s)
            fail_name, fail_h = failures.first()
            what, dt = self._next_event(plan, coil_end, fail_h, control_s)
            self._running = (plan, env.now)
            yield env.timeout(dt)
            self._running = None
            self.events += 1
            self._advance(plan, dt)
            stopped = (yield from self._handoff()) if self._handoff_due() else False
            if what == "control":
                self._since_control = 0.0
                self.control_step()
                if not stopped:
                    continue
            elif what == "campaign" and not self.campaign_stops():
                yield from self.on_campaign()  # on the fly: yields nothing
                what = "done"
                if not stopped:
                    continue
            self.motion.mark_wall(self.tau, env.now)
            if what == "coil":
                coil = yield from self._take_coil(first=False)
                self.coils.append((coil_end, coil))
                coil_end += coil.length_m
            elif what == "failure":
                yield from self._breakdown(fail_name)
            elif what == "web_break":
                yield from self.on_web_break()
            elif what == "maintenance":
                yield from self._stop(State.MAINTENANCE, "planned", self.spec.maintenance.duration_h * 3600.0)
                self._next_maintenance_h = self.operating_h + self.spec.maintenance.every_h
                self.on_maintenance()
            elif what == "campaign":
                yield from self.on_campaign()
            elif what == "changeover":
                yield from self._stop(State.SETUP, "changeover", self.spec.changeover_min * 60.0)
                while self._changeovers and self._changeovers[0].at_h * 3600.0 <= env.now + 1e-9:
                    self.settings = self._changeovers.pop(0).settings
                    self.speed_set.set(self.tau, self.speed_m_per_s)
                    self.on_settings()
            plan = None

    def _next_event(self, plan: SpeedPlan, coil_end: float, fail_h: float, control_s: float) -> tuple[str, float]:
        """The next event and the seconds of production to it (≥ 0); on a tie the first in this order: coil,
        failure, maintenance, changeover, campaign, web break, control."""
        now = self.env.now
        what, dt = "coil", plan.tau_at(coil_end) - self.tau
        left = (fail_h - self.operating_h) * 3600.0
        if left < dt:
            what, dt = "failure", left
        left = (self._next_maintenance_h - self.operating_h) * 3600.0
        if left < dt:
            what, dt = "maintenance", left
        if self._changeovers:
            left = self._changeovers[0].at_h * 3600.0 - now
            if left < dt:
                what, dt = "changeover", left
        if self._campaigns:
            left = self._campaigns[0][0] * 3600.0 - now
            if left < dt:
                what, dt = "campaign", left
        if self.break_clock is not None and self.break_clock.next_X < np.inf:
            left = plan.tau_at(self.break_clock.next_X) - self.tau
            if left < dt:
                what, dt = "web_break", left
        left = control_s - self._since_control
        if left < dt:
            what, dt = "control", left
        return what, max(dt, 0.0)

    def _advance(self, plan: SpeedPlan, dt: float) -> None:
        """Move the web by ``dt`` seconds of production along ``plan`` and log the motion."""
        tau_end = self.tau + dt
        if self.tau >= plan.ramp_end_tau:  # at speed: the one new breakpoint is the end (the ramp's are logged)
            X_end = plan.X_at(tau_end)
            self.motion.append_point(tau_end, X_end)
        else:
            taus, Xs = plan.knots_until(tau_end)
            self.motion.append(taus, Xs)
            X_end = Xs[-1]
        self.metres_unwound += X_end - self.X
        self.ideal_metres += self.speed_m_per_s * dt
        self.X, self.tau = X_end, tau_end
        self.operating_h += dt / 3600.0
        self._since_control += dt

    def _take_coil(self, first: bool):
        """Get the next coil (starved while the inbox is empty), then splice it (setup)."""
        env = self.env
        if not self.inbox.items:
            self.log.enter(env.now / 3600.0, State.STARVED, "coil store empty")
        elif not first:
            self.log.enter(env.now / 3600.0, State.SETUP, "coil change")
        coil = yield self.inbox.get()
        self.events += 1
        if not first and self.spec.coil_change_min > 0:
            self.log.enter(env.now / 3600.0, State.SETUP, "coil change")
            yield env.timeout(self.spec.coil_change_min * 60.0)
            self.events += 1
        return coil

    def _breakdown(self, name: str):
        self.breakdowns += 1
        yield from self._stop(State.BREAKDOWN, name, self.failures.repair_h(name) * 3600.0)
        self.failures.schedule(name, self.operating_h)

    def _stop(self, state: State, cause: str, seconds: float):
        self.log.enter(self.env.now / 3600.0, state, cause)
        yield self.env.timeout(seconds)
        self.events += 1

    # ----------------------------------------------------------------------------------------- segments
    def _handoff_due(self) -> bool:
        """Whether :meth:`_handoff` has work: a full batch of finished segments, or a coil done for the outbox (the
        first coil on the web ends first: coils are spliced head to tail)."""
        done_X = self.X - self.rewind_m
        if self.outbox is not None and self.coils:
            head, coil = self.coils[0]
            if head + coil.length_m <= done_X + 1e-9:
                return True
        return done_X - self.finished_X >= self.batch_segments * self.segment_length_m

    def _handoff(self, final: bool = False):
        """Turn finished segments into results in batches; put completed coils into the outbox.

        Returns True if the line had to stop (blocked by a full outbox)."""
        done_X = self.X - self.rewind_m
        coil_done = self.outbox is not None and any(h + c.length_m <= done_X + 1e-9 for h, c in self.coils)
        if not (final or coil_done) and done_X - self.finished_X < self.batch_segments * self.segment_length_m:
            return False
        segments = self._segments_between(self.finished_X, done_X)
        blocked = False
        if segments is not None:
            results = self.consume(segments)
            if self.outbox is not None and results is not None:
                blocked = yield from self._ship(segments, results, done_X, final)
        self.finished_X = done_X
        self.flush_logs()
        self.coils = [(h, c) for h, c in self.coils if h + c.length_m > done_X] or self.coils[-1:]
        tau_keep = self.motion.prune_before(done_X - self.rewind_m)
        self.prune_signals(tau_keep)
        return blocked

    def flush_logs(self) -> None:
        """Stream the state log (and, in subclasses, sensor logs) to the recorder and forget them."""
        if self.recorder is not None:
            self.recorder.states(self.name, self.log.drain())
        else:
            self.log.drain()

    def prune_signals(self, tau: float) -> None:
        """Forget signal history before ``tau`` (subclasses extend)."""
        self.speed_set.prune_before(tau)

    def _ship(self, segments: Segments, results: dict[str, np.ndarray], done_X: float, final: bool):
        """Collect per-coil results; a coil whose tail has passed the rewinder goes to the outbox."""
        for cid in dict.fromkeys(segments.coil_id):
            sel = segments.coil_id == cid
            self._pending.setdefault(cid, []).append({k: v[sel] for k, v in results.items()})
        blocked = False
        for head, coil in list(self.coils):
            if head + coil.length_m > done_X + 1e-9 or coil.coil_id not in self._pending:
                continue
            parts = self._pending.pop(coil.coil_id)
            attributes = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            if final:
                continue  # the run is over: a coil that could not be put away stays as work in progress
            kept = self.rewound(coil, attributes)
            if kept is None:
                continue  # nothing of the coil is shipped (cut out whole at the rewinder)
            length_m, attributes = kept
            out = Coil(coil.coil_id, length_m, coil.width_m, float(np.mean(attributes.get(
                "foil_thickness_um", [coil.foil_thickness_um]))), attributes)
            if len(self.outbox.items) >= self.outbox.capacity:
                self.motion.mark_wall(self.tau, self.env.now)
                self.log.enter(self.env.now / 3600.0, State.BLOCKED, "coil store full")
                blocked = True
            yield self.outbox.put(out)
            self.coils_out += 1
            self.events += 1
        return blocked

    def rewound(self, coil: Coil, attributes: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]] | None:
        """The length [m] and per-segment attributes of ``coil`` as it leaves the rewinder for the outbox, or None
        if none of it does. The base line ships every metre; a plating line may cut out-of-spec foil out."""
        return coil.length_m, attributes

    def segment_edges_m(self, coil: Coil) -> np.ndarray:
        """The edges [m from the coil's head] of a coil's segments (the last one the remainder): where
        :meth:`_segments_between` makes them and :meth:`segment_lengths_m` measures them."""
        return np.append(np.arange(0.0, coil.length_m, self.segment_length_m), coil.length_m)

    def segment_lengths_m(self, coil: Coil) -> np.ndarray:
        """The lengths [m] of a coil's segments from its head (the last one the remainder), as they are made."""
        return np.diff(self.segment_edges_m(coil))

    def finish(self) -> None:
        """Close the logs at the end of the run and hand over the last finished segments."""
        if self._running is not None:  # the run ended while the web was moving: account for that stretch
            plan, started = self._running
            self._advance(plan, self.env.now - started)
        if self.break_clock is not None:
            self.break_clock.advance(self.X)  # the expected count up to the end of the run
        self.log.close(self.env.now / 3600.0)
        for _ in self._handoff(final=True):  # a generator: at the end nothing waits, so it runs through
            pass

    def _segments_between(self, x_from: float, x_to: float) -> Segments | None:
        """Whole segments whose tail lies in (x_from, x_to] on the web coordinate."""
        rows = []
        for head, coil in self.coils:
            if head + coil.length_m <= x_from or head >= x_to:
                continue
            edges = head + self.segment_edges_m(coil)
            tails = edges[1:]
            sel = (tails > x_from + 1e-9) & (tails <= x_to + 1e-9)
            if sel.any():
                idx = np.nonzero(sel)[0]
                rows.append((coil, idx, edges[idx], tails[idx]))
        if not rows:
            return None
        lo = np.concatenate([r[2] for r in rows])
        hi = np.concatenate([r[3] for r in rows])
        counts = [r[1].size for r in rows]
        coils = [r[0] for r in rows for _ in r[1]]
        finished = self.motion.wall_at_tau(self.motion.tau_at_X(hi + self.rewind_m)) / 3600.0
        return Segments(
            coil_id=np.repeat(np.array([r[0].coil_id for r in rows], dtype=object), counts),
            index_in_coil=np.concatenate([r[1] for r in rows]), coil=coils, length_m=hi - lo,
            width_m=np.repeat(np.array([r[0].width_m for r in rows], dtype=float), counts),
            foil_thickness_um=np.repeat(np.array([r[0].foil_thickness_um for r in rows], dtype=float), counts),
            mid_m=0.5 * (lo + hi), finished_h=finished,
        )
