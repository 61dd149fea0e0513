"""The stage-III operating window of a line: the peaks at which its skin comes out as specified.

For a recipe on a given line (speed, heater length, foil, quench, stage II), the window is the range of stage-III
peak temperatures whose skin is single-phase α as quenched (:mod:`process_models.uht.quench`), free of melting,
and of a thickness inside ``skin_window_nm``. Every edge is monotone in the peak over the range that matters
(hotter: thicker skin, leaner β at the freeze, more liquid), so the window is found by a scan of the peak in
one batch (:func:`~process_models.uht.recipe.evaluate_recipes`) with each edge placed by linear interpolation
between the scan points on either side of it (thickness: on the thickness itself; α and melting: midway, so
an edge is good to half a scan step). The heater power at both edges comes from the moving-web heater
(:mod:`process_models.uht.web_heater`, interpolated between the scan points), which gives the window's width
as a share of the heater power: what "tight control" of stage III (seed 002 §2.1) has to hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.uht.recipe import RecipeResult, UHTRecipe, evaluate_recipes


@dataclass(frozen=True)
class Stage3Window:
    """Peaks [K] of the window (``low_K`` ≤ ``high_K``; NaN when empty), the edge that sets each, the heater
    power per metre of width at both edges [W/m], and the scan it was read from."""

    low_K: float
    high_K: float
    low_edge: str
    high_edge: str
    power_low_W_per_m: float
    power_high_W_per_m: float
    peaks_K: tuple[float, ...]
    skin_nm: tuple[float, ...]
    phases: tuple[str, ...]
    melt_nm: tuple[float, ...]

    @property
    def width_K(self) -> float:
        return self.high_K - self.low_K

    @property
    def middle_K(self) -> float:
        return 0.5 * (self.low_K + self.high_K)

    @property
    def power_width_frac(self) -> float:
        """Width of the window in heater power, relative to the power at its middle."""
        return 2.0 * (self.power_high_W_per_m - self.power_low_W_per_m) / (
            self.power_high_W_per_m + self.power_low_W_per_m)


def _cross(T: np.ndarray, ok: np.ndarray, rising: bool) -> float:
    """Midpoint between the last scan point failing and the first passing a monotone criterion (NaN: none)."""
    idx = np.nonzero(ok)[0]
    if idx.size == 0:
        return float("nan")
    i = idx[0] if rising else idx[-1]
    j = i - 1 if rising else i + 1
    if j < 0 or j >= T.size:
        return float(T[i])
    return float(0.5 * (T[i] + T[j]))


def _thickness_edge(T: np.ndarray, skin: np.ndarray, limit: float) -> float:
    """Peak at which the (rising) skin thickness crosses ``limit``, linear between scan points (NaN: never)."""
    above = np.nonzero(skin > limit)[0]
    if above.size == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(T[0])
    return float(np.interp(limit, skin[i - 1:i + 1], T[i - 1:i + 1]))


def stage3_window(recipe: UHTRecipe, skin_window_nm: tuple[float, float], params: ParameterValues,
                  peaks_K: np.ndarray | None = None) -> Stage3Window:
    """The window of ``recipe``'s line (its ``stage3_peak_K`` is ignored) over the scan ``peaks_K`` (default
    1000-1175 K every 2 K: from below any conversion to the α solidus at the skin's composition)."""
    if recipe.stage3_power_W_per_m is not None:
        raise FoiltwinInputError("stage3_power_W_per_m", recipe.stage3_power_W_per_m,
                                 "None: the window is scanned in the peak temperature")
    T = np.arange(1000.0, 1175.0 + 1e-9, 2.0) if peaks_K is None else np.asarray(peaks_K, dtype=float)
    if T.ndim != 1 or T.size < 2 or np.any(np.diff(T) <= 0.0):
        raise FoiltwinInputError("peaks_K", T.tolist(), "an increasing scan of at least two peaks [K]")
    rows: list[RecipeResult] = evaluate_recipes([replace(recipe, stage3_peak_K=float(t)) for t in T], params)
    skin = np.array([r.skin_thickness_nm for r in rows])
    melt = np.array([r.max_melt_depth_nm for r in rows])
    alpha = np.array([r.skin_phase == "alpha" for r in rows])
    lo_nm, hi_nm = skin_window_nm
    lows = {"single-phase α": _cross(T, alpha, rising=True), f"skin ≥ {lo_nm:g} nm": _thickness_edge(T, skin, lo_nm)}
    no_melt = melt <= 0.0
    highs = {f"skin ≤ {hi_nm:g} nm": _thickness_edge(T, skin, hi_nm),
             "no melting": float("nan") if no_melt.all() else _cross(T, no_melt, rising=False)}
    if np.isnan(lows["single-phase α"]):
        lows["single-phase α"] = float("inf")
    low_edge = max(lows, key=lambda k: -np.inf if np.isnan(lows[k]) else lows[k])
    high_edge = min(highs, key=lambda k: np.inf if np.isnan(highs[k]) else highs[k])
    low = lows[low_edge]
    high = float(T[-1]) if np.isnan(highs[high_edge]) else highs[high_edge]
    if not np.isfinite(low) or low > high:
        low = high = float("nan")
        p_lo = p_hi = float("nan")
    else:
        power = np.array([r.stage3_heater.get("power_W_per_m", np.nan) for r in rows], dtype=float)
        p_lo, p_hi = (float(np.interp(t, T, power)) for t in (low, high))  # smooth in the peak: linear is enough
    return Stage3Window(low, high, low_edge, high_edge, p_lo, p_hi, tuple(T.tolist()), tuple(skin.tolist()),
                        tuple(r.skin_phase for r in rows), tuple(melt.tolist()))
