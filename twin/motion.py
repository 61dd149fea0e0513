"""Where the web is, and when: the motion log of a coupled web line.

The web advance X [m] (web metres that have moved past the unwinder) is piecewise linear in the
*production clock* τ [s], which runs only while the line is in production (heaters on). Stops are not in τ,
so X(τ) is strictly increasing and can be inverted with ``np.interp``. A second table maps τ to wall time.
After a stop the line ramps back to speed in ``n`` equal-time steps of rising speed.

Heater signals (stage-II temperature, stage-III peak) are piecewise constant in τ; their running integrals
give the mean a web point saw while it crossed a zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.interp import interp_scalar

RAMP_STEPS = 5


@dataclass(frozen=True)
class SpeedPlan:
    """Motion from a (re)start at production clock ``tau0`` and advance ``X0``: a ramp to ``v`` then constant.

    The ramp's breakpoints are computed once, at construction, as plain floats (the loop asks a plan for its
    position at every event); :meth:`knots` gives them as arrays."""

    tau0: float
    X0: float
    v_m_per_s: float
    ramp_s: float
    _kt: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _kx: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the same operations, in the same order, as the array form (tau0 + dt·k, X0 + cumulative sum of v_k·dt)
        tau0, X0 = float(self.tau0), float(self.X0)
        if self.ramp_s <= 0.0:
            kt, kx = (tau0,), (X0,)
        else:
            dt = self.ramp_s / RAMP_STEPS
            v = self.v_m_per_s
            cum, xs = 0.0, [X0 + 0.0]
            for k in range(RAMP_STEPS):
                cum += v * (k + 0.5) / RAMP_STEPS * dt
                xs.append(X0 + cum)
            kt, kx = tuple(tau0 + dt * k for k in range(RAMP_STEPS + 1)), tuple(xs)
        object.__setattr__(self, "_kt", kt)
        object.__setattr__(self, "_kx", kx)

    @property
    def ramp_end_tau(self) -> float:
        """Production clock at which the ramp ends and constant speed starts (tau0 without a ramp)."""
        return self._kt[-1]

    def knots(self) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints (τ, X) of the ramp, ending where constant speed starts."""
        return np.array(self._kt), np.array(self._kx)

    def X_at(self, tau: float) -> float:
        """Advance at production clock ``tau`` (≥ tau0)."""
        kt, kx = self._kt, self._kx
        if tau <= kt[-1]:
            return interp_scalar(tau, kt, kx)
        return kx[-1] + self.v_m_per_s * (tau - kt[-1])

    def tau_at(self, X: float) -> float:
        """Production clock at which the advance reaches ``X`` (≥ X0)."""
        kt, kx = self._kt, self._kx
        if kx[-1] >= X:
            return interp_scalar(X, kx, kt)
        return kt[-1] + (X - kx[-1]) / self.v_m_per_s

    def knots_until(self, tau: float) -> tuple[list[float], list[float]]:
        """Breakpoints after tau0 up to and including ``tau`` (the interruption or end of the run)."""
        tau0 = self.tau0
        taus, Xs = [], []
        for a, b in zip(self._kt, self._kx, strict=True):
            if tau0 < a < tau:
                taus.append(a)
                Xs.append(b)
        taus.append(tau)
        Xs.append(self.X_at(tau))
        return taus, Xs


@dataclass
class PiecewiseSignal:
    """A value that changes at production-clock instants; integrable between any two τ."""

    tau: list[float] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def set(self, tau: float, value: float) -> None:
        """From ``tau`` on the signal is ``value`` (a later call at the same τ replaces the earlier one)."""
        if self.tau and tau <= self.tau[-1]:
            self.value[-1] = value
            return
        self.tau.append(tau)
        self.value.append(value)

    def at(self, tau: np.ndarray) -> np.ndarray:
        """The value in force at each τ."""
        t = np.asarray(self.tau)
        i = np.clip(np.searchsorted(t, tau, side="right") - 1, 0, len(t) - 1)
        return np.asarray(self.value)[i]

    def mean(self, tau_a: np.ndarray, tau_b: np.ndarray) -> np.ndarray:
        """Mean over [tau_a, tau_b] (the value at tau_a where the interval is empty)."""
        t = np.asarray(self.tau)
        v = np.asarray(self.value)
        cum = np.concatenate([[0.0], np.cumsum(v[:-1] * np.diff(t))])

        def integral(x: np.ndarray) -> np.ndarray:
            i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, len(t) - 1)
            return cum[i] + v[i] * (x - t[i])

        span = tau_b - tau_a
        safe = np.where(span > 0.0, span, 1.0)
        return np.where(span > 0.0, (integral(tau_b) - integral(tau_a)) / safe, self.at(tau_a))

    def prune_before(self, tau: float) -> None:
        """Forget change points no longer needed for queries at or after ``tau``."""
        i = int(np.searchsorted(np.asarray(self.tau), tau, side="right")) - 1
        if i > 0:
            del self.tau[:i]
            del self.value[:i]


@dataclass
class WebMotion:
    """The motion log: (τ, X) breakpoints and the τ → wall-time map, from the pre-run history on."""

    tau: list[float] = field(default_factory=list)
    X: list[float] = field(default_factory=list)
    wall_tau: list[float] = field(default_factory=list)
    wall_t: list[float] = field(default_factory=list)

    def append(self, taus: np.ndarray, Xs: np.ndarray) -> None:
        """Add breakpoints (strictly after the last one)."""
        for a, b in zip(taus, Xs, strict=True):
            if self.tau and a <= self.tau[-1]:
                continue
            self.tau.append(float(a))
            self.X.append(float(b))

    def append_point(self, tau: float, X: float) -> None:
        """Add one breakpoint (ignored unless strictly after the last one): :meth:`append` for one."""
        if self.tau and tau <= self.tau[-1]:
            return
        self.tau.append(tau)
        self.X.append(X)

    def mark_wall(self, tau: float, t_s: float) -> None:
        """Record that production clock ``tau`` was reached at wall time ``t_s`` (at every start and stop)."""
        self.wall_tau.append(tau)
        self.wall_t.append(t_s)

    def tau_at_X(self, X: np.ndarray) -> np.ndarray:
        """Production clock at which the advance reached ``X``."""
        return np.interp(X, self.X, self.tau)

    def speed_at_X(self, X: np.ndarray) -> np.ndarray:
        """Web speed [m/s] when the advance was at ``X``."""
        xs, ts = np.asarray(self.X), np.asarray(self.tau)
        i = np.clip(np.searchsorted(xs, X, side="right") - 1, 0, len(xs) - 2)
        return (xs[i + 1] - xs[i]) / (ts[i + 1] - ts[i])

    def wall_at_tau(self, tau: np.ndarray) -> np.ndarray:
        """Wall time [s] at production clock ``tau`` (production runs between the marks in order)."""
        return np.interp(tau, self.wall_tau, self.wall_t)

    def prune_before(self, X: float) -> float:
        """Forget breakpoints before advance ``X``; returns the production clock there (for the signals)."""
        xs = np.asarray(self.X)
        i = int(np.searchsorted(xs, X, side="right")) - 1
        if i > 0:
            del self.tau[:i]
            del self.X[:i]
        tau = self.tau[0]
        j = int(np.searchsorted(np.asarray(self.wall_tau), tau, side="right")) - 1
        if j > 0:
            del self.wall_tau[:j]
            del self.wall_t[:j]
        return tau
