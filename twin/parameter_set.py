"""Versioned parameter sets: registry values fitted to plant data, with provenance and covariance.

``foiltwin calibrate`` writes one (JSON, docs/calibration.md); ``recipe``, ``simulate``, ``optimize``, ``batch`` and
the dashboard take it (``--params FILE``; a scenario carries it as ``parameter_set``). Its values become registry
overrides of kind "fitted" whose source is the ``PlantCalibration`` citation and whose ``where`` names the set,
its hash, the data file's hash, the date and the method; the standard errors travel with them.

A set is refused (:class:`FoiltwinInputError`, exit code 2) when
- it is not a parameter set of this format (pydantic, strict types, the field named),
- its ``sha256`` does not match its own content (edited by hand or corrupted: a set is an artefact of a fit),
- its covariance is not a symmetric, positive semi-definite matrix whose diagonal is the squared standard errors,
- a name is not a registry parameter, its unit differs from the registry's, or a value lies outside the bounds,
- a parameter fitted in ln space (``transform`` "log") has a value ≤ 0 or a standard error (√ of its covariance
  diagonal) above ``MAX_LN_STANDARD_ERROR`` (10) times its value: SE/x is its standard error in ln units, and
  beyond that the set pins nothing down and ln-space draws (``twin.parameter_uncertainty``) leave the float range.
A set fitted with other physics code (``code_fingerprint`` differs) is accepted with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import process_models
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from twin.files import write_text_atomic
from twin.input_files import decode_utf8, read_input_bytes
from twin.parameter_uncertainty import MAX_LN_STANDARD_ERROR

FORMAT = "foiltwin-parameter-set"
FORMAT_VERSION = 1
MAX_SET_BYTES = 1_000_000
CITATION = "PlantCalibration"
_COV_REL_TOL = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class FittedParameter(_Strict):
    """One fitted value in the parameter's registry unit; ``interval_95`` is the 95 % confidence interval (in the
    fit's transformed space, mapped back: asymmetric for ``transform`` "log"). An end beyond the float range (a
    ln-space end that overflows ``exp``, which the fit gives as ±inf) is stored as null, as in the calibration
    report: JSON has no infinity, and the set's hash is taken over strict JSON."""

    name: str = Field(min_length=1, max_length=128)
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(max_length=32)
    standard_error: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    transform: Literal["log", "linear"]
    interval_95: list[Annotated[float, Field(allow_inf_nan=False)] | None] | None = Field(
        default=None, min_length=2, max_length=2)

    @field_validator("interval_95", mode="before")
    @classmethod
    def _infinite_end_as_null(cls, ends: Any) -> Any:
        """±inf → None (beyond the float range); NaN stays, to be refused as no number."""
        if isinstance(ends, list | tuple):
            return [None if isinstance(v, float) and math.isinf(v) else v for v in ends]
        return ends


class DataProvenance(_Strict):
    """The data a set was fitted to: file name, its sha256, rows and observations per outcome."""

    file: str = Field(min_length=1, max_length=512)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=1)
    observations: dict[str, int]


class FitSummary(_Strict):
    """How well the fit went: χ², degrees of freedom, the covariance mode and the scale it applied."""

    n_observations: int = Field(ge=1)
    chi2: float = Field(ge=0.0, allow_inf_nan=False)
    dof: int = Field(ge=0)
    reduced_chi2: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    covariance_mode: Literal["sigma", "residual", "auto"]
    covariance_scale: float = Field(gt=0.0, allow_inf_nan=False)
    condition_number: float | None = Field(default=None, ge=1.0, allow_inf_nan=False)


class ParameterSetContent(_Strict):
    """Everything of a set but its own hash."""

    format: Literal["foiltwin-parameter-set"] = FORMAT
    format_version: Literal[1] = FORMAT_VERSION
    name: str = Field(min_length=1, max_length=128)
    created: str = Field(min_length=10, max_length=40)
    method: str = Field(min_length=1, max_length=1000)
    foiltwin_version: str = Field(max_length=64)
    code_fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    data: DataProvenance
    parameters: list[FittedParameter] = Field(min_length=1, max_length=200)
    covariance: list[list[float]]
    fit: FitSummary

    @model_validator(mode="after")
    def _consistent(self) -> ParameterSetContent:
        try:
            dt.datetime.fromisoformat(self.created)
        except ValueError:
            raise ValueError(f"created {self.created!r} is not an ISO 8601 time") from None
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"parameters name one parameter twice: {names}")
        n = len(names)
        cov = np.array(self.covariance, dtype=float) if self.covariance else np.zeros((0, 0))
        if cov.shape != (n, n) or not np.all(np.isfinite(cov)):
            raise ValueError(f"covariance must be a finite {n}×{n} matrix (one row per parameter)")
        scale = np.sqrt(np.maximum(np.abs(np.diag(cov)), 1e-300))
        unit = cov / np.outer(scale, scale)  # the correlation matrix: compared at the scale of each pair
        if not np.allclose(unit, unit.T, rtol=0.0, atol=_COV_REL_TOL):
            raise ValueError("covariance must be symmetric")
        if n and np.linalg.eigvalsh(unit).min() < -1e-8:
            raise ValueError("covariance must be positive semi-definite")
        for i, p in enumerate(self.parameters):
            if p.standard_error is None:
                continue
            se_squared = p.standard_error * p.standard_error  # a product is inf beyond the float range; ** raises
            if not math.isclose(se_squared, cov[i, i], rel_tol=_COV_REL_TOL, abs_tol=1e-300):
                shown = f"{se_squared:g}" if math.isfinite(se_squared) else (
                    f"{p.standard_error:g}², beyond the float range of {sys.float_info.max:.4g}")
                raise ValueError(f"parameters[{i}].standard_error² ({shown}) must equal the covariance diagonal "
                                 f"({cov[i, i]:g})")
        return self


def content_hash(content: BaseModel) -> str:
    """sha256 of a set's content in canonical JSON (sorted keys, no spaces, without its own ``sha256``)."""
    d = content.model_dump(mode="json", exclude={"sha256"})
    text = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ParameterSet(ParameterSetContent):
    """A parameter set as written and read: its content and the sha256 of that content."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _hash_matches(self) -> ParameterSet:
        if content_hash(self) != self.sha256:
            raise ValueError("sha256 does not match the set's content: the file was edited or corrupted after the "
                             "fit (a parameter set is written by `foiltwin calibrate`, never by hand)")
        return self

    @property
    def values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    @property
    def standard_errors(self) -> dict[str, float | None]:
        return {p.name: p.standard_error for p in self.parameters}

    @property
    def set_id(self) -> str:
        return self.sha256[:12]

    def provenance(self) -> str:
        """One line: which set, fitted when, to which data, how."""
        return (f"parameter set {self.name!r} ({self.set_id}), fitted {self.created[:10]} to {self.data.file} "
                f"(sha256 {self.data.sha256[:12]}, {self.data.rows} rows) by {self.method.split(';')[0]}")

    def summary(self) -> dict[str, Any]:
        """What a run report says about the set it used."""
        return {"name": self.name, "sha256": self.sha256, "created": self.created, "data_file": self.data.file,
                "data_sha256": self.data.sha256, "parameters": self.values}


def make_parameter_set(content: dict[str, Any]) -> ParameterSet:
    """A set from its content (validated) with its hash filled in."""
    try:
        checked = ParameterSetContent.model_validate(content)
    except ValidationError as err:
        raise _error(err, "parameter set") from None
    return ParameterSet.model_validate({**checked.model_dump(mode="json"), "sha256": content_hash(checked)})


def _error(err: ValidationError, where: str) -> FoiltwinInputError:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    value = first.get("input")
    if not loc and "sha256 does not match" in first["msg"] and isinstance(value, dict):
        loc, value = "sha256", value.get("sha256")
    if isinstance(value, dict | list):
        value = "{...}" if isinstance(value, dict) else "[...]"
    return FoiltwinInputError(f"{where}{'.' + loc if loc else ''}", value,
                              first["msg"].replace("Value error, ", ""))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the physics code and its data (``process_models``: .py, .json, .csv), so a set records the
    code it was fitted with."""
    root = Path(process_models.__file__).parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".json", ".csv") and p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def check_against_registry(pset: ParameterSet, registry: ParameterValues | None = None,
                           where: str = "parameter set") -> None:
    """Refuse a set naming an unknown parameter, with another unit, a value outside the registry bounds, or (fitted
    in ln space) a value ≤ 0 or a standard error above :data:`MAX_LN_STANDARD_ERROR` × the value (module docstring)."""
    registry = default_parameters() if registry is None else registry
    for i, p in enumerate(pset.parameters):
        field = f"{where}.parameters[{i}]"
        try:
            rec = registry.record(p.name)
        except FoiltwinInputError as err:
            raise FoiltwinInputError(f"{field}.name", p.name, err.allowed) from None
        if p.unit != rec.unit:
            raise FoiltwinInputError(f"{field}.unit", p.unit, f"the registry's unit of {p.name}, {rec.unit}")
        lo, hi = rec.bounds
        if not lo <= p.value <= hi:
            raise FoiltwinInputError(f"{field}.value", p.value, f"{p.name} within [{lo:g}, {hi:g}] {rec.unit}")
        if p.transform == "log":
            _check_ln_standard_error(pset, i, field, where)


def _check_ln_standard_error(pset: ParameterSet, i: int, field: str, where: str) -> None:
    """Parameter ``i`` of ``pset``, fitted in ln space, needs a positive value and a standard error [its unit] of at
    most MAX_LN_STANDARD_ERROR × the value (the covariance diagonal: it equals standard_error² when one is given)."""
    p = pset.parameters[i]
    if p.value <= 0.0:
        raise FoiltwinInputError(f"{field}.value", p.value, f"a positive value (transform 'log' fits ln {p.name})")
    limit = MAX_LN_STANDARD_ERROR * p.value
    se = math.sqrt(max(pset.covariance[i][i], 0.0))
    if se <= limit:
        return
    why = (f"{MAX_LN_STANDARD_ERROR:g}× the value {p.value:g}: ln {p.name} is fitted, and a standard error of "
           f"{se / p.value:.3g} in ln units pins nothing down")
    if p.standard_error is not None:
        raise FoiltwinInputError(f"{field}.standard_error", p.standard_error, f"at most {limit:.4g} {p.unit} ({why})")
    raise FoiltwinInputError(f"{where}.covariance[{i}][{i}]", pset.covariance[i][i],
                             f"a variance of at most {limit * limit:.4g} ({p.unit})² ({why})")


def warnings_of(pset: ParameterSet) -> list[str]:
    """What a user should know before using the set (not reasons to refuse it)."""
    out = []
    if pset.code_fingerprint != code_fingerprint():
        out.append(f"parameter set {pset.name!r} was fitted with other physics code (fingerprint "
                   f"{pset.code_fingerprint[:12]}, now {code_fingerprint()[:12]}): refit it to be sure it still holds")
    return out


def parse_parameter_set(data: bytes, name: str, field: str = "--params") -> ParameterSet:
    """Validate a set given as bytes (a file's or an upload's content)."""
    text = decode_utf8(data, field, name, "UTF-8 JSON", MAX_SET_BYTES)
    try:
        pset = ParameterSet.model_validate_json(text)
    except ValidationError as err:
        if err.errors()[0]["type"] == "json_invalid":
            raise FoiltwinInputError(field, name, f"a JSON parameter set ({err.errors()[0]['msg']})") from None
        raise _error(err, f"{name}") from None
    check_against_registry(pset, where=name)
    return pset


def load_parameter_set(path: str | os.PathLike, field: str = "--params") -> ParameterSet:
    """Read and check a parameter set file (see the module docstring for what is refused)."""
    data = read_input_bytes(path, field, "parameter set file (JSON, written by `foiltwin calibrate`)", MAX_SET_BYTES)
    return parse_parameter_set(data, Path(path).name, field)


def write_parameter_set(pset: ParameterSet, path: str | os.PathLike, field: str = "--out") -> None:
    """Write ``pset`` as indented JSON, atomically."""
    write_text_atomic(path, json.dumps(pset.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", field)


def apply_parameter_set(values: ParameterValues, pset: ParameterSet) -> ParameterValues:
    """``values`` with the set's values as overrides of kind "fitted", its provenance as their source."""
    check_against_registry(pset, values)
    fit = pset.fit
    chi = "" if fit.reduced_chi2 is None else f", reduced χ² {fit.reduced_chi2:.3g}"
    return values.with_overrides(
        pset.values, kind="fitted", source=CITATION, where=pset.provenance(),
        fit_error=f"standard error from the fit ({fit.covariance_mode} covariance{chi}, {fit.n_observations} "
                  f"observations, {fit.dof} degrees of freedom)",
        standard_errors=pset.standard_errors)
