"""Reading a solved model: the settings (a :class:`Point`), the surrogate's predictions, binding constraints."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pyomo.environ as pyo

from optimizer.blocks.skin_metal import chosen_metal
from optimizer.metal_surrogates import metal_spec
from optimizer.model import Handles
from optimizer.pwl import output
from optimizer.space import MODES, DecisionSpace
from optimizer.web_tension import read_tensions
from twin.plant_settings import PlantSettings, rebuilt

_BIND_TOL = 1e-5


@dataclass(frozen=True)
class Point:
    """One set of plant settings (the decisions), in plant units as named."""

    mode: str
    web_speed_m_per_min: float
    stage2_modules_on: int
    stage2_temperature_K: float
    stage3_peak_K: float
    guard_sigma: float = 0.0
    ed_bath: str | None = None
    ed_current_density_A_per_m2: float | None = None
    ed_tanks_on: int | None = None
    ed_web_speed_m_per_min: float | None = None
    anneal_soak_temperature_K: float | None = None  # None: the coils are not annealed
    anneal_soak_h: float | None = None
    stage2_web_tension_N_per_m: float | None = None  # None: the scenario's (a point not from the MILP)
    stage3_web_tension_N_per_m: float | None = None
    skin_metal: str = "Zn"  # the stage-II source's metal (issue 14; optimizer/blocks/skin_metal.py)

    @property
    def annealed(self) -> bool:
        return self.anneal_soak_temperature_K is not None

    @property
    def route(self) -> str:
        return MODES[self.mode]["route"]

    @property
    def substrate(self) -> str:
        return MODES[self.mode]["substrate"]

    def pace_s_per_m(self) -> float:
        return 60.0 / self.web_speed_m_per_min

    def stage2_length_m(self, space: DecisionSpace) -> float:
        return space.zone_lengths_m[self.stage2_modules_on - 1]

    def stage2_time_s(self, space: DecisionSpace) -> float:
        return self.stage2_length_m(space) * self.pace_s_per_m()

    def stage3_time_s(self, space: DecisionSpace) -> float:
        return space.stage3_heater_length_m * self.pace_s_per_m()

    def plating_time_s(self, space: DecisionSpace) -> float | None:
        if self.ed_tanks_on is None or space.ed is None or self.ed_web_speed_m_per_min is None:
            return None
        return self.ed_tanks_on * space.ed.tank_length_m * 60.0 / self.ed_web_speed_m_per_min

    def settings(self, space: DecisionSpace) -> dict:
        """JSON-ready settings, per line, with the derived dwell times."""
        out = {
            "mode": self.mode, "zn_route": self.route, "substrate": self.substrate,
            "uht": {
                "line": space.uht_line, "web_speed_m_per_min": self.web_speed_m_per_min,
                "stage2_modules_on": self.stage2_modules_on, "stage2_modules_installed": space.zone_modules,
                "stage2_heated_length_m": self.stage2_length_m(space),
                "stage2_temperature_K": self.stage2_temperature_K, "stage2_time_s": self.stage2_time_s(space),
                "stage3_peak_K": self.stage3_peak_K, "stage3_time_ms": self.stage3_time_s(space) * 1e3,
                "stage3_heater_length_mm": space.stage3_heater_length_m * 1e3, "cooling": space.cooling,
                **self.web_tensions(),
                **({"skin_metal": self.skin_metal} if self.skin_metal != "Zn" else {}),
            },
            "electrodeposition": None,
            "coil_anneal": None,
            "thickness_guard_band_sigma": self.guard_sigma,
        }
        if self.annealed and space.anneal is not None:
            out["coil_anneal"] = {"furnaces": list(space.anneal.furnace_names),
                                  "coils_per_batch": space.anneal.coils_per_batch,
                                  "soak_temperature_K": self.anneal_soak_temperature_K, "soak_h": self.anneal_soak_h}
        if self.ed_bath is not None and space.ed is not None:
            out["electrodeposition"] = {
                "line": space.ed.line_name, "bath": self.ed_bath,
                "current_density_A_per_m2": self.ed_current_density_A_per_m2, "tanks_on": self.ed_tanks_on,
                "tanks_installed": space.ed.tank_count, "web_speed_m_per_min": self.ed_web_speed_m_per_min,
                "plating_time_s": self.plating_time_s(space),
            }
        return out

    def plant_settings(self, space: DecisionSpace) -> PlantSettings:
        """The point as settings of the scenario's plant: the optimised UHT line with its speed, heated stage-II
        modules and temperatures; the plating line (when the mode uses one) with its speed, active tanks, bath and
        current density; every coil furnace on with the soak, or off. Other lines are not named (left out)."""
        base = PlantSettings.from_scenario(space.scenario)
        uht = rebuilt(base.uht[space.uht_line], f"uht.{space.uht_line}", web_speed_m_per_min=self.web_speed_m_per_min,
                      stage2_modules_on=self.stage2_modules_on, stage2_temperature_K=self.stage2_temperature_K,
                      stage3_peak_K=self.stage3_peak_K, **self.web_tensions())
        plating = {}
        if self.ed_bath is not None and space.ed is not None:
            name = space.ed.line_name
            plating[name] = rebuilt(base.plating[name], f"plating.{name}", tank_count=self.ed_tanks_on,
                                    web_speed_m_per_min=self.ed_web_speed_m_per_min, bath=self.ed_bath,
                                    current_density_A_per_m2=self.ed_current_density_A_per_m2)
        metal = {} if self.skin_metal == "Zn" else {
            space.uht_line: (self.skin_metal, metal_spec(space, self.skin_metal).source_temperature_K)}
        ps = PlantSettings(uht={space.uht_line: uht}, plating=plating, anneal=base.anneal,
                           skin_metals=metal).with_anneal(enabled=self.annealed)
        if self.annealed:
            ps = ps.with_anneal(soak_temperature_K=self.anneal_soak_temperature_K, soak_h=self.anneal_soak_h)
        return ps

    def web_tensions(self) -> dict[str, float]:
        """The decided zone tensions as scenario fields [N/m] (empty for a point without them)."""
        return {k: v for k in ("stage2_web_tension_N_per_m", "stage3_web_tension_N_per_m")
                if (v := getattr(self, k)) is not None}

    def to_dict(self) -> dict:
        return asdict(self)


def _val(x: object) -> float:
    return float(pyo.value(x))


def _within(value: float, bounds: tuple[float, float]) -> float:
    """A temperature read back as 1/(1/T) onto its search range: the round trip leaves a few ulp (1323.15 came back
    as 1323.1500000000005 and the coil-anneal model refused it)."""
    lo, hi = bounds
    return min(max(value, lo), hi)


def read_point(m: pyo.ConcreteModel, h: Handles) -> Point:
    """The decisions of a solved model."""
    mode = max(h.modes, key=lambda k: _val(m.y_mode[k]))
    u = m.uht  # the UHT-line block
    zone = max(u.ZONES, key=lambda k: _val(u.y_zone[k]))
    guard = max(m.GUARDS, key=lambda i: _val(m.y_guard[i]))
    speed = 60.0 / math.exp(_val(u.ln_pace))
    kw: dict = {}
    if MODES[mode]["ed"] is not None:
        pl = m.plating_line  # the plating-line block
        bath = max(h.baths, key=lambda b: _val(pl.y_bath[b]))
        tanks = max(pl.TANKS, key=lambda n: _val(pl.y_tanks[n]))
        kw = {"ed_bath": bath, "ed_current_density_A_per_m2": math.exp(_val(pl.ln_j[bath])), "ed_tanks_on": int(tanks),
              "ed_web_speed_m_per_min": 60.0 / math.exp(_val(pl.ln_pace))}
    f = getattr(m, "furnace", None)  # the coil-furnace block (only with a texture target and a furnace)
    if f is not None and _val(f.y_anneal) > 0.5:
        assert h.space.anneal is not None  # (the solver's round-off must not step past the wound limit)
        kw.update(anneal_soak_temperature_K=_within(1.0 / _val(f.inv_T_soak), h.space.anneal.soak_temperature_K),
                  anneal_soak_h=math.exp(_val(f.ln_t_soak)) / 3600.0)
    return Point(mode=mode, web_speed_m_per_min=speed, stage2_modules_on=int(zone),
                 stage2_temperature_K=_within(1.0 / _val(u.inv_T2), h.space.stage2_temperature_K),
                 stage3_peak_K=_val(u.T3),
                 guard_sigma=h.guards[guard][0], skin_metal=chosen_metal(m), **read_tensions(u), **kw)


PREDICTED_MARGIN_TOL_ZN_FRAC = 1e-6  # the α row holds to HiGHS's feasibility tolerance (1e-7), not exactly at 0


def predicted(m: pyo.ConcreteModel, h: Handles, p: Point, corrections_ln_skin: float = 0.0,
              corrections_margin_zn_frac: float = 0.0, corrections_surface_zn_frac: float = 0.0) -> dict:
    """What the surrogate predicts at the solution after the corrections learnt so far (the same offsets the
    MILP's target rows add to the tables: ln skin, phase margin, surface Zn)."""
    if p.skin_metal != "Zn":
        return _predicted_metal(m, h, p)
    r = p.route
    sk = m.uht.skin[r]
    s_cu = 1.0
    if p.ed_bath is not None and p.substrate == "electroformed":
        s_cu = _val(output(m.plating_line.bath[p.ed_bath], "s_cu"))
    guard = max(m.GUARDS, key=lambda i: _val(m.y_guard[i]))
    e2 = _val(output(m.uht.stage2, "energy2_vapour" if r == "vapour" else "energy2_plated"))
    margin = _val(output(sk, "margin")) + corrections_margin_zn_frac
    return {
        "skin_thickness_nm": math.exp(_val(output(sk, "ln_skin")) + corrections_ln_skin),
        "surface_zn_at_frac": _val(output(sk, "surface_zn")) + corrections_surface_zn_frac,
        "phase_margin_zn_frac": margin,
        "single_phase_alpha": margin <= PREDICTED_MARGIN_TOL_ZN_FRAC,
        "melt_depth_nm": _val(output(sk, "melt_nm")),
        "zn_loading_mg_per_cm2": math.exp(_val(m.uht.ln_loading[r])) * 1e2,  # deposited (vapour) or plated
        "energy_uht_kwh_per_m2": e2 + _val(output(sk, "energy3")),
        "texture_fraction_100": _val(m.texture_100),
        "nucleation_overpotential_mV": _val(output(sk, "eta_a")) + _val(output(sk, "eta_b")) * s_cu,
        "cost_per_m2": _val(m.cost_processed) / h.guards[guard][3],
        "cost_per_processed_m2": _val(m.cost_processed),
        "throughput_m2_per_h": 3600.0 * h.guards[guard][3] / _val(m.H),
        "yield_fraction": h.guards[guard][3],
        "scheduled_s_per_m2": _val(m.H),
    }


def _predicted_metal(m: pyo.ConcreteModel, h: Handles, p: Point) -> dict:
    """The surrogate's prediction at a solution whose skin is of another metal than Zn (its table's outputs)."""
    t = m.skin_metal.table[p.skin_metal]
    guard = max(m.GUARDS, key=lambda i: _val(m.y_guard[i]))
    return {
        "skin_metal": p.skin_metal,
        "skin_thickness_nm": math.exp(_val(output(t, "ln_skin"))),
        "surface_skin_metal_at_frac": _val(output(t, "surface")),
        "metal_deposited_kg_per_m2": _val(output(t, "deposited")),
        "energy_uht_kwh_per_m2": _val(output(t, "energy")),
        "texture_fraction_100": _val(m.texture_100),
        "cost_per_m2": _val(m.cost_processed) / h.guards[guard][3],
        "cost_per_processed_m2": _val(m.cost_processed),
        "throughput_m2_per_h": 3600.0 * h.guards[guard][3] / _val(m.H),
        "yield_fraction": h.guards[guard][3],
        "scheduled_s_per_m2": _val(m.H),
    }


def binding(m: pyo.ConcreteModel, h: Handles, p: Point) -> list[str]:
    """Targets and equipment limits that hold the solution where it is."""
    out = []
    for name, rows in h.target_rows.items():
        for con, sense in rows:
            cname = con.local_name
            # rows of other routes/modes are relaxed by big-M: skip them
            if "__" in cname.replace("target_", "", 1):
                tag = cname.split("__", 1)[1]
                if tag.split("_")[0] in ("vapour", "plated") and (not tag.startswith(p.route) or p.skin_metal != "Zn"):
                    continue  # (a skin of another metal: every Zn route's rows are off)
                if tag in MODES and tag != p.mode:
                    continue
            sl = con.lslack() if sense == "lb" else con.uslack()
            if sl is not None and abs(sl) <= _BIND_TOL * max(1.0, abs(_val(con.body))):
                side = {"lb": "lower", "ub": "upper"}[sense]
                label = f"{name} ({side})" if name in ("skin_thickness", "surface_zn") else name
                if label not in out:
                    out.append(label)
    sp = h.space
    if abs(p.web_speed_m_per_min - sp.speed_m_per_min[1]) <= 1e-6 * sp.speed_m_per_min[1]:
        out.append("web speed at its upper limit")
    if abs(p.stage3_peak_K - sp.stage3_peak_K[1]) <= 1e-6 * sp.stage3_peak_K[1]:
        out.append("stage-III peak at its upper limit")
    if abs(p.stage2_temperature_K - sp.stage2_temperature_K[1]) <= 1e-6 * sp.stage2_temperature_K[1]:
        out.append("stage-II temperature at its upper limit")
    if m.uht.reach3_ok.uslack() <= 1e-4:
        out.append("stage-III heater at its power limit for the peak at this speed (moving-web model)")
    if m.uht.ramp2_ok[p.stage2_modules_on].uslack() <= 1e-4:
        out.append("stage-II heat-up uses the allowed share of the zone time")
    if p.stage2_modules_on == sp.zone_modules:
        out.append("all stage-II modules heated")
    if p.annealed:
        out.append("coil anneal on (the (100) target needs it)")
        if hasattr(m, "furnace") and m.furnace.sticking_ok.uslack() <= 1e-4:
            out.append("coil anneal temperature held down by the sticking limit of the wound coils")
    return out
