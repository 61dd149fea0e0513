"""The fastest linear stage-III ramp a power-limited heater drives on a given foil, and the highest peak it reaches
in a given on-time (the set-point form of :func:`process_models.uht.thermal.setpoint_history`).

A foil of thickness δ on a linear ramp at rate r needs the heat ρ·δ·cp(T)·r + loss(T) per m² at each temperature
(lumped foil, free cooling: radiation and gas convection from both faces, Incropera2007 §1.2, §5.2). The heater
gives at most P_max·η of it (``heater_max_areal_power_W_per_m2`` electrical per m² of foil, ``joule_heater_
efficiency_frac`` of it heats the foil: the foil is the Joule resistor). So the fastest ramp from T₀ to T_p is

    r_max = min over T in [T₀, T_p] of (P_max·η − loss(T)) / (ρ·δ·cp(T))

(≤ 0: the losses alone take the whole heater at some T ≤ T_p, no ramp reaches T_p). Since the losses do not depend
on δ, r_max ∝ 1/δ: twice the foil, half the ramp. The ramp's heat up to T_p is ρ·δ·∫cp dT + ∫loss dt, and the
heater delivers P_max·η only at the temperature of the minimum, less elsewhere (a programmed linear ramp, which is
what the set-point form models; the heater held at its limit would rise faster where cp and the losses are small).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import check_range
from process_models.uht.thermal import areal_heat_capacity_J_per_m2_K, heat_loss_W_per_m2

FloatArray = NDArray[np.float64]
_GRID = 257  # temperatures from T₀ to T_p where the ramp's heat is checked (the ends included)
_BISECTIONS = 60  # halvings of the peak bracket: far below 1e-6 K on a 1000 K bracket


def max_ramp_K_per_s(start_K: ArrayLike, peak_K: ArrayLike, thickness_m: ArrayLike, params) -> FloatArray:
    """The fastest linear ramp [K/s] from ``start_K`` to ``peak_K`` whose heat the heater's areal power limit
    covers at every temperature on the way, for a free Cu foil ``thickness_m`` [m] thick (module docstring);
    ≤ 0 where the losses alone exceed the limit. Arrays broadcast to (B,)."""
    register("Incropera2007", "heater_ramp.max_ramp_K_per_s")
    T0, Tp, d = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (start_K, peak_K, thickness_m))
    T0, Tp, d = np.broadcast_arrays(T0, Tp, d)
    T = T0[:, None] + (Tp - T0)[:, None] * np.linspace(0.0, 1.0, _GRID)[None, :]
    heat_W_per_m2 = params["heater_max_areal_power_W_per_m2"] * params["joule_heater_efficiency_frac"]
    spare = heat_W_per_m2 - heat_loss_W_per_m2(T, params)
    return np.min(spare / areal_heat_capacity_J_per_m2_K(T, d[:, None], params), axis=1)


def ramp_time_s(start_K: ArrayLike, peak_K: ArrayLike, thickness_m: ArrayLike, params) -> FloatArray:
    """Time [s] the fastest ramp (:func:`max_ramp_K_per_s`) takes from ``start_K`` to ``peak_K`` (inf where no
    ramp reaches the peak)."""
    r = max_ramp_K_per_s(start_K, peak_K, thickness_m, params)
    rise = np.asarray(peak_K, dtype=float) - np.asarray(start_K, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(r > 0.0, rise / np.where(r > 0.0, r, 1.0), np.inf)


def reachable_peak_K(start_K: float, thickness_m: float, on_time_s: float, highest_K: float, params) -> float:
    """The highest peak [K] below ``highest_K`` that the fastest ramp from ``start_K`` reaches within ``on_time_s``
    on a foil ``thickness_m`` thick (bisection: the ramp time grows with the peak). ``start_K`` when none above it
    is reached."""
    check_range("on_time_s", on_time_s, 0.0, None, low_inclusive=False, unit="s")
    if ramp_time_s(start_K, highest_K, thickness_m, params)[0] <= on_time_s:
        return float(highest_K)
    lo, hi = float(start_K), float(highest_K)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if ramp_time_s(start_K, mid, thickness_m, params)[0] <= on_time_s:
            lo = mid
        else:
            hi = mid
    return lo


def thickest_foil_m(start_K: float, peak_K: float, thickness_m: float, on_time_s: float, params) -> float:
    """The thickest foil [m] whose fastest ramp reaches ``peak_K`` within ``on_time_s``: r_max ∝ 1/δ, so
    δ_max = δ·r_max(δ)·t_on/(T_p − T₀) (0 where no ramp reaches the peak on any foil)."""
    r = float(max_ramp_K_per_s(start_K, peak_K, thickness_m, params)[0])
    return max(thickness_m * r * on_time_s / (peak_K - start_K), 0.0)
