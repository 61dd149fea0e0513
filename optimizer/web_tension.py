"""Web tension per heated zone as decisions, with the break risk as a constraint (issue 14 item 2).

Block ``web`` (in the MILP on the UHT-line block, ``m.uht.web``) holds the stage-II and stage-III tensions F_z
[N/m], bounded by the UHT line's ``web_tension_limits``, and linear rows that keep each zone between its slack
limit and its largest tension (``process_models.web.handling.WebBreakModel.tension_limits_N_per_m``): the smaller of
the tension whose break hazard is ``web_break_hazard_limit_per_m`` and the yield at the zone's decided temperature
(stage II: the table's T2, which over-estimates 1/(1/T2); stage III: the peak T3).

Both limits are functions of T sampled from the model (no constant is copied here), stated without binaries:

- upper: F ≤ each chord line of the largest tension on T knots. The largest tension is concave in T for the cited
  law (1 − T*ᵐ, m > 1), so the chords' lower envelope is the interpolant and lies below the function; any excess of
  the interpolant over the function on a fine grid (a non-concave override) is taken off every row;
- lower: F ≥ the tangent at the middle of the range of the slack limit E(T)·α·f·(T − T_amb)·d. It is concave, so
  the tangent lies above it (by ≈ |g''|·(ΔT/2)²/2, about 1 N/m on 900-1250 K; a lower bound of a concave
  function is not convex, so one line without binaries is what stays linear); any shortfall on the fine grid is
  added to the row.

So each row is conservative: a feasible point of the MILP meets the model's limits.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from optimizer.space import DecisionSpace
from process_models.parameters.registry import ParameterValues
from process_models.web.handling import WebBreakModel, web_margins

U = pyo.units
KNOTS = 13  # chord / tangent points per zone over its temperature range
FINE = 2001  # grid on which the rows' conservativeness is checked (and enforced)
ZONE_FIELDS = {"stage2": "stage2_web_tension_N_per_m", "stage3": "stage3_web_tension_N_per_m"}


def _lines_through(T: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercepts and slopes of the chords between consecutive knots."""
    slope = np.diff(f) / np.diff(T)
    return f[:-1] - slope * T[:-1], slope


def zone_rows(model: WebBreakModel, T_range_K: tuple[float, float], thickness_m: float, hazard_limit_per_m: float
              ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{"upper": (a, b), "lower": (a, b)}``: rows F ≤ a_k + b_k T (each chord k) and F ≥ a + b T (one row) over
    ``T_range_K``, conservative against the model's limits on a fine grid."""
    lo, hi = T_range_K
    T = np.linspace(lo, hi, KNOTS)
    Tf = np.linspace(lo, hi, FINE)

    def limits(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return model.tension_limits_N_per_m(x, thickness_m, hazard_limit_per_m)

    high_k = limits(T)[1]
    low_f, high_f = limits(Tf)
    a_u, b_u = _lines_through(T, high_k)
    envelope = np.min(a_u[:, None] + b_u[:, None] * Tf[None, :], axis=0)
    a_u = a_u - max(float(np.max(envelope - high_f)), 0.0)
    mid, dT = np.array([0.5 * (lo + hi)]), 1e-3 * (hi - lo)
    slope = (limits(mid + dT)[0] - limits(mid - dT)[0]) / (2.0 * dT)
    a_l, b_l = limits(mid)[0] - slope * mid, slope
    cover = np.max(a_l[:, None] + b_l[:, None] * Tf[None, :], axis=0)
    a_l = a_l + max(float(np.max(low_f - cover)), 0.0)
    return {"upper": (a_u, b_u), "lower": (a_l, b_l)}


def add_web_tension(m: pyo.Block, space: DecisionSpace, params: ParameterValues,
                    temperatures: dict[str, tuple[object, object]]) -> pyo.Block:
    """Block ``m.web`` (``m``: a model, or the UHT-line block): a tension per zone and its rows.
    ``temperatures[zone] = (Pyomo expression of the zone's hottest temperature [K], the values it can take or its
    (low, high) range [K])``, zones ``stage2``, ``stage3``."""
    lim = space.scenario.plant.lines[space.uht_index].web_tension_limits
    model = WebBreakModel.from_values(params)
    h_max = params["web_break_hazard_limit_per_m"]
    b = pyo.Block()
    m.web = b
    b.ZONES = pyo.Set(initialize=list(temperatures), ordered=True)
    b.F = pyo.Var(b.ZONES, bounds=(lim.min_N_per_m, lim.max_N_per_m), units=U.N / U.m,
                  doc="web tension per width in each heated zone")
    rows = {z: zone_rows(model, (float(np.min(rng)), float(np.max(rng))), space.foil_thickness_m, h_max)
            for z, (_, rng) in temperatures.items()}
    N_per_m = U.N / U.m
    b.upper = pyo.ConstraintList()
    b.lower = pyo.ConstraintList()
    for z, (T, _) in temperatures.items():
        for a, s in zip(*rows[z]["upper"], strict=True):
            b.upper.add(b.F[z] <= float(a) * N_per_m + float(s) * N_per_m / U.K * T)
        for a, s in zip(*rows[z]["lower"], strict=True):
            b.lower.add(b.F[z] >= float(a) * N_per_m + float(s) * N_per_m / U.K * T)
    return b


def read_tensions(m: pyo.Block) -> dict[str, float]:
    """Scenario field → decided tension [N/m] of the ``web`` block on ``m`` (empty without the block)."""
    b = getattr(m, "web", None)
    if b is None:
        return {}
    return {ZONE_FIELDS[z]: float(pyo.value(b.F[z])) for z in b.ZONES}


def web_check(params: ParameterValues, thickness_m: float, tensions: dict[str, float], stage2_temperature_K: float,
              stage3_peak_K: float) -> dict[str, float]:
    """The process model's verdict on a point's tensions: break hazard and probability per metre, the least yield
    margin over the zones, and the hazard limit (empty for a point without tensions)."""
    if not tensions:
        return {}
    zones = {"stage2": stage2_temperature_K, "stage3": stage3_peak_K}
    res = web_margins(WebBreakModel.from_values(params), {z: tensions[ZONE_FIELDS[z]] for z in zones}, zones,
                      thickness_m)
    return {"web_break_hazard_per_m": float(res.breaks_per_m[0]),
            "web_break_probability_per_m": float(res.break_probability_per_m[0]),
            "web_yield_margin_frac": float(min(z.yield_margin_frac[0] for z in res.zones.values())),
            "web_slack_margin_N_per_m": float(min(z.tension_N_per_m[0] - z.slack_tension_N_per_m[0]
                                                  for z in res.zones.values())),
            "web_break_hazard_limit_per_m": float(params["web_break_hazard_limit_per_m"])}


def web_misses(k: dict) -> list[str]:
    """Target-style misses of :func:`web_check`'s numbers (none when they are absent)."""
    out = []
    h, h_max = k.get("web_break_hazard_per_m"), k.get("web_break_hazard_limit_per_m")
    if h is not None and h_max is not None and h > h_max * (1 + 1e-6):
        out.append(f"web_break_risk: {h:.3g} breaks/m > {h_max:g}")
    if k.get("web_yield_margin_frac", 0.0) < -1e-9:
        out.append(f"web_yield: a zone is too hot for its tension (margin {k['web_yield_margin_frac']:.3f})")
    if k.get("web_slack_margin_N_per_m", 0.0) < -1e-6:
        out.append(f"web_slack: a tension is {-k['web_slack_margin_N_per_m']:.3g} N/m below its slack limit")
    return out
