"""The UHT line (stage-II Zn vapour and anneal, stage-III pulse that forms the skin) as a block of the MILP.

Decisions: ``y_zone[k]`` (k of the stage-II modules heated, exactly one k), ``ln_pace`` = ln(web pace / (s/m)),
``inv_T2`` = 1/T2 [1/K], the stage-III peak ``T3`` [K] and the web tension of each heated zone (sub-block ``web``,
:mod:`optimizer.web_tension`). Input: ``y_route[r]``, the Zn route of the chosen mode (vapour or plated), a Var of
the block when it is built alone.

- ``pace_tab``: pace = exp(ln pace) [s/m] (:func:`optimizer.blocks.pace.pace_table`);
- ``stage2``: the stage-II table on (1/T2, ln t2), t2 = the heated modules' length × pace: ln loading (vapour),
  energy per route, recrystallised fraction, heat-up share, T2 and the samples the model could not solve
  (``stage2_solvable``: no weight there on the chosen route); ``ramp2_ok``: the heat-up within its share of the
  zone time, exact in the pace;
- ``skin[r]``: each route's skin table on (ln loading, T3, ln t3), active only with its route, on its own
  ("hull") copies ``ln_loading[r]``, ``T3_r[r]``, ``ln_pace_r[r]`` of the shared coordinates (``T3_split``,
  ``pace_split``), so off-route outputs are exactly 0; ``reach3_ok``: the stage-III heater reaches the peak at this
  speed (moving-web model's power over the heater's limit);
- skins of other metals than Zn (``others``, :class:`OtherSkins`, issue 14; the tables are the skin-metal block's,
  :mod:`optimizer.blocks.skin_metal`): their hull copies of T3 and ln pace are terms of ``T3_split`` and
  ``pace_split``, their stage-III peak range is T3's (and the web tension's stage-III rows'), and the Zn routes may
  all be off (``y_route`` then the Zn route gated by the Zn metal);
- vapour route: ``ln_loading["vapour"]`` is the stage-II loading (``vapour_link_lo``/``_hi``); plated route:
  ``ln_loading["plated"]`` is the plating line's (linked by the composing model).

Outputs per processed m²: ``energy2`` (≥ the chosen route's stage-II energy), ``energy3`` [kWh/m²], ``zn_vapour``,
``zn_plated`` [kg/m²], and the Expressions ``line_time_s_per_m2`` (scheduled line time: (a·pace + b) / width,
``space.uht_time``), ``recryst_frac`` (stage-II recrystallisation) and ``ln_t2`` (ln(stage-II time / s)). Alone,
with its decisions and route fixed, only the tables' weights and the hull copies of the off routes are free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimizer.blocks.pace import exp_chord_error, pace_table
from optimizer.pwl import GridTable, add_table, output
from optimizer.space import DecisionSpace
from optimizer.surrogates import STAGE2_RAMP_USABLE_FRAC, Surrogates
from optimizer.web_tension import add_web_tension
from process_models.parameters.registry import ParameterValues

U = pyo.units
RAMP2_MAX_FRAC = STAGE2_RAMP_USABLE_FRAC  # stage II: the heat-up may take at most half the zone time
REACH3_MARGIN_FRAC = 0.005  # the reach table is slightly concave in T3 (< 1e-4 chord error): keep 0.5 % spare
SKIN_OUTPUTS = {"ln_skin": U.dimensionless, "surface_zn": U.dimensionless, "margin": U.dimensionless,
                "melt_nm": U.nm, "melt_margin_K": U.K, "energy3": U.kWh / U.m**2, "reach3": U.dimensionless,
                "deposited": U.kg / U.m**2, "eta_a": U.mV, "eta_b": U.mV}


@dataclass(frozen=True)
class OtherSkins:
    """Skins of other metals than Zn the line may form instead (:mod:`optimizer.blocks.skin_metal`): the sums of
    their hull copies of the stage-III peak ``T3`` [K] and of ``ln_pace`` (0 when no such metal is chosen), and the
    stage-III peak range ``T3_range_K`` [K] the Zn routes and those metals span together."""

    T3: object
    ln_pace: object
    T3_range_K: tuple[float, float]


def uht_pace_bounds_s_per_m(space: DecisionSpace, skins: list[GridTable]) -> tuple[float, float]:
    """(low, high) web pace [s/m]: the line's speed range, narrowed to the pulse times the routes' skin tables
    cover (a refined, local table narrows the exp table too)."""
    p_lo, p_hi = space.pace_bounds_s_per_m()
    lp3 = math.log(space.stage3_heater_length_m)
    lt3 = [t.bounds()[2] for t in skins]
    p_lo = max(p_lo, math.exp(min(b[0] for b in lt3) - lp3))
    p_hi = min(p_hi, math.exp(max(b[1] for b in lt3) - lp3))
    return p_lo, p_hi


def _hull(lo: float, hi: float) -> tuple[float, float]:
    return min(lo, 0.0), max(hi, 0.0)


def add_uht_line_block(m: pyo.Block, name: str, space: DecisionSpace, s: Surrogates, params: ParameterValues,
                       routes: list[str], y_route: dict[str, object] | None = None,
                       others: OtherSkins | None = None) -> pyo.Block:
    """Block ``m.<name>`` of the UHT line (module docstring) for the Zn ``routes`` with the skin tables of ``s``;
    ``y_route`` maps each route to the composing model's expression of its binary (``None``: Vars of the block);
    ``others``: the skins of other metals the line may form instead (``None``: Zn only)."""
    b = pyo.Block()
    m.add_component(name, b)
    b.ROUTES = pyo.Set(initialize=routes, ordered=True)
    if y_route is None:
        b.y_route = pyo.Var(b.ROUTES, domain=pyo.Binary, units=U.dimensionless, doc="Zn route (an input)")
        y_route = {r: b.y_route[r] for r in routes}
    b.ZONES = pyo.RangeSet(1, space.zone_modules)
    b.y_zone = pyo.Var(b.ZONES, domain=pyo.Binary, units=U.dimensionless)
    b.one_zone = pyo.Constraint(expr=sum(b.y_zone[k] for k in b.ZONES) == 1)
    T3_range_K = others.T3_range_K if others is not None else space.stage3_peak_K
    _stage2(b, space, s, params, y_route, T3_range_K)
    _skin(b, space, s, routes, y_route, others)
    # web tension per heated zone and the break-risk rows (optimizer/web_tension.py)
    add_web_tension(b, space, params, {"stage2": (output(b.stage2, "T2"), s.stage2.values["T2"]),
                                       "stage3": (b.T3, T3_range_K)})
    if "vapour" in routes:
        st_lo = float(np.min(s.stage2.values["ln_loading"]))
        st_hi = float(np.max(s.stage2.values["ln_loading"]))
        a, c = s.skin["vapour"].bounds()[0]
        off = 1 - y_route["vapour"]
        # l_vapour = stage-II loading when vapour; l_vapour = 0 otherwise (stage-II loading is free then)
        b.vapour_link_lo = pyo.Constraint(expr=b.ln_loading["vapour"] >= output(b.stage2, "ln_loading")
                                          - max(st_hi - min(a, 0.0), 0.0) * off)
        b.vapour_link_hi = pyo.Constraint(expr=b.ln_loading["vapour"] <= output(b.stage2, "ln_loading")
                                          + max(max(c, 0.0) - st_lo, 0.0) * off)
    _flows(b, s, params, routes, y_route, zn_may_be_off=others is not None)
    ut = space.uht_time
    b.line_time_s_per_m2 = pyo.Expression(expr=(ut.pace_factor * output(b.pace_tab, "pace")
                                                + ut.per_metre_s * U.s / U.m) / (space.width_m * U.m))
    b.recryst_frac = pyo.Expression(expr=output(b.stage2, "recryst"))
    return b


def _stage2(b: pyo.Block, space: DecisionSpace, s: Surrogates, params: ParameterValues,
            y_route: dict[str, object], T3_range_K: tuple[float, float]) -> None:
    """The pace and stage-II tables, the rows of the unsolvable samples and of the heat-up; the stage-III peak T3
    [K] on ``T3_range_K``."""
    p_lo, p_hi = uht_pace_bounds_s_per_m(space, [s.skin[r] for r in y_route])
    b.ln_pace = pyo.Var(bounds=(math.log(p_lo), math.log(p_hi)), units=U.dimensionless,
                        doc="ln(UHT web pace / (s/m)); speed = 1/pace")
    b.pace_tab = pyo.Block()
    ptab = pace_table(p_lo, p_hi, "uht_pace")
    add_table(b.pace_tab, ptab, {"ln_pace": (b.ln_pace, U.dimensionless)}, {"pace": U.s / U.m})
    # the table's pace is at most (1 + chord) times e^(ln pace): dividing by it keeps time-limited rows safe
    pace_safe = output(b.pace_tab, "pace") / (1.0 + exp_chord_error(float(np.max(np.diff(ptab.axes[0])))))
    zone_len = space.zone_lengths_m
    b.ln_t2 = pyo.Expression(expr=b.ln_pace + sum(b.y_zone[k] * math.log(zone_len[k - 1]) for k in b.ZONES),
                             doc="ln(stage-II time / s): the heated modules' length x pace")
    T2_lo, T2_hi = space.stage2_temperature_K
    b.inv_T2 = pyo.Var(bounds=(1.0 / T2_hi, 1.0 / T2_lo), units=U.K**-1, doc="1 / stage-II temperature")
    b.T3 = pyo.Var(bounds=T3_range_K, units=U.K, doc="stage-III peak temperature")
    b.stage2 = pyo.Block()
    # stage-II samples the model could not solve: their vertices get no weight on that route (infeasible there)
    failed2 = {r: f"failed_{r}" for r in y_route if np.any(s.stage2.values.get(f"failed_{r}", 0.0) > 0.0)}
    add_table(b.stage2, s.stage2, {"inv_T2": (b.inv_T2, U.K**-1), "ln_t2": (b.ln_t2, U.dimensionless)},
              {"ln_loading": U.dimensionless, "energy2_vapour": U.kWh / U.m**2, "energy2_plated": U.kWh / U.m**2,
               "recryst": U.dimensionless, "ramp2": U.dimensionless, "T2": U.K,
               **{col: U.dimensionless for col in failed2.values()}})
    b.stage2_solvable = pyo.Constraint(list(failed2), rule=lambda bb, r: output(bb.stage2, failed2[r])
                                       <= 1 - y_route[r])
    # heat-up within its share of the zone time, exact in the pace: T2 − T_amb ≤ share · rate · L_k · pace on the
    # chosen module count k (T2 from the table over-estimates 1/(1/T2): conservative)
    t_amb, r2 = params["ambient_temperature_K"], params["stage2_heating_rate_K_per_s"]
    b.ramp2_ok = pyo.Constraint(b.ZONES, rule=lambda bb, k: output(bb.stage2, "T2") - t_amb * U.K
                                <= RAMP2_MAX_FRAC * r2 * U.K / U.s * zone_len[k - 1] * U.m * pace_safe
                                + (T2_hi - t_amb) * U.K * (1 - bb.y_zone[k]))


def _skin(b: pyo.Block, space: DecisionSpace, s: Surrogates, routes: list[str], y_route: dict[str, object],
          others: OtherSkins | None) -> None:
    """Each route's skin table on its own copies of the shared coordinates (and the other metals' copies, in
    ``others``, in the splits), and the stage-III reach row."""
    l_box = {r: s.skin[r].bounds()[0] for r in routes}
    T3_box = {r: s.skin[r].bounds()[1] for r in routes}
    lt3_box = {r: s.skin[r].bounds()[2] for r in routes}
    lp3 = math.log(space.stage3_heater_length_m)
    b.ln_loading = pyo.Var(b.ROUTES, bounds=lambda _, r: _hull(*l_box[r]), units=U.dimensionless,
                           doc="ln(Zn loading / (kg/m2)) on the skin table of each route (0 when off)")
    b.T3_r = pyo.Var(b.ROUTES, bounds=lambda _, r: _hull(*T3_box[r]), units=U.K, doc="T3 on route r (0 when off)")
    b.ln_pace_r = pyo.Var(b.ROUTES, bounds=lambda _, r: _hull(lt3_box[r][0] - lp3, lt3_box[r][1] - lp3),
                          units=U.dimensionless, doc="ln pace on route r (0 when off)")
    T3_other, pace_other = (others.T3, others.ln_pace) if others is not None else (0, 0)
    b.T3_split = pyo.Constraint(expr=sum(b.T3_r[r] for r in routes) + T3_other == b.T3)
    b.pace_split = pyo.Constraint(expr=b.ln_pace == sum(b.ln_pace_r[r] for r in routes) + pace_other)
    b.skin = pyo.Block(b.ROUTES)
    for r in routes:
        add_table(b.skin[r], s.skin[r], {"ln_loading": (b.ln_loading[r], U.dimensionless),
                                         "T3": (b.T3_r[r], U.K),
                                         "ln_t3": (b.ln_pace_r[r] + lp3 * y_route[r], U.dimensionless)},
                  SKIN_OUTPUTS, active=y_route[r])
    # the stage-III heater reaches the peak at this speed: the moving-web model's power for (T3, L3/pace) over the
    # heater's limit, from the active route's skin table (off-route tables give 0)
    b.reach3_ok = pyo.Constraint(expr=sum(output(b.skin[r], "reach3") for r in routes) <= 1.0 - REACH3_MARGIN_FRAC)


def _flows(b: pyo.Block, s: Surrogates, params: ParameterValues, routes: list[str],
           y_route: dict[str, object], zn_may_be_off: bool = False) -> None:
    """Energy and Zn per processed m²: stage II of the chosen route, stage III, Zn from vapour or plated.
    ``zn_may_be_off``: every route may be off (another skin metal): stage III's energy has no lower bound then."""
    E_hi = float(np.max(s.stage2.values["energy2_vapour"])) + float(np.max(s.stage2.values["energy2_plated"])) + max(
        float(np.max(s.skin[r].values["energy3"])) for r in routes) + 1.0
    b.energy2 = pyo.Var(bounds=(0.0, E_hi), units=U.kWh / U.m**2)
    b.energy3 = pyo.Var(bounds=(0.0, E_hi), units=U.kWh / U.m**2)
    dep_hi = max(float(np.max(s.skin[r].values["deposited"])) for r in routes) * 3.0 + 1e-3
    b.zn_vapour = pyo.Var(bounds=(0.0, dep_hi), units=U.kg / U.m**2, doc="Zn deposited from vapour")
    b.zn_plated = pyo.Var(bounds=(0.0, dep_hi), units=U.kg / U.m**2, doc="Zn plated (both faces)")
    b.e3_def = pyo.Constraint(expr=b.energy3 == sum(output(b.skin[r], "energy3") for r in routes))
    if zn_may_be_off:  # the gated Zn tables' padded outputs (≥ −1e-6) at a bound 0 made HiGHS call Mg infeasible
        b.energy3.setlb(None)
    e2_hi = {k: float(np.max(s.stage2.values[k])) for k in ("energy2_vapour", "energy2_plated")}
    if "vapour" in routes:
        b.e2_vapour = pyo.Constraint(expr=b.energy2 >= output(b.stage2, "energy2_vapour")
                                     - e2_hi["energy2_vapour"] * U.kWh / U.m**2 * (1 - y_route["vapour"]))
        b.zn_v = pyo.Constraint(expr=b.zn_vapour == output(b.skin["vapour"], "deposited"))
    else:
        b.zn_vapour.fix(0.0)
    if "plated" in routes:
        b.e2_plated = pyo.Constraint(expr=b.energy2 >= output(b.stage2, "energy2_plated")
                                     - e2_hi["energy2_plated"] * U.kWh / U.m**2 * (1 - y_route["plated"]))
        b.zn_p = pyo.Constraint(expr=b.zn_plated == params["plating_web_faces_count"] * output(
            b.skin["plated"], "deposited"))
    else:
        b.zn_plated.fix(0.0)
