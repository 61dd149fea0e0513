"""Heaters of a UHT line with ageing, a pyrometer and a feedback controller.

Stage II holds the foil at a set temperature: in steady state the heater power equals the foil's losses,
so the temperature reached with power P is the inverse of the loss curve (``process_models.uht.thermal``).
Stage III is the moving-web heater (``process_models.uht.web_heater``): the peak a power per metre of width
gives at the line's speed and heater length is tabulated from it (nominal foil of the incoming coils), and the
true peak is read from that table at the power actually delivered. Heater supplies age: their resistance rises,
and at a fixed supply voltage the power falls as 1/R. The controller reads the pyrometer every ``interval_s`` of
production and corrects the power by a share ``gain_frac`` of the error (integral action); switched off, the
ageing drift shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.uht.thermal import heat_loss_W_per_m2
from process_models.uht.web_heater import solve_web_heater
from twin.interp import interp_scalar
from twin.motion import PiecewiseSignal
from twin.physics_memo import PhysicsMemo, parameters_key
from twin.scenario import UHTLine, UHTSettings

PYROMETER_DRAW_BLOCK = 512  # pyrometer normals drawn at once (even: one pair per controller step)


@dataclass
class HeaterLoop:
    """Both heaters of one line: true and measured temperatures as signals on the production clock."""

    spec: UHTLine
    params: ParameterValues
    rng: np.random.Generator
    foil_thickness_m: float = 10e-6  # nominal foil of the stage-III power table
    stage2: PiecewiseSignal = field(default_factory=PiecewiseSignal)
    stage3: PiecewiseSignal = field(default_factory=PiecewiseSignal)
    rows: list[tuple] = field(default_factory=list)
    memo: PhysicsMemo | None = None  # the caller's solved physics across runs: the stage-III tables too

    def __post_init__(self) -> None:
        ambient = self.params["ambient_temperature_K"]
        self._T_grid = np.linspace(ambient + 1.0, self.params["cu_melting_temperature_K"], 2000)
        self._P_grid = heat_loss_W_per_m2(self._T_grid, self.params, contact=False)
        # the loss curve as plain floats for the per-event interpolation (twin.interp: bit for bit numpy.interp)
        self._T_list: list[float] = self._T_grid.tolist()
        self._P_list: list[float] = self._P_grid.tolist()
        # the line's equipment is fixed for the run (changeovers change set points only): read it once
        spec = self.spec
        self._drift_per_h = float(spec.heater_ageing.resistance_drift_frac_per_h)
        self._noise_K = float(spec.pyrometer.noise_K)
        self._bias_K = float(spec.pyrometer.bias_K)
        self._control = bool(spec.control.enabled)
        self._gain = float(spec.control.gain_frac)
        self.ambient_K = ambient
        self.u2 = 1.0
        self.u3 = 1.0
        self.renewed_at_h = 0.0
        self._since_step = 0.0
        self._normals: list[float] = []
        self._normal_next = 0
        self._set(self.spec.settings)

    def _set(self, settings: UHTSettings) -> None:
        self.T2_set = settings.stage2_temperature_K
        self.T3_set = (self.params["stage3_default_peak_temperature_K"] if settings.stage3_peak_K is None
                       else settings.stage3_peak_K)
        self._stage3_table(settings)

    def _stage3_table(self, settings: UHTSettings, n: int = 25) -> None:
        """Peak against delivered power [W/m] for the web heater at the settings' speed, length and cooling:
        the set point's power P_set (capped at the heater's limit) and n powers from 0.3 to 1.6 P_set."""
        v = settings.web_speed_m_per_min / 60.0
        L = settings.stage3_heater_length_mm * 1e-3
        P_max = self.params["heater_max_areal_power_W_per_m2"] * L
        T_melt = self.params["cu_melting_temperature_K"]
        kw = {"cooling": settings.cooling, "params": self.params}
        line = f"{self.spec.name}.settings.stage3_peak_K"  # a refusal of the heater's argument names this setting
        where = f"at {settings.web_speed_m_per_min:g} m/min through {settings.stage3_heater_length_mm:g} mm"
        try:
            peak_K = min(self.T3_set, T_melt - 1.0)
            P_set = self._memoised(("stage3 set-point power", v, L, self.foil_thickness_m, settings.cooling, peak_K),
                                   lambda: float(solve_web_heater(v, L, self.foil_thickness_m, peak_K=peak_K,
                                                                  **kw).power_W_per_m[0]))
        except FoiltwinInputError as err:  # name the line's setting, not the heater's argument
            if err.field != "peak_K":
                raise
            raise FoiltwinInputError(line, self.T3_set, err.allowed, where) from None
        self.P3_set = min(P_set, P_max)
        powers = np.unique(np.minimum(self.P3_set * np.append(np.linspace(0.3, 1.6, n), 1.0), P_max))
        try:
            peaks = self._memoised(("stage3 peaks at powers", v, L, self.foil_thickness_m, settings.cooling,
                                    powers.tobytes()),
                                   lambda: _peaks_at_powers(v, L, self.foil_thickness_m, powers, T_melt, kw))
        except FoiltwinInputError as err:  # the table around the set point: name the line's setting
            if err.field != "power_W_per_m":
                raise
            raise FoiltwinInputError(line, self.T3_set, f"a set point whose heater table (0.3-1.6× its "
                                     f"{self.P3_set:.4g} W/m) the web heater solves: {err.value:.4g} W/m is refused, "
                                     f"{err.allowed}", where) from None
        self._P3_list = [float(v) for v in powers]  # plain floats for the per-event interpolation
        self._T3_list = [float(v) for v in np.minimum(peaks, T_melt)]
        self._P2_set = self._power_to_hold(self.T2_set)  # the stage-II power that holds the set point [W/m2]

    def _memoised(self, key: tuple, solve: Callable[[], Any]) -> Any:
        """``solve()``, or what it gave before under ``key`` and these parameters in the caller's memo
        (:mod:`twin.physics_memo`): a repeated twin run (the optimiser's check of a point seen before) then does
        not load the web heater's compiled kernel (≈ 0.3 s) for tables it already holds. Without a memo, solved."""
        if self.memo is None:
            return solve()
        full = (parameters_key(self.params), *key)
        return self.memo.get_many([full], lambda missing: [solve()])[0]

    def _power_to_hold(self, T: float) -> float:
        return interp_scalar(T, self._T_list, self._P_list)

    def _temperature_at_power(self, P: float) -> float:
        return interp_scalar(P, self._P_list, self._T_list)

    def _true(self, operating_h: float) -> tuple[float, float, float]:
        ageing = 1.0 / (1.0 + self._drift_per_h * (operating_h - self.renewed_at_h))
        T2 = self._temperature_at_power(self.u2 * ageing * self._P2_set)
        T3 = interp_scalar(self.u3 * ageing * self.P3_set, self._P3_list, self._T3_list)
        return T2, T3, ageing

    def start(self, tau: float) -> None:
        """Nominal operation from production clock ``tau``."""
        T2, T3, _ = self._true(0.0)
        self.stage2.set(tau, T2)
        self.stage3.set(tau, T3)

    def seconds_to_next_step(self) -> float:
        """Production seconds until the next controller step (the sensors are logged at the same rate)."""
        return self.spec.control.interval_s - self._since_step

    def note_production(self, seconds: float) -> None:
        self._since_step += seconds

    def step(self, tau: float, operating_h: float, wall_h: float) -> None:
        """Read the pyrometer, let the controller act, and update the true temperatures."""
        self._since_step = 0.0
        T2, T3, ageing = self._true(operating_h)
        z0, z1 = self._normal_pair()
        m2 = T2 + (self._noise_K * z0 + self._bias_K)
        m3 = T3 + (self._noise_K * z1 + self._bias_K)
        if self._control:
            g = self._gain
            P_set = self._P2_set
            self.u2 += g * (P_set - self._power_to_hold(m2)) / P_set
            self.u3 += g * (self.T3_set - m3) / (self.T3_set - self.ambient_K)
            T2, T3, ageing = self._true(operating_h)
        self.stage2.set(tau, T2)
        self.stage3.set(tau, T3)
        self.rows.append((wall_h, self.T2_set, T2, m2, self.T3_set, T3, m3, self.u2, self.u3, ageing))

    def _normal_pair(self) -> tuple[float, float]:
        """The next two standard normals of the pyrometer stream (stage II, stage III), drawn in blocks: the same
        numbers in the same order as one ``standard_normal(2)`` per step (the stream is the pyrometer's alone)."""
        i = self._normal_next
        if i + 2 > len(self._normals):
            self._normals = self.rng.standard_normal(PYROMETER_DRAW_BLOCK).tolist()
            i = 0
        self._normal_next = i + 2
        return self._normals[i], self._normals[i + 1]

    def renew(self, tau: float, operating_h: float) -> None:
        """New heater elements (planned maintenance): ageing restarts, the controller output resets."""
        self.renewed_at_h = operating_h
        self.u2 = self.u3 = 1.0
        T2, T3, _ = self._true(operating_h)
        self.stage2.set(tau, T2)
        self.stage3.set(tau, T3)

    def change_setpoints(self, tau: float, settings: UHTSettings, operating_h: float) -> None:
        """New set points (changeover); the controller keeps its correction for ageing."""
        self._set(settings)
        T2, T3, _ = self._true(operating_h)
        self.stage2.set(tau, T2)
        self.stage3.set(tau, T3)

    def prune_before(self, tau: float) -> None:
        self.stage2.prune_before(tau)
        self.stage3.prune_before(tau)


def _peaks_at_powers(v: float, L: float, thickness_m: float, powers: np.ndarray, T_melt_K: float,
                     kw: dict) -> np.ndarray:
    """Peaks [K] of the web heater at ``powers`` [W/m], one batch solve. The table reaches 1.6× the set point's
    power, which can melt the web: the batch then refuses the power that does, and each power is solved alone, a
    refused one reading as the melting point (the table is capped there anyway)."""
    try:
        return solve_web_heater(v, L, thickness_m, power_W_per_m=powers, **kw).peak_temperature_K
    except FoiltwinInputError as err:
        if err.field != "power_W_per_m":
            raise
    peaks = np.full(powers.size, np.nan)
    refused: FoiltwinInputError | None = None
    for i, P in enumerate(powers):  # ascending
        try:
            peaks[i] = solve_web_heater(v, L, thickness_m, power_W_per_m=float(P), **kw).peak_temperature_K[0]
        except FoiltwinInputError as err:
            if err.field != "power_W_per_m":
                raise
            refused = refused or err
    solved = np.isfinite(peaks)
    if not solved.any() or np.any(~solved[:int(np.flatnonzero(solved)[-1])]):  # only the top powers may melt
        raise refused  # type: ignore[misc]
    return np.where(solved, peaks, T_melt_K)
