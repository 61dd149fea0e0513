"""The plating line (electroforming the Cu foil, or plating Zn on bought foil) as a block of the MILP.

Inputs: the share of each role the chosen mode gives the line, ``"cu"`` (electroformed foil) and ``"zn"`` (Zn
plated on commercial foil), binaries of the mode choice (Vars ``y_role`` of the block when it is built alone).
Decisions: the bath of each role (``y_bath``, one per role that is on), the tanks in use (``y_tanks[n]``: n tanks,
one n when the line runs), ``ln_j[b]`` = ln(current density / (A/m²)) of each bath and ``ln_pace`` = ln(plating web
pace / (s/m)); all 0 when the line is off (every table is active only with its bath or the line).

- ``bath[b]``: each bath's table on ln j (``optimizer.surrogates.build_plating``, from the plating kinetics at the
  middle of the speed range): ln ε, energy per kg, the electroformed (100) share and S_Cu;
- ``pace_tab``: pace = exp(ln pace) [s/m], 21 knots (:func:`optimizer.blocks.pace.pace_table`);
- Faraday, exact in logs: ln(mass per face) = ln(M/(zF)) + ln ε + ln j + ln(n · L_tank) + ln pace. Electroforming:
  the foil's ln thickness stays in the plant's window narrowed by 3 gauge σ (``foil_lo``, ``foil_hi``).

Outputs (Expressions): ``ln_foil_thickness`` (ln(foil / m), electroforming), ``ln_zn_kg_per_m2`` (ln of Zn per face
[kg/m²], Zn plating; the composing model links it to the UHT line's plated loading), ``energy_cu_kwh_per_m2`` and
``energy_zn_kwh_per_m2`` (rectifier electricity [kWh/m²]), ``f100_cu`` (electroformed (100) share) and
``line_time_s_per_m2`` ((a·pace + b·on) / width, ``space.ed.time``). Alone, with its inputs and decisions fixed, only
the tables' weights are free.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from optimizer.blocks.pace import pace_table
from optimizer.pwl import add_table, output
from optimizer.space import DecisionSpace
from optimizer.surrogates import Surrogates
from process_models.parameters.registry import ParameterValues

U = pyo.units
ROLE_METAL = {"cu": "Cu", "zn": "Zn"}
BATH_OUTPUTS = {"ln_eff": U.dimensionless, "kwh_per_kg": U.kWh / U.kg, "f100": U.dimensionless,
                "s_cu": U.dimensionless}
PACE_KNOTS = 21


def electroformed_cu_kg_per_m2(space: DecisionSpace, s: Surrogates) -> float:
    """Cu electroformed per m² of foil [kg/m²]: the foil's thickness × the bath metal's density."""
    return space.foil_thickness_m * s.metal_density_kg_per_m3.get("Cu", 0.0)


def plating_ln_pace_range(space: DecisionSpace) -> tuple[float, float]:
    """(low, high) ln(plating web pace / (s/m)) over the line's speed range."""
    assert space.ed is not None
    v_lo, v_hi = space.ed.speed_m_per_min
    return math.log(60.0 / v_hi), math.log(60.0 / v_lo)


def faraday_off_range(space: DecisionSpace, s: Surrogates, baths: list[str]) -> tuple[float, float]:
    """(low, high) of a Faraday sum when its role is off (the other role's terms, tanks, pace): its big-M."""
    ed = space.ed
    assert ed is not None
    lj_lo, lj_hi = math.log(ed.current_density_A_per_m2[0]), math.log(ed.current_density_A_per_m2[1])
    ue_lo, ue_hi = plating_ln_pace_range(space)
    ln_eff_lo = {b: float(np.min(s.plating[b].values["ln_eff"])) for b in baths}
    ln_tank_hi = max(0.0, math.log(ed.tank_count * ed.tank_length_m))
    lo = min([0.0] + [ln_eff_lo[b] + lj_lo for b in baths]) + min(0.0, ue_lo)
    hi = ln_tank_hi + ue_hi + max([0.0] + [lj_hi for b in baths])
    return lo, hi


def add_plating_line_block(m: pyo.Block, name: str, space: DecisionSpace, s: Surrogates, params: ParameterValues,
                           roles: list[str], y_role: dict[str, object] | None = None) -> pyo.Block:
    """Block ``m.<name>`` of the plating line (module docstring) for ``roles`` (of "cu", "zn"), with the bath
    tables of ``s``; ``y_role`` maps each role to the composing model's expression of its binary (``None``: Vars of
    the block)."""
    ed = space.ed
    assert ed is not None, "the plant has no plating line"
    b = pyo.Block()
    m.add_component(name, b)
    if y_role is None:
        b.ROLES = pyo.Set(initialize=roles, ordered=True)
        b.y_role = pyo.Var(b.ROLES, domain=pyo.Binary, units=U.dimensionless, doc="the line's role (an input)")
        y_role = {r: b.y_role[r] for r in roles}
    baths = [x for r in roles for x in ed.baths[r]]
    b.BATHS = pyo.Set(initialize=baths, ordered=True)
    b.y_bath = pyo.Var(b.BATHS, domain=pyo.Binary, units=U.dimensionless)
    if "cu" in roles:
        b.cu_bath = pyo.Constraint(expr=sum(b.y_bath[x] for x in ed.baths["cu"]) == y_role["cu"])
    if "zn" in roles:
        b.zn_bath = pyo.Constraint(expr=sum(b.y_bath[x] for x in ed.baths["zn"]) == y_role["zn"])
    y_on = sum(y_role[r] for r in roles)
    b.TANKS = pyo.RangeSet(1, ed.tank_count)
    b.y_tanks = pyo.Var(b.TANKS, domain=pyo.Binary, units=U.dimensionless)
    b.tanks_on = pyo.Constraint(expr=sum(b.y_tanks[n] for n in b.TANKS) == y_on)
    lj_lo, lj_hi = math.log(ed.current_density_A_per_m2[0]), math.log(ed.current_density_A_per_m2[1])
    b.ln_j = pyo.Var(b.BATHS, bounds=(min(0.0, lj_lo), max(0.0, lj_hi)), units=U.dimensionless,
                     doc="ln(current density / (A/m2)) of each bath, 0 when the bath is off")
    b.bath = pyo.Block(b.BATHS)
    for x in baths:
        add_table(b.bath[x], s.plating[x], {"ln_j": (b.ln_j[x], U.dimensionless)}, BATH_OUTPUTS, active=b.y_bath[x])
    ue_lo, ue_hi = plating_ln_pace_range(space)
    b.ln_pace = pyo.Var(bounds=(min(0.0, ue_lo), ue_hi), units=U.dimensionless,
                        doc="ln(plating web pace / (s/m)), 0 when the plating line is off")
    b.pace_tab = pyo.Block()
    add_table(b.pace_tab, pace_table(math.exp(ue_lo), math.exp(ue_hi), "ed_pace", PACE_KNOTS),
              {"ln_pace": (b.ln_pace, U.dimensionless)}, {"pace": U.s / U.m}, active=y_on)
    _faraday(b, space, s, roles, y_role, baths)
    cu_kg = electroformed_cu_kg_per_m2(space, s)
    zn_kg_nominal = s.nominal_loading_kg_per_m2 * params["plating_web_faces_count"]
    b.energy_cu_kwh_per_m2 = pyo.Expression(expr=sum(
        output(b.bath[x], "kwh_per_kg") * cu_kg * U.kg / U.m**2 for x in ed.baths["cu"] if x in baths))
    b.energy_zn_kwh_per_m2 = pyo.Expression(expr=sum(
        output(b.bath[x], "kwh_per_kg") * zn_kg_nominal * U.kg / U.m**2 for x in ed.baths["zn"] if x in baths))
    b.f100_cu = pyo.Expression(expr=sum(output(b.bath[x], "f100") for x in ed.baths["cu"] if x in baths))
    # the plating pace is 0 when the line is off (its table is inactive): no big-M needed
    b.line_time_s_per_m2 = pyo.Expression(expr=(ed.time.pace_factor * output(b.pace_tab, "pace")
                                                + ed.time.per_metre_s * U.s / U.m * y_on) / (space.width_m * U.m))
    return b


def _faraday(b: pyo.Block, space: DecisionSpace, s: Surrogates, roles: list[str], y_role: dict[str, object],
             baths: list[str]) -> None:
    """Faraday's law in logs for each role; electroforming: the foil-thickness window rows."""
    ed = space.ed
    assert ed is not None
    ln_tank = sum(b.y_tanks[n] * math.log(n * ed.tank_length_m) for n in b.TANKS)
    lo_e, hi_e = faraday_off_range(space, s, baths)

    def faraday(role: str) -> object:
        # ln(deposit per face) = ln(M/(zF)) + ln ε + ln j + ln t, t = tanks · tank length · pace (Faraday, exact)
        return s.faraday_ln_kg_per_A_s[ROLE_METAL[role]] * y_role[role] + ln_tank + b.ln_pace + sum(
            output(b.bath[x], "ln_eff") + b.ln_j[x] for x in ed.baths[role])

    if "cu" in roles:
        y = y_role["cu"]
        b.ln_foil_thickness = pyo.Expression(expr=faraday("cu") - math.log(s.metal_density_kg_per_m3["Cu"]) * y)
        lo_um, hi_um = ed.foil_thickness_window_um
        g = 3.0 * ed.gauge_noise_um
        lo_um, hi_um = (lo_um + g, hi_um - g) if lo_um + g < hi_um - g else (lo_um, hi_um)
        a, c = math.log(lo_um * 1e-6), math.log(hi_um * 1e-6)
        b.foil_lo = pyo.Constraint(expr=b.ln_foil_thickness >= a - max(a - lo_e, 0.0) * (1 - y))
        b.foil_hi = pyo.Constraint(expr=b.ln_foil_thickness <= c + max(hi_e - c, 0.0) * (1 - y))
    if "zn" in roles:
        b.ln_zn_kg_per_m2 = pyo.Expression(expr=faraday("zn"))
