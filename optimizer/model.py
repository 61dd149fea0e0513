"""The MILP: the unit blocks composed — plant mode, the links between the units, targets and the objective.

The units are blocks (``optimizer/blocks/``): the UHT line ``m.uht``, the plating line ``m.plating_line`` (with a
plating mode), the coil furnace ``m.furnace`` (with a (100) target and a furnace), the costing ``m.costing`` and,
with skin metals other than Zn asked (issue 14), the skin metal ``m.skin_metal`` (its gated Zn routes and hull
terms go into the UHT line, its energy and deposit into the costing).
:func:`build_model` only composes them: the discrete mode choice (``y_mode``: Zn from vapour or plated, commercial
or electroformed foil) and guard band (``y_guard``) of the thickness window, the links (the route binaries into the
UHT line, the roles into the plating line, the plated loading between them, the plant's scheduled time per m² as the
slowest unit's, the units' flows into the costing block), the targets and the objective. The block inputs are the
composing model's expressions, so composing adds no linking Vars; every Var has units and bounds (tested with
``assert_units_consistent``).

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
from optimizer.blocks.skin_metal import SkinMetalLinks, link_to_uht_line, skin_metal_block
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


@dataclass
class Corrections:
    """Offsets learnt from checking points in the process models and the twin (added to the surrogate)."""

    ln_skin: dict[str, float] = field(default_factory=dict)  # twin − process models, at the last point
    ln_skin_bias: dict[str, float] = field(default_factory=dict)  # process models − surrogate, at the last point
    margin_bias: dict[str, float] = field(default_factory=dict)  # the same for the phase margin
    surface_zn_bias: dict[str, float] = field(default_factory=dict)  # and for the surface Zn fraction
    melt_margin_bias: dict[str, float] = field(default_factory=dict)  # and for the melting margin [K]
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


@dataclass
class _Plant:
    """What composing needs to know: the modes, routes and units in the model, the mode choice's expressions
    (route, substrate and plating-line roles), the guard levels and the bounds the links are stated with."""

    space: DecisionSpace
    s: Surrogates
    modes: list[str]
    routes: list[str]
    guards: list[tuple[float, float, float, float]]
    y_route: dict[str, object] = field(default_factory=dict)
    y_commercial: object = 0
    y_ef: object = 0  # electroformed foil (the plating line's Cu role)
    y_pl: object = 0  # Zn plated on commercial foil (its Zn role)
    baths: list[str] = field(default_factory=list)
    cu_kg: float = 0.0
    plating: bool = False
    anneal: bool = False
    f0_hi: float = 0.0
    H_max: float = 0.0
    C_hi: float = 0.0
    metal: SkinMetalLinks | None = None  # the skin-metal block's links (None: Zn only, no block)


def guard_levels(space: DecisionSpace, targets: Targets, cor: Corrections) -> list[tuple[float, float, float, float]]:
    """(g, window low, window high [nm], the gauge's worst-case yield) of each guard level g [σ] that leaves a
    window."""
    lo_nm, hi_nm = targets.skin_window_nm
    sigma = space.gauge_noise_nm
    guards = []
    for g in GUARD_LEVELS_SIGMA:
        a, b = lo_nm + g * sigma, hi_nm - g * sigma
        if a < b and (g == 0.0 or sigma > 0.0):
            guards.append((g, a, b, gauge_yield(targets.spec_window_nm, a, sigma) * cor.yield_factor))
    return guards


def build_model(space: DecisionSpace, s: Surrogates, targets: Targets, econ: Economics, params: ParameterValues,
                corrections: Corrections | None = None, elastic: bool = False,
                objective_refs: tuple[float, float] | None = None,
                throughput_floor_m2_per_h: float | None = None,
                violation_cap: float | None = None) -> tuple[pyo.ConcreteModel, Handles]:
    """The MILP of ``space`` on surrogates ``s`` (see the module docstring): the unit blocks, composed."""
    cor = corrections or Corrections()
    cur = currency_unit(econ.currency)
    m = pyo.ConcreteModel(name="foiltwin_optimizer")
    modes = list(space.modes)
    p = _Plant(space, s, modes, sorted({MODES[k]["route"] for k in modes}), guard_levels(space, targets, cor))
    _choose_mode(m, p)
    _choose_skin_metal(m, p, targets, econ)
    _add_units(m, p, targets, params)
    _plant_time(m, p, cor)
    _add_costing(m, p, econ, params, cor, cur)
    _good_m2(m, p, cur)
    t = _TargetRows(m, elastic)
    _skin_targets(m, p, targets, cor, t)
    _product_targets(m, p, targets, params, t)
    _plant_targets(m, p, targets, t, cur, throughput_floor_m2_per_h)
    _objective(m, targets, t, cur, elastic, objective_refs, violation_cap)
    return m, Handles(space=space, surrogates=s, targets=targets, econ=econ, guards=p.guards, routes=p.routes,
                      modes=modes, baths=p.baths, target_rows=t.rows, slacks=t.slacks, cost_unit=cur)


def _choose_mode(m: pyo.ConcreteModel, p: _Plant) -> None:
    """One plant mode and one guard level; the route, substrate and plating-line roles as sums of mode binaries."""
    modes = p.modes
    m.MODES = pyo.Set(initialize=modes, ordered=True)
    m.y_mode = pyo.Var(m.MODES, domain=pyo.Binary, units=U.dimensionless)
    m.one_mode = pyo.Constraint(expr=sum(m.y_mode[k] for k in modes) == 1)
    p.y_route = {r: sum(m.y_mode[k] for k in modes if MODES[k]["route"] == r) for r in p.routes}
    p.y_commercial = sum(m.y_mode[k] for k in modes if MODES[k]["substrate"] == "commercial")
    p.y_ef = m.y_mode["vapour_electroformed"] if "vapour_electroformed" in modes else 0
    p.y_pl = m.y_mode["plated_commercial"] if "plated_commercial" in modes else 0
    m.GUARDS = pyo.RangeSet(0, len(p.guards) - 1)
    m.y_guard = pyo.Var(m.GUARDS, domain=pyo.Binary, units=U.dimensionless)
    m.one_guard = pyo.Constraint(expr=sum(m.y_guard[i] for i in m.GUARDS) == 1)


def _choose_skin_metal(m: pyo.ConcreteModel, p: _Plant, targets: Targets, econ: Economics) -> None:
    """With skin metals other than Zn asked, the skin-metal block (optimizer/blocks/skin_metal.py); its Zn routes
    gated by the Zn metal replace the route binaries (UHT line and target rows). Zn only: no block, the same model."""
    if p.s.skin_metals == ("Zn",):
        return
    p.metal = skin_metal_block(m, p.space, p.s, targets, econ, p.y_route, p.guards)
    p.y_route = p.metal.y_route


def _add_units(m: pyo.ConcreteModel, p: _Plant, targets: Targets, params: ParameterValues) -> None:
    """The UHT line; the plating line when a mode uses it, its plated Zn linked to the UHT line's plated loading;
    the coil furnace with a (100) target (without one the anneal has no credited benefit)."""
    space, s, modes = p.space, p.s, p.modes
    add_uht_line_block(m, "uht", space, s, params, p.routes, p.y_route, p.metal.uht if p.metal else None)
    if p.metal is not None:  # the other metals' 1/T2 and ln t2 copies are the UHT line's when chosen
        link_to_uht_line(m, space)
    ed = space.ed if any(MODES[k]["ed"] is not None for k in modes) else None
    p.plating = ed is not None
    if ed is not None:
        roles = [r for r, k in (("cu", "vapour_electroformed"), ("zn", "plated_commercial")) if k in modes]
        p.baths = [b for r in roles for b in ed.baths[r]]
        p.cu_kg = electroformed_cu_kg_per_m2(space, s)
        add_plating_line_block(m, "plating_line", space, s, params, roles, {"cu": p.y_ef, "zn": p.y_pl})
    if ed is not None and "plated_commercial" in modes:
        # the UHT line's plated loading is what the plating line plates (per face): both 0 in the other modes
        ln_pl, (lo_e, hi_e) = m.plating_line.ln_zn_kg_per_m2, faraday_off_range(space, s, p.baths)
        l_lo, l_hi = s.skin["plated"].bounds()[0]
        m.plated_link_lo = pyo.Constraint(expr=m.uht.ln_loading["plated"] >= ln_pl - max(hi_e - l_lo, 0.0)
                                          * (1 - p.y_pl))
        m.plated_link_hi = pyo.Constraint(expr=m.uht.ln_loading["plated"] <= ln_pl + max(l_hi - lo_e, 0.0)
                                          * (1 - p.y_pl))
    p.anneal = space.anneal is not None and s.anneal is not None and targets.min_texture_100 is not None
    f_ref = params["bare_cu_reference_100_frac"]
    p.f0_hi = max([f_ref] + [float(np.max(s.plating[b].values["f100"])) for b in p.baths if b in CU_BATHS_OF(space)])
    if p.anneal:
        assert s.anneal is not None
        add_furnace_block(m, "furnace", space, s.anneal, params, params["texture_cube_end_100_frac"] - p.f0_hi)


def _plant_time(m: pyo.ConcreteModel, p: _Plant, cor: Corrections) -> None:
    """Scheduled plant seconds per processed m², H: at least each unit's time (the slowest unit sets it), charged
    to the plating line and the furnaces (H_ed, H_an) when the mode uses them."""
    space, s = p.space, p.s
    w, ut, ed = space.width_m, space.uht_time, space.ed
    H_max = (ut.pace_factor * uht_pace_bounds_s_per_m(space, [s.skin[r] for r in p.routes])[1]
             + ut.per_metre_s) / w * 2.0
    if p.plating:
        assert ed is not None
        H_max = max(H_max, (ed.time.pace_factor * math.exp(m.plating_line.ln_pace.ub) + ed.time.per_metre_s) / w
                    * 2.0)
    if p.anneal:
        assert s.anneal is not None
        H_max = max(H_max, line_time_factor(space) * float(np.max(s.anneal.values["cycle_s_per_m2"])) * 2.0)
    p.H_max = H_max
    m.H = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="scheduled plant seconds per processed m2")
    m.H_uht = pyo.Constraint(expr=cor.time_factor * m.uht.line_time_s_per_m2 <= m.H)
    m.H_ed = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the plating line")
    m.H_an = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the coil furnaces")
    if p.anneal:
        # the furnaces' batches per m²: hot cycle time and repairs, shared among the furnaces
        m.H_an_line = pyo.Constraint(expr=cor.time_factor * m.furnace.line_time_s_per_m2 <= m.H)
        m.H_an_charge = pyo.Constraint(expr=m.H_an >= m.H - H_max * U.s / U.m**2 * (1 - m.furnace.y_anneal))
    else:
        m.H_an.fix(0.0)
    if p.plating:
        m.H_ed_line = pyo.Constraint(expr=cor.time_factor * m.plating_line.line_time_s_per_m2 <= m.H)
        m.H_ed_charge = pyo.Constraint(expr=m.H_ed >= m.H - H_max * U.s / U.m**2 * (1 - (p.y_ef + p.y_pl)))
    else:
        m.H_ed.fix(0.0)


def _add_costing(m: pyo.ConcreteModel, p: _Plant, econ: Economics, params: ParameterValues, cor: Corrections,
                 cur: object) -> None:
    """The costing block, fed with the units' flows and times (its inputs are their expressions), and its upper
    bound C_hi (the big-M of the guard-level rows, :func:`_cost_bound`)."""
    space, ed = p.space, p.space.ed
    p.C_hi = _cost_bound(m, p, econ, params, cor)
    ef = p.plating and "vapour_electroformed" in p.modes
    pl = p.plating and "plated_commercial" in p.modes
    links = {"energy_uht": m.uht.energy2 + m.uht.energy3, "zn_vapour": m.uht.zn_vapour, "commercial": p.y_commercial,
             "time_uht": m.H}
    if p.metal is not None:  # the other skin metals' UHT energy and deposit (priced as each metal's source)
        links.update(energy_uht=links["energy_uht"] + p.metal.energy, **p.metal.deposited)
    if ef or pl:
        links["time_ed"] = m.H_ed
    if ef:
        links.update(electroformed=p.y_ef, energy_ed_cu=m.plating_line.energy_cu_kwh_per_m2)
    if pl:
        links.update(plated=p.y_pl, energy_ed_zn=m.plating_line.energy_zn_kwh_per_m2, zn_plated=m.uht.zn_plated)
    if p.anneal:
        links.update(energy_an=m.furnace.energy_kwh_per_m2, gas_an=m.furnace.gas_Nm3_per_m2, time_an=m.H_an)
    add_costing_block(m, "costing", econ, params, CostingOptions(
        foil_thickness_m=space.foil_thickness_m, cost_ub=p.C_hi, electroform_bath=ed.baths["cu"][0] if ef else None,
        zn_bath=ed.baths["zn"][0] if pl else None, anneal=p.anneal, cu_anode_kg_per_m2=p.cu_kg,
        cost_offset=cor.cost_offset, skin_metals=tuple(p.metal.deposited) if p.metal else ()), cur, inputs=links)
    m.cost_processed = pyo.Expression(expr=m.costing.cost_processed, doc="cost per processed m2 (the costing block's)")


def _cost_bound(m: pyo.ConcreteModel, p: _Plant, econ: Economics, params: ParameterValues, cor: Corrections
                ) -> float:
    """An upper bound of the cost per processed m² [currency/m²]: every line's fixed cost over the longest plant
    time and the largest flows of each unit (1 % spare)."""
    s, pr = p.s, econ.price
    E_hi, dep_hi = m.uht.energy3.ub, m.uht.zn_vapour.ub
    an_hi = 0.0
    if p.anneal:
        assert s.anneal is not None
        an_hi = (pr["electricity_kWh_per_m2"] * float(np.max(s.anneal.values["energy_kwh_per_m2"]))
                 + pr["forming_gas_Nm3_per_m2"] * float(np.max(s.anneal.values["gas_Nm3_per_m2"])))
    makeup_hi = dragout_makeup_L_per_m2(params) * max(pr["cu_acid_sulfate_bath_L_per_m2"],
                                                      pr["zn_acid_sulfate_bath_L_per_m2"])
    return ((econ.uht_fixed_per_h + econ.ed_fixed_per_h + econ.anneal_fixed_per_h) / 3600.0 * p.H_max
            + an_hi + pr["electricity_kWh_per_m2"] * 3 * E_hi
            + pr["zn_kg_per_m2"] * dep_hi * (1.0 / econ.zn_source_utilisation_frac + 2.0)
            + pr["argon_Nm3_per_m2"] * econ.argon_Nm3_per_m2 + pr["cu_anode_kg_per_m2"] * p.cu_kg
            + econ.foil_per_m2() + makeup_hi + abs(cor.cost_offset) + (p.metal.cost_hi if p.metal else 0.0)) * 1.01


def _good_m2(m: pyo.ConcreteModel, p: _Plant, cur: object) -> None:
    """Cost and time per good m²: the processed m²'s, on the chosen guard level, over that level's yield."""
    C_hi, H_max, guards = p.C_hi, p.H_max, p.guards
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


class _TargetRows:
    """The target rows of a model (``target_<name>``, by target for the reader) and, elastic, their slacks
    (block ``m.slack``) with their weights."""

    def __init__(self, m: pyo.ConcreteModel, elastic: bool) -> None:
        self.m, self.elastic = m, elastic
        self.rows: dict[str, list[tuple[object, str]]] = {}
        self.slacks: dict[str, object] = {}
        self.weights: dict[str, float] = {}
        m.slack = pyo.Block()

    def slack(self, name: str, unit: object, scale: float, weight: float = 1.0, ub: float = 1.0) -> object:
        """The violation of target ``name`` (a Var when elastic, else 0 in ``unit``), weighted by weight/scale."""
        if not self.elastic:
            return 0.0 * unit
        v = pyo.Var(bounds=(0.0, ub), units=unit, doc=f"violation of target {name} (elastic model)")
        setattr(self.m.slack, name, v)
        self.slacks[name] = v
        self.weights[name] = weight / scale
        return v

    def add(self, name: str, con: pyo.Constraint, sense: str) -> None:
        setattr(self.m, f"target_{name}", con)
        self.rows.setdefault(name.split("__")[0], []).append((con, sense))


def _skin_targets(m: pyo.ConcreteModel, p: _Plant, targets: Targets, cor: Corrections, t: _TargetRows) -> None:
    """Skin thickness in the chosen guard level's window, surface Zn, single-phase α and no melting, on each route's
    skin table (off-route outputs are 0: offsets and bounds are multiplied by the route's binary)."""
    guards = p.guards
    ln_lo = sum(m.y_guard[i] * math.log(guards[i][1]) for i in m.GUARDS)
    ln_hi = sum(m.y_guard[i] * math.log(guards[i][2]) for i in m.GUARDS)
    s_lo = t.slack("skin_thickness_low", U.dimensionless, 0.05, ub=20.0)
    s_hi = t.slack("skin_thickness_high", U.dimensionless, 0.05, ub=20.0)
    zn_lo_t, zn_hi_t = targets.surface_zn_at_frac or (0.0, 1.0)
    s_zlo = t.slack("surface_zn_low", U.dimensionless, 0.02)
    s_zhi = t.slack("surface_zn_high", U.dimensionless, 0.02)
    s_phase = t.slack("single_phase_alpha", U.dimensionless, 0.01) if targets.single_phase_alpha else None
    s_melt = t.slack("no_melting", U.K, 5.0, ub=1e4) if targets.no_melting else None
    ln_lo_max = max(math.log(g[1]) for g in guards)
    for r in p.routes:
        skin, y = m.uht.skin[r], p.y_route[r]
        off = (1 - y)
        off_r = cor.ln_skin.get(r, 0.0) + cor.ln_skin_bias.get(r, 0.0)
        ls = output(skin, "ln_skin") + off_r * y
        ls_hi = float(np.max(p.s.skin[r].values["ln_skin"])) + abs(off_r)
        t.add(f"skin_thickness__{r}_lo", pyo.Constraint(expr=ls + s_lo >= ln_lo - ln_lo_max * off), "lb")
        t.add(f"skin_thickness__{r}_hi", pyo.Constraint(expr=ls - s_hi <= ln_hi + ls_hi * off), "ub")
        xs = output(skin, "surface_zn") + (cor.surface_zn.get(r, 0.0) + cor.surface_zn_bias.get(r, 0.0)) * y
        t.add(f"surface_zn__{r}_lo", pyo.Constraint(expr=xs + s_zlo >= zn_lo_t * y), "lb")
        t.add(f"surface_zn__{r}_hi", pyo.Constraint(expr=xs - s_zhi <= zn_hi_t * y), "ub")
        if s_phase is not None:
            mg = output(skin, "margin") + (cor.margin.get(r, 0.0) + cor.margin_bias.get(r, 0.0)) * y
            t.add(f"single_phase_alpha__{r}", pyo.Constraint(
                expr=mg - s_phase <= -targets.phase_backoff_zn_frac * y),
                "ub")  # the robust optimum's back-off (0: nominal); off-route (y = 0) the row is mg ≤ 0 as before
        if s_melt is not None:
            # the melting margin (edge − T3, smooth; surrogates._melt_edge_margin), not the melt depth, which jumps
            mm_ = output(skin, "melt_margin_K") + cor.melt_margin_bias.get(r, 0.0) * y * U.K
            t.add(f"no_melting__{r}", pyo.Constraint(expr=-mm_ - s_melt <= 0.0 * U.K), "ub")


def _product_targets(m: pyo.ConcreteModel, p: _Plant, targets: Targets, params: ParameterValues,
                     t: _TargetRows) -> None:
    """The foil's (100) texture (a lower bound) and the Li nucleation overpotential of each mode."""
    space, s = p.space, p.s
    # texture (100): substrate's share + recrystallised share toward the cube end state (a lower bound), by the
    # UHT heat and by the coil anneal (their X add: the UHT's is ~1e-7)
    ef_f100 = m.plating_line.f100_cu if p.plating else 0
    f100 = (params["bare_cu_reference_100_frac"] * p.y_commercial + ef_f100
            + m.uht.recryst_frac * max(params["texture_cube_end_100_frac"] - p.f0_hi, 0.0))
    if p.anneal:
        f100 = f100 + m.furnace.gain_100
    m.texture_100 = pyo.Expression(expr=f100)
    if targets.min_texture_100 is not None:
        st = t.slack("min_texture_100", U.dimensionless, 0.05)
        t.add("min_texture_100", pyo.Constraint(expr=f100 + st >= targets.min_texture_100), "lb")
    if targets.max_overpotential_mV is not None:
        so = t.slack("max_overpotential_mV", U.mV, 2.0, ub=1e4)
        for k in p.modes:
            r = MODES[k]["route"]
            if MODES[k]["substrate"] == "electroformed":
                s_max = max(float(np.max(s.plating[b].values["s_cu"])) for b in p.baths if b in CU_BATHS_OF(space))
            else:
                s_max = 1.0  # the reference commercial foil: S_Cu = 1 by construction (annealing only lowers it)
            eta = output(m.uht.skin[r], "eta_a") + output(m.uht.skin[r], "eta_b") * s_max
            eta_hi = float(np.max(s.skin[r].values["eta_a"]) + np.max(s.skin[r].values["eta_b"]) * s_max)
            t.add(f"max_overpotential_mV__{k}", pyo.Constraint(
                expr=eta - so <= (targets.max_overpotential_mV + max(eta_hi, 0.0) * (1 - m.y_mode[k])) * U.mV), "ub")


def _plant_targets(m: pyo.ConcreteModel, p: _Plant, targets: Targets, t: _TargetRows, cur: object,
                   throughput_floor_m2_per_h: float | None) -> None:
    """Throughput floor (good m² per scheduled hour; a mutable Param the Pareto sweep moves) and cost cap."""
    floor = targets.min_throughput_m2_per_h
    if throughput_floor_m2_per_h is not None:
        floor = max(floor or 0.0, throughput_floor_m2_per_h)
    m.throughput_floor = pyo.Param(initialize=floor or 0.0, mutable=True, units=U.m**2 / U.h)
    if floor:
        sq = t.slack("min_throughput_m2_per_h", U.s / U.m**2, 1.0, ub=p.H_max)
        t.add("min_throughput_m2_per_h", pyo.Constraint(
            expr=m.time_good * pyo.units.convert(m.throughput_floor, U.m**2 / U.s) - sq
            * pyo.units.convert(m.throughput_floor, U.m**2 / U.s) <= 1.0), "ub")
    if targets.max_cost_per_m2 is not None:
        sc = t.slack("max_cost_per_m2", cur / U.m**2, max(targets.max_cost_per_m2, 1e-6) * 0.05, ub=p.C_hi / 0.01)
        t.add("max_cost_per_m2", pyo.Constraint(expr=m.cost_good - sc <= targets.max_cost_per_m2 * cur / U.m**2),
              "ub")


def _objective(m: pyo.ConcreteModel, targets: Targets, t: _TargetRows, cur: object, elastic: bool,
               objective_refs: tuple[float, float] | None, violation_cap: float | None) -> None:
    """Cost, throughput or their weighted sum per good m²; elastic: the weighted violations first."""
    if elastic:
        # weighted violations (each divided by a scale in its own unit): the nearest achievable point; with
        # ``violation_cap`` (phase 2) the violation is bounded and the usual objective chooses among equals
        m.violation = pyo.Expression(expr=sum(t.weights[k] * v * _inverse_unit(v) for k, v in t.slacks.items()))
        if violation_cap is None:
            m.obj = pyo.Objective(expr=m.violation + 1e-6 * m.cost_good * U.m**2 / cur)
            return
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


def _inverse_unit(v: pyo.Var) -> object:
    """1 / the unit of ``v`` (so weighted slacks of different units add up)."""
    unit = pyo.units.get_units(v)
    return 1.0 if unit is None else 1.0 / unit


def CU_BATHS_OF(space: DecisionSpace) -> tuple[str, ...]:
    """The copper (electroforming) baths of the plating line."""
    return space.ed.baths["cu"] if space.ed is not None else ()
