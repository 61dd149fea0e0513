"""Web breaks of a UHT line as line events, and its zones' margins against their tension.

The hazard per metre of web comes from :mod:`process_models.web.handling` (weakest-link Weibull on the largest
σ/σ_ts along the heated path). It depends on each zone's tension and hottest temperature only, so the clock reads the
stage-II temperature and the stage-III peak the heaters deliver (not the set points: an ageing, uncontrolled heater
shows) whenever they change — at the start, at changeovers, maintenance and controller steps — and on nothing else.

Breaks are a Poisson process in the metres run with that piecewise-constant hazard: one Exp(1) target E per break
(drawn in blocks from the line's ``web_break`` stream) and the cumulative hazard H = ∫h dX; the next break is where
H reaches E, X_next = X + (E − H)/h. A change of hazard moves X_next without a new draw, so the count does not depend
on how often the hazard is re-read, and the per-event cost is a few float operations. The sampled hazard is capped
at one break per metre run (``MAX_SAMPLED_HAZARD_PER_M``): without strength left the model's hazard is infinite,
and a re-threaded web has to run before it can break again.
"""

from __future__ import annotations

import math

import numpy as np

from process_models.parameters.registry import ParameterValues
from process_models.web.handling import LN2, WebBreakModel, web_margins

EXP_DRAW_BLOCK = 64  # Exp(1) targets drawn at once
MAX_SAMPLED_HAZARD_PER_M = 1.0  # breaks are drawn at most this often: a web with no strength left (σ ≥ σ_ts,
# a peak at the melting point) breaks about once per metre re-threaded, not again at the same metre


class WebBreakClock:
    """Cumulative break hazard of one line's web in its web coordinate X [m] (metres unwound)."""

    def __init__(self, params: ParameterValues, rng: np.random.Generator, thickness_m: float,
                 enabled: bool = True) -> None:
        self.model = WebBreakModel.from_values(params)
        s = self.model.strength
        # plain floats for the per-event hazard (checked against web_margins in the tests)
        self._ts_rt, self._T_r, self._T_m = s.tensile_rt_Pa, s.reference_K, s.melting_K
        self._m, self._beta = s.softening_exponent, self.model.weibull_modulus
        self._h_unit = LN2 / self.model.gauge_length_m
        self.thickness_m = float(thickness_m)
        self.enabled = enabled
        self.rng = rng
        self._targets: list[float] = []
        self.h_per_m = 0.0
        self.X = 0.0
        self.H = 0.0
        self.E = self._draw() if enabled else math.inf
        self.expected = 0.0  # ∫h dX over the run: the model's expected count
        self.breaks = 0
        self.peak_h_per_m = 0.0

    def _draw(self) -> float:
        if not self._targets:
            self._targets = self.rng.standard_exponential(EXP_DRAW_BLOCK).tolist()[::-1]
        return self._targets.pop()

    def ratio(self, tension_N_per_m: float, T_K: float) -> float:
        """σ/σ_ts(T) of one zone (plain floats)."""
        t = min(max((T_K - self._T_r) / (self._T_m - self._T_r), 0.0), 1.0)
        strength = self._ts_rt * (1.0 - t**self._m)
        sigma = tension_N_per_m / self.thickness_m
        return math.inf if strength <= 0.0 < sigma else sigma / strength if sigma > 0.0 else 0.0

    def hazard_per_m(self, tensions_N_per_m: tuple[float, ...], temperatures_K: tuple[float, ...]) -> float:
        """h = ln2/ℓ_g · r_maxᵝ over the zones (tension, hottest temperature)."""
        r = max(self.ratio(F, T) for F, T in zip(tensions_N_per_m, temperatures_K, strict=True))
        return self.hazard_at_ratio(r)

    def hazard_at_ratio(self, r_max: float) -> float:
        """h = ln2/ℓ_g · r_maxᵝ for the zones' largest σ/σ_ts already known (per-event callers have the ratios)."""
        return self._h_unit * r_max**self._beta

    def advance(self, X: float) -> None:
        """Accumulate the hazard up to web coordinate ``X``."""
        dH = self.h_per_m * (X - self.X)
        self.H += dH
        self.expected += dH
        self.X = X

    def set_hazard(self, X: float, h_per_m: float) -> None:
        """The hazard from ``X`` on (accumulated up to ``X`` at the old one), sampled at most
        ``MAX_SAMPLED_HAZARD_PER_M``; ``peak_h_per_m`` keeps the model's value."""
        self.advance(X)
        self.h_per_m = min(h_per_m, MAX_SAMPLED_HAZARD_PER_M)
        self.peak_h_per_m = max(self.peak_h_per_m, h_per_m)

    @property
    def next_X(self) -> float:
        """Web coordinate of the next break (inf: none while the hazard stays as it is)."""
        if not self.enabled or self.h_per_m <= 0.0:
            return math.inf
        return self.X + max(self.E - self.H, 0.0) / self.h_per_m

    def fire(self, X: float) -> None:
        """A break at ``X``: count it, start a new target."""
        self.advance(X)
        self.breaks += 1
        self.H = 0.0
        self.E = self._draw()


def zone_warnings(model: WebBreakModel, tensions_N_per_m: dict[str, float], temperatures_K: dict[str, float],
                  thickness_m: float) -> tuple[list[str], float]:
    """The margins' warnings (a zone too hot for its tension, a tension below the slack limit) and the least yield
    margin over the zones."""
    res = web_margins(model, tensions_N_per_m, temperatures_K, thickness_m)
    return res.warnings[0], float(min(z.yield_margin_frac[0] for z in res.zones.values()))
