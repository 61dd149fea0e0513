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

from optimizer.costing_block import CostingOptions, build_costing
from optimizer.economics import Economics
from optimizer.pwl import GridTable, add_table, output
from optimizer.space import MODES, DecisionSpace
from optimizer.surrogates import STAGE2_RAMP_USABLE_FRAC, Surrogates
from optimizer.targets import Targets, gauge_yield
from optimizer.web_tension import add_web_tension
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R as R_GAS
from process_models.plating.flows import dragout_makeup_L_per_m2
from process_models.texture.coil_anneal import longest_soak_without_sticking_s
from process_models.texture.texture_model import recrystallised_fraction

U = pyo.units
GUARD_LEVELS_SIGMA: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
RAMP2_MAX_FRAC = STAGE2_RAMP_USABLE_FRAC  # stage II: the heat-up may take at most half the zone time
MELT_TOLERANCE_NM = 1e-3  # "no melting": only simplices whose used vertices do not melt
REACH3_MARGIN_FRAC = 0.005  # the reach table is slightly concave in T3 (< 1e-4 chord error): keep 0.5 % spare
PACE_STEP_LN = 0.085  # exp table of the pace: knots this close in ln p keep the chord error ≤ (Δ ln p)²/8 < 0.1 %


def currency_unit(currency: str) -> object:
    """The Pyomo unit of a currency (declared once as its own base dimension)."""
    try:
        return getattr(U, currency)
    except AttributeError:
        U.load_definitions_from_strings([f"{currency} = [currency_{currency.lower()}]"])
        return getattr(U, currency)


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


def exp_chord_error(step_ln: float) -> float:
    """Largest relative error of a chord of exp over a knot interval of width ``step_ln`` (≈ step²/8)."""
    t = np.linspace(0.0, 1.0, 2001)
    return float(np.max(((1.0 - t) + t * math.exp(step_ln)) * np.exp(-t * step_ln)) - 1.0)


def pace_table(lo_s_per_m: float, hi_s_per_m: float, name: str, knots: int | None = None) -> GridTable:
    """1-D table pace = exp(ln pace) [s/m] on log-spaced knots (by default as many as keep the chord error
    below 0.1 %: 41 over the full 30x speed range, 3 over a local refinement box)."""
    span = math.log(hi_s_per_m) - math.log(lo_s_per_m)
    knots = knots or max(3, math.ceil(span / PACE_STEP_LN) + 1)
    axis = np.linspace(math.log(lo_s_per_m), math.log(hi_s_per_m), knots)
    return GridTable(name, ("ln_pace",), (axis,), {"pace": np.exp(axis)})



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
    N = space.zone_modules
    m.ZONES = pyo.RangeSet(1, N)
    m.y_zone = pyo.Var(m.ZONES, domain=pyo.Binary, units=U.dimensionless)
    m.one_zone = pyo.Constraint(expr=sum(m.y_zone[k] for k in m.ZONES) == 1)
    m.GUARDS = pyo.RangeSet(0, len(guards) - 1)
    m.y_guard = pyo.Var(m.GUARDS, domain=pyo.Binary, units=U.dimensionless)
    m.one_guard = pyo.Constraint(expr=sum(m.y_guard[i] for i in m.GUARDS) == 1)

    # ------------------------------------------------------------------ UHT line
    p_lo, p_hi = space.pace_bounds_s_per_m()
    # the skin tables bound the pulse time, hence the pace: a refined (local) table narrows the exp table too
    lp3_ = math.log(space.stage3_heater_length_m)
    lt3 = [s.skin[r].bounds()[2] for r in routes]
    p_lo = max(p_lo, math.exp(min(b[0] for b in lt3) - lp3_))
    p_hi = min(p_hi, math.exp(max(b[1] for b in lt3) - lp3_))
    m.ln_pace = pyo.Var(bounds=(math.log(p_lo), math.log(p_hi)), units=U.dimensionless,
                        doc="ln(UHT web pace / (s/m)); speed = 1/pace")
    m.pace_tab = pyo.Block()
    ptab = pace_table(p_lo, p_hi, "uht_pace")
    add_table(m.pace_tab, ptab, {"ln_pace": (m.ln_pace, U.dimensionless)}, {"pace": U.s / U.m})
    pace = output(m.pace_tab, "pace")
    # the table's pace is at most (1 + chord) times e^(ln pace): dividing by it keeps time-limited rows safe
    pace_safe = pace / (1.0 + exp_chord_error(float(np.max(np.diff(ptab.axes[0])))))
    zone_len = space.zone_lengths_m
    ln_t2 = m.ln_pace + sum(m.y_zone[k] * math.log(zone_len[k - 1]) for k in m.ZONES)
    T2_lo, T2_hi = space.stage2_temperature_K
    m.inv_T2 = pyo.Var(bounds=(1.0 / T2_hi, 1.0 / T2_lo), units=U.K**-1, doc="1 / stage-II temperature")
    m.T3 = pyo.Var(bounds=space.stage3_peak_K, units=U.K, doc="stage-III peak temperature")
    m.stage2 = pyo.Block()
    # stage-II samples the model could not solve: their vertices get no weight on that route (infeasible there)
    failed2 = {r: f"failed_{r}" for r in routes if np.any(s.stage2.values.get(f"failed_{r}", 0.0) > 0.0)}
    add_table(m.stage2, s.stage2, {"inv_T2": (m.inv_T2, U.K**-1), "ln_t2": (ln_t2, U.dimensionless)},
              {"ln_loading": U.dimensionless, "energy2_vapour": U.kWh / U.m**2, "energy2_plated": U.kWh / U.m**2,
               "recryst": U.dimensionless, "ramp2": U.dimensionless, "T2": U.K,
               **{col: U.dimensionless for col in failed2.values()}})
    m.stage2_solvable = pyo.Constraint(list(failed2), rule=lambda mm, r: output(mm.stage2, failed2[r])
                                       <= 1 - y_route[r])
    # heat-up within its share of the zone time, exact in the pace: T2 − T_amb ≤ share · rate · L_k · pace on the
    # chosen module count k (T2 from the table over-estimates 1/(1/T2): conservative)
    t_amb, r2 = params["ambient_temperature_K"], params["stage2_heating_rate_K_per_s"]
    m.ramp2_ok = pyo.Constraint(m.ZONES, rule=lambda mm, k: output(mm.stage2, "T2") - t_amb * U.K
                                <= RAMP2_MAX_FRAC * r2 * U.K / U.s * zone_len[k - 1] * U.m * pace_safe
                                + (T2_hi - t_amb) * U.K * (1 - mm.y_zone[k]))

    skin_out = {"ln_skin": U.dimensionless, "surface_zn": U.dimensionless, "margin": U.dimensionless,
                "melt_nm": U.nm, "melt_margin_K": U.K, "energy3": U.kWh / U.m**2, "reach3": U.dimensionless,
                "deposited": U.kg / U.m**2, "eta_a": U.mV, "eta_b": U.mV}
    # Each route's skin table is active only with its route (weights sum to the route's binary), on its own
    # copy of the shared coordinates (disaggregated, "hull" style): T3 = Σ_r T3_r, ln pace = Σ_r ln pace_r.
    # Off-route outputs are then exactly 0, so most target rows need no big-M at all.
    m.ROUTES = pyo.Set(initialize=routes, ordered=True)
    l_box = {r: s.skin[r].bounds()[0] for r in routes}
    T3_box = {r: s.skin[r].bounds()[1] for r in routes}
    lt3_box = {r: s.skin[r].bounds()[2] for r in routes}
    lp3 = math.log(space.stage3_heater_length_m)

    def _hull(lo: float, hi: float) -> tuple[float, float]:
        return min(lo, 0.0), max(hi, 0.0)

    m.ln_loading = pyo.Var(m.ROUTES, bounds=lambda _, r: _hull(*l_box[r]), units=U.dimensionless,
                           doc="ln(Zn loading / (kg/m2)) on the skin table of each route (0 when off)")
    m.T3_r = pyo.Var(m.ROUTES, bounds=lambda _, r: _hull(*T3_box[r]), units=U.K, doc="T3 on route r (0 when off)")
    m.ln_pace_r = pyo.Var(m.ROUTES, bounds=lambda _, r: _hull(lt3_box[r][0] - lp3, lt3_box[r][1] - lp3),
                          units=U.dimensionless, doc="ln pace on route r (0 when off)")
    m.T3_split = pyo.Constraint(expr=sum(m.T3_r[r] for r in routes) == m.T3)
    m.pace_split = pyo.Constraint(expr=m.ln_pace == sum(m.ln_pace_r[r] for r in routes))
    m.skin = pyo.Block(m.ROUTES)
    for r in routes:
        add_table(m.skin[r], s.skin[r], {"ln_loading": (m.ln_loading[r], U.dimensionless),
                                         "T3": (m.T3_r[r], U.K),
                                         "ln_t3": (m.ln_pace_r[r] + lp3 * y_route[r], U.dimensionless)},
                  skin_out, active=y_route[r])
    # the stage-III heater reaches the peak at this speed: the moving-web model's power for (T3, L3/pace) over the
    # heater's limit, from the active route's skin table (off-route tables give 0)
    m.reach3_ok = pyo.Constraint(expr=sum(output(m.skin[r], "reach3") for r in routes) <= 1.0 - REACH3_MARGIN_FRAC)
    # web tension per heated zone and the break-risk rows (optimizer/web_tension.py)
    add_web_tension(m, space, params, {"stage2": (output(m.stage2, "T2"), s.stage2.values["T2"]),
                                       "stage3": (m.T3, space.stage3_peak_K)})
    if "vapour" in routes:
        lo_s, hi_s = s.stage2.bounds()[0], s.stage2.bounds()[1]
        st_lo = float(np.min(s.stage2.values["ln_loading"]))
        st_hi = float(np.max(s.stage2.values["ln_loading"]))
        a, b = l_box["vapour"]
        del lo_s, hi_s
        # l_vapour = stage-II loading when vapour; l_vapour = 0 otherwise (stage-II loading is free then)
        m.vapour_link_lo = pyo.Constraint(expr=m.ln_loading["vapour"] >= output(m.stage2, "ln_loading")
                                          - max(st_hi - min(a, 0.0), 0.0) * (1 - y_route["vapour"]))
        m.vapour_link_hi = pyo.Constraint(expr=m.ln_loading["vapour"] <= output(m.stage2, "ln_loading")
                                          + max(max(b, 0.0) - st_lo, 0.0) * (1 - y_route["vapour"]))

    # ------------------------------------------------------------------ plating line
    baths: list[str] = []
    ue_hi = 0.0
    if ed is not None:
        roles = {"cu": "vapour_electroformed", "zn": "plated_commercial"}
        baths = [b for role, mode in roles.items() if mode in modes for b in ed.baths[role]]
        m.BATHS = pyo.Set(initialize=baths, ordered=True)
        m.y_bath = pyo.Var(m.BATHS, domain=pyo.Binary, units=U.dimensionless)
        if "vapour_electroformed" in modes:
            m.cu_bath = pyo.Constraint(expr=sum(m.y_bath[b] for b in ed.baths["cu"]) == y_ef)
        if "plated_commercial" in modes:
            m.zn_bath = pyo.Constraint(expr=sum(m.y_bath[b] for b in ed.baths["zn"]) == y_pl)
        m.TANKS = pyo.RangeSet(1, ed.tank_count)
        m.y_tanks = pyo.Var(m.TANKS, domain=pyo.Binary, units=U.dimensionless)
        m.tanks_on = pyo.Constraint(expr=sum(m.y_tanks[n] for n in m.TANKS) == y_ed)
        lj_lo, lj_hi = math.log(ed.current_density_A_per_m2[0]), math.log(ed.current_density_A_per_m2[1])
        m.ln_j = pyo.Var(m.BATHS, bounds=(min(0.0, lj_lo), max(0.0, lj_hi)), units=U.dimensionless,
                         doc="ln(current density / (A/m2)) of each bath, 0 when the bath is off")
        m.plating = pyo.Block(m.BATHS)
        for b in baths:
            add_table(m.plating[b], s.plating[b], {"ln_j": (m.ln_j[b], U.dimensionless)},
                      {"ln_eff": U.dimensionless, "kwh_per_kg": U.kWh / U.kg, "f100": U.dimensionless,
                       "s_cu": U.dimensionless}, active=m.y_bath[b])
        v_lo, v_hi = ed.speed_m_per_min
        ue_lo, ue_hi = math.log(60.0 / v_hi), math.log(60.0 / v_lo)
        m.ln_pace_ed = pyo.Var(bounds=(min(0.0, ue_lo), ue_hi), units=U.dimensionless,
                               doc="ln(plating web pace / (s/m)), 0 when the plating line is off")
        m.ed_pace_tab = pyo.Block()
        add_table(m.ed_pace_tab, pace_table(math.exp(ue_lo), math.exp(ue_hi), "ed_pace", 21),
                  {"ln_pace": (m.ln_pace_ed, U.dimensionless)}, {"pace": U.s / U.m}, active=y_ed)
        ln_tank = sum(m.y_tanks[n] * math.log(n * ed.tank_length_m) for n in m.TANKS)
        ln_tank_hi = max(0.0, math.log(ed.tank_count * ed.tank_length_m))
        # ln(deposit per face) = ln(M/(zF)) + ln ε + ln j + ln t, t = tanks · tank length · pace (Faraday, exact)
        ln_eff_lo = {b: float(np.min(s.plating[b].values["ln_eff"])) for b in baths}
        cu_kg = space.foil_thickness_m * s.metal_density_kg_per_m3.get("Cu", 0.0)
        zn_kg_nominal = s.nominal_loading_kg_per_m2 * params["plating_web_faces_count"]

        def faraday(role: str, metal: str, y: object) -> tuple[object, float, float]:
            expr = s.faraday_ln_kg_per_A_s[metal] * y + ln_tank + m.ln_pace_ed + sum(
                output(m.plating[b], "ln_eff") + m.ln_j[b] for b in ed.baths[role])
            # range of the expression when its mode is off (other role's terms, tanks, pace): for big-M
            lo = min([0.0] + [ln_eff_lo[b] + lj_lo for b in baths]) + min(0.0, ue_lo)
            hi = ln_tank_hi + ue_hi + max([0.0] + [lj_hi for b in baths])
            return expr, lo, hi

        if "vapour_electroformed" in modes:
            rho = s.metal_density_kg_per_m3["Cu"]
            ln_th, lo_e, hi_e = faraday("cu", "Cu", y_ef)
            ln_th = ln_th - math.log(rho) * y_ef
            lo_um, hi_um = ed.foil_thickness_window_um
            g = 3.0 * ed.gauge_noise_um
            lo_um, hi_um = (lo_um + g, hi_um - g) if lo_um + g < hi_um - g else (lo_um, hi_um)
            a, b_ = math.log(lo_um * 1e-6), math.log(hi_um * 1e-6)
            m.foil_lo = pyo.Constraint(expr=ln_th >= a - max(a - lo_e, 0.0) * (1 - y_ef))
            m.foil_hi = pyo.Constraint(expr=ln_th <= b_ + max(hi_e - b_, 0.0) * (1 - y_ef))
        if "plated_commercial" in modes:
            ln_pl, lo_e, hi_e = faraday("zn", "Zn", y_pl)
            l_lo, l_hi = l_box["plated"]
            m.plated_link_lo = pyo.Constraint(expr=m.ln_loading["plated"] >= ln_pl - max(hi_e - l_lo, 0.0)
                                              * (1 - y_pl))
            m.plated_link_hi = pyo.Constraint(expr=m.ln_loading["plated"] <= ln_pl + max(l_hi - lo_e, 0.0)
                                              * (1 - y_pl))
        e_cu = sum(output(m.plating[b], "kwh_per_kg") * cu_kg * U.kg / U.m**2 for b in ed.baths["cu"] if b in baths)
        e_zn = sum(output(m.plating[b], "kwh_per_kg") * zn_kg_nominal * U.kg / U.m**2
                   for b in ed.baths["zn"] if b in baths)
    else:
        cu_kg = 0.0

    # ------------------------------------------------------------------ coil anneal (with a texture target only)
    an = space.anneal if (space.anneal is not None and s.anneal is not None
                          and targets.min_texture_100 is not None) else None
    m.y_anneal = pyo.Var(domain=pyo.Binary, units=U.dimensionless, doc="coils annealed in the furnace")
    an_out = {"energy_kwh_per_m2": U.kWh / U.m**2, "gas_Nm3_per_m2": U.m**3 / U.m**2, "cycle_s_per_m2": U.s / U.m**2}
    f_ref = params["bare_cu_reference_100_frac"]
    f_end = params["texture_cube_end_100_frac"]
    f0_hi = max([f_ref] + [float(np.max(s.plating[b].values["f100"])) for b in baths if b in CU_BATHS_OF(space)])
    if an is None:
        m.y_anneal.fix(0)
    else:
        assert s.anneal is not None
        (z_lo, z_hi), (lt_lo, lt_hi) = s.anneal.bounds()
        m.inv_T_soak = pyo.Var(bounds=(0.0, z_hi), units=U.K**-1, doc="1 / soak temperature (0 when not annealing)")
        m.ln_t_soak = pyo.Var(bounds=(min(0.0, lt_lo), max(0.0, lt_hi)), units=U.dimensionless,
                              doc="ln(soak time / s) (0 when not annealing)")
        m.anneal = pyo.Block()
        add_table(m.anneal, s.anneal, {"inv_T_soak": (m.inv_T_soak, U.K**-1), "ln_t_soak": (m.ln_t_soak,
                                                                                         U.dimensionless)},
                  an_out, active=m.y_anneal)
        # exact transform (Arrhenius additivity): ln θ_soak = ln t − (Q/R)/T + Q/(R T_cal); the ramps' share of θ
        # is left out (conservative; the check in the models credits it)
        qr = params["recrystallisation_activation_J_per_mol"] / R_GAS
        t_cal = params["recrystallisation_calibration_temperature_K"]
        gain = anneal_gain_table(lt_lo - qr * z_hi + qr / t_cal, lt_hi - qr * z_lo + qr / t_cal, f_end - f0_hi, params)
        u_lo, u_hi = gain.bounds()[0]
        m.ln_theta_soak = pyo.Var(bounds=(min(0.0, u_lo), max(0.0, u_hi)), units=U.dimensionless,
                                  doc="ln(θ of the soak / s at T_cal) (0 when not annealing)")
        m.theta_def = pyo.Constraint(expr=m.ln_theta_soak == m.ln_t_soak - qr * U.K * m.inv_T_soak
                                     + (qr / t_cal) * m.y_anneal)
        m.anneal_gain = pyo.Block()
        add_table(m.anneal_gain, gain, {"ln_theta": (m.ln_theta_soak, U.dimensionless)},
                  {"gain_100": U.dimensionless}, active=m.y_anneal)
        # what the wound coils take: the soak may not exceed the longest one whose whole programme (ramps included)
        # keeps the sticking indicator at its limit; ln t_max is concave in 1/T, so the table under-estimates it
        m.anneal_sticking = pyo.Block()
        add_table(m.anneal_sticking, anneal_sticking_table(z_lo, z_hi, space, params),
                  {"inv_T_soak": (m.inv_T_soak, U.K**-1)}, {"ln_t_max": U.dimensionless}, active=m.y_anneal)
        m.anneal_sticking_ok = pyo.Constraint(expr=m.ln_t_soak <= output(m.anneal_sticking, "ln_t_max"))

    # ------------------------------------------------------------------ time per m² and cost
    w = space.width_m
    ut = space.uht_time
    H_max = (ut.pace_factor * p_hi + ut.per_metre_s) / w * 2.0
    if ed is not None:
        H_max = max(H_max, (ed.time.pace_factor * math.exp(ue_hi) + ed.time.per_metre_s) / w * 2.0)
    an_factor = 0.0
    if an is not None:
        assert s.anneal is not None
        an_factor = (1.0 + an.downtime_per_hot_h) / an.furnaces_count
        H_max = max(H_max, an_factor * float(np.max(s.anneal.values["cycle_s_per_m2"])) * 2.0)
    m.H = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="scheduled plant seconds per processed m2")
    m.H_uht = pyo.Constraint(expr=cor.time_factor * (ut.pace_factor * pace + ut.per_metre_s * U.s / U.m)
                             / (w * U.m) <= m.H)
    m.H_ed = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the plating line")
    m.H_an = pyo.Var(bounds=(0.0, H_max), units=U.s / U.m**2, doc="the same, charged to the coil furnaces")
    if an is not None:
        # the furnaces' batches per m²: hot cycle time and repairs, shared among the furnaces
        m.H_an_line = pyo.Constraint(expr=cor.time_factor * an_factor * output(m.anneal, "cycle_s_per_m2") <= m.H)
        m.H_an_charge = pyo.Constraint(expr=m.H_an >= m.H - H_max * U.s / U.m**2 * (1 - m.y_anneal))
    else:
        m.H_an.fix(0.0)
    if ed is not None:
        ped = output(m.ed_pace_tab, "pace")
        # the plating pace is 0 when the line is off (its table is inactive): no big-M needed
        m.H_ed_line = pyo.Constraint(expr=cor.time_factor * (
            ed.time.pace_factor * ped + ed.time.per_metre_s * U.s / U.m * y_ed) / (w * U.m) <= m.H)
        m.H_ed_charge = pyo.Constraint(expr=m.H_ed >= m.H - H_max * U.s / U.m**2 * (1 - y_ed))
    else:
        m.H_ed.fix(0.0)
    E_hi = float(np.max(s.stage2.values["energy2_vapour"])) + float(np.max(s.stage2.values["energy2_plated"])) + max(
        float(np.max(s.skin[r].values["energy3"])) for r in routes) + 1.0
    m.energy2 = pyo.Var(bounds=(0.0, E_hi), units=U.kWh / U.m**2)
    m.energy3 = pyo.Var(bounds=(0.0, E_hi), units=U.kWh / U.m**2)
    dep_hi = max(float(np.max(s.skin[r].values["deposited"])) for r in routes) * 3.0 + 1e-3
    m.zn_vapour = pyo.Var(bounds=(0.0, dep_hi), units=U.kg / U.m**2, doc="Zn deposited from vapour")
    m.zn_plated = pyo.Var(bounds=(0.0, dep_hi), units=U.kg / U.m**2, doc="Zn plated (both faces)")
    m.e3_def = pyo.Constraint(expr=m.energy3 == sum(output(m.skin[r], "energy3") for r in routes))
    e2_hi = {k: float(np.max(s.stage2.values[k])) for k in ("energy2_vapour", "energy2_plated")}
    if "vapour" in routes:
        m.e2_vapour = pyo.Constraint(expr=m.energy2 >= output(m.stage2, "energy2_vapour")
                                     - e2_hi["energy2_vapour"] * U.kWh / U.m**2 * (1 - y_route["vapour"]))
        m.zn_v = pyo.Constraint(expr=m.zn_vapour == output(m.skin["vapour"], "deposited"))
    else:
        m.zn_vapour.fix(0.0)
    if "plated" in routes:
        m.e2_plated = pyo.Constraint(expr=m.energy2 >= output(m.stage2, "energy2_plated")
                                     - e2_hi["energy2_plated"] * U.kWh / U.m**2 * (1 - y_route["plated"]))
        m.zn_p = pyo.Constraint(expr=m.zn_plated == params["plating_web_faces_count"] * output(
            m.skin["plated"], "deposited"))
    else:
        m.zn_plated.fix(0.0)
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
    links = {"energy_uht": m.energy2 + m.energy3, "zn_vapour": m.zn_vapour, "commercial": y_commercial,
             "time_uht": m.H}
    if ef or pl:
        links["time_ed"] = m.H_ed
    if ef:
        links.update(electroformed=y_ef, energy_ed_cu=e_cu)
    if pl:
        links.update(plated=y_pl, energy_ed_zn=e_zn, zn_plated=m.zn_plated)
    if an is not None:
        links.update(energy_an=output(m.anneal, "energy_kwh_per_m2"), gas_an=output(m.anneal, "gas_Nm3_per_m2"),
                     time_an=m.H_an)
    m.costing = pyo.Block()
    build_costing(m.costing, econ, params, CostingOptions(
        foil_thickness_m=space.foil_thickness_m, cost_ub=C_hi, electroform_bath=ed.baths["cu"][0] if ef else None,
        zn_bath=ed.baths["zn"][0] if pl else None, anneal=an is not None, cu_anode_kg_per_m2=cu_kg,
        cost_offset=cor.cost_offset), cur, inputs=links)
    if ef:
        m.energy_ed_cu = pyo.Expression(expr=e_cu, doc="plating-line electricity per m2, electroforming")
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
    s_melt = slack("no_melting", U.K, 5.0, ub=1e4) if targets.no_melting else None
    ln_lo_max = max(math.log(g[1]) for g in guards)
    for r in routes:
        y = y_route[r]
        off = (1 - y)
        # off-route outputs are 0: offsets and bounds are multiplied by the route's binary
        off_r = cor.ln_skin.get(r, 0.0) + cor.ln_skin_bias.get(r, 0.0)
        ls = output(m.skin[r], "ln_skin") + off_r * y
        ls_hi = float(np.max(s.skin[r].values["ln_skin"])) + abs(off_r)
        add(f"skin_thickness__{r}_lo", pyo.Constraint(expr=ls + s_lo >= ln_lo - ln_lo_max * off), "lb")
        add(f"skin_thickness__{r}_hi", pyo.Constraint(expr=ls - s_hi <= ln_hi + ls_hi * off), "ub")
        xs = output(m.skin[r], "surface_zn") + (cor.surface_zn.get(r, 0.0) + cor.surface_zn_bias.get(r, 0.0)) * y
        add(f"surface_zn__{r}_lo", pyo.Constraint(expr=xs + s_zlo >= zn_lo_t * y), "lb")
        add(f"surface_zn__{r}_hi", pyo.Constraint(expr=xs - s_zhi <= zn_hi_t * y), "ub")
        if s_phase is not None:
            mg = output(m.skin[r], "margin") + (cor.margin.get(r, 0.0) + cor.margin_bias.get(r, 0.0)) * y
            add(f"single_phase_alpha__{r}", pyo.Constraint(expr=mg - s_phase <= -targets.phase_backoff_zn_frac * y),
                "ub")  # the robust optimum's back-off (0: nominal); off-route (y = 0) the row is mg ≤ 0 as before
        if s_melt is not None:
            # the melting margin (edge − T3, smooth; surrogates._melt_edge_margin), not the melt depth, which jumps
            mm_ = output(m.skin[r], "melt_margin_K") + cor.melt_margin_bias.get(r, 0.0) * y * U.K
            add(f"no_melting__{r}", pyo.Constraint(expr=-mm_ - s_melt <= 0.0 * U.K), "ub")
    # texture (100): substrate's share + recrystallised share toward the cube end state (a lower bound), by the
    # UHT heat and by the coil anneal (their X add: the UHT's is ~1e-7)
    ef_f100 = sum(output(m.plating[b], "f100") for b in baths if b in CU_BATHS_OF(space)) if baths else 0
    f100 = f_ref * y_commercial + ef_f100 + output(m.stage2, "recryst") * max(f_end - f0_hi, 0.0)
    if an is not None:
        f100 = f100 + output(m.anneal_gain, "gain_100")
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
            eta = output(m.skin[r], "eta_a") + output(m.skin[r], "eta_b") * s_max
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


GAIN_STEP_LN = 0.25  # largest knot spacing of the anneal's (100) gain table in ln θ
GAIN_STEP_X = 0.01  # and the largest step in X between knots: the lag costs at most this much of X


def anneal_gain_table(u_lo: float, u_hi: float, span_100: float, params: ParameterValues) -> GridTable:
    """(100) gain of a coil anneal, X(θ)·span, on ln θ: a piecewise-linear under-estimator — each knot carries
    the JMAK X of the knot before it, so between knots the table never exceeds the monotone X (conservative).
    Knots are at most ``GAIN_STEP_LN`` apart and, where X rises, at most ``GAIN_STEP_X`` of X apart (the JMAK
    inverse places them), so the table under-states X by less than 0.01 where a target can bind."""
    n = max(3, math.ceil((u_hi - u_lo) / GAIN_STEP_LN) + 1)
    coarse = np.linspace(u_lo, u_hi, n)
    tau = params["recrystallisation_time_constant_s"]
    n_jmak = params["recrystallisation_avrami_exponent_frac"]
    levels = np.arange(GAIN_STEP_X, 1.0, GAIN_STEP_X)
    fine = np.log(tau) + np.log(-np.log1p(-levels)) / n_jmak  # ln θ where X = each level
    u = np.unique(np.concatenate([coarse, fine[(fine > u_lo) & (fine < u_hi)]]))
    x = np.asarray(recrystallised_fraction(np.exp(u), params), dtype=float)
    lagged = np.concatenate([[0.0], x[:-1]])
    return GridTable("anneal_gain", ("ln_theta",), (u,), {"gain_100": lagged * max(span_100, 0.0)})


STICKING_KNOTS = 17  # knots of the longest non-sticking soak on 1/T_soak


def anneal_sticking_table(z_lo: float, z_hi: float, space: DecisionSpace, params: ParameterValues) -> GridTable:
    """ln of the longest soak [s] the wound coils take at 1/T (``coil_anneal.longest_soak_without_sticking_s``, closed
    form, the space's ramps): ln(allowance − ramps' share) + (Q_b/R)(1/T − 1/T_ref), concave in 1/T, so the chords
    between knots never exceed it (conservative). The space's temperature range keeps the allowance positive."""
    a = space.anneal
    assert a is not None
    z = np.linspace(z_lo, z_hi, STICKING_KNOTS)
    T = np.clip(1.0 / z, *a.soak_temperature_K)
    t = longest_soak_without_sticking_s(T, params, a.heating_rate_K_per_s, a.cooling_rate_K_per_s)
    return GridTable("anneal_sticking", ("inv_T_soak",), (z,), {"ln_t_max": np.log(np.maximum(t, 1e-300))})


def _inverse_unit(v: pyo.Var) -> object:
    """1 / the unit of ``v`` (so weighted slacks of different units add up)."""
    unit = pyo.units.get_units(v)
    return 1.0 if unit is None else 1.0 / unit


def CU_BATHS_OF(space: DecisionSpace) -> tuple[str, ...]:
    """The copper (electroforming) baths of the plating line."""
    return space.ed.baths["cu"] if space.ed is not None else ()
