"""The skin metal as a decision of the MILP (issue 14 item 1): one binary per metal, exactly one on.

``add_skin_metal_block(m, ...)`` builds ``m.skin_metal`` (a :class:`pyo.Block`):

- ``y_metal[X]`` for Zn and every other asked metal, Σ = 1 (a metal not asked is fixed to 0);
- the Zn route binaries gated by ``y_metal["Zn"]`` (``y_zn_route[r] = y_route[r] · y_metal["Zn"]``, exact for
  binaries): ``build_model`` gives them to the UHT-line block (``m.uht``, :mod:`optimizer.blocks.uht_line`) and its
  target rows in place of the route binaries, so every Zn table and Zn target row is off (its outputs 0, its rows
  relaxed as for an unused route) when another metal is chosen;
- per other metal X its skin table (:mod:`optimizer.metal_surrogates`, on 1/T2, ln t2, T3, ln t3) active with
  ``y_metal[X]``, on its own copies of the coordinates (hull, as the Zn routes): the T3 and ln-pace copies are
  terms of the UHT block's splits ``T3 = Σ copies``, ``ln pace = Σ copies`` and their range is its T3's
  (:attr:`SkinMetalLinks.uht`, an :class:`~optimizer.blocks.uht_line.OtherSkins`), so the block is built before the
  UHT block; the 1/T2 and ln t2 copies equal the UHT block's when X is on (big-M rows ``uht_link``, added once the
  UHT block exists by :func:`link_skin_metal`);
- X's rows: skin thickness in its spec window narrowed by the chosen guard level (a level that closes the window
  is refused with X), surface fraction in its window, only allowed phases and, when melting is refused, no
  transient liquid (the weights of vertices whose 0/1 flag is set are fixed to 0: only simplices whose vertices
  all pass), the stage-III power reach; no plated-Zn precursor under X (the twin refuses it).

X's UHT energy and deposit are returned for the cost rows (the costing block, :mod:`optimizer.blocks.costing`,
prices the deposit as X's source, :func:`process_models.uht.flows.uht_flow_amounts`). Not modelled for X, so X is
not offered with such targets: the nucleation-overpotential indicator (none for other metals) and the (100) texture
target.
Approximation: the cost per good m² divides by the guard level's gauge yield on the Zn window (the model and twin
checks use X's own window); the worst case is the window's low edge, so the two agree while both windows are wider
than ~10 gauge σ (default plant: to machine precision).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from optimizer.blocks.uht_line import REACH3_MARGIN_FRAC, OtherSkins
from optimizer.economics import Economics
from optimizer.metal_surrogates import MetalSpec
from optimizer.pwl import GridTable, add_table, output
from optimizer.space import MODES, DecisionSpace
from optimizer.surrogates import Surrogates
from optimizer.targets import Targets
from process_models.uht.flows import SKIN_METAL_FLOWS

U = pyo.units


@dataclass
class SkinMetalLinks:
    """What ``build_model`` takes from the block: the gated Zn route binaries and the hull terms of T3 and ln pace
    with the T3 range (``uht``) for the UHT-line block, the other metals' UHT energy [kWh/m²] and deposit [kg/m²]
    for the costing block and an upper bound of their cost per m²."""

    y_route: dict[str, object]
    uht: OtherSkins
    energy: object
    deposited: dict[str, object] = field(default_factory=dict)
    cost_hi: float = 0.0


# the table's outputs in the model (its 0/1 flags phase_bad and liquid act on the weights instead)
_OUT = {"ln_skin": U.dimensionless, "surface": U.dimensionless, "energy": U.kWh / U.m**2, "deposited": U.kg / U.m**2,
        "reach3": U.dimensionless}


def _hull(lo: float, hi: float) -> tuple[float, float]:
    return min(lo, 0.0), max(hi, 0.0)


def add_skin_metal_block(m: pyo.ConcreteModel, *, metals: tuple[str, ...], tables: dict[str, GridTable],
                         specs: dict[str, MetalSpec], y_route: dict[str, object], plated: object, lp3: float,
                         T3_range_K: tuple[float, float], guards: list[tuple[float, float, float, float]],
                         sigma_nm: float, price: dict[str, float], utilisation_frac: float, no_melting: bool,
                         offer_others: bool) -> SkinMetalLinks:
    """Declare ``m.skin_metal`` (see the module docstring). ``metals``: the asked metals (Zn among them or not);
    ``tables``/``specs``: the other metals' skin tables and limits; ``plated``: the sum of the plated-Zn modes'
    binaries; ``lp3``: ln(stage-III heater length / m); ``T3_range_K``: the Zn routes' stage-III peak range;
    ``guards``: (g, lo, hi, yield) of the model's guard levels; ``offer_others`` off: the targets need what only
    the Zn model has, every other metal is fixed off. The 1/T2 and ln t2 links: :func:`link_skin_metal`."""
    b = pyo.Block()
    m.skin_metal = b
    others = [x for x in metals if x != "Zn"]
    b.METALS = pyo.Set(initialize=["Zn", *others], ordered=True)
    b.y_metal = pyo.Var(b.METALS, domain=pyo.Binary, units=U.dimensionless, doc="the skin metal (one-hot)")
    b.one_metal = pyo.Constraint(expr=sum(b.y_metal[x] for x in b.METALS) == 1)
    if "Zn" not in metals:
        b.y_metal["Zn"].fix(0)
    if not offer_others:
        for x in others:
            b.y_metal[x].fix(0)
    routes = list(y_route)
    b.ROUTES = pyo.Set(initialize=routes, ordered=True)
    b.y_zn_route = pyo.Var(b.ROUTES, bounds=(0.0, 1.0), units=U.dimensionless, doc="Zn route r and Zn chosen")
    y_zn = b.y_metal["Zn"]
    b.zn_route_a = pyo.Constraint(b.ROUTES, rule=lambda bb, r: bb.y_zn_route[r] <= y_route[r])
    b.zn_route_b = pyo.Constraint(b.ROUTES, rule=lambda bb, r: bb.y_zn_route[r] <= y_zn)
    b.zn_route_c = pyo.Constraint(b.ROUTES, rule=lambda bb, r: bb.y_zn_route[r] >= y_route[r] + y_zn - 1)
    gated = {r: b.y_zn_route[r] for r in routes}
    if not others:
        return SkinMetalLinks(gated, OtherSkins(0.0 * U.K, 0.0, T3_range_K), 0.0 * U.kWh / U.m**2, {}, 0.0)
    b.OTHERS = pyo.Set(initialize=others, ordered=True)
    box = {x: tables[x].bounds() for x in others}
    b.inv_T2 = pyo.Var(b.OTHERS, bounds=lambda _, x: _hull(*box[x][0]), units=U.K**-1)
    b.ln_t2 = pyo.Var(b.OTHERS, bounds=lambda _, x: _hull(*box[x][1]), units=U.dimensionless)
    b.T3 = pyo.Var(b.OTHERS, bounds=lambda _, x: _hull(*box[x][2]), units=U.K, doc="T3 under metal X (0 when off)")
    b.ln_pace = pyo.Var(b.OTHERS, bounds=lambda _, x: _hull(box[x][3][0] - lp3, box[x][3][1] - lp3),
                        units=U.dimensionless, doc="ln pace under metal X (0 when off)")
    b.table = pyo.Block(b.OTHERS)
    b.no_plated = pyo.Constraint(expr=sum(b.y_metal[x] for x in others) <= 1 - plated)
    b.rows = pyo.ConstraintList()
    energy, deposited, cost_hi = 0.0 * U.kWh / U.m**2, {}, 0.0
    for x in others:
        tab = tables[x]
        t = _add_metal_table(m, b, x, tab, specs[x], lp3, guards, sigma_nm, no_melting)
        energy = energy + output(t, "energy")
        deposited[x] = output(t, "deposited")
        cost_hi += (price["electricity_kWh_per_m2"] * float(np.max(tab.values["energy"]))
                    + price[SKIN_METAL_FLOWS[x]] * float(np.max(tab.values["deposited"])) / utilisation_frac)
    lo = min([T3_range_K[0]] + [box[x][2][0] for x in others])
    hi = max([T3_range_K[1]] + [box[x][2][1] for x in others])
    hull = OtherSkins(sum(b.T3[x] for x in others), sum(b.ln_pace[x] for x in others), (lo, hi))
    return SkinMetalLinks(gated, hull, energy, deposited, cost_hi)


def _add_metal_table(m: pyo.ConcreteModel, b: pyo.Block, x: str, tab: GridTable, sp: MetalSpec, lp3: float,
                     guards: list[tuple[float, float, float, float]], sigma_nm: float, no_melting: bool) -> pyo.Block:
    """Metal ``x``'s skin table in ``b.table[x]``, active when ``b.y_metal[x]`` is, and its rows in ``b.rows``: the
    skin window narrowed by the chosen guard level, the surface window, no vertex with a phase not allowed (or a
    liquid, with ``no_melting``) and the stage-III power reach. Returns the table block."""
    y = b.y_metal[x]
    add_table(b.table[x], tab, {"inv_T2": (b.inv_T2[x], U.K**-1), "ln_t2": (b.ln_t2[x], U.dimensionless),
                                "T3": (b.T3[x], U.K), "ln_t3": (b.ln_pace[x] + lp3 * y, U.dimensionless)},
              _OUT, active=y)
    t = b.table[x]
    # skin window of X narrowed by the chosen guard level (the model's y_guard, Σ = 1)
    lo_nm, hi_nm = sp.window_nm
    lows, highs = [], []
    for i, (g, *_rest) in enumerate(guards):
        a, c = lo_nm + g * sigma_nm, hi_nm - g * sigma_nm
        if a >= c or a <= 0.0:
            b.rows.add(m.y_guard[i] + y <= 1)
            a, c = lo_nm, max(hi_nm, lo_nm * (1 + 1e-9))
        lows.append(math.log(max(a, 1e-9)))
        highs.append(math.log(c))
    ls_hi = float(np.max(tab.values["ln_skin"]))
    b.rows.add(output(t, "ln_skin") >= sum(m.y_guard[i] * lows[i] for i in range(len(guards)))
               - max(max(lows), 0.0) * (1 - y))
    b.rows.add(output(t, "ln_skin") <= sum(m.y_guard[i] * highs[i] for i in range(len(guards)))
               + max(ls_hi - min(highs), 0.0) * (1 - y))
    if sp.surface_frac[0] > 0.0:  # (a window that allows every fraction needs no row)
        b.rows.add(output(t, "surface") >= sp.surface_frac[0] * y)
    if sp.surface_frac[1] < 1.0:
        b.rows.add(output(t, "surface") <= sp.surface_frac[1] * y)
    bad = tab.values["phase_bad"].ravel() > 0.5
    if no_melting:
        bad |= tab.values["liquid"].ravel() > 0.5
    for v in np.nonzero(bad)[0]:  # vertices with a phase not allowed or a liquid carry no weight
        t.w[int(v)].fix(0.0)
    b.rows.add(output(t, "reach3") <= (1.0 - REACH3_MARGIN_FRAC) * y)
    return t


def link_skin_metal(b: pyo.Block, inv_T2: pyo.Var, ln_t2: object, ln_t2_range: tuple[float, float]) -> None:
    """Rows ``b.uht_link``: each other metal X's copies of 1/T2 [1/K] and ln t2 equal the UHT line's ``inv_T2`` and
    ``ln_t2`` when X is chosen (big-M from the copies' boxes, ``inv_T2``'s bound and ``ln_t2_range``)."""
    if not hasattr(b, "OTHERS"):
        return
    others = list(b.OTHERS)
    z_big = max(b.inv_T2[x].ub for x in others) + float(inv_T2.ub)
    t_big = max(max(abs(b.ln_t2[x].lb), abs(b.ln_t2[x].ub)) for x in others) + max(abs(v) for v in ln_t2_range)
    b.uht_link = pyo.ConstraintList()
    for x in others:
        y = b.y_metal[x]
        b.uht_link.add(b.inv_T2[x] - inv_T2 <= z_big * U.K**-1 * (1 - y))
        b.uht_link.add(inv_T2 - b.inv_T2[x] <= z_big * U.K**-1 * (1 - y))
        b.uht_link.add(b.ln_t2[x] - ln_t2 <= t_big * (1 - y))
        b.uht_link.add(ln_t2 - b.ln_t2[x] <= t_big * (1 - y))


def chosen_metal(m: pyo.ConcreteModel) -> str:
    """The metal of a solved model (Zn for a model without the block)."""
    b = getattr(m, "skin_metal", None)
    if b is None:
        return "Zn"
    return max(b.METALS, key=lambda x: float(pyo.value(b.y_metal[x], exception=False) or 0.0))


def skin_metal_block(m: pyo.ConcreteModel, space: DecisionSpace, s: Surrogates, targets: Targets, econ: Economics,
                     y_route: dict, guards: list) -> SkinMetalLinks:
    """The block on ``build_model``'s mode and guard choice, built before the UHT-line block (which takes the
    gated route binaries and :attr:`SkinMetalLinks.uht`): the space's heater length, stage-III range and gauge
    noise; the targets' melting rule; the plant's prices."""
    plated = sum(m.y_mode[k] for k in space.modes if MODES[k]["route"] == "plated" and k in m.MODES)
    return add_skin_metal_block(
        m, metals=s.skin_metals, tables=s.metals, specs=s.metal_specs, y_route=y_route, plated=plated,
        lp3=math.log(space.stage3_heater_length_m), T3_range_K=space.stage3_peak_K, guards=guards,
        sigma_nm=space.gauge_noise_nm, price=econ.price, utilisation_frac=econ.zn_source_utilisation_frac,
        no_melting=targets.no_melting,
        offer_others=targets.max_overpotential_mV is None and targets.min_texture_100 is None)


def link_to_uht_line(m: pyo.ConcreteModel, space: DecisionSpace) -> None:
    """:func:`link_skin_metal` on the UHT-line block ``m.uht``: ln t2's range from its pace bounds and the space's
    zone lengths."""
    u = m.uht
    p_lo, p_hi = (math.exp(v) for v in u.ln_pace.bounds)
    z = space.zone_lengths_m
    link_skin_metal(m.skin_metal, u.inv_T2, u.ln_t2, (math.log(p_lo * min(z)), math.log(p_hi * max(z))))
