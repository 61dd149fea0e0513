"""Plant measurements in: one row per coil or segment, validated like a scenario (docs/calibration.md).

A row holds when and on which line, the settings actually used (speeds, set points, pyrometer readings, foil,
Zn route, plating, anneal, Ag) and the outcomes measured (XRF Zn loading, cross-section skin thickness, surface
composition, XRD phase, texture fractions, Li nucleation overpotential, UHT energy), each numeric outcome with
an optional standard deviation column ``<outcome>_sd``. Every column may be missing: a missing setting takes
the recipe default (:class:`~process_models.uht.recipe.UHTRecipe`, :class:`~process_models.collector.recipe.
CollectorRecipe`), a missing outcome is simply not compared, a missing σ takes the instrument default of the
registry (``process_models/parameters/measurement_assumptions.py``).

Files are CSV (UTF-8, header row, empty cell = missing) or Parquet (typed columns, null or NaN = missing), at most
:data:`MAX_DATA_FILE_BYTES` and :data:`MAX_ROWS` rows. Each row is validated by :class:`PlantRecord` (strict
types, bounds); the first problem is a :class:`FoiltwinInputError` naming ``row N.column`` (N counts data rows
from 1, so CSV row N is line N + 1 of the file), the value and what is allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import math
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from process_models.collector.recipe import ELECTROFORM_BATHS, ZN_BATHS
from process_models.errors import FoiltwinInputError, FoiltwinPathError
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import zero_Celsius
from process_models.uht.phase_diagram import PHASES
from process_models.uht.recipe import CU_MELTING_K
from twin.input_files import read_input_bytes

MAX_DATA_FILE_BYTES = 20_000_000  # ≈ 100 000 rows of a dozen columns in CSV
MAX_ROWS = 100_000
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Outcome:
    """A measured outcome: its column, the instrument, its unit, and the registry parameter that gives its default
    standard deviation (``sd_scale`` converts the parameter's unit to the column's; ``relative``: the default is
    that fraction of the measured value)."""

    name: str
    instrument: str
    unit: str
    sd_parameter: str
    sd_scale: float = 1.0
    relative: bool = False
    needs_uht: bool = True

    def default_sd(self, params: ParameterValues, measured: float) -> float:
        """The default standard deviation of a reading ``measured`` [column unit]."""
        sd = params[self.sd_parameter] * self.sd_scale
        return sd * abs(measured) if self.relative else sd


OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    Outcome("zn_loading_mg_per_cm2", "XRF Zn loading", "mg/cm2", "xrf_zn_loading_sd_kg_per_m2", 100.0),
    Outcome("skin_thickness_nm", "skin thickness from a cross-section (SEM)", "nm", "cross_section_thickness_sd_m",
            1e9),
    Outcome("surface_zn_at_frac", "surface Zn atomic fraction (EDS/XPS)", "1", "surface_composition_sd_frac"),
    Outcome("texture_fraction_111", "(111) area fraction (EBSD/XRD)", "1", "texture_fraction_sd_frac",
            needs_uht=False),
    Outcome("texture_fraction_100", "(100) area fraction (EBSD/XRD)", "1", "texture_fraction_sd_frac",
            needs_uht=False),
    Outcome("texture_fraction_110", "(110) area fraction (EBSD/XRD)", "1", "texture_fraction_sd_frac",
            needs_uht=False),
    Outcome("nucleation_overpotential_mV", "Li nucleation overpotential (cell test)", "mV",
            "nucleation_overpotential_sd_V", 1e3, needs_uht=False),
    Outcome("energy_kwh_per_m2", "UHT energy per m2 (line electricity meter)", "kWh/m2",
            "energy_meter_relative_sd_frac", relative=True),
)}
CATEGORICAL_OUTCOMES = ("skin_phase",)  # XRD phase label, compared with the model's label (not fitted)

_Pos = dict(gt=0.0, allow_inf_nan=False)
_NonNeg = dict(ge=0.0, allow_inf_nan=False)


# phase names as XRD labels write them → the model's names (process_models.uht.phase_diagram.PHASES)
_PHASE_ALIASES: dict[str, str] = {
    **{p: p for p in PHASES}, "α": "alpha", "β": "beta", "β′": "beta", "β'": "beta", "beta'": "beta",
    "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta", "l": "liquid",
}


def skin_phase_set(label: str) -> frozenset[str]:
    """The phases a skin-phase label names, as a set of the model's phase names: ``"α + β"``, ``"beta+alpha"`` and
    ``"alpha, beta′"`` are all {alpha, beta}. Phases are joined by ``+`` or ``,``; case and spaces do not count;
    Greek letters (α β β′ γ δ ε η) and ``L`` (liquid) are read. An unknown phase raises ``ValueError`` naming it."""
    out = set()
    for token in label.replace(",", "+").split("+"):
        name = token.strip().lower()
        if name not in _PHASE_ALIASES:
            raise ValueError(f"phase {token.strip()!r} in {label!r} is not one of {', '.join(PHASES)} "
                             "(or α, β, γ, δ, ε, η, L), joined by +")
        out.add(_PHASE_ALIASES[name])
    return frozenset(out)


class PlantRecord(BaseModel):
    """One coil or segment. Settings are in plant units; ``None`` = not recorded."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # when and where
    time: dt.datetime | None = None
    line: str | None = Field(default=None, min_length=1, max_length=64)
    coil_id: str | None = Field(default=None, min_length=1, max_length=128)
    # substrate and plating line
    substrate: Literal["commercial", "electroformed"] | None = None
    electroform_bath: Literal[ELECTROFORM_BATHS] | None = None  # type: ignore[valid-type]
    electroform_current_density_A_per_m2: float | None = Field(default=None, le=1e4, **_Pos)
    electroform_temperature_K: float | None = Field(default=None, ge=zero_Celsius, le=zero_Celsius + 100.0,
                                                    allow_inf_nan=False)  # liquid water at 1 atm
    foil_thickness_um: float | None = Field(default=None, ge=3.0, le=50.0, allow_inf_nan=False)
    zn_route: Literal["vapour", "plated"] | None = None
    plated_zn_mg_per_cm2: float | None = Field(default=None, le=10.0, **_Pos)
    zn_bath: Literal[ZN_BATHS] | None = None  # type: ignore[valid-type]
    zn_current_density_A_per_m2: float | None = Field(default=None, le=1e4, **_Pos)
    zn_plating_time_s: float | None = Field(default=None, le=86400.0, **_Pos)
    zn_bath_concentration_mol_per_m3: float | None = Field(default=None, le=5000.0, **_Pos)
    # coil anneal
    anneal_soak_temperature_K: float | None = Field(default=None, ge=773.15, le=1323.15, allow_inf_nan=False)
    anneal_soak_h: float | None = Field(default=None, le=48.0, **_NonNeg)
    # UHT line
    uht_step: bool | None = None  # False: the coil did not go through the UHT line (e.g. measured after the anneal)
    web_speed_m_per_min: float | None = Field(default=None, le=100.0, **_Pos)
    stage2_heated_length_m: float | None = Field(default=None, le=200.0, **_Pos)
    stage2_temperature_K: float | None = Field(default=None, ge=500.0, le=1100.0, allow_inf_nan=False)
    stage2_time_s: float | None = Field(default=None, le=3600.0, **_NonNeg)
    zn_source_temperature_K: float | None = Field(default=None, ge=500.0, le=1180.0, allow_inf_nan=False)
    stage3_peak_K: float | None = Field(default=None, gt=300.0, le=CU_MELTING_K, allow_inf_nan=False)
    stage3_heater_length_mm: float | None = Field(default=None, le=1000.0, **_Pos)
    stage3_time_ms: float | None = Field(default=None, le=10_000.0, **_NonNeg)
    stage3_heating_rate_K_per_s: float | None = Field(default=None, ge=1e2, le=1e6, allow_inf_nan=False)
    cooling: Literal["contact", "free"] | None = None
    # Ag immersion
    ag_immersion_time_s: float | None = Field(default=None, le=3600.0, **_NonNeg)
    agf_wt_pct: float | None = Field(default=None, le=20.0, **_Pos)
    # outcomes and their standard deviations
    zn_loading_mg_per_cm2: float | None = Field(default=None, le=10.0, **_NonNeg)
    zn_loading_mg_per_cm2_sd: float | None = Field(default=None, le=10.0, **_Pos)
    skin_thickness_nm: float | None = Field(default=None, le=1e4, **_NonNeg)
    skin_thickness_nm_sd: float | None = Field(default=None, le=1e4, **_Pos)
    surface_zn_at_frac: float | None = Field(default=None, le=1.0, **_NonNeg)
    surface_zn_at_frac_sd: float | None = Field(default=None, le=1.0, **_Pos)
    skin_phase: str | None = Field(default=None, min_length=1, max_length=64)
    texture_fraction_111: float | None = Field(default=None, le=1.0, **_NonNeg)
    texture_fraction_111_sd: float | None = Field(default=None, le=1.0, **_Pos)
    texture_fraction_100: float | None = Field(default=None, le=1.0, **_NonNeg)
    texture_fraction_100_sd: float | None = Field(default=None, le=1.0, **_Pos)
    texture_fraction_110: float | None = Field(default=None, le=1.0, **_NonNeg)
    texture_fraction_110_sd: float | None = Field(default=None, le=1.0, **_Pos)
    nucleation_overpotential_mV: float | None = Field(default=None, le=1000.0, **_NonNeg)
    nucleation_overpotential_mV_sd: float | None = Field(default=None, le=1000.0, **_Pos)
    energy_kwh_per_m2: float | None = Field(default=None, le=100.0, **_Pos)
    energy_kwh_per_m2_sd: float | None = Field(default=None, le=100.0, **_Pos)

    @field_validator("skin_phase")
    @classmethod
    def _known_phases(cls, label: str | None) -> str | None:
        if label is not None:
            skin_phase_set(label)  # kept as written; compared as a set of phases (twin.plant_model.phase_agreement)
        return label

    @property
    def has_uht(self) -> bool:
        return self.uht_step is not False


COLUMNS: tuple[str, ...] = tuple(PlantRecord.model_fields)
SETTING_COLUMNS: tuple[str, ...] = tuple(
    c for c in COLUMNS if c not in ("time", "line", "coil_id", *CATEGORICAL_OUTCOMES)
    and c not in OUTCOMES and not c.endswith("_sd"))

# settings whose default decides a prediction (the rest only matter on routes that use them)
CORE_SETTINGS: tuple[str, ...] = ("substrate", "foil_thickness_um", "zn_route", "stage2_temperature_K",
                                  "stage2_time_s", "stage3_peak_K", "stage3_time_ms", "cooling")


def _column_kind(name: str) -> str:
    """"float", "bool", "time" or "str": how a CSV cell of column ``name`` is read."""
    ann = PlantRecord.model_fields[name].annotation
    args = set(typing.get_args(ann)) if isinstance(ann, types.UnionType) or typing.get_origin(ann) else {ann}
    if float in args:
        return "float"
    if bool in args:
        return "bool"
    if dt.datetime in args:
        return "time"
    return "str"


_KINDS = {c: _column_kind(c) for c in COLUMNS}


def _allowed(err: dict[str, Any]) -> str:
    ctx = {k: v for k, v in err.get("ctx", {}).items() if k != "error"}
    return err["msg"] + (" (" + ", ".join(f"{k} {v}" for k, v in ctx.items()) + ")" if ctx else "")


def validate_row(row: dict[str, Any], n: int) -> PlantRecord:
    """Validate one row (column → value, missing columns left out); errors name ``row n.column``."""
    try:
        rec = PlantRecord.model_validate(row)
    except ValidationError as err:
        first = err.errors()[0]
        column = ".".join(str(p) for p in first["loc"]) or "row"
        raise FoiltwinInputError(f"row {n}.{column}", first.get("input"), _allowed(first)) from None
    _check_consistency(rec, n)
    return rec


def _check_consistency(r: PlantRecord, n: int) -> None:
    """Rules across the columns of one row."""
    def bad(column: str, value: Any, allowed: str) -> FoiltwinInputError:
        return FoiltwinInputError(f"row {n}.{column}", value, allowed)

    if not r.has_uht:
        for c in (*[o.name for o in OUTCOMES.values() if o.needs_uht], *CATEGORICAL_OUTCOMES):
            if getattr(r, c) is not None:
                raise bad(c, getattr(r, c), "empty on a row with uht_step false (the coil had no UHT step)")
    if r.zn_bath is not None and r.zn_route == "vapour":
        raise bad("zn_bath", r.zn_bath, "empty on the vapour route (a Zn bath means zn_route plated)")
    if r.zn_bath is not None and r.plated_zn_mg_per_cm2 is not None:
        raise bad("plated_zn_mg_per_cm2", r.plated_zn_mg_per_cm2,
                  "empty when the plating settings (zn_bath, ...) are given: one or the other, not both")
    if r.zn_route == "plated" and r.zn_bath is None and r.plated_zn_mg_per_cm2 is None:
        raise bad("zn_route", r.zn_route, "plated with plated_zn_mg_per_cm2 or the plating settings (zn_bath)")
    if r.zn_bath is not None:
        for c in ("zn_current_density_A_per_m2", "zn_plating_time_s"):
            if getattr(r, c) is None:
                raise bad(c, None, "given with zn_bath (the plating settings used)")
    if r.zn_bath is None:
        for c in ("zn_current_density_A_per_m2", "zn_plating_time_s", "zn_bath_concentration_mol_per_m3"):
            if getattr(r, c) is not None:
                raise bad(c, getattr(r, c), "given with zn_bath")
    if r.substrate != "electroformed":
        for c in ("electroform_bath", "electroform_current_density_A_per_m2", "electroform_temperature_K"):
            if getattr(r, c) is not None:
                raise bad(c, getattr(r, c), "given with substrate electroformed")
    if (r.anneal_soak_h is None) != (r.anneal_soak_temperature_K is None):
        c = "anneal_soak_h" if r.anneal_soak_h is None else "anneal_soak_temperature_K"
        raise bad(c, None, "given with the other of anneal_soak_temperature_K and anneal_soak_h")
    for length, time_col in (("stage2_heated_length_m", "stage2_time_s"), ("stage3_heater_length_mm",
                                                                           "stage3_time_ms")):
        if getattr(r, length) is not None and getattr(r, time_col) is None and r.web_speed_m_per_min is None:
            raise bad("web_speed_m_per_min", None, f"given with {length} when {time_col} is not (the time is "
                      "length / speed)")
    fractions = [getattr(r, f"texture_fraction_{k}") for k in ("111", "100", "110")]
    if sum(f for f in fractions if f is not None) > 1.0 + 1e-6:
        raise bad("texture_fraction_111", fractions, "texture fractions (111) + (100) + (110) ≤ 1")


# ------------------------------------------------------------------------------------------------- the file
@dataclass(frozen=True)
class PlantData:
    """A validated plant data file: its records in file order, the columns it has, its name and sha256."""

    records: tuple[PlantRecord, ...]
    columns: tuple[str, ...]
    source: str
    sha256: str

    def __len__(self) -> int:
        return len(self.records)

    def has_time(self) -> bool:
        return bool(self.records) and self.records[0].time is not None

    def time_order(self) -> list[int]:
        """Row indices (0-based) in time order (file order when the file has no time column; stable)."""
        if not self.has_time():
            return list(range(len(self.records)))
        return sorted(range(len(self.records)), key=lambda i: self.records[i].time)  # type: ignore[arg-type,return-value]

    def times_h(self) -> list[float]:
        """Hours from the first row's time (row number − 1 when the file has no time column)."""
        if not self.has_time():
            return [float(i) for i in range(len(self.records))]
        t0 = min(r.time for r in self.records)  # type: ignore[type-var]
        return [(r.time - t0).total_seconds() / 3600.0 for r in self.records]  # type: ignore[operator]

    def counts(self) -> dict[str, int]:
        """Rows that measured each outcome (numeric and categorical) present in the file."""
        names = [*OUTCOMES, *CATEGORICAL_OUTCOMES]
        return {c: sum(getattr(r, c) is not None for r in self.records) for c in names if c in self.columns}

    def summary(self) -> dict[str, Any]:
        """What ``foiltwin data check`` prints: rows, columns present, per-outcome counts, time span, lines."""
        times = [r.time for r in self.records if r.time is not None]
        lines = sorted({r.line for r in self.records if r.line is not None})
        present = set(self.columns)
        return {
            "file": self.source, "sha256": self.sha256, "rows": len(self.records),
            "columns": list(self.columns),
            "settings_present": [c for c in SETTING_COLUMNS if c in present],
            "settings_defaulted": [c for c in CORE_SETTINGS if c not in present
                                   and not (c == "stage2_time_s" and {"web_speed_m_per_min",
                                                                      "stage2_heated_length_m"} <= present)
                                   and not (c == "stage3_time_ms" and {"web_speed_m_per_min",
                                                                       "stage3_heater_length_mm"} <= present)],
            "outcomes": self.counts(),
            "sd_columns": [c for c in self.columns if c.endswith("_sd")],
            "time_start": min(times).isoformat() if times else None,
            "time_end": max(times).isoformat() if times else None,
            "lines": lines,
        }


def _data_format(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise FoiltwinInputError("format", fmt, f"one of {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "parquet", "pq"):
        return "parquet" if suffix == "pq" else suffix
    raise FoiltwinPathError("DATA", str(path), "a .csv or .parquet file")


def read_plant_data(path: str | os.PathLike, field: str = "DATA", fmt: str | None = None) -> PlantData:
    """Read and validate a plant data file (CSV or Parquet, by its extension unless ``fmt`` says)."""
    p = Path(path)
    kind = _data_format(p, fmt)
    data = read_input_bytes(p, field, "plant data file (.csv or .parquet)", MAX_DATA_FILE_BYTES)
    return parse_plant_data(data, p.name, kind, field)


def parse_plant_data(data: bytes, name: str, kind: str = "csv", field: str = "DATA") -> PlantData:
    """Validate plant data given as bytes (a file's or an upload's content); ``name`` names it in the result."""
    if len(data) > MAX_DATA_FILE_BYTES:
        raise FoiltwinInputError(field, name, f"a file of at most {MAX_DATA_FILE_BYTES / 1e6:g} MB")
    header, rows = _csv_rows(data, name, field) if kind == "csv" else _parquet_rows(data, name, field)
    _check_header(header)
    if not rows:
        raise FoiltwinInputError(field, name, "at least one data row")
    if len(rows) > MAX_ROWS:
        raise FoiltwinInputError(field, name, f"at most {MAX_ROWS} rows (this one has {len(rows)})")
    records = tuple(validate_row(row, n) for n, row in enumerate(rows, start=1))
    _check_times(records)
    return PlantData(records, tuple(header), name, hashlib.sha256(data).hexdigest())


def _check_header(header: list[str]) -> None:
    seen: set[str] = set()
    for col in header:
        if col in seen:
            raise FoiltwinInputError("column", col, "each column once")
        seen.add(col)
        if col not in _KINDS:
            close = difflib.get_close_matches(col, COLUMNS, n=2, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else " (docs/calibration.md lists the columns)"
            raise FoiltwinInputError("column", col, "a known column" + hint)


def _check_times(records: tuple[PlantRecord, ...]) -> None:
    with_time = [r.time is not None for r in records]
    if any(with_time) and not all(with_time):
        n = with_time.index(False) + 1
        raise FoiltwinInputError(f"row {n}.time", None, "a time on every row, or on none (the rows' order is "
                                 "the time order then)")
    aware = {r.time.tzinfo is not None and r.time.utcoffset() is not None for r in records if r.time is not None}
    if len(aware) > 1:
        raise FoiltwinInputError("time", "mixed", "times all with a UTC offset or all without")


# ------------------------------------------------------------------------------------------------- CSV
def _csv_rows(data: bytes, name: str, field: str) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FoiltwinInputError(field, name, f"UTF-8 text (byte {err.start} is not UTF-8)") from None
    try:
        lines = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as err:
        raise FoiltwinInputError(field, name, f"valid CSV ({err})") from None
    if not lines:
        raise FoiltwinInputError(field, name, "a CSV file with a header row")
    header = [c.strip() for c in lines[0]]
    _check_header(header)
    rows = []
    for n, cells in enumerate(lines[1:], start=1):
        if len(cells) != len(header):
            raise FoiltwinInputError(f"row {n}", f"{len(cells)} cells", f"{len(header)} cells, one per column")
        row = {}
        for col, cell in zip(header, cells, strict=True):
            text_value = cell.strip()
            if text_value != "":
                row[col] = _cell(text_value, col, n)
        rows.append(row)
    return header, rows


def _cell(text: str, col: str, n: int) -> Any:
    """A CSV cell as the column's type; a cell that is not one is refused (strict: no guessing)."""
    kind = _KINDS[col]
    if kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise FoiltwinInputError(f"row {n}.{col}", text, "a number") from None
        if not math.isfinite(value):
            raise FoiltwinInputError(f"row {n}.{col}", text, "a finite number (leave the cell empty when missing)")
        return value
    if kind == "bool":
        low = text.lower()
        if low not in ("true", "false", "1", "0"):
            raise FoiltwinInputError(f"row {n}.{col}", text, "true or false")
        return low in ("true", "1")
    if kind == "time":
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise FoiltwinInputError(f"row {n}.{col}", text, "an ISO 8601 time, e.g. 2026-03-01T08:15:00") from None
    return text


# ------------------------------------------------------------------------------------------------- Parquet
def _parquet_rows(data: bytes, name: str, field: str) -> tuple[list[str], list[dict[str, Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as err:
        raise FoiltwinInputError(field, name, f"a readable Parquet file ({str(err).splitlines()[0]})") from None
    header = list(table.column_names)
    _check_header(header)
    rows = []
    for raw in table.to_pylist():
        row = {}
        for col, value in raw.items():
            if value is None or (isinstance(value, float) and math.isnan(value) and _KINDS[col] == "float"):
                continue
            if _KINDS[col] == "time" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            row[col] = value
        rows.append(row)
    return header, rows


def plant_csv_text(records: list[PlantRecord] | tuple[PlantRecord, ...], columns: list[str] | None = None,
                   digits: int = 6) -> str:
    """Records as CSV text in this format (``columns``: default, every column any record fills, in schema order;
    numbers to ``digits`` significant digits)."""
    used = columns or [c for c in COLUMNS if any(getattr(r, c) is not None for r in records)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(used)
    for r in records:
        cells = []
        for c in used:
            v = getattr(r, c)
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append("true" if v else "false")
            elif isinstance(v, float):
                cells.append(f"{v:.{digits}g}")
            elif isinstance(v, dt.datetime):
                cells.append(v.isoformat())
            else:
                cells.append(str(v))
        w.writerow(cells)
    return buf.getvalue()
