"""The decision space: what the optimiser may set, bounded by the equipment in the scenario.

Equipment (fixed): the stage-II zone length, the stage-III heater length, the web width and coil length,
the plating line's installed tanks and their length, the coil furnaces and their batch size, failure and repair
data, the stage-II zone's equal modules. Decisions: web speeds, set temperatures, how many stage-II modules are
heated, plating current density, bath and number of active tanks, the route (Zn from vapour or plated;
commercial or electroformed foil), and whether the coils are annealed (soak temperature and time). Search ranges
narrow the equipment's own bounds (the pydantic ``Field`` limits of the scenario) to where the physics is worth
sampling; they are options, listed in :class:`SearchRanges`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.plating.baths import BATH_NAMES
from process_models.texture.coil_anneal import hottest_non_sticking_soak_temperature_K, soak_temperature_range_K
from twin.scenario import Scenario, field_bounds

CU_BATHS = ("cu_acid_sulfate", "cu_acid_sulfate_fsi")
ZN_BATHS = ("zn_acid_sulfate", "zn_acid_chloride", "zn_alkaline_zincate")
# A plant mode: which Zn route and which substrate; "ed" marks the modes that need a plating line.
MODES: dict[str, dict[str, Any]] = {
    "vapour_commercial": {"route": "vapour", "substrate": "commercial", "ed": None},
    "vapour_electroformed": {"route": "vapour", "substrate": "electroformed", "ed": "cu"},
    "plated_commercial": {"route": "plated", "substrate": "commercial", "ed": "zn"},
}


@dataclass(frozen=True)
class SearchRanges:
    """Where to search, inside the equipment bounds (an option, not physics). Units in the names."""

    web_speed_m_per_min: tuple[float, float] = (0.2, 6.0)
    stage2_temperature_K: tuple[float, float] = (650.0, 950.0)
    # stage-III peak: from 1000 K (below it no pulse of ≤ 0.15 s converts a skin of the 420-520 nm class to α)
    # to 1175 K, the α solidus at the seed's skin composition x_Zn ≈ 0.36 (α + L → β peritectic, Liang 2015
    # CALPHAD: process_models.uht.phase_diagram); the single-phase-α window of a line is ≈ 20 K wide inside it
    # (docs/uht_model.md), so the tables' knots are spent there and not on 900-1000 K or on a molten skin
    stage3_peak_K: tuple[float, float] = (1000.0, 1175.0)
    ed_web_speed_m_per_min: tuple[float, float] = (0.2, 6.0)
    ed_current_density_A_per_m2: tuple[float, float] = (50.0, 1500.0)
    anneal_soak_temperature_K: tuple[float, float] = (873.15, 1323.15)
    anneal_soak_h: tuple[float, float] = (0.25, 48.0)

    def __post_init__(self) -> None:
        for name in ("web_speed_m_per_min", "stage2_temperature_K", "stage3_peak_K", "ed_web_speed_m_per_min",
                     "ed_current_density_A_per_m2", "anneal_soak_temperature_K", "anneal_soak_h"):
            lo, hi = getattr(self, name)
            if not (0.0 < lo < hi and math.isfinite(hi)):
                raise FoiltwinInputError(name, (lo, hi), "a range 0 < low < high")


def _field_bounds(model: type, name: str) -> tuple[float, float]:
    """(low, high) of a scenario field (±inf where open)."""
    b = field_bounds(model, name)
    return (-math.inf if b.low is None else float(b.low), math.inf if b.high is None else float(b.high))


def _clip(name: str, want: tuple[float, float], limits: tuple[float, float]) -> tuple[float, float]:
    lo, hi = max(want[0], limits[0]), min(want[1], limits[1])
    if not lo < hi:
        raise FoiltwinInputError(name, want, f"a search range overlapping the equipment limits {limits}")
    return lo, hi


def mean_hours(time_model: Any) -> float:
    """Mean of a scenario time model [h] (exponential, lognormal, Weibull, constant)."""
    kind = getattr(time_model, "type", None)
    if kind in ("exponential", "lognormal"):
        return float(time_model.mean_h)
    if kind == "weibull":
        return float(time_model.scale_h * math.gamma(1.0 + 1.0 / time_model.shape_frac))
    if kind == "constant":
        return float(time_model.value_h)
    raise FoiltwinInputError("time model", kind, "one of exponential, lognormal, weibull, constant")


@dataclass(frozen=True)
class LineTime:
    """Expected scheduled time per metre of a web line [s/m] = a · pace + b (pace = 1/speed [s/m]).

    a = 1 + repair and maintenance hours per operating hour + restart-ramp losses; b = coil change (setup and
    ramp) per metre of coil. Means of the scenario's time models; the twin draws them, so its availability
    scatters around this expectation.
    """

    downtime_per_operating_h: float
    stops_per_operating_h: float
    restart_ramp_s: float
    coil_change_s: float
    coil_length_m: float

    @property
    def pace_factor(self) -> float:
        """a: scheduled seconds per second of running at set speed."""
        return 1.0 + self.downtime_per_operating_h + self.stops_per_operating_h * self.restart_ramp_s / 7200.0

    @property
    def per_metre_s(self) -> float:
        """b: seconds of coil change and its restart ramp per metre of web [s/m]."""
        return (self.coil_change_s + 0.5 * self.restart_ramp_s) / self.coil_length_m

    def scheduled_s_per_m(self, pace_s_per_m: float) -> float:
        return self.pace_factor * pace_s_per_m + self.per_metre_s

    @classmethod
    def of_line(cls, line: Any, coil_length_m: float) -> LineTime:
        down = 0.0
        stops = 0.0
        for e in line.equipment:
            if e.time_to_failure is not None:
                ttf = mean_hours(e.time_to_failure)
                down += mean_hours(e.time_to_repair) / ttf
                stops += 1.0 / ttf
        if line.maintenance is not None:
            down += line.maintenance.duration_h / line.maintenance.every_h
            stops += 1.0 / line.maintenance.every_h
        return cls(down, stops, float(line.restart_ramp_s), float(line.coil_change_min) * 60.0, coil_length_m)


@dataclass(frozen=True)
class EDSpace:
    """The plating line: installed tanks, their length and the decisions' ranges."""

    line_name: str
    tank_count: int
    tank_length_m: float
    speed_m_per_min: tuple[float, float]
    current_density_A_per_m2: tuple[float, float]
    baths: dict[str, tuple[str, ...]]  # role ("cu", "zn") -> allowed baths
    bath_temperature_K: float | None
    anode: str
    time: LineTime
    gauge_noise_um: float
    foil_thickness_window_um: tuple[float, float]


@dataclass(frozen=True)
class AnnealSpace:
    """The coil furnaces: batch size, programme ranges and their expected downtime per hot hour."""

    furnace_names: tuple[str, ...]
    coils_per_batch: int
    soak_temperature_K: tuple[float, float]
    soak_h: tuple[float, float]
    heating_rate_K_per_s: float | None
    cooling_rate_K_per_s: float | None
    downtime_per_hot_h: float

    @property
    def furnaces_count(self) -> int:
        return len(self.furnace_names)


@dataclass(frozen=True)
class DecisionSpace:
    """Everything the optimiser needs to know about the plant, in SI and plant units as named."""

    scenario: Scenario
    uht_line: str
    uht_index: int
    width_m: float
    foil_thickness_m: float
    coil_length_m: float
    stage2_zone_length_m: float
    zone_modules: int
    stage3_heater_length_m: float
    cooling: str
    speed_m_per_min: tuple[float, float]
    stage2_temperature_K: tuple[float, float]
    stage3_peak_K: tuple[float, float]
    uht_time: LineTime
    gauge_noise_nm: float
    ed: EDSpace | None
    modes: tuple[str, ...]
    ranges: SearchRanges = field(default_factory=SearchRanges)
    anneal: AnnealSpace | None = None
    stage3_scatter_K: float = 0.0  # σ of the true stage-III peak around its set point (:func:`stage3_scatter_K`)

    def batch_area_m2(self) -> float:
        """Product area of one full furnace batch [m²]."""
        assert self.anneal is not None
        return self.anneal.coils_per_batch * self.coil_length_m * self.width_m

    @property
    def zone_lengths_m(self) -> list[float]:
        """Heated length of the stage-II zone with k = 1..N modules on [m]."""
        return [self.stage2_zone_length_m * k / self.zone_modules for k in range(1, self.zone_modules + 1)]

    def pace_bounds_s_per_m(self) -> tuple[float, float]:
        """(fastest, slowest) pace of the UHT web [s/m]."""
        return 60.0 / self.speed_m_per_min[1], 60.0 / self.speed_m_per_min[0]

    def stage2_time_bounds_s(self) -> tuple[float, float]:
        p_lo, p_hi = self.pace_bounds_s_per_m()
        return self.zone_lengths_m[0] * p_lo, self.zone_lengths_m[-1] * p_hi

    def stage3_time_bounds_s(self) -> tuple[float, float]:
        p_lo, p_hi = self.pace_bounds_s_per_m()
        return self.stage3_heater_length_m * p_lo, self.stage3_heater_length_m * p_hi

    def restricted(self, modes: tuple[str, ...]) -> DecisionSpace:
        """The same plant with fewer modes allowed."""
        bad = [m for m in modes if m not in self.modes]
        if bad or not modes:
            raise FoiltwinInputError("modes", modes, f"a non-empty subset of {', '.join(self.modes)}")
        return replace(self, modes=tuple(modes))


STAGE3_GUARD_SIGMA = 3.0  # the skin tables judge melting at T3 + 3σ


def stage3_scatter_K(line: Any) -> float:
    """σ of the true stage-III peak around its set point on a controlled line [K].

    The controller (``twin.heaters``) corrects the heater power by a share g of the pyrometer's error every
    interval, so the peak's deviation follows e_{k+1} = (1 − g) e_k − g n_k with reading noise n ~ N(0, σ_p²):
    a stationary AR(1) of variance g σ_p² / (2 − g) (ageing between steps is negligible against it: 0.2 %/h of
    power at 60 s steps). With the default σ_p = 3 K and g = 0.5 this is 1.73 K (the twin's 24 h run: 1.70 K).
    An uncontrolled line drifts instead; it gets the pyrometer's σ_p as a floor."""
    sigma_p = float(line.pyrometer.noise_K)
    if not line.control.enabled:
        return sigma_p
    g = float(line.control.gain_frac)
    return math.sqrt(g * sigma_p**2 / (2.0 - g))


def _ed_space(scenario: Scenario, ranges: SearchRanges) -> EDSpace | None:
    """The first electrodeposition line's decision space (None without one); its baths must be known ones."""
    lines = list(scenario.plant.lines)
    coils = scenario.plant.incoming_coils
    ed_lines = [ln for ln in lines if getattr(ln, "type", None) == "electrodeposition"]
    if not ed_lines:
        return None
    e = ed_lines[0]
    s = e.settings
    scls = type(s)
    spec = scenario.spec
    nominal = coils.foil_thickness_um
    window = (getattr(spec, "foil_thickness_um_min", 0.95 * nominal),
              getattr(spec, "foil_thickness_um_max", 1.05 * nominal))
    ed = EDSpace(
        line_name=e.name, tank_count=int(s.tank_count), tank_length_m=float(s.tank_length_m),
        speed_m_per_min=_clip("ed_web_speed_m_per_min", ranges.ed_web_speed_m_per_min,
                              _field_bounds(scls, "web_speed_m_per_min")),
        current_density_A_per_m2=_clip("ed_current_density_A_per_m2", ranges.ed_current_density_A_per_m2,
                                       _field_bounds(scls, "current_density_A_per_m2")),
        baths={"cu": CU_BATHS, "zn": ZN_BATHS}, bath_temperature_K=s.bath_temperature_K,
        anode=str(getattr(s, "anode", "insoluble")), time=LineTime.of_line(e, coils.length_m),
        gauge_noise_um=float(e.gauge.noise_nm) * 1e-3,
        foil_thickness_window_um=(float(window[0]), float(window[1])),
    )
    for baths in ed.baths.values():
        for b in baths:
            if b not in BATH_NAMES:
                raise FoiltwinInputError("bath", b, f"one of {', '.join(BATH_NAMES)}")
    return ed


def _anneal_space(scenario: Scenario, params: ParameterValues, ranges: SearchRanges) -> AnnealSpace | None:
    """The first coil furnace's decision space (None without one): soak limits the wound coils take."""
    furnaces = list(getattr(scenario.plant, "furnaces", ()))
    if not furnaces:
        return None
    f = furnaces[0]
    fs = f.settings
    fcls = type(fs)
    down = sum(mean_hours(e.time_to_repair) / mean_hours(e.time_to_failure) for e in f.equipment
               if e.time_to_failure is not None)
    up = None if fs.heating_rate_K_per_h is None else fs.heating_rate_K_per_h / 3600.0
    cool = None if fs.cooling_rate_K_per_h is None else fs.cooling_rate_K_per_h / 3600.0
    soak_h = _clip("anneal_soak_h", ranges.anneal_soak_h, _field_bounds(fcls, "soak_h"))
    # what the plant's wound coils take: the wound-coil limit, and a temperature at which the shortest soak of
    # the range does not stick the wraps (process_models.texture.coil_anneal)
    wound_lo, wound_hi = soak_temperature_range_K(params, wound=True)
    hot = hottest_non_sticking_soak_temperature_K(soak_h[0] * 3600.0, params, up, cool)
    t_soak = _clip("anneal_soak_temperature_K", ranges.anneal_soak_temperature_K,
                   _field_bounds(fcls, "soak_temperature_K"))
    anneal = AnnealSpace(
        furnace_names=tuple(x.name for x in furnaces), coils_per_batch=int(f.coils_per_batch),
        soak_temperature_K=_clip("anneal_soak_temperature_K", t_soak, (wound_lo, min(wound_hi, hot))),
        soak_h=soak_h, heating_rate_K_per_s=up, cooling_rate_K_per_s=cool, downtime_per_hot_h=down)
    return anneal


def decision_space(scenario: Scenario, params: ParameterValues, ranges: SearchRanges | None = None,
                   modes: tuple[str, ...] | None = None) -> DecisionSpace:
    """The decision space of ``scenario``: its first UHT line and (if any) its first electrodeposition line."""
    ranges = ranges or SearchRanges()
    lines = list(scenario.plant.lines)
    uht = [(i, ln) for i, ln in enumerate(lines) if getattr(ln, "type", None) == "uht"]
    if not uht:
        raise FoiltwinInputError("plant.lines", [getattr(ln, "type", "?") for ln in lines],
                                 "a plant with at least one UHT line (type = 'uht') to optimise")
    i_uht, line = uht[0]
    settings_cls = type(line.settings)
    coils = scenario.plant.incoming_coils
    speed = _clip("web_speed_m_per_min", ranges.web_speed_m_per_min,
                  _field_bounds(settings_cls, "web_speed_m_per_min"))
    t2 = _clip("stage2_temperature_K", ranges.stage2_temperature_K,
               _field_bounds(settings_cls, "stage2_temperature_K"))
    t3_limits = _field_bounds(settings_cls, "stage3_peak_K")
    t3 = _clip("stage3_peak_K", ranges.stage3_peak_K, (max(t3_limits[0], params["ambient_temperature_K"]),
                                                       t3_limits[1]))
    ed = _ed_space(scenario, ranges)
    anneal = _anneal_space(scenario, params, ranges)
    available = tuple(k for k, v in MODES.items() if v["ed"] is None or ed is not None)
    if modes is not None:
        bad = [m for m in modes if m not in available]
        if bad or not modes:
            raise FoiltwinInputError("modes", tuple(modes), f"a non-empty subset of {', '.join(available)} "
                                     "(modes with a plating line need one in the scenario)")
        available = tuple(modes)
    return DecisionSpace(
        scenario=scenario, uht_line=line.name, uht_index=i_uht, width_m=float(coils.width_m),
        foil_thickness_m=float(coils.foil_thickness_um) * 1e-6, coil_length_m=float(coils.length_m),
        stage2_zone_length_m=float(line.settings.stage2_zone_length_m), zone_modules=int(line.stage2_modules),
        stage3_heater_length_m=float(line.settings.stage3_heater_length_mm) * 1e-3, cooling=line.settings.cooling,
        speed_m_per_min=speed, stage2_temperature_K=t2, stage3_peak_K=t3,
        uht_time=LineTime.of_line(line, coils.length_m), gauge_noise_nm=float(line.gauge.noise_nm), ed=ed,
        modes=available, ranges=ranges, anneal=anneal, stage3_scatter_K=stage3_scatter_K(line),
    )
