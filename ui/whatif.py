"""What-if inputs of the dashboard, free of Streamlit: widget values ⇄ :class:`twin.plant_settings.PlantSettings` ⇄
Scenario.

The what-if is always *the base scenario with the widgets' plant settings*: the widget values that differ from the
base change those fields of its typed settings (validated, so a bad value is a ``FoiltwinInputError`` naming the
dotted scenario field), ``PlantSettings.apply_to`` puts them on the base, then come the horizon, the seed and the
free-form ``dotted.key=value`` overrides (``twin.scenario.apply_overrides``). The one change that is not a field is
"plating line not in use": the plant's electrodeposition lines are left out and the UHT line runs bought commercial
foil, as the optimiser's twin check does for a mode on commercial foil.

Widget bounds are read from the pydantic fields of ``twin.scenario`` (:func:`field_bounds`); nothing here knows a
number of its own.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from typing import Any

from pydantic import BaseModel

from process_models.errors import ALLOWED_MAX_CHARS, FoiltwinInputError, shorten
from twin.input_files import parse_toml_bytes
from twin.plant_settings import PlantSettings, rebuilt, settings_model
from twin.scenario import (
    AnnealSettings,
    FieldBounds,
    PlatingLine,
    PlatingSettings,
    Scenario,
    UHTSettings,
    apply_overrides,
    field_bounds,
    scenario_from_dict,
    toml_value,
)
from twin.segment_physics import TEMPERATURE_STEP_K
from twin.simulate import build_parameters

# widget steps (how far one click moves a value; the limits come from the scenario's fields); the optimiser's
# settings are rounded to them when they become what-if inputs. The stage-III peak steps by the twin's temperature
# grid (1 K, twin.segment_physics.TEMPERATURE_STEP_K): its single-phase-α window is only 10-20 K wide
# (docs/uht_model.md), so a coarser step could round an optimum out of it, and a finer one changes nothing in the twin
STEPS = {"uht_web_speed_m_per_min": 0.1, "uht_stage2_temperature_K": 5.0, "uht_stage2_zone_length_m": 0.1,
         "uht_stage3_peak_K": TEMPERATURE_STEP_K, "furnace_soak_temperature_K": 5.0, "furnace_soak_h": 0.25,
         "plating_web_speed_m_per_min": 0.1, "plating_current_density_A_per_m2": 5.0, "hours": 1.0}
JS_MAX_SAFE_INT = 2**53 - 1  # a browser number input cannot hold more (the seed field allows up to 2**63 - 1)


# ------------------------------------------------------------------------------------------------- bounds
# ------------------------------------------------------------------------------------------------- knobs
@dataclass(frozen=True)
class Knob:
    """One what-if widget: the :class:`WhatIfInputs` attribute it sets and the scenario field it stands for."""

    attr: str
    label: str
    model: type[BaseModel]
    field: str
    unit: str = ""
    group: str = ""

    @property
    def bounds(self) -> FieldBounds:
        return field_bounds(self.model, self.field)

    @property
    def integer(self) -> bool:
        return self.model.model_fields[self.field].annotation in (int, int | None)


# attr -> the setting it changes, in the first UHT line, the first electrodeposition line (its settings, or the line
# itself: group "plating_line"), every coil furnace, or the scenario itself
KNOBS: tuple[Knob, ...] = (
    Knob("uht_web_speed_m_per_min", "web speed", UHTSettings, "web_speed_m_per_min", "m/min", "uht"),
    Knob("uht_stage2_temperature_K", "stage-II temperature", UHTSettings, "stage2_temperature_K", "K", "uht"),
    Knob("uht_stage2_zone_length_m", "stage-II zone length", UHTSettings, "stage2_zone_length_m", "m", "uht"),
    Knob("uht_stage2_modules_on", "stage-II modules heated", UHTSettings, "stage2_modules_on", "", "uht"),
    Knob("uht_stage3_peak_K", "stage-III peak", UHTSettings, "stage3_peak_K", "K", "uht"),
    Knob("furnace_enabled", "coil furnace on", AnnealSettings, "enabled", "", "furnace"),
    Knob("furnace_soak_temperature_K", "soak temperature", AnnealSettings, "soak_temperature_K", "K", "furnace"),
    Knob("furnace_soak_h", "soak time", AnnealSettings, "soak_h", "h", "furnace"),
    Knob("plating_web_speed_m_per_min", "web speed", PlatingSettings, "web_speed_m_per_min", "m/min", "plating"),
    Knob("plating_current_density_A_per_m2", "current density", PlatingSettings, "current_density_A_per_m2",
         "A/m²", "plating"),
    Knob("plating_bath", "bath", PlatingSettings, "bath", "", "plating"),
    Knob("plating_tank_count", "tanks", PlatingSettings, "tank_count", "", "plating"),
    Knob("plating_out_of_spec_foil", "out-of-spec foil", PlatingLine, "out_of_spec_foil", "", "plating_line"),
    Knob("hours", "horizon", Scenario, "hours", "h", "run"),
    Knob("seed", "seed", Scenario, "seed", "", "run"),
)
KNOB = {k.attr: k for k in KNOBS}
OUT_OF_SPEC_FOIL = {"process": "run through the UHT line", "cut_out": "cut out at the rewinder"}
"""The plating line's choices for foil out of its thickness window (``PlatingLine.out_of_spec_foil``), labelled."""


@dataclass(frozen=True)
class WhatIfInputs:
    """The widget values. ``None``: the plant has no such equipment (no UHT line, no furnace, no plating line)."""

    uht_web_speed_m_per_min: float | None = None
    uht_stage2_temperature_K: float | None = None
    uht_stage2_zone_length_m: float | None = None
    uht_stage2_modules_on: int | None = None  # the scenario's, or every installed module if unset
    uht_stage3_peak_K: float | None = None  # the scenario's peak, or the registry's calibrated default if unset
    furnace_enabled: bool | None = None
    furnace_soak_temperature_K: float | None = None
    furnace_soak_h: float | None = None
    plating_in_use: bool | None = None  # None: no plating line, or no UHT line to take commercial foil instead
    plating_web_speed_m_per_min: float | None = None
    plating_current_density_A_per_m2: float | None = None
    plating_bath: str | None = None
    plating_tank_count: int | None = None
    plating_out_of_spec_foil: str | None = None  # PlatingLine.out_of_spec_foil: "process" or "cut_out"
    hours: float = 24.0
    seed: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class PlantTargets:
    """Where the knobs point in a scenario: the first UHT line, the first plating line, all furnaces."""

    uht_index: int | None
    uht_name: str | None
    plating_index: int | None
    plating_name: str | None
    furnace_names: tuple[str, ...]


def plant_targets(scenario: Scenario) -> PlantTargets:
    lines = list(scenario.plant.lines)
    uht = [i for i, ln in enumerate(lines) if ln.type == "uht"]
    ed = [i for i, ln in enumerate(lines) if ln.type == "electrodeposition"]
    return PlantTargets(uht[0] if uht else None, lines[uht[0]].name if uht else None,
                        ed[0] if ed else None, lines[ed[0]].name if ed else None,
                        tuple(f.name for f in scenario.plant.furnaces))


def inputs_from_scenario(scenario: Scenario) -> WhatIfInputs:
    """The widget values that leave ``scenario`` unchanged (the stage-III peak: the registry's calibrated default
    when the scenario leaves it unset)."""
    t = plant_targets(scenario)
    kw: dict[str, Any] = {"hours": scenario.hours, "seed": scenario.seed}
    if t.uht_index is not None:
        s = scenario.plant.lines[t.uht_index].settings
        peak = s.stage3_peak_K
        if peak is None:
            peak = float(build_parameters(scenario)["stage3_default_peak_temperature_K"])
        line = scenario.plant.lines[t.uht_index]
        kw.update(uht_web_speed_m_per_min=s.web_speed_m_per_min, uht_stage2_temperature_K=s.stage2_temperature_K,
                  uht_stage2_zone_length_m=s.stage2_zone_length_m, uht_stage3_peak_K=peak,
                  uht_stage2_modules_on=line.stage2_modules if s.stage2_modules_on is None else s.stage2_modules_on)
    if t.furnace_names:
        f = scenario.plant.furnaces[0].settings
        kw.update(furnace_enabled=f.enabled, furnace_soak_temperature_K=f.soak_temperature_K, furnace_soak_h=f.soak_h)
    if t.plating_index is not None:
        p = scenario.plant.lines[t.plating_index].settings
        kw.update(plating_in_use=True if t.uht_index is not None else None,
                  plating_web_speed_m_per_min=p.web_speed_m_per_min,
                  plating_current_density_A_per_m2=p.current_density_A_per_m2, plating_bath=p.bath,
                  plating_tank_count=p.tank_count,
                  plating_out_of_spec_foil=scenario.plant.lines[t.plating_index].out_of_spec_foil)
    return WhatIfInputs(**kw)


def _paths(attr: str, t: PlantTargets) -> list[str]:
    """Dotted paths of the scenario fields a knob sets."""
    group = KNOB[attr].group
    fld = KNOB[attr].field
    if group == "uht":
        return [] if t.uht_index is None else [f"plant.lines.{t.uht_index}.settings.{fld}"]
    if group == "plating":
        return [] if t.plating_index is None else [f"plant.lines.{t.plating_index}.settings.{fld}"]
    if group == "plating_line":
        return [] if t.plating_index is None else [f"plant.lines.{t.plating_index}.{fld}"]
    if group == "furnace":
        return [f"plant.furnaces.{i}.settings.{fld}" for i in range(len(t.furnace_names))]
    return [fld]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        return math.isclose(a, float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _changed(base: Scenario, inputs: WhatIfInputs) -> list[tuple[Knob, Any]]:
    """The knobs whose widget value differs from ``base``, with the value (integers as int)."""
    now = inputs_from_scenario(base)
    out = []
    for knob in KNOBS:
        v = getattr(inputs, knob.attr)
        if v is None or _same(v, getattr(now, knob.attr)):
            continue
        if knob.integer and isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append((knob, v))
    return out


def inputs_to_overrides(base: Scenario, inputs: WhatIfInputs) -> list[str]:
    """The changes the widgets make, as ``dotted.key=value`` lines (shown next to the run; the scenario itself is
    built by :func:`plant_settings`, not from this text). Line indices are ``base``'s."""
    t = plant_targets(base)
    return [f"{p}={toml_value(v)}" for knob, v in _changed(base, inputs) for p in _paths(knob.attr, t)]


def plant_settings(base: Scenario, inputs: WhatIfInputs) -> PlantSettings:
    """The plant settings the widgets make on ``base``: its own, with the fields whose widget value differs from it
    changed (a bad value is a ``FoiltwinInputError`` naming the dotted scenario field). The plating line stays in
    use here; :func:`build_whatif` leaves it out when the widgets say so, and sets what belongs to the line rather
    than its settings (:func:`_line_fields`)."""
    t = plant_targets(base)
    ps = PlantSettings.from_scenario(base)
    by_group: dict[str, dict[str, Any]] = {}
    for knob, v in _changed(base, inputs):
        by_group.setdefault(knob.group, {})[knob.field] = v
    if t.uht_name is not None and "uht" in by_group:
        where = f"plant.lines.{t.uht_index}.settings"
        s = settings_model(UHTSettings, where, **{**_fields(ps.uht[t.uht_name]), **by_group["uht"]})
        ps = ps.model_copy(update={"uht": {**ps.uht, t.uht_name: s}})
    if t.plating_name is not None and "plating" in by_group:
        where = f"plant.lines.{t.plating_index}.settings"
        s = settings_model(PlatingSettings, where, **{**_fields(ps.plating[t.plating_name]), **by_group["plating"]})
        ps = ps.model_copy(update={"plating": {**ps.plating, t.plating_name: s}})
    if "furnace" in by_group:
        ps = ps.model_copy(update={"anneal": {
            n: settings_model(AnnealSettings, f"plant.furnaces.{k}.settings", **{**_fields(a), **by_group["furnace"]})
            for k, (n, a) in enumerate(ps.anneal.items())}})
    return ps


def _fields(model: BaseModel) -> dict[str, Any]:
    return {k: getattr(model, k) for k in type(model).model_fields}


def parse_overrides(text: str) -> list[str]:
    """Free-form overrides: one ``dotted.key=value`` a line; blank lines and ``#`` comments are skipped."""
    out = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, _ = line.partition("=")
        if not sep or not key.strip():
            raise FoiltwinInputError("overrides", line, "dotted.key=value, one a line (e.g. hours=8)")
        out.append(line)
    return out


def without_plating_lines(scenario: Scenario) -> Scenario:
    """The plant with its electrodeposition lines left out: the UHT lines take bought commercial foil."""
    return PlantSettings.from_scenario(scenario).without_plating().apply_to(scenario)


@dataclass(frozen=True)
class WhatIf:
    """A built what-if: the scenario and how it differs from the base (for display)."""

    scenario: Scenario
    overrides: tuple[str, ...]
    plating_dropped: bool


def _run_fields(scenario: Scenario, inputs: WhatIfInputs) -> Scenario:
    """``scenario`` with the run's horizon and seed (errors name ``hours`` / ``seed``)."""
    update: dict[str, Any] = {}
    if not _same(float(inputs.hours), scenario.hours):
        update["hours"] = float(inputs.hours)
    if int(inputs.seed) != scenario.seed:
        update["seed"] = int(inputs.seed)
    return rebuilt(scenario, **update) if update else scenario


def baseline_scenario(base: Scenario, inputs: WhatIfInputs) -> Scenario:
    """The baseline of a comparison: ``base`` with the run's horizon and seed, nothing else changed."""
    return _run_fields(base, inputs)


def _line_fields(base: Scenario, inputs: WhatIfInputs) -> list[str]:
    """The widgets' changes to fields of a line itself, not of its settings (``plating_line`` knobs: what the
    plating line does with out-of-spec foil), as ``dotted.key=value`` lines."""
    t = plant_targets(base)
    return [f"{p}={toml_value(v)}" for knob, v in _changed(base, inputs) if knob.group == "plating_line"
            for p in _paths(knob.attr, t)]


def build_whatif(base: Scenario, inputs: WhatIfInputs, extra: list[str] | tuple[str, ...] = ()) -> WhatIf:
    """``base`` with the widgets' plant settings, line fields, horizon and seed, then the free-form overrides
    (``FoiltwinInputError`` names a bad field), then the plating lines left out if the widgets say so."""
    sc = _run_fields(plant_settings(base, inputs).apply_to(base), inputs)
    line_fields = _line_fields(base, inputs)
    if line_fields:
        sc = apply_overrides(sc, line_fields)
    if extra:
        sc = apply_overrides(sc, list(extra))
    drop = inputs.plating_in_use is False and plant_targets(sc).plating_index is not None
    if drop:
        sc = without_plating_lines(sc)
    return WhatIf(sc, (*inputs_to_overrides(base, inputs), *extra), drop)


# ------------------------------------------------------------------------------------------------- the optimiser
def _line_name(names: dict[str, Any], name: str | None) -> str | None:
    """``name`` if the plant has such a line, else its first line of the kind (None: none)."""
    return name if name in names else next(iter(names), None)


def settings_from_optimiser(settings: dict[str, Any], base: Scenario) -> PlantSettings:
    """The optimiser's ``result.settings`` as plant settings of ``base``, set as its twin check sets them: the UHT
    line's speed, heated stage-II modules, temperatures; the plating line's speed, current density, bath and active
    tanks when the mode uses it; every furnace on (with the soak) or off."""
    ps = PlantSettings.from_scenario(base)
    u = settings.get("uht") or {}
    name = _line_name(ps.uht, u.get("line"))
    if name is not None and u:
        ps = ps.with_uht(name, web_speed_m_per_min=float(u["web_speed_m_per_min"]),
                         stage2_modules_on=int(u["stage2_modules_on"]),
                         stage2_temperature_K=float(u["stage2_temperature_K"]), stage3_peak_K=float(u["stage3_peak_K"]))
    e = settings.get("electrodeposition")
    ed = _line_name(ps.plating, e.get("line")) if e else None
    if e and ed is not None:
        ps = ps.with_plating(ed, web_speed_m_per_min=float(e["web_speed_m_per_min"]),
                             current_density_A_per_m2=float(e["current_density_A_per_m2"]), bath=str(e["bath"]),
                             tank_count=int(e["tanks_on"]))
    a = settings.get("coil_anneal")
    ps = ps.with_anneal(enabled=a is not None)
    if a is not None:
        ps = ps.with_anneal(soak_temperature_K=float(a["soak_temperature_K"]), soak_h=float(a["soak_h"]))
    return ps


def round_to_step(attr: str, value: float) -> float:
    """``value`` on the widget's grid (a multiple of :data:`STEPS`), kept inside the field's bounds: the nearest
    grid value, or the nearest one inside when that lies out (the bound itself when no grid value fits)."""
    step = STEPS.get(attr)
    if step is None:
        return value
    b = KNOB[attr].bounds
    k = round(value / step)
    grid = [k, k - 1, k + 1]
    for j in sorted(grid, key=lambda j: abs(j * step - value)):
        v = round(j * step, 9)
        if (b.low is None or v > b.low or (b.low_inclusive and v == b.low)) and \
                (b.high is None or v < b.high or (b.high_inclusive and v == b.high)):
            return v
    return value


def settings_to_inputs(settings: dict[str, Any], base: Scenario, current: WhatIfInputs | None = None) -> WhatIfInputs:
    """The widget values that reproduce the optimiser's settings on ``base``, the ones it changed rounded to the
    widget steps (:func:`round_to_step`; horizon and seed kept from ``current``); the plating line is in use only
    when the mode uses it."""
    sc = settings_from_optimiser(settings, base).apply_to(base)
    new = inputs_from_scenario(sc)
    was = inputs_from_scenario(base).to_dict()  # values the optimiser left as they were are not moved
    kw = {a: round_to_step(a, float(v)) for a, v in new.to_dict().items()
          if a in STEPS and a != "hours" and isinstance(v, float) and not _same(v, was[a])}
    new = replace(new, **kw)
    if new.plating_in_use is not None:
        new = replace(new, plating_in_use=settings.get("electrodeposition") is not None)
    if current is not None:
        new = replace(new, hours=current.hours, seed=current.seed)
    return new


def rounded_settings(settings: dict[str, Any], base: Scenario, inputs: WhatIfInputs) -> list[str]:
    """'label: optimiser value → widget value unit' for each setting the widget step changed."""
    exact = inputs_from_scenario(settings_from_optimiser(settings, base).apply_to(base))
    out = []
    for attr in STEPS:
        a, b = getattr(exact, attr), getattr(inputs, attr)
        if isinstance(a, float) and isinstance(b, float) and not _same(a, b) and attr != "hours":
            out.append(f"{KNOB[attr].label} {a:.6g} → {b:g} {KNOB[attr].unit}".rstrip())
    return out


# ------------------------------------------------------------------------------------------------- files, errors
def scenario_from_toml_bytes(name: str, data: bytes) -> Scenario:
    """An uploaded scenario file (errors as ``twin.scenario.load_scenario`` words them, naming the upload); its
    registry overrides (``parameters``) are checked at once, not at the first run."""
    parsed = parse_toml_bytes(data, "scenario", name)
    scenario = scenario_from_dict(parsed)
    build_parameters(scenario)
    return scenario


def scenario_json(scenario: Scenario) -> str:
    """A canonical JSON text of a scenario (the cache key of a run)."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True)


def scenario_from_json(text: str) -> Scenario:
    return scenario_from_dict(json.loads(text))


def describe_error(err: FoiltwinInputError) -> str:
    """One line for ``st.error``: the field, the value and what is allowed."""
    text = f"Input error in `{err.field_text}`: value {err.value_text} is not allowed — allowed: {err.allowed_text}"
    return text + (f" ({shorten(err.reason, ALLOWED_MAX_CHARS)})" if err.reason else "")


def describe_failure(what: str, err: Exception) -> str:
    """One line for ``st.error`` when a lower layer fails with something other than an input error."""
    return (f"{what} failed: {type(err).__name__}: {shorten(str(err), ALLOWED_MAX_CHARS)}. Not an input the page "
            "could name: the settings may lie outside what the models handle; try values nearer the baseline.")
