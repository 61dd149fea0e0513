"""Stage-III temperature history of UHT recipes: the moving-web heater (``stage3_mode="web"``, default) or the
lumped batch pulse (``"batch"``: a stationary sample under a programmed ramp and hold, e.g. a lab unit).

Web: the line speed v and the heater length L (pulse time L/v) through :func:`process_models.uht.web_heater.
solve_web_heater`, for the recipe's peak (the power it needs is solved for) or its power per metre of width (the
peak follows); T(t) is the history of a material point through the zone and the quench. Batch: the present
ramp-hold-quench set-point form (:func:`process_models.uht.thermal.setpoint_history`) — the web model's high-
Péclet limit with a programmed power instead of a constant current. docs/uht_model.md compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from process_models.errors import FoiltwinInputError
from process_models.materials.properties import cu_sensible_heat_J_per_kg
from process_models.parameters.registry import ParameterValues
from process_models.uht.thermal import TemperatureHistory, setpoint_history
from process_models.uht.web_heater import WebHeaterResult, solve_web_heater, zone_cells

HISTORY_SAMPLES = 41  # more samples pull the diffusion's step ends onto them (see WebHeaterResult.history)


@dataclass(frozen=True)
class Stage3History:
    """Histories (B, M) of recipes sharing a foil thickness, cooling and stage-III mode, and what they cost."""

    time_s: np.ndarray
    temperature_K: np.ndarray
    peak_K: np.ndarray
    energy_J_per_m2: np.ndarray
    """Electrical energy of the stage-III heater per m² of foil."""
    sensible_J_per_m2: np.ndarray
    """ρ·d·∫cp dT from the start to the peak (the lossless lower bound)."""
    heater: list[dict]
    """Per recipe: mode, line speed, heater length, power per metre of width and per heated m², current, Péclet,
    energy accounts (web) or ramp and largest power (batch)."""
    warnings: list[list[str]]


def stage3_histories(recipes: Sequence, thickness_m: float, cooling: str, params: ParameterValues) -> Stage3History:
    """Stage-III histories of validated recipes that share ``thickness_m``, ``cooling`` and a stage-III mode."""
    modes = {r.stage3_mode for r in recipes}
    if len(modes) != 1:
        raise ValueError(f"stage3_histories: one stage-III mode per call, got {sorted(modes)}")
    if modes == {"batch"}:
        return _batch(recipes, thickness_m, cooling, params)
    return _web(recipes, thickness_m, cooling, params)


def _check_heater_power(history: TemperatureHistory, rate: np.ndarray, thickness_m: float,
                        params: ParameterValues) -> None:
    """Refuse a stage-III ramp the heater cannot drive, naming the recipe field and the largest feasible rate."""
    bad = ~history.power_feasible
    if bad.any():
        b = int(np.argmax(bad))
        limit = params["heater_max_areal_power_W_per_m2"]
        feasible = rate[b] * limit / history.max_heater_power_W_per_m2[b]
        raise FoiltwinInputError(
            "stage3_heating_rate_K_per_s", float(rate[b]),
            f"at most ≈{feasible:.3g} K/s for a {thickness_m * 1e6:g} µm foil: the ramp needs "
            f"{history.max_heater_power_W_per_m2[b]:.3g} W/m2 and the heater gives {limit:.3g} W/m2 "
            "(heater_max_areal_power_W_per_m2)")


def _batch(recipes: Sequence, thickness_m: float, cooling: str, params: ParameterValues) -> Stage3History:
    rate = np.array([r.stage3_heating_rate_K_per_s for r in recipes], dtype=float)
    t3 = np.array([r.stage3_time_s for r in recipes], dtype=float)
    peak = np.array([r.stage3_peak_K for r in recipes], dtype=float)
    h = setpoint_history(start_temperature_K=params["ambient_temperature_K"], setpoint_K=peak,
                         heating_rate_K_per_s=rate,
                         heater_on_s=t3, thickness_m=thickness_m, params=params, cooling=cooling, on_power_limit="flag")
    _check_heater_power(h, rate, thickness_m, params)
    warnings = [[] if h.reached_setpoint[j] else
                [f"stage III ramp ({r.stage3_heating_rate_K_per_s:g} K/s) cannot reach {r.stage3_peak_K:.0f} K in "
                 f"{r.stage3_time_s * 1e3:g} ms; peak {h.peak_temperature_K[j]:.0f} K"] for j, r in enumerate(recipes)]
    heater = [{"mode": "batch", "heating_rate_K_per_s": float(rate[j]),
               "max_power_W_per_m2": float(h.max_heater_power_W_per_m2[j])} for j in range(len(recipes))]
    return Stage3History(time_s=h.time_s, temperature_K=h.temperature_K, peak_K=h.peak_temperature_K,
                         energy_J_per_m2=h.heater_energy_J_per_m2, sensible_J_per_m2=h.sensible_heat_J_per_m2,
                         heater=heater, warnings=warnings)


def _web(recipes: Sequence, thickness_m: float, cooling: str, params: ParameterValues) -> Stage3History:
    """Web histories. A peak the zone cannot reach within the heater's limit is capped: the heater runs at its
    limit and the peak it gives is used, with a warning (as the batch form caps a ramp that cannot reach its set
    point); a given power above the limit, or one that melts the foil, is refused."""
    B = len(recipes)
    by_power = np.array([r.stage3_power_W_per_m is not None for r in recipes])
    out = {"time": np.empty((B, HISTORY_SAMPLES)), "temp": np.empty((B, HISTORY_SAMPLES)), "peak": np.empty(B),
           "energy": np.empty(B), "sensible": np.empty(B), "heater": [{} for _ in range(B)],
           "warnings": [[] for _ in range(B)]}
    limit = params["heater_max_areal_power_W_per_m2"]
    speeds = np.array([r.line_speed_m_per_s for r in recipes])
    cells = zone_cells(speeds, np.array([r.stage3_heater_length_m for r in recipes]), params)
    # one solve per form and zone grid: a row's grid, and so its result, depends on its own settings only (not on
    # the batch it is solved in: the twin's result cache and its bulk solves rely on it)
    for power_given, n_zone in sorted({(bool(a), int(b)) for a, b in zip(by_power, cells, strict=True)}):
        idx = np.flatnonzero((by_power == power_given) & (cells == n_zone))
        sub = [recipes[i] for i in idx]
        v = np.array([r.line_speed_m_per_s for r in sub])
        L = np.array([r.stage3_heater_length_m for r in sub])
        target = ({"power_W_per_m": np.array([r.stage3_power_W_per_m for r in sub])} if power_given else
                  {"peak_K": np.array([r.stage3_peak_K for r in sub])})
        try:
            res = solve_web_heater(v, L, thickness_m, cooling=cooling, params=params, n_zone=n_zone, **target)
        except FoiltwinInputError as err:  # name the recipe's field
            if err.field != "power_W_per_m":
                raise
            raise FoiltwinInputError("stage3_power_W_per_m", err.value, err.allowed) from None
        if power_given:
            _check_given_power(res, sub, thickness_m, cooling, params)
        over = res.areal_power_W_per_m2 > limit * (1 + 1e-9)
        _fill(out, idx[~over], res, np.flatnonzero(~over), thickness_m, params)
        if over.any():
            capped = solve_web_heater(v[over], L[over], thickness_m, cooling=cooling, params=params,
                                      power_W_per_m=limit * L[over], n_zone=n_zone)
            _fill(out, idx[over], capped, np.arange(int(over.sum())), thickness_m, params)
            for j, i in enumerate(idx[over]):
                r = recipes[i]
                out["warnings"][i].append(
                    f"stage III cannot reach {r.stage3_peak_K:.0f} K at {v[over][j] * 60:.3g} m/min through "
                    f"{L[over][j] * 1e3:.3g} mm: it needs {res.power_W_per_m[over][j]:.4g} W/m and the heater gives "
                    f"{limit * L[over][j]:.4g} W/m (heater_max_areal_power_W_per_m2); peak "
                    f"{capped.peak_temperature_K[j]:.0f} K")
    return Stage3History(time_s=out["time"], temperature_K=out["temp"], peak_K=out["peak"],
                         energy_J_per_m2=out["energy"], sensible_J_per_m2=out["sensible"], heater=out["heater"],
                         warnings=out["warnings"])


def _fill(out: dict, rows: np.ndarray, res: WebHeaterResult, at: np.ndarray, thickness_m: float,
          params: ParameterValues) -> None:
    """Copy rows ``at`` of ``res`` into the recipes ``rows`` of ``out``."""
    if rows.size == 0:
        return
    t, T, _ = res.history(HISTORY_SAMPLES)
    out["time"][rows], out["temp"][rows] = t[at], T[at]
    out["peak"][rows] = res.peak_temperature_K[at]
    out["energy"][rows] = res.energy_J_per_m2[at]
    out["sensible"][rows] = params["cu_density_kg_per_m3"] * thickness_m * cu_sensible_heat_J_per_kg(
        res.inlet_temperature_K[at], res.peak_temperature_K[at], extrapolate=True, params=params)
    for i, j in zip(rows, at, strict=True):
        out["heater"][i] = _web_record(res, int(j))


def _web_record(res: WebHeaterResult, j: int) -> dict:
    return {
        "mode": "web", "line_speed_m_per_min": float(res.line_speed_m_per_s[j] * 60.0),
        "heater_length_mm": float(res.heater_length_m[j] * 1e3), "power_W_per_m": float(res.power_W_per_m[j]),
        "power_W_per_m2": float(res.areal_power_W_per_m2[j]),
        "current_per_width_A_per_m": None if res.current_per_width_A_per_m is None
        else float(res.current_per_width_A_per_m[j]),
        "peclet": float(res.peclet[j]), "peak_position_mm": float(res.peak_position_m[j] * 1e3),
        "accounts_W_per_m": {k: float(v[j]) for k, v in res.accounts_W_per_m.items()},
    }


def _check_given_power(res: WebHeaterResult, recipes: Sequence, thickness_m: float, cooling: str,
                       params: ParameterValues) -> None:
    """A given power must stay within ``heater_max_areal_power_W_per_m2`` × length and keep the foil solid."""
    limit = params["heater_max_areal_power_W_per_m2"]
    over = res.areal_power_W_per_m2 > limit * (1 + 1e-9)
    molten = res.peak_temperature_K >= params["cu_melting_temperature_K"]
    if not (over.any() or molten.any()):
        return
    j = int(np.argmax(over | molten))
    r = recipes[j]
    where = (f"at {res.line_speed_m_per_s[j] * 60:.3g} m/min through a {res.heater_length_m[j] * 1e3:.3g} mm "
             f"zone ({thickness_m * 1e6:g} µm foil, {cooling} quench)")
    if over[j]:
        raise FoiltwinInputError("stage3_power_W_per_m", r.stage3_power_W_per_m,
                                 f"at most {limit * res.heater_length_m[j]:.4g} W/m {where} "
                                 "(heater_max_areal_power_W_per_m2 × heater length)")
    raise FoiltwinInputError("stage3_power_W_per_m", r.stage3_power_W_per_m,
                             f"a power that keeps the foil solid {where}: this one gives "
                             f"{res.peak_temperature_K[j]:.0f} K")
