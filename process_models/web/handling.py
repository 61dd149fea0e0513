"""Stress margin of the web along its heated path, break hazard per metre, and the slack (wrinkling) limit.

Each zone z holds the web at a tension per width F_z [N/m]; the foil (thickness d) carries σ_z = F_z/d. Along the
zone's temperature history T(t) the margins are 1 − σ_z/σ_y(T) (yield) and 1 − σ_z/σ_ts(T) (tensile),
:mod:`process_models.web.strength`. A zone is *too hot for its tension* where σ_z > σ_y(T): the web stretches
plastically there (and necks on towards a break).

Breaks, weakest link (Weibull): a metre of web whose strength ratio is s breaks at the first point of its path where
σ/σ_ts(T) exceeds s (strength does not depend on time: creep is not modelled). With a Weibull distribution of the
flaws' strength ratio, scaled so that a gauge length ℓ_g breaks with probability ½ at its tensile strength, the
break hazard per metre of web is

    h = ln2 / ℓ_g · r_maxᵝ,   r_max = max over zones and along each path of σ_z/σ_ts(T)

so breaks are a Poisson process in the web's length, P(break within one metre) = 1 − e^(−h·1 m).

Slack limit: a lane of the web hotter than the rest by ΔT_x lengthens by α·ΔT_x; it stays taut while the tension
strain exceeds that, σ/E(T) ≥ α ΔT_x, with ΔT_x = f_x (T − T_amb) (cross-web non-uniformity, assumed). The least
tension per width of a zone is max over its path of E(T) α f_x (T − T_amb) d.

The stage-III path is the moving-web heater's T(t) (:mod:`process_models.uht.web_heater`), stage II its hold at
≈750 K. A batch coil anneal carries no web tension (the coil is wound; its wraps' contact is the sticking limit of
:mod:`process_models.texture.coil_anneal`), so it has no zone here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from process_models.citations import register
from process_models.errors import check_array
from process_models.web.strength import FoilStrength

LN2 = math.log(2.0)


@dataclass(frozen=True)
class WebBreakModel:
    """Registry values of the break and slack models (plain floats; built once per registry by the caller)."""

    strength: FoilStrength
    weibull_modulus: float
    gauge_length_m: float
    expansion_per_K: float
    nonuniformity_frac: float
    ambient_K: float

    @classmethod
    def from_values(cls, p: Mapping[str, float]) -> WebBreakModel:
        register("Assumed", "web.handling")
        return cls(FoilStrength.from_values(p), p["web_break_weibull_modulus_frac"], p["web_break_gauge_length_m"],
                   p["cu_thermal_expansion_per_K"], p["web_cross_temperature_nonuniformity_frac"],
                   p["ambient_temperature_K"])

    def stress_ratio(self, tension_N_per_m: ArrayLike, thickness_m: ArrayLike, temperature_K: ArrayLike
                     ) -> np.ndarray:
        """σ/σ_ts(T) (inf where no strength is left)."""
        sigma = np.asarray(tension_N_per_m, dtype=float) / np.asarray(thickness_m, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(sigma > 0.0, sigma / self.strength.tensile_Pa(temperature_K), 0.0)

    def hazard_per_m(self, ratio: ArrayLike) -> np.ndarray:
        """Break hazard h = ln2/ℓ_g · rᵝ per metre of web [1/m] at the largest stress ratio ``ratio``."""
        return LN2 / self.gauge_length_m * np.asarray(ratio, dtype=float) ** self.weibull_modulus

    def ratio_at_hazard(self, hazard_per_m: float) -> float:
        """The stress ratio r whose hazard is ``hazard_per_m`` (inverse of :meth:`hazard_per_m`)."""
        return (hazard_per_m * self.gauge_length_m / LN2) ** (1.0 / self.weibull_modulus)

    def tension_limits_N_per_m(self, temperature_K: ArrayLike, thickness_m: float, hazard_limit_per_m: float
                               ) -> tuple[np.ndarray, np.ndarray]:
        """(least, largest) tension per width of a zone whose hottest point is ``temperature_K``: the slack limit,
        and the smaller of the tension at the break-hazard limit and the yield (no zone too hot for its tension)."""
        T = np.asarray(temperature_K, dtype=float)
        hi = thickness_m * np.minimum(self.ratio_at_hazard(hazard_limit_per_m) * self.strength.tensile_Pa(T),
                                      self.strength.yield_Pa(T))
        return self.slack_tension_N_per_m(T, thickness_m), hi

    def slack_tension_N_per_m(self, temperature_K: ArrayLike, thickness_m: ArrayLike) -> np.ndarray:
        """Least tension per width that keeps a lane f_x(T − T_amb) hotter than the rest taut [N/m]."""
        T = np.asarray(temperature_K, dtype=float)
        rise = np.maximum(T - self.ambient_K, 0.0)
        return (self.strength.youngs_modulus_Pa(T) * self.expansion_per_K * self.nonuniformity_frac * rise
                * np.asarray(thickness_m, dtype=float))


def break_probability_per_m(hazard_per_m: ArrayLike) -> np.ndarray:
    """P(at least one break within one metre of web) = 1 − e^(−h·1 m)."""
    return -np.expm1(-np.asarray(hazard_per_m, dtype=float))


@dataclass(frozen=True)
class ZoneMargin:
    """One zone of B webs (arrays (B,)): the worst point of its path."""

    zone: str
    tension_N_per_m: np.ndarray
    stress_Pa: np.ndarray
    peak_K: np.ndarray
    yield_Pa: np.ndarray
    """σ_y at the hottest point of the path."""
    tensile_Pa: np.ndarray
    yield_margin_frac: np.ndarray
    """1 − σ/σ_y at the hottest point (negative: the zone is too hot for its tension)."""
    tensile_margin_frac: np.ndarray
    slack_tension_N_per_m: np.ndarray
    """Least tension per width of the slack limit along the path."""
    ratio: np.ndarray
    """Largest σ/σ_ts along the path."""


@dataclass(frozen=True)
class WebMargins:
    """Margins of every zone and the web's break hazard (arrays (B,))."""

    zones: dict[str, ZoneMargin]
    breaks_per_m: np.ndarray
    break_probability_per_m: np.ndarray
    limiting_zone: np.ndarray
    """Zone name with the largest stress ratio (where a break starts)."""
    warnings: list[list[str]] = field(default_factory=list)

    def row(self, b: int = 0) -> dict:
        """JSON-ready summary of web ``b``: per zone and overall (``None`` for a margin or hazard that is infinite:
        no strength left at the zone's peak; its break probability is then 1)."""
        def num(x: float, scale: float = 1.0) -> float | None:
            return float(x) / scale if math.isfinite(x) else None

        zones = {name: {"tension_N_per_m": float(z.tension_N_per_m[b]), "stress_MPa": float(z.stress_Pa[b]) / 1e6,
                        "peak_K": float(z.peak_K[b]), "yield_strength_MPa": float(z.yield_Pa[b]) / 1e6,
                        "tensile_strength_MPa": float(z.tensile_Pa[b]) / 1e6,
                        "yield_margin_frac": num(z.yield_margin_frac[b]),
                        "tensile_margin_frac": num(z.tensile_margin_frac[b]),
                        "slack_tension_N_per_m": float(z.slack_tension_N_per_m[b])}
                 for name, z in self.zones.items()}
        return {"zones": zones, "breaks_per_m": num(self.breaks_per_m[b]),
                "break_probability_per_m": float(self.break_probability_per_m[b]),
                "limiting_zone": str(self.limiting_zone[b]), "warnings": list(self.warnings[b])}


def margin_along(model: WebBreakModel, tension_N_per_m: float, thickness_m: float, temperature_K: ArrayLike
                 ) -> dict[str, np.ndarray]:
    """Yield and tensile margins 1 − σ/σ(T) at every point of one temperature history (same shape as it)."""
    T = np.asarray(temperature_K, dtype=float)
    sigma = tension_N_per_m / thickness_m
    with np.errstate(divide="ignore"):
        return {"yield_margin_frac": 1.0 - sigma / model.strength.yield_Pa(T),
                "tensile_margin_frac": 1.0 - sigma / model.strength.tensile_Pa(T)}


def web_margins(model: WebBreakModel, tension_by_zone: Mapping[str, ArrayLike],
                temperature_by_zone: Mapping[str, ArrayLike], thickness_m: ArrayLike) -> WebMargins:
    """Margins and break hazard of B webs. ``tension_by_zone[z]``: (B,) or scalar [N/m]; ``temperature_by_zone[z]``:
    the zone's path temperatures, (B, M) histories, (B,) or a scalar [K]; ``thickness_m``: (B,) or scalar."""
    if set(tension_by_zone) != set(temperature_by_zone) or not tension_by_zone:
        raise ValueError(f"web_margins: zones {sorted(tension_by_zone)} vs {sorted(temperature_by_zone)}")
    d = check_array("foil_thickness_m", thickness_m, 0.0, None, unit="m", low_inclusive=False)
    F_in = {n: check_array(f"web_tension_N_per_m.{n}", F, 0.0, None, unit="N/m") for n, F in tension_by_zone.items()}
    T_in = {n: check_array(f"temperature_K.{n}", temperature_by_zone[n], 0.0, None, unit="K", low_inclusive=False)
            for n in F_in}
    T_in = {n: T.reshape(T.shape[0] if T.ndim else 1, -1) for n, T in T_in.items()}  # (B or 1, M) paths
    B = max([d.size, *(F.size for F in F_in.values()), *(T.shape[0] for T in T_in.values())])
    d_b = np.broadcast_to(d, (B,))
    zones: dict[str, ZoneMargin] = {}
    for name, F in F_in.items():
        T2 = np.broadcast_to(T_in[name], (B, T_in[name].shape[1]))
        Fz = np.broadcast_to(F, (B,))
        peak = T2.max(axis=1)
        sigma = Fz / d_b
        y, ts = model.strength.yield_Pa(peak), model.strength.tensile_Pa(peak)  # strength is lowest where T is
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sigma > 0.0, sigma / ts, 0.0)
            y_margin = np.where(sigma > 0.0, 1.0 - sigma / y, 1.0)
        slack = model.slack_tension_N_per_m(T2, d_b[:, None]).max(axis=1)
        zones[name] = ZoneMargin(name, Fz, sigma, peak, y, ts, y_margin, 1.0 - ratio, slack, ratio)
    names = list(zones)
    ratios = np.stack([zones[n].ratio for n in names])
    worst = ratios.max(axis=0)
    h = model.hazard_per_m(worst)
    warnings = [_warnings(zones, b) for b in range(worst.size)]
    return WebMargins(zones, h, break_probability_per_m(h), np.array(names, dtype=object)[ratios.argmax(axis=0)],
                      warnings)


def _warnings(zones: Mapping[str, ZoneMargin], b: int) -> list[str]:
    out = []
    for name, z in zones.items():
        if z.yield_margin_frac[b] < 0.0:
            out.append(f"web zone {name} too hot for its tension: {z.tension_N_per_m[b]:.4g} N/m is "
                       f"{z.stress_Pa[b] / 1e6:.3g} MPa, above the yield strength {z.yield_Pa[b] / 1e6:.3g} MPa at "
                       f"{z.peak_K[b]:.0f} K (the web stretches plastically; lower the tension or the temperature)")
        if z.tension_N_per_m[b] < z.slack_tension_N_per_m[b]:
            out.append(f"web zone {name} below its slack limit: {z.tension_N_per_m[b]:.4g} N/m < "
                       f"{z.slack_tension_N_per_m[b]:.4g} N/m (a hotter lane goes slack and wrinkles)")
    return out



def recipe_zone_temperatures(stage2_temperature_K: float, stage2_time_s: float, peak_temperature_K: float,
                             stage3_time_s: float) -> dict[str, float]:
    """Hottest temperature of each heated zone a UHT recipe's web crosses [K]: the stage-II hold (when it has a
    time) and the stage-III peak (the maximum of the moving-web history, when there is a pulse). Every quantity of
    :func:`web_margins` depends on a zone's path through its hottest point only (σ_y, σ_ts fall with T; the slack
    tension E(T)·(T − T_amb) rises with T up to the melting point), so these stand for the whole histories."""
    zones = {}
    if stage2_time_s > 0.0:
        zones["stage2"] = float(stage2_temperature_K)
    if stage3_time_s > 0.0:
        zones["stage3"] = float(peak_temperature_K)
    return zones
