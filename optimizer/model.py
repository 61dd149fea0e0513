"""The MILP: plant mode, line settings and guard band chosen on the piecewise-linear surrogates.

Decisions (binaries): plant mode (Zn from vapour or plated; commercial or electroformed foil), heated
stage-II modules, plating bath and active tanks, guard band of the thickness window. Continuous: ln of the
UHT web pace, 1/T2, the stage-III peak, ln current density and ln pace of the plating web. Every Var has
units and bounds (tested with ``assert_units_consistent``).

Linear by construction: ln(loading) and ln(skin) are table outputs, thickness and foil targets are stated on
their logarithms, Faraday's law is linear in ln j + ln ε + ln t, scheduled time per m² is linear in the pace
(an exp table gives the pace from its log), and cost per good m² = Σ_g C_g / y_g over guard levels g, where
C_g equals the cost per processed m² on the chosen level and y_g is the inline gauge's worst-case yield there.
With ``elastic=True`` every target gets a non-negative slack whose weighted sum is minimised instead: the
nearest achievable point and which targets give way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from optimizer.blocks.costing import CostingOptions, add_costing_block, currency_unit
from optimizer.blocks.furnace import add_furnace_block, line_time_factor
from optimizer.blocks.plating_line import add_plating_line_block, electroformed_cu_kg_per_m2, faraday_off_range
from optimizer.blocks.uht_line import add_uht_line_block, uht_pace_bounds_s_per_m
from optimizer.economics import Economics
from optimizer.pwl import output
from optimizer.space import MODES, DecisionSpace
from optimizer.surrogates import Surrogates
from optimizer.targets import Targets, gauge_yield
from process_models.parameters.registry import ParameterValues
from process_models.plating.flows import dragout_makeup_L_per_m2

U = pyo.units
GUARD_LEVELS_SIGMA: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
MELT_TOLERANCE_NM = 1e-3  # "no melting": only simplices whose used vertices do not melt


@dataclass
class Corrections:
    """Offsets learnt from checking points in the process models and the twin (added to the surrogate)."""

    ln_skin: dict[str, float] = field(default_factory=dict)  # twin − process models, at the last point
    ln_skin_bias: dict[str, float] = field(default_factory=dict)  # process models − surrogate, at the last point
    margin_bias: dict[str, float] = field(default_factory=dict)  # the same for the phase margin
    surface_zn_bias: dict[str, float] = field(default_factory=dict)  # and for the surface Zn fraction
    surface_zn: dict[str, float] = field(default_factory=dict)
    margin: dict[str, float] = field(default_factory=dict)
    yield_factor: float = 1.0
    time_factor: float = 1.0
    cost_offset: float = 0.0


@dataclass
class Handles:
    """What the solution reader needs besides the model."""

    space: DecisionSpace
    surrogates: Surrogates
    targets: Targets
    econ: Economics
    guards: list[tuple[float, float, float, float]]  # (g, window lo, window hi, yield)
    routes: list[str]
    modes: list[str]
    baths: list[str]
    target_rows: dict[str, list[tuple[object, str]]]  # target name -> [(constraint, "lb"|"ub")]
    slacks: dict[str, object] = field(default_factory=dict)
    cost_unit: object = None


def build_model(space: DecisionSpace, s: Surrogates, targets: Targets, econ: Economics, params: ParameterValues,
                corrections: Corrections | None = None, elastic: bool = False,
                objective_refs: tuple[float, float] | None = None,
                throughput_floor_m2_per_h: float | None = None,
                violation_cap: float | None = None) -> tuple[pyo.ConcreteModel, Handles]:
    """The MILP of ``space`` on surrogates ``s`` (see the module docstring)."""
    cor = corrections or Corrections()
    cur = currency_unit(econ.currency)
    m = pyo.ConcreteModel(name="foiltwin_optimizer")
    modes = list(space.modes)
    routes = sorted({MODES[k]["route"] for k in modes})
    uses_ed = [k for k in modes if MODES[k]["ed"] is not None]
    ed = space.ed if uses_ed else None
    lo_nm, hi_nm = targets.skin_window_nm
    sigma = space.gauge_noise_nm
    guards = []
    for g in GUARD_LEVELS_SIGMA:
        a, b = lo_nm + g * sigma, hi_nm - g * sigma
        if a < b and (g == 0.0 or sigma > 0.0):
            guards.append((g, a, b, gauge_yield(targets.spec_window_nm, a, sigma) * cor.yield_factor))

    # ------------------------------------------------------------------ discrete choices
    m.MODES = pyo.Set(initialize=modes, ordered=True)
    m.y_mode = pyo.Var(m.MODES, domain=pyo.Binary, units=U.dimensionless)
    m.one_mode = pyo.Constraint(expr=sum(m.y_mode[k] for k in modes) == 1)
    y_route = {r: sum(m.y_mode[k] for k in modes if MODES[k]["route"] == r) for r in routes}
    y_commercial = sum(m.y_mode[k] for k in modes if MODES[k]["substrate"] == "commercial")
    y_ef = m.y_mode["vapour_electroformed"] if "vapour_electroformed" in modes else 0
    y_pl = m.y_mode["plated_commercial"] if "plated_commercial" in modes else 0
    y_ed = y_ef + y_pl
    m.GUARDS = pyo.RangeSet(0, len(guards) - 1)
    m.y_guard = pyo.Var(m.GUARDS, domain=pyo.Binary, units=U.dimensionless)
    m.one_guard = pyo.Constraint(expr=sum(m.y_guard[i] for i in m.GUARDS) == 1)

    # ------------------------------------------------------------------ UHT line
    add_uht_line_block(m, "uht", space, s, params, routes, y_route)
    l_box = {r: s.skin[r].bounds()[0] for r in routes}

    # ------------------------------------------------------------------ plating line
    roles = [r for r, k in (("cu", "vapour_electroformed"), ("zn", "plated_commercial")) if k in modes]
    baths = [b for r in roles for b in ed.baths[r]] if ed is not None else []
    cu_kg = electroformed_cu_kg_per_m2(space, s) if ed is not None else 0.0
    if ed is not None:
        add_plating_line_block(m, "plating_line", space, s, params, roles, {"cu": y_ef, "zn": y_pl})
    if ed is not None and "plated_commercial" in modes:
        # the UHT line's plated loading is what the plating line plates (per face): both 0 in the other modes
        ln_pl, (lo_e, hi_e) = m.plating_line.ln_zn_kg_per_m2, faraday_off_range(space, s, baths)
        l_lo, l_hi = l_box["plated"]
        m.plated_link_lo = pyo.Constraint(expr=m.uht.ln_loading["plated"] >= ln_pl - max(hi_e - l_lo, 0.0)
                                          * (1 - y_pl))
        m.plated_link_hi = pyo.Constraint(expr=m.uht.ln_loading["plated"] <= ln_pl + max(l_hi - lo_e, 0.0)
                                          * (1 - y_pl))

    # ------------------------------------------------------------------ coil anneal (with a texture target only)
    an = space.anneal if (space.anneal is not None and s.anneal is not None
                          and targets.min_texture_100 is not None) else None
    f_ref = params["bare_cu_reference_100_frac"]
    f_end = params["texture_cube_end_100_frac"]
    f0_hi = max([f_ref] + [float(np.max(s.plating[b].values["f100"])) for b in baths if b in CU_BATHS_OF(space)])
    if an is not None:
        assert s.anneal is not None
        add_furnace_block(m, "furnace", space, s.anneal, params, f_end - f0_hi)

    # ------------------------------------------------------------------ time per m² and cost
    w = space.width_m
    ut = space.uht_time
    H_max = (ut.pace_factor * uht_pace_bounds_s_per_m(space, [s.skin[r] for r in routes])[1] + ut.per_metre_s) / w * 2.0
    if ed is not None:
        H_max = max(H_max, (ed.time.pace_factor * math.exp(m.plating_line.ln_pace.ub) + ed.time.per_metre_s) / w
                    * 2.0)
    if an is not None:
        assert s.anneal is not None
        H_max = max(H_max, line_time_factor(space) * float(np.max(s.anneal.values["cycle_s_per_m2"])) * 2.0)
    m.H = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="scheduled plant seconds per processed m2")
    m.H_uht = pyo.Constraint(expr=cor.time_factor * m.uht.line_time_s_per_m2 <= m.H)
    m.H_ed = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the plating line")
    m.H_an = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the coil furnaces")
    if an is not None:
        # the furnaces' batches per m²: hot cycle time and repairs, shared among the furnaces
        m.H_an_line = pyo.Constraint(expr=cor.time_factor * m.furnace.line_time_s_per_m2 <= m.H)
        m.H_an_charge = pyo.Constraint(expr=m.H_an >= m.H - H_max * U.s / U.m**2 * (1 - m.furnace.y_anneal))
    else:
        m.H_an.fix(0.0)
    if ed is not None:
        m.H_ed_line = pyo.Constraint(expr=cor.time_factor * m.plating_line.line_time_s_per_m2 <= m.H)
        m.H_ed_charge = pyo.Constraint(expr=m.H_ed >= m.H - H_max * U.s / U.m**2 * (1 - y_ed))
    else:
        m.H_ed.fix(0.0)
    E_hi, dep_hi = m.uht.energy3.ub, m.uht.zn_vapour.ub
    # cost: the costing block prices the stations' flows (their own definitions); the units feed its inputs
    pr = econ.price
    makeup_L = dragout_makeup_L_per_m2(params)
    an_hi = 0.0
    if an is not None:
        assert s.anneal is not None
        an_hi = (pr["electricity_kWh_per_m2"] * float(np.max(s.anneal.values["energy_kwh_per_m2"]))
                 + pr["forming_gas_Nm3_per_m2"] * float(np.max(s.anneal.values["gas_Nm3_per_m2"])))
    makeup_hi = makeup_L * max(pr["cu_acid_sulfate_bath_L_per_m2"], pr["zn_acid_sulfate_bath_L_per_m2"])
    C_hi = ((econ.uht_fixed_per_h + econ.ed_fixed_per_h + econ.anneal_fixed_per_h) / 3600.0 * H_max + an_hi
            + pr["electricity_kWh_per_m2"] * 3 * E_hi
            + pr["zn_kg_per_m2"] * dep_hi * (1.0 / econ.zn_source_utilisation_frac + 2.0)
            + pr["argon_Nm3_per_m2"] * econ.argon_Nm3_per_m2 + pr["cu_anode_kg_per_m2"] * cu_kg + econ.foil_per_m2()
            + makeup_hi + abs(cor.cost_offset)) * 1.01
    ef = ed is not None and "vapour_electroformed" in modes
    pl = ed is not None and "plated_commercial" in modes
    links = {"energy_uht": m.uht.energy2 + m.uht.energy3, "zn_vapour": m.uht.zn_vapour, "commercial": y_commercial,
             "time_uht": m.H}
    if ef or pl:
        links["time_ed"] = m.H_ed
    if ef:
        links.update(electroformed=y_ef, energy_ed_cu=m.plating_line.energy_cu_kwh_per_m2)
    if pl:
        links.update(plated=y_pl, energy_ed_zn=m.plating_line.energy_zn_kwh_per_m2, zn_plated=m.uht.zn_plated)
    if an is not None:
        links.update(energy_an=m.furnace.energy_kwh_per_m2, gas_an=m.furnace.gas_Nm3_per_m2, time_an=m.H_an)
    add_costing_block(m, "costing", econ, params, CostingOptions(
        foil_thickness_m=space.foil_thickness_m, cost_ub=C_hi, electroform_bath=ed.baths["cu"][0] if ef else None,
        zn_bath=ed.baths["zn"][0] if pl else None, anneal=an is not None, cu_anode_kg_per_m2=cu_kg,
        cost_offset=cor.cost_offset), cur, inputs=links)
    m.cost_processed = pyo.Expression(expr=m.costing.cost_processed, doc="cost per processed m2 (the costing block's)")
    m.cost_g = pyo.Var(m.GUARDS, bounds=(0.0, C_hi), units=cur / U.m**2)
    m.time_g = pyo.Var(m.GUARDS, bounds=(0.0, H_max), units=U.s / U.m**2)
    m.cost_g_def = pyo.Constraint(m.GUARDS, rule=lambda mm, i: mm.cost_g[i] >= mm.cost_processed
                                  - C_hi * cur / U.m**2 * (1 - mm.y_guard[i]))
    m.time_g_def = pyo.Constraint(m.GUARDS, rule=lambda mm, i: mm.time_g[i] >= mm.H
                                  - H_max * U.s / U.m**2 * (1 - mm.y_guard[i]))
    # off levels carry nothing (keeps the reported sums clean whatever the objective)
    m.cost_g_off = pyo.Constraint(m.GUARDS, rule=lambda mm, i: mm.cost_g[i] <= C_hi * cur / U.m**2 * mm.y_guard[i])
    m.time_g_off = pyo.Constraint(m.GUARDS, rule=lambda mm, i: mm.time_g[i] <= H_max * U.s / U.m**2 * mm.y_guard[i])
    # exactly one level is on and carries at least the processed cost / time: valid, and it keeps the LP
    # relaxation from spreading a fractional level choice over zero-cost levels (the root bound rises ~30 %)
    m.cost_sum = pyo.Constraint(expr=sum(m.cost_g[i] for i in m.GUARDS) >= m.cost_processed)
    m.time_sum = pyo.Constraint(expr=sum(m.time_g[i] for i in m.GUARDS) >= m.H)
    m.cost_good = pyo.Expression(expr=sum(m.cost_g[i] / guards[i][3] for i in m.GUARDS))
    m.time_good = pyo.Expression(expr=sum(m.time_g[i] / guards[i][3] for i in m.GUARDS))

    # ------------------------------------------------------------------ targets
    rows: dict[str, list[tuple[object, str]]] = {}
    m.slack = pyo.Block()
    slacks: dict[str, object] = {}
    weights: dict[str, float] = {}

    def slack(name: str, unit: object, scale: float, weight: float = 1.0, ub: float = 1.0) -> object:
        if not elastic:
            return 0.0 * unit
        v = pyo.Var(bounds=(0.0, ub), units=unit, doc=f"violation of target {name} (elastic model)")
        setattr(m.slack, name, v)
        slacks[name] = v
        weights[name] = weight / scale
        return v

    def add(name: str, con: pyo.Constraint, sense: str) -> None:
        setattr(m, f"target_{name}", con)
        rows.setdefault(name.split("__")[0], []).append((con, sense))

    ln_lo = sum(m.y_guard[i] * math.log(guards[i][1]) for i in m.GUARDS)
    ln_hi = sum(m.y_guard[i] * math.log(guards[i][2]) for i in m.GUARDS)
    s_lo = slack("skin_thickness_low", U.dimensionless, 0.05, ub=20.0)
    s_hi = slack("skin_thickness_high", U.dimensionless, 0.05, ub=20.0)
    zn_lo_t, zn_hi_t = targets.surface_zn_at_frac or (0.0, 1.0)
    s_zlo, s_zhi = slack("surface_zn_low", U.dimensionless, 0.02), slack("surface_zn_high", U.dimensionless, 0.02)
    s_phase = slack("single_phase_alpha", U.dimensionless, 0.01) if targets.single_phase_alpha else None
    s_melt = slack("no_melting", U.nm, 10.0, ub=1e6) if targets.no_melting else None
    ln_lo_max = max(math.log(g[1]) for g in guards)
    for r in routes:
        y = y_route[r]
        off = (1 - y)
        # off-route outputs are 0: offsets and bounds are multiplied by the route's binary
        off_r = cor.ln_skin.get(r, 0.0) + cor.ln_skin_bias.get(r, 0.0)
        ls = output(m.uht.skin[r], "ln_skin") + off_r * y
        ls_hi = float(np.max(s.skin[r].values["ln_skin"])) + abs(off_r)
        add(f"skin_thickness__{r}_lo", pyo.Constraint(expr=ls + s_lo >= ln_lo - ln_lo_max * off), "lb")
        add(f"skin_thickness__{r}_hi", pyo.Constraint(expr=ls - s_hi <= ln_hi + ls_hi * off), "ub")
        xs = output(m.uht.skin[r], "surface_zn") + (cor.surface_zn.get(r, 0.0) + cor.surface_zn_bias.get(r, 0.0)) * y
        add(f"surface_zn__{r}_lo", pyo.Constraint(expr=xs + s_zlo >= zn_lo_t * y), "lb")
        add(f"surface_zn__{r}_hi", pyo.Constraint(expr=xs - s_zhi <= zn_hi_t * y), "ub")
        if s_phase is not None:
            mg = output(m.uht.skin[r], "margin") + (cor.margin.get(r, 0.0) + cor.margin_bias.get(r, 0.0)) * y
            add(f"single_phase_alpha__{r}", pyo.Constraint(expr=mg - s_phase <= -targets.phase_backoff_zn_frac * y),
                "ub")  # the robust optimum's back-off (0: nominal); off-route (y = 0) the row is mg ≤ 0 as before
        if s_melt is not None:
            add(f"no_melting__{r}", pyo.Constraint(expr=output(m.uht.skin[r], "melt_nm") - s_melt
                                                   <= MELT_TOLERANCE_NM * y * U.nm), "ub")
    # texture (100): substrate's share + recrystallised share toward the cube end state (a lower bound), by the
    # UHT heat and by the coil anneal (their X add: the UHT's is ~1e-7)
    ef_f100 = m.plating_line.f100_cu if ed is not None else 0
    f100 = f_ref * y_commercial + ef_f100 + m.uht.recryst_frac * max(f_end - f0_hi, 0.0)
    if an is not None:
        f100 = f100 + m.furnace.gain_100
    m.texture_100 = pyo.Expression(expr=f100)
    if targets.min_texture_100 is not None:
        st = slack("min_texture_100", U.dimensionless, 0.05)
        add("min_texture_100", pyo.Constraint(expr=f100 + st >= targets.min_texture_100), "lb")
    if targets.max_overpotential_mV is not None:
        so = slack("max_overpotential_mV", U.mV, 2.0, ub=1e4)
        for k in modes:
            r = MODES[k]["route"]
            if MODES[k]["substrate"] == "electroformed":
                s_max = max(float(np.max(s.plating[b].values["s_cu"])) for b in baths if b in CU_BATHS_OF(space))
            else:
                s_max = 1.0  # the reference commercial foil: S_Cu = 1 by construction (annealing only lowers it)
            eta = output(m.uht.skin[r], "eta_a") + output(m.uht.skin[r], "eta_b") * s_max
            eta_hi = float(np.max(s.skin[r].values["eta_a"]) + np.max(s.skin[r].values["eta_b"]) * s_max)
            add(f"max_overpotential_mV__{k}", pyo.Constraint(
                expr=eta - so <= (targets.max_overpotential_mV + max(eta_hi, 0.0) * (1 - m.y_mode[k])) * U.mV), "ub")
    floor = targets.min_throughput_m2_per_h
    if throughput_floor_m2_per_h is not None:
        floor = max(floor or 0.0, throughput_floor_m2_per_h)
    m.throughput_floor = pyo.Param(initialize=floor or 0.0, mutable=True, units=U.m**2 / U.h)
    if floor:
        sq = slack("min_throughput_m2_per_h", U.s / U.m**2, 1.0, ub=H_max)
        add("min_throughput_m2_per_h", pyo.Constraint(
            expr=m.time_good * pyo.units.convert(m.throughput_floor, U.m**2 / U.s) - sq
            * pyo.units.convert(m.throughput_floor, U.m**2 / U.s) <= 1.0), "ub")
    if targets.max_cost_per_m2 is not None:
        sc = slack("max_cost_per_m2", cur / U.m**2, max(targets.max_cost_per_m2, 1e-6) * 0.05, ub=C_hi / 0.01)
        add("max_cost_per_m2", pyo.Constraint(expr=m.cost_good - sc <= targets.max_cost_per_m2 * cur / U.m**2), "ub")

    # ------------------------------------------------------------------ objective
    if elastic:
        # weighted violations (each divided by a scale in its own unit): the nearest achievable point; with
        # ``violation_cap`` (phase 2) the violation is bounded and the usual objective chooses among equals
        m.violation = pyo.Expression(expr=sum(weights[k] * v * _inverse_unit(v) for k, v in slacks.items()))
        if violation_cap is None:
            m.obj = pyo.Objective(expr=m.violation + 1e-6 * m.cost_good * U.m**2 / cur)
            return m, Handles(space=space, surrogates=s, targets=targets, econ=econ, guards=guards, routes=routes,
                              modes=modes, baths=baths, target_rows=rows, slacks=slacks, cost_unit=cur)
        m.violation_cap = pyo.Constraint(expr=m.violation <= violation_cap)
    if targets.objective == "cost" or (elastic and targets.objective != "throughput"):
        m.obj = pyo.Objective(expr=m.cost_good * U.m**2 / cur + 1e-9 * m.time_good * U.m**2 / U.s)
    elif targets.objective == "throughput":
        m.obj = pyo.Objective(expr=m.time_good * U.m**2 / U.s + 1e-9 * m.cost_good * U.m**2 / cur)
    else:
        c_ref, t_ref = objective_refs or (1.0, 1.0)
        wc = targets.cost_weight
        m.obj = pyo.Objective(expr=wc * m.cost_good * U.m**2 / cur / c_ref
                              + (1.0 - wc) * m.time_good * U.m**2 / U.s / t_ref)
    return m, Handles(space=space, surrogates=s, targets=targets, econ=econ, guards=guards, routes=routes,
                      modes=modes, baths=baths, target_rows=rows, slacks=slacks, cost_unit=cur)


def _inverse_unit(v: pyo.Var) -> object:
    """1 / the unit of ``v`` (so weighted slacks of different units add up)."""
    unit = pyo.units.get_units(v)
    return 1.0 if unit is None else 1.0 / unit


def CU_BATHS_OF(space: DecisionSpace) -> tuple[str, ...]:
    """The copper (electroforming) baths of the plating line."""
    return space.ed.baths["cu"] if space.ed is not None else ()
