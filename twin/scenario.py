"""Scenario data: the plant, its equipment and settings, spec limits and overrides, validated by pydantic.

Scenarios are plain data (TOML → these models); they never hold SimPy objects. Plant units live here
(m/min, µm, h, mm) and are converted to SI once, when the runtime is built (``twin.factory``).
Every model forbids unknown fields, bounds its numbers, and ships an example that doubles as a test fixture.
Types are strict (pydantic strict mode): ``true`` is not a number, ``"3"`` is not 3 and ``6.0`` is not an integer
count; a number is accepted for a float field, and a list (TOML array, JSON) for a tuple field.
"""

from __future__ import annotations

import json
import math
import tomllib
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from process_models.errors import FoiltwinInputError
from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
from process_models.physical_constants import zero_Celsius
from process_models.readonly import thaw
from process_models.skins.phase_data import SKIN_METALS
from process_models.skins.spec_defaults import ANY as ANY_PHASE
from process_models.skins.spec_defaults import (
    checked_allowed_phases,
    checked_zn_allowed_phases,
    default_allowed_skin_phases,
)
from twin.input_files import read_toml_file
from twin.parameter_set import ParameterSet

CU_MELTING_K = CU_MELTING_TEMPERATURE_K  # the registry's cu_melting_temperature_K


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: Any) -> Any:
        """A TOML or JSON array is a list: it fills a tuple field (strict mode takes tuples only); the items keep
        their strict types."""
        if isinstance(data, dict):
            names = _tuple_fields(cls)
            return {k: tuple(v) if k in names and isinstance(v, list) else v for k, v in data.items()}
        return data


@cache
def _tuple_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(n for n, f in model.model_fields.items()
                     if typing.get_origin(f.annotation) is tuple
                     or any(typing.get_origin(a) is tuple for a in typing.get_args(f.annotation)))


@dataclass(frozen=True)
class FieldBounds:
    """Limits of a pydantic field as declared (int or float; ``None``: open on that side) and whether each limit
    is allowed itself."""

    low: float | None
    high: float | None
    low_inclusive: bool = True
    high_inclusive: bool = True

    @property
    def widget_min(self) -> float | None:
        """A number widget's minimum: only an inclusive limit (an exclusive one is left to the validation)."""
        return self.low if self.low_inclusive else None

    @property
    def widget_max(self) -> float | None:
        return self.high if self.high_inclusive else None

    def text(self, unit: str = "") -> str:
        lo = "-inf" if self.low is None else _bound_text(self.low)
        hi = "inf" if self.high is None else _bound_text(self.high)
        left = "[" if self.low_inclusive and self.low is not None else "("
        right = "]" if self.high_inclusive and self.high is not None else ")"
        return f"{left}{lo}, {hi}{right}" + (f" {unit}" if unit else "")


def _bound_text(v: float) -> str:
    """A bound as messages show it: an integer bound in full (a seed's 2**63 - 1), a float in ``g`` form."""
    return str(v) if isinstance(v, int) else f"{v:g}"


def field_bounds(model: type[BaseModel], name: str) -> FieldBounds:
    """Bounds of ``model.name`` from its ``Field(ge=/gt=/le=/lt=)`` metadata (the dashboard's widgets and the
    optimiser's search ranges read them here)."""
    info = model.model_fields.get(name)
    if info is None:
        raise FoiltwinInputError(f"{model.__name__}.{name}", None, f"a field of {model.__name__}")
    return field_bounds_of(info)


def field_bounds_of(info: Any) -> FieldBounds:
    """Bounds declared in a pydantic FieldInfo's metadata."""
    low = high = None
    low_inc = high_inc = True
    for meta in info.metadata:
        for attr, inclusive in (("ge", True), ("gt", False)):
            v = getattr(meta, attr, None)
            if v is not None and (low is None or v >= low):
                low, low_inc = v, inclusive
        for attr, inclusive in (("le", True), ("lt", False)):
            v = getattr(meta, attr, None)
            if v is not None and (high is None or v <= high):
                high, high_inc = v, inclusive
    return FieldBounds(low, high, low_inc, high_inc)


# ----------------------------------------------------------------------------------------------- time models
class ExponentialTime(_Model):
    """Exponentially distributed time (memoryless failures), mean in hours."""

    type: Literal["exponential"] = "exponential"
    mean_h: float = Field(gt=0.0, le=1e5)


class LognormalTime(_Model):
    """Log-normal time (typical of repairs), mean and coefficient of variation."""

    type: Literal["lognormal"] = "lognormal"
    mean_h: float = Field(gt=0.0, le=1e5)
    cv_frac: float = Field(default=0.5, gt=0.0, le=5.0)


class WeibullTime(_Model):
    """Weibull time (wear-out with shape > 1), scale in hours."""

    type: Literal["weibull"] = "weibull"
    scale_h: float = Field(gt=0.0, le=1e5)
    shape_frac: float = Field(default=1.5, gt=0.1, le=20.0)


class ConstantTime(_Model):
    """A fixed time (for tests and planned durations)."""

    type: Literal["constant"] = "constant"
    value_h: float = Field(gt=0.0, le=1e5)


TimeModel = Annotated[ExponentialTime | LognormalTime | WeibullTime | ConstantTime, Field(discriminator="type")]


# ----------------------------------------------------------------------------------------------- equipment
class Equipment(_Model):
    """A unit whose failure stops the whole web: time to failure counts operating hours only."""

    name: str = Field(min_length=1, max_length=64)
    time_to_failure: TimeModel | None = None
    time_to_repair: TimeModel = ConstantTime(value_h=0.5)


class PlannedMaintenance(_Model):
    """A stop every ``every_h`` operating hours for ``duration_h``; it resets heater ageing."""

    every_h: float = Field(default=168.0, gt=0.0, le=1e5)
    duration_h: float = Field(default=4.0, gt=0.0, le=1e3)


class TemperatureSensor(_Model):
    """Pyrometer: Gaussian noise (σ) and a fixed bias on the reading."""

    noise_K: float = Field(default=3.0, ge=0.0, le=100.0)
    bias_K: float = Field(default=0.0, ge=-100.0, le=100.0)


class ThicknessGauge(_Model):
    """Inline XRF gauge on the finished skin: Gaussian noise (σ) on the skin thickness reading."""

    noise_nm: float = Field(default=8.0, ge=0.0, le=500.0)


class HeaterControl(_Model):
    """Feedback on heater power from the pyrometer, every ``interval_s``; off → open loop (ageing shows)."""

    enabled: bool = True
    interval_s: float = Field(default=60.0, gt=0.0, le=3600.0)
    gain_frac: float = Field(default=0.5, gt=0.0, le=1.0)


class HeaterAgeing(_Model):
    """Heater-element resistance drift per operating hour (at fixed voltage the power falls as 1/R)."""

    resistance_drift_frac_per_h: float = Field(default=0.002, ge=0.0, le=0.1)


# ----------------------------------------------------------------------------------------------- coils
class CoilSpec(_Model):
    """Incoming foil coils (commercial foil, or the plating line's output)."""

    length_m: float = Field(default=2000.0, gt=0.0, le=1e5)
    width_m: float = Field(default=0.5, gt=0.0, le=3.0)
    foil_thickness_um: float = Field(default=10.0, ge=3.0, le=50.0)


class CoilStore(_Model):
    """Coil store between the lines: capacity and coils present at the start."""

    capacity_coils: int = Field(default=20, ge=1, le=10000)
    initial_coils: int = Field(default=4, ge=0, le=10000)

    @model_validator(mode="after")
    def _initial_fits(self) -> CoilStore:
        if self.initial_coils > self.capacity_coils:
            raise ValueError(f"initial_coils={self.initial_coils} exceeds capacity_coils={self.capacity_coils}")
        return self


# ----------------------------------------------------------------------------------------------- lines
def _check_equipment_kept(settings: BaseModel, later: list[BaseModel], fields: tuple[str, ...]) -> None:
    """Zone and tank sizes are equipment: a changeover may change set points, not them."""
    for i, s in enumerate(later):
        for f in fields:
            if getattr(s, f) != getattr(settings, f):
                raise ValueError(f"changeovers[{i}].settings.{f} = {getattr(s, f)} differs from the line's "
                                 f"{getattr(settings, f)}: zone and tank sizes are equipment, not set points")


class UHTSettings(_Model):
    """Set points of the UHT line (seed 002 standard recipe at 1 m/min by default)."""

    web_speed_m_per_min: float = Field(default=1.0, gt=0.0, le=100.0)
    stage2_zone_length_m: float = Field(default=2.0, gt=0.0, le=200.0)
    stage2_temperature_K: float = Field(default=750.0, ge=500.0, le=1100.0)
    stage3_heater_length_mm: float = Field(default=0.5, gt=0.0, le=1000.0)
    # the middle of this default line's stage-III window (1 m/min through 0.5 mm: single-phase α from ≈1066 K,
    # skin ≤ 520 nm up to ≈1088 K; process_models.uht.stage3_window, tests/test_stage3_window.py). None: the
    # registry's calibrated peak, which is the seed's line (5 m/min through 2.5 mm) and gives 537 nm here
    stage3_peak_K: float | None = Field(default=1077.0, gt=300.0, le=CU_MELTING_K)
    cooling: Literal["contact", "free"] = "contact"
    # the first k of the zone's ``stage2_modules`` equal, separately heated modules are on (None: all)
    stage2_modules_on: int | None = Field(default=None, ge=1, le=50)
    # web tension per width in each heated zone (set points of the tension control; the line's
    # ``web_tension_limits`` bound them; docs/web_handling.md for margins, breaks and the slack limit)
    stage2_web_tension_N_per_m: float = Field(default=60.0, gt=0.0, le=5000.0)
    stage3_web_tension_N_per_m: float = Field(default=60.0, gt=0.0, le=5000.0)


WEB_TENSION_FIELDS = ("stage2_web_tension_N_per_m", "stage3_web_tension_N_per_m")


class WebTensionLimits(_Model):
    """Range of web tension per width the line's tension control (load cells, dancers, drives) can hold [N/m]."""

    min_N_per_m: float = Field(default=20.0, gt=0.0, le=5000.0)
    max_N_per_m: float = Field(default=300.0, gt=0.0, le=5000.0)

    @model_validator(mode="after")
    def _ordered(self) -> WebTensionLimits:
        if self.min_N_per_m > self.max_N_per_m:
            raise ValueError(f"min_N_per_m = {self.min_N_per_m:g} exceeds max_N_per_m = {self.max_N_per_m:g}")
        return self


class WebBreaks(_Model):
    """Web breaks as line events (hazard per metre from the web-handling model): the line stops ``rethread_min``
    to re-thread and scraps ``scrap_m`` of web around each break. ``enabled`` off: no breaks are drawn (margins and
    warnings are still reported)."""

    enabled: bool = True
    rethread_min: float = Field(default=30.0, ge=0.0, le=1440.0)
    scrap_m: float = Field(default=20.0, ge=0.0, le=1e4)


class ChangeoverStep(_Model):
    """A set-point change at ``at_h`` (hours from the start): the line stops for setup and restarts."""

    at_h: float = Field(ge=0.0, le=1e5)
    settings: UHTSettings


def _check_skin_metal(v: str) -> str:
    if v not in SKIN_METALS:
        raise ValueError(f"one of {', '.join(SKIN_METALS)}")
    return v


class SkinCampaign(_Model):
    """From ``start_h`` (wall hours from the start) the line's stage-II source holds ``metal`` (issue 14).
    ``source_temperature_K``: the source of a metal other than Zn (None: its melting point plus
    ``skin_source_superheat_K``, process_models.skins.supply); the Zn source follows the stage-II temperature."""

    start_h: float = Field(ge=0.0, le=1e5)
    metal: str
    source_temperature_K: float | None = Field(default=None, ge=298.0, le=2500.0)

    @field_validator("metal")
    @classmethod
    def _known_metal(cls, v: str) -> str:
        return _check_skin_metal(v)

    @model_validator(mode="after")
    def _zn_source_follows_stage2(self) -> SkinCampaign:
        if self.metal == "Zn" and self.source_temperature_K is not None:
            raise ValueError(f"source_temperature_K = {self.source_temperature_K:g} K is for Mg, Ag, Sn or Al: the "
                             "Zn source follows stage2_temperature_K")
        return self


class SkinChangeover(_Model):
    """Changing the stage-II source metal: the line stops (state setup, makes nothing) to swap the source
    (``source_swap_min``: vent the zone, exchange the crucible) and to purge the zone of the previous metal's vapour
    and wall condensate (``purge_min``: pump down and bake out). ASSUMED durations, no source gives them (a
    vacuum vent/pump-down/bake cycle is tens of minutes to hours); override them with the line's data."""

    source_swap_min: float = Field(default=30.0, ge=0.0, le=1440.0)
    purge_min: float = Field(default=90.0, ge=0.0, le=1440.0)

    @property
    def downtime_s(self) -> float:
        return (self.source_swap_min + self.purge_min) * 60.0


class _WebLine(_Model):
    """What every roll-to-roll line has: planned maintenance, coil changes and the ramp back to speed."""

    maintenance: PlannedMaintenance | None = PlannedMaintenance()
    coil_change_min: float = Field(default=10.0, ge=0.0, le=600.0)
    restart_ramp_s: float = Field(default=60.0, ge=0.0, le=3600.0)


class UHTLine(_WebLine):
    """A roll-to-roll UHT Joule-heating line: stage-II Zn vapour zone, stage-III pulse heater, quench."""

    type: Literal["uht"] = "uht"
    name: str = Field(default="uht-1", min_length=1, max_length=64)
    settings: UHTSettings = UHTSettings()
    equipment: tuple[Equipment, ...] = (
        Equipment(name="stage2_heater", time_to_failure=ExponentialTime(mean_h=120.0),
                  time_to_repair=LognormalTime(mean_h=1.0, cv_frac=0.6)),
        Equipment(name="stage3_pulser", time_to_failure=ExponentialTime(mean_h=200.0),
                  time_to_repair=LognormalTime(mean_h=0.75, cv_frac=0.6)),
        Equipment(name="web_handling", time_to_failure=ExponentialTime(mean_h=300.0),
                  time_to_repair=LognormalTime(mean_h=0.5, cv_frac=0.8)),
    )
    changeover_min: float = Field(default=20.0, ge=0.0, le=1440.0)
    stage2_modules: int = Field(default=4, ge=1, le=50)  # equal, separately heated modules of the stage-II zone
    heater_ageing: HeaterAgeing = HeaterAgeing()
    control: HeaterControl = HeaterControl()
    pyrometer: TemperatureSensor = TemperatureSensor()
    gauge: ThicknessGauge = ThicknessGauge()
    changeovers: tuple[ChangeoverStep, ...] = ()
    web_tension_limits: WebTensionLimits = WebTensionLimits()
    web_breaks: WebBreaks = WebBreaks()
    # the skin metal of the stage-II source at the start, and later campaigns (issue 14; docs/skin_metals.md)
    skin_metal: str = "Zn"
    skin_source_temperature_K: float | None = Field(default=None, ge=298.0, le=2500.0)
    skin_campaigns: tuple[SkinCampaign, ...] = ()
    skin_changeover: SkinChangeover = SkinChangeover()

    @field_validator("skin_metal")
    @classmethod
    def _known_metal(cls, v: str) -> str:
        return _check_skin_metal(v)

    @model_validator(mode="after")
    def _campaigns_in_order(self) -> UHTLine:
        if self.skin_metal == "Zn" and self.skin_source_temperature_K is not None:
            raise ValueError(f"skin_source_temperature_K = {self.skin_source_temperature_K:g} K is for Mg, Ag, Sn or "
                             "Al: the Zn source follows settings.stage2_temperature_K")
        starts = [c.start_h for c in self.skin_campaigns]
        for i in range(1, len(starts)):
            if starts[i] <= starts[i - 1]:
                raise ValueError(f"skin_campaigns[{i}].start_h = {starts[i]:g} h must be later than "
                                 f"skin_campaigns[{i - 1}].start_h = {starts[i - 1]:g} h")
        return self

    def skin_sources(self) -> list[tuple[float, str, float | None]]:
        """(start h, metal, source temperature) of the line's source from the start: the initial source and
        every campaign that changes it (a campaign repeating the source in force is no change)."""
        out = [(0.0, self.skin_metal, self.skin_source_temperature_K)]
        for c in self.skin_campaigns:
            if (c.metal, c.source_temperature_K) != out[-1][1:]:
                out.append((c.start_h, c.metal, c.source_temperature_K))
        return out

    @model_validator(mode="after")
    def _same_equipment(self) -> UHTLine:
        _check_equipment_kept(self.settings, [c.settings for c in self.changeovers],
                              ("stage2_zone_length_m", "stage3_heater_length_mm"))
        lim = self.web_tension_limits
        for where, s in [("settings", self.settings), *((f"changeovers[{i}].settings", c.settings)
                                                        for i, c in enumerate(self.changeovers))]:
            if s.stage2_modules_on is not None and s.stage2_modules_on > self.stage2_modules:
                raise ValueError(f"{where}.stage2_modules_on = {s.stage2_modules_on} exceeds the "
                                 f"{self.stage2_modules} installed stage2_modules")
            for name in WEB_TENSION_FIELDS:
                F = getattr(s, name)
                if not lim.min_N_per_m <= F <= lim.max_N_per_m:
                    raise ValueError(f"{where}.{name} = {F:g} N/m is outside the line's web_tension_limits "
                                     f"[{lim.min_N_per_m:g}, {lim.max_N_per_m:g}] N/m")
        return self

    def stage2_heated_length_m(self, settings: UHTSettings) -> float:
        """Heated length of the stage-II zone under ``settings`` [m]: the first k of its equal modules."""
        on = self.stage2_modules if settings.stage2_modules_on is None else settings.stage2_modules_on
        return settings.stage2_zone_length_m * on / self.stage2_modules


class PlatingSettings(_Model):
    """Set points of an electrodeposition line. A Cu bath electroforms the foil (its thickness is the product);
    a Zn bath plates the Zn precursor of the plated route on incoming foil."""

    web_speed_m_per_min: float = Field(default=1.0, gt=0.0, le=50.0)
    tank_count: int = Field(default=6, ge=1, le=50)
    tank_length_m: float = Field(default=2.5, gt=0.0, le=20.0)
    bath: str = "cu_acid_sulfate"
    current_density_A_per_m2: float = Field(default=305.0, gt=0.0, le=1e4)
    bath_temperature_K: float | None = Field(default=None, ge=zero_Celsius, le=zero_Celsius + 100.0)  # liquid water
    anode: Literal["soluble", "insoluble"] = "insoluble"

    @model_validator(mode="after")
    def _known_bath(self) -> PlatingSettings:
        from process_models.plating.baths import BATH_NAMES

        if self.bath not in BATH_NAMES:
            raise ValueError(f"bath {self.bath!r} is not one of {', '.join(BATH_NAMES)}")
        return self


class PlatingChangeoverStep(_Model):
    """A set-point or bath change of a plating line at ``at_h``."""

    at_h: float = Field(ge=0.0, le=1e5)
    settings: PlatingSettings


class BathDosing(_Model):
    """Metal dosing that holds the bath at its start concentration, every ``interval_s``; off → depletion shows."""

    enabled: bool = True
    interval_s: float = Field(default=300.0, gt=0.0, le=86400.0)


class PlatingLine(_WebLine):
    """A roll-to-roll electrodeposition line: tanks in series on one web, one bath."""

    type: Literal["electrodeposition"] = "electrodeposition"
    name: str = Field(default="ed-1", min_length=1, max_length=64)
    settings: PlatingSettings = PlatingSettings()
    equipment: tuple[Equipment, ...] = (
        Equipment(name="rectifier", time_to_failure=ExponentialTime(mean_h=250.0),
                  time_to_repair=LognormalTime(mean_h=1.0, cv_frac=0.6)),
        Equipment(name="bath_pumps", time_to_failure=ExponentialTime(mean_h=400.0),
                  time_to_repair=LognormalTime(mean_h=0.75, cv_frac=0.6)),
        Equipment(name="web_handling", time_to_failure=ExponentialTime(mean_h=300.0),
                  time_to_repair=LognormalTime(mean_h=0.5, cv_frac=0.8)),
    )
    changeover_min: float = Field(default=30.0, ge=0.0, le=1440.0)
    bath_volume_m3: float = Field(default=2.0, gt=0.0, le=1000.0)
    dosing: BathDosing = BathDosing()
    gauge: ThicknessGauge = ThicknessGauge(noise_nm=50.0)
    changeovers: tuple[PlatingChangeoverStep, ...] = ()
    # Electroformed foil whose gauge reading is outside spec.foil_thickness_um_min/max: "process" ships it on (the
    # UHT line runs, costs and rejects it); "cut_out" cuts it out at this line's rewinder and splices the rest, so
    # downstream lines never see it (no line time, energy or splice time is charged for the cut). A plant practice,
    # not physics: docs/twin.md, "Limits".
    out_of_spec_foil: Literal["process", "cut_out"] = "process"

    @model_validator(mode="after")
    def _same_equipment(self) -> PlatingLine:
        _check_equipment_kept(self.settings, [c.settings for c in self.changeovers], ("tank_count", "tank_length_m"))
        return self


class AnnealSettings(_Model):
    """Programme of a coil-anneal furnace. ``enabled`` off: the coils bypass the furnace. Ramp rates default to the
    registry's (``coil_anneal_*_rate_K_per_s``). The bounds are the furnace's (seed 000 Table 2: up to 1050 °C); the
    plant's wound coils take less, which the run checks against the registry (``coil_anneal_wound_max_soak_
    temperature_K``, the sticking indicator): the default, 680 °C for 38 h, gives commercial foil ≈ 0.6 of (100)
    without sticking its wraps."""

    enabled: bool = False
    soak_temperature_K: float = Field(default=953.15, ge=773.15, le=1323.15)
    soak_h: float = Field(default=38.0, ge=0.0, le=48.0)
    heating_rate_K_per_h: float | None = Field(default=None, gt=0.0, le=1e4)
    cooling_rate_K_per_h: float | None = Field(default=None, gt=0.0, le=1e4)


class CoilFurnace(_Model):
    """A batch (bell) furnace annealing whole coils between the coil store and the UHT lines, toward the (100)
    cube texture. A batch starts when ``coils_per_batch`` coils are in, or a part batch after ``max_wait_h``."""

    type: Literal["coil_anneal"] = "coil_anneal"
    name: str = Field(default="anneal-1", min_length=1, max_length=64)
    settings: AnnealSettings = AnnealSettings()
    coils_per_batch: int = Field(default=4, ge=1, le=50)
    max_wait_h: float = Field(default=2.0, ge=0.0, le=168.0)
    equipment: tuple[Equipment, ...] = (
        Equipment(name="heating_elements", time_to_failure=ExponentialTime(mean_h=1500.0),
                  time_to_repair=LognormalTime(mean_h=4.0, cv_frac=0.6)),
        Equipment(name="atmosphere_control", time_to_failure=ExponentialTime(mean_h=2000.0),
                  time_to_repair=LognormalTime(mean_h=2.0, cv_frac=0.6)),
    )


Line = Annotated[UHTLine | PlatingLine, Field(discriminator="type")]
LINE_TYPES = ("uht", "electrodeposition")


class SkinMetalSpec(_Model):
    """What a finished metre with a skin of a metal other than Zn must meet (issue 14). The seed gives no target for
    these skins: the defaults are ASSUMED (the Zn product's thickness window, no surface-composition window, and
    the Cu-X alloy phases, never the pure metal: :mod:`process_models.skins.spec_defaults`); set them per metal
    under ``spec.skin_metals.<metal>``. ``allowed_skin_phases``: a list of phase names, or ``"any"`` (held as
    None: no restriction); unset, :meth:`SpecLimits.for_metal` fills the metal's default."""

    skin_thickness_nm_min: float = Field(default=400.0, ge=0.0, le=1e4)
    skin_thickness_nm_max: float = Field(default=540.0, ge=0.0, le=1e4)
    surface_at_frac_min: float = Field(default=0.0, ge=0.0, le=1.0)
    surface_at_frac_max: float = Field(default=1.0, ge=0.0, le=1.0)
    allowed_skin_phases: tuple[str, ...] | None = None

    @field_validator("allowed_skin_phases", mode="before")
    @classmethod
    def _any(cls, v: Any) -> Any:
        """``"any"`` lifts the restriction (None); another single string is refused (a list names phases)."""
        if isinstance(v, str):
            if v != ANY_PHASE:
                raise ValueError(f'"{ANY_PHASE}" or a list of phase names')
            return None
        return v

    @model_validator(mode="after")
    def _ordered(self) -> SkinMetalSpec:
        if self.skin_thickness_nm_min > self.skin_thickness_nm_max:
            raise ValueError("skin_thickness_nm_min must not exceed skin_thickness_nm_max")
        if self.surface_at_frac_min > self.surface_at_frac_max:
            raise ValueError("surface_at_frac_min must not exceed surface_at_frac_max")
        return self


def _with_default_phases(lim: SkinMetalSpec, metal: str) -> SkinMetalSpec:
    """``lim`` with the metal's default allowed phases when it does not set them (``"any"`` sets them: None)."""
    if "allowed_skin_phases" in lim.model_fields_set:
        return lim
    return SkinMetalSpec.model_validate({**lim.model_dump(exclude_unset=True),
                                         "allowed_skin_phases": default_allowed_skin_phases(metal)})


class SpecLimits(_Model):
    """What a finished metre must meet; inline inspection judges the gauge reading against these (skins of other
    metals than Zn: ``skin_metals``)."""

    skin_thickness_nm_min: float = Field(default=400.0, ge=0.0, le=1e4)
    skin_thickness_nm_max: float = Field(default=540.0, ge=0.0, le=1e4)
    allowed_skin_phases: tuple[str, ...] = ("alpha",)
    surface_zn_at_frac_min: float = Field(default=0.25, ge=0.0, le=1.0)
    surface_zn_at_frac_max: float = Field(default=0.45, ge=0.0, le=1.0)
    reject_melting: bool = True
    foil_thickness_um_min: float = Field(default=9.5, ge=0.0, le=100.0)
    foil_thickness_um_max: float = Field(default=10.5, ge=0.0, le=100.0)
    skin_metals: dict[str, SkinMetalSpec] = Field(default_factory=dict)

    @field_validator("allowed_skin_phases")
    @classmethod
    def _zn_phases(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        """Names the Zn skin metrics can report only (an unknown name would reject every metre, silently)."""
        return checked_zn_allowed_phases(v)

    @field_validator("skin_metals")
    @classmethod
    def _other_metals(cls, v: dict[str, SkinMetalSpec]) -> dict[str, SkinMetalSpec]:
        """Known metals only; each metal's phases are known names of its Cu-X system (refused naming them); an
        entry that does not set them gets the metal's default here, so a dumped spec reads back the same."""
        out = {}
        for k, lim in v.items():
            if k not in SKIN_METALS[1:]:
                raise ValueError(f"key {k!r}: one of {', '.join(SKIN_METALS[1:])} (Zn uses the fields above)")
            # refused as a FoiltwinInputError naming the metal's field: error_from_pydantic puts it after the loc
            checked_allowed_phases(k, lim.allowed_skin_phases, field=f"{k}.allowed_skin_phases")
            out[k] = _with_default_phases(lim, k)
        return out

    def for_metal(self, metal: str) -> SkinMetalSpec:
        """The limits of a skin of ``metal`` (not Zn): its entry, else the assumed defaults; phases not set: the
        metal's default (:func:`~process_models.skins.spec_defaults.default_allowed_skin_phases`)."""
        return _with_default_phases(self.skin_metals.get(metal, SkinMetalSpec()), metal)

    @model_validator(mode="after")
    def _ordered(self) -> SpecLimits:
        if self.skin_thickness_nm_min > self.skin_thickness_nm_max:
            raise ValueError("skin_thickness_nm_min must not exceed skin_thickness_nm_max")
        if self.surface_zn_at_frac_min > self.surface_zn_at_frac_max:
            raise ValueError("surface_zn_at_frac_min must not exceed surface_zn_at_frac_max")
        return self


class Plant(_Model):
    """The lines and the coil stores between them: electrodeposition lines take raw stock and fill the coil store;
    UHT lines take coils from it (or commercial foil when the plant has no plating line). With an enabled coil
    furnace, the furnaces take coils from the coil store and the UHT lines take annealed coils from
    ``annealed_store`` (whose initial coils were annealed with the furnace's programme)."""

    lines: tuple[Line, ...] = (PlatingLine(), UHTLine())
    furnaces: tuple[CoilFurnace, ...] = (CoilFurnace(),)
    incoming_coils: CoilSpec = CoilSpec()
    coil_store: CoilStore = CoilStore()
    annealed_store: CoilStore = CoilStore()

    @model_validator(mode="after")
    def _unique_names(self) -> Plant:
        names = [line.name for line in self.lines] + [f.name for f in self.furnaces]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"line names must be unique; repeated: {', '.join(dupes)}")
        if not self.lines and not any(f.settings.enabled for f in self.furnaces):
            raise ValueError("plant.lines is empty and no coil furnace is enabled: a plant needs at least one line "
                             "(or an enabled coil furnace), else there is nothing to simulate")
        return self


class Scenario(_Model):
    """One simulation: plant, spec, horizon, seed, segment length, a fitted parameter set (``foiltwin calibrate``;
    ``--params FILE``) and parameter overrides by registry name, applied on top of the set."""

    name: str = Field(default="default plant", min_length=1, max_length=128)
    plant: Plant = Plant()
    spec: SpecLimits = SpecLimits()
    hours: float = Field(default=24.0, gt=0.0, le=24.0 * 366)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    segment_length_m: float = Field(default=1.0, ge=0.05, le=100.0)
    parameters: dict[str, float] = Field(default_factory=dict)
    parameter_set: ParameterSet | None = None
    currency: str = "USD"  # of every cost the run reports (the registry's prices are USD; converted at its rate)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, v: str) -> str:
        from process_models.costing.pricing import CURRENCY_RATE_PARAMETERS

        if v not in CURRENCY_RATE_PARAMETERS:
            raise ValueError(f"one of {', '.join(CURRENCY_RATE_PARAMETERS)}")
        return v

    @model_validator(mode="after")
    def _coil_holds_a_segment(self) -> Scenario:
        if self.plant.incoming_coils.length_m < self.segment_length_m:
            raise ValueError(f"plant.incoming_coils.length_m = {self.plant.incoming_coils.length_m:g} m is shorter "
                             f"than segment_length_m = {self.segment_length_m:g} m: a coil must hold a segment")
        return self


def with_parameter_set(scenario: Scenario, pset: ParameterSet | None) -> Scenario:
    """``scenario`` using the fitted set ``pset`` (``None``: unchanged)."""
    return scenario if pset is None else scenario.model_copy(update={"parameter_set": pset})


# ----------------------------------------------------------------------------------------------- loading
def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds (a model, an optional one, a tuple of them, a tagged union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models_in(a)]


def _field_at(model: type[BaseModel], loc: tuple) -> Any:
    """The pydantic FieldInfo at a validation error's location (None where the walk does not fit)."""
    info = None
    candidates = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        by_tag = {m.model_fields["type"].default: m for m in candidates if "type" in m.model_fields}
        if part in by_tag and len(candidates) > 1:  # the tag of a discriminated union picks the member
            candidates = [by_tag[part]]
            continue
        owner = next((m for m in candidates if part in m.model_fields), None)
        if owner is None:
            return None
        info = owner.model_fields[part]
        candidates = _models_in(info.annotation)
    return info


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def error_from_pydantic(err: ValidationError, default_field: str = "scenario",
                        model: type[BaseModel] | None = None) -> FoiltwinInputError:
    """The first pydantic error as a FoiltwinInputError naming the dotted field, the value and the rule; with the
    root ``model`` given, a type error also says the field's range (in the field's own units, its name's
    suffix)."""
    first = err.errors()[0]
    loc = [p for i, p in enumerate(first["loc"])  # drop the union tag pydantic puts after a list index
           if not (isinstance(p, str) and i > 0 and isinstance(first["loc"][i - 1], int) and p in LINE_TYPES)]
    field = ".".join(str(p) for p in loc) or default_field
    ctx = first.get("ctx", {})
    allowed = first["msg"]
    if ctx:
        allowed += " (" + ", ".join(f"{k} {v}" for k, v in ctx.items() if k != "error") + ")"
    if model is not None and (first["type"].endswith("_type") or first["type"] in _BOUND_ERRORS):
        info = _field_at(model, tuple(first["loc"]))
        if info is not None:
            b = field_bounds_of(info)
            if b.low is not None or b.high is not None:
                # a bound error says one bound only (and NaN fails the first one checked): say the whole range
                allowed = f"must lie in {b.text()}" if first["type"] in _BOUND_ERRORS else f"{allowed} in {b.text()}"
    inner = ctx.get("error")
    if isinstance(inner, FoiltwinInputError):  # a rule over a table that names the entry it refused
        where = f"{field}.{inner.field}" if inner.field else field  # "": the rule is about the field itself
        return FoiltwinInputError(where, inner.value, inner.allowed, inner.reason)
    value = first.get("input")
    if isinstance(value, dict | list | tuple):  # a rule over a whole table: the message says what is wrong
        value = "{...}"
    return FoiltwinInputError(field, value, allowed.replace("Value error, ", "").removesuffix(" ()"))


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """Validate a plain dict (parsed TOML) into a :class:`Scenario`; errors name the dotted field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise error_from_pydantic(err, model=Scenario) from None


def merge_over(default: Any, given: Any) -> Any:
    """``given`` (parsed TOML) merged over ``default`` (a dumped scenario) by the rule of :func:`merge_over_default`."""
    if isinstance(default, dict) and isinstance(given, dict):
        out = dict(default)
        for key, value in given.items():
            out[key] = merge_over(default[key], value) if key in default else value
        return out
    if isinstance(default, list | tuple) and isinstance(given, list | tuple):
        out_items = []
        for i, item in enumerate(given):
            base = default[i] if i < len(default) else None
            same_type = (isinstance(base, dict) and isinstance(item, dict)
                         and item.get("type", base.get("type")) == base.get("type"))
            out_items.append(merge_over(base, item) if same_type else item)
        return out_items
    return given


def merge_over_default(data: dict[str, Any]) -> dict[str, Any]:
    """A partial scenario (parsed TOML) merged over the default plant, ready for validation. The rule is that of
    ``--set`` applied to every key the file gives: tables merged key by key; an array of tables (``[[plant.lines]]``)
    item by item over the default item at the same index when it is of the same ``type`` (or the file's item gives
    none), else the file's item alone; the file's array decides how many items; arrays of values replaced whole."""
    return merge_over(Scenario().model_dump(mode="python", exclude_none=True), data)


def load_scenario(path: str | Path | None) -> Scenario:
    """Read a scenario TOML file, merged over the default plant (:func:`merge_over`: a partial file is the default
    plant with the file's keys); ``None`` gives the built-in default plant."""
    if path is None:
        return Scenario()
    data = read_toml_file(path, "scenario")
    return scenario_from_dict(merge_over_default(data) if isinstance(data, dict) else data)


def toml_value(v: Any) -> str:
    """``v`` in the TOML syntax :func:`apply_overrides` parses back (floats exactly: ``repr`` round-trips; arrays
    and inline tables item by item). ValueError for a value TOML has no form for."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise ValueError(f"a number, string, boolean, array or table, not {type(v).__name__}")


def _parse_value(text: str) -> Any:
    """A --set value: TOML scalar/array syntax if it parses (numbers, booleans, strings), else the raw text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(scenario: Scenario, items: list[str]) -> Scenario:
    """Apply ``dotted.key=value`` overrides; list items are addressed by index (``plant.lines.0.name``)."""
    for item in items:  # one at a time, re-validated, so later keys see the defaults an earlier one brought
        data = thaw(scenario.model_dump(mode="python"))  # tuples as lists: an item is set in place, in its list
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise FoiltwinInputError("--set", item, "dotted.key=value")
        parts = key.strip().split(".")
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            node = _child(node, part, ".".join(parts[: i + 1]), raw)
        last = parts[-1]
        if isinstance(node, dict):
            if last not in node and not (parts[0] == "parameters" and len(parts) == 2):
                raise FoiltwinInputError(key, raw, f"a known field; known here: {', '.join(sorted(node))}")
            node[last] = _parse_value(raw)
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = _parse_value(raw)
        else:
            raise FoiltwinInputError(key, raw, "a known field")
        scenario = scenario_from_dict(data)
    return scenario


def _child(node: Any, part: str, path: str, raw: str) -> Any:
    if isinstance(node, dict) and part in node:
        if isinstance(node[part], tuple):
            node[part] = list(node[part])
        return node[part]
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    if isinstance(node, list):  # the index is what is wrong, not the value being set
        raise FoiltwinInputError(path, part, f"an index of the list, 0 to {len(node) - 1}" if node else
                                 "no index: the list is empty")
    if not isinstance(node, dict):  # `hours.x.y`: hours holds a number (len() of it was a TypeError)
        raise FoiltwinInputError(path, raw, f"a known field; {path.rpartition('.')[0]} holds a value, not fields")
    raise FoiltwinInputError(path, raw, f"a known field; known here: {', '.join(sorted(node))}")



def scenario_json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file."""
    return Scenario.model_json_schema()
